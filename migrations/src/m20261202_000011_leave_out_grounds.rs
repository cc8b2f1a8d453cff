//! Leaving data out of an access answer is a refusal in effect (issue 13): the handler chooses
//! the records with a ground and a note as part of the decision, an approver other than the
//! handler approves them with it, and the answer leaves out exactly those.
//!
//! - `request_leave_outs`: one row per record the decision leaves out of the answer, with its
//!   ground (a `RefusalGround`) and the handler's note. Written only by the decision (a decision
//!   sent back and taken again replaces them); the answer as sent keeps its own copy.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RequestLeaveOuts::Table)
                    .col(
                        big_integer(RequestLeaveOuts::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(RequestLeaveOuts::RequestId))
                    // No foreign key: a record erased later goes, the decision about it stays.
                    .col(big_integer(RequestLeaveOuts::RecordId))
                    // art15_4 | uavg41 (`RefusalGround::leaves_out`)
                    .col(string_len(RequestLeaveOuts::Ground, 32))
                    .col(text(RequestLeaveOuts::Note))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leave_outs_request")
                            .from(RequestLeaveOuts::Table, RequestLeaveOuts::RequestId)
                            .to(RightsRequests::Table, RightsRequests::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_leave_outs_request_record")
                    .table(RequestLeaveOuts::Table)
                    .col(RequestLeaveOuts::RequestId)
                    .col(RequestLeaveOuts::RecordId)
                    .unique()
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum RequestLeaveOuts {
    Table,
    Id,
    RequestId,
    RecordId,
    Ground,
    Note,
}

#[derive(DeriveIden)]
enum RightsRequests {
    Table,
    Id,
}
