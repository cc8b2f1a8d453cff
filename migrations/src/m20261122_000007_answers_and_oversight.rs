//! The Art. 15 answer as it was sent, and the access log source systems report: which of their
//! staff opened a citizen's file, and for which case (the privacy officer looks for views
//! without one).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessAnswers::Table)
                    .col(big_integer(AccessAnswers::RequestId).primary_key())
                    // The answer as JSON: what the page, the PDF and the download all show.
                    .col(text(AccessAnswers::Body))
                    // Records left out as third parties' data (JSON list of ids), and why.
                    .col(text(AccessAnswers::LeftOut))
                    .col(text_null(AccessAnswers::LeftOutNote))
                    .col(big_integer(AccessAnswers::SentBy))
                    .col(timestamp_with_time_zone(AccessAnswers::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_answers_request")
                            .from(AccessAnswers::Table, AccessAnswers::RequestId)
                            .to(RightsRequests::Table, RightsRequests::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // What was sent stays as it was sent.
        crate::insert_only(manager, "access_answers").await?;

        manager
            .create_table(
                Table::create()
                    .table(StaffViews::Table)
                    .col(big_integer(StaffViews::Id).auto_increment().primary_key())
                    .col(big_integer(StaffViews::SourceSystemId))
                    .col(string_len(StaffViews::SourceViewId, 128))
                    .col(big_integer(StaffViews::CitizenId))
                    // The source's own name for the staff member (employee number or account):
                    // Inzage keeps it for the privacy officer and never shows it to the citizen.
                    .col(string_len(StaffViews::StaffRef, 128))
                    .col(string_len(StaffViews::ActivityCode, 128))
                    .col(timestamp_with_time_zone(StaffViews::ViewedAt))
                    // The case or request the view was for; none is what the officer looks for.
                    .col(string_len_null(StaffViews::CaseReference, 128))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_views_citizen")
                            .from(StaffViews::Table, StaffViews::CitizenId)
                            .to(Citizens::Table, Citizens::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_staff_views_source")
                    .table(StaffViews::Table)
                    .col(StaffViews::SourceSystemId)
                    .col(StaffViews::SourceViewId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StaffViews::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AccessAnswers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AccessAnswers {
    Table,
    RequestId,
    Body,
    LeftOut,
    LeftOutNote,
    SentBy,
    SentAt,
}

#[derive(DeriveIden)]
enum StaffViews {
    Table,
    Id,
    SourceSystemId,
    SourceViewId,
    CitizenId,
    StaffRef,
    ActivityCode,
    ViewedAt,
    CaseReference,
}

#[derive(DeriveIden)]
enum RightsRequests {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Citizens {
    Table,
    Id,
}
