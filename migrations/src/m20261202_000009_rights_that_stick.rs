//! A decision carried out in Inzage holds against a source's next sync (issue 12):
//!
//! - `record_tombstones`: an erased record's source id, so a re-send is refused. No personal data.
//! - `record_guards`: a rectified record refuses the value from before the rectification until
//!   its source acknowledged the `record.rectified` event. The old value itself is in the record's
//!   history, as every change is; the guard holds its hash, and only until the acknowledgement.
//! - `personal_data_records.restricted_by` / `restricted_at`: which request restricted a record.
//! - `restricted_processing`: staff views and log lines that touched a restricted record, for
//!   the privacy officer; kept when the restriction is lifted, because it happened.
//! - consents are kept per (source, source id, given at): a consent given anew after the
//!   citizen withdrew it in the portal is a new row, and the withdrawn one stays.
//! - log lines are deduplicated per source, so one source cannot suppress another's lines.
//! - `request_items.special_category`: a health item's label follows the health-data level.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RecordTombstones::Table)
                    .col(
                        big_integer(RecordTombstones::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(RecordTombstones::SourceSystemId))
                    .col(string_len(RecordTombstones::SourceRecordId, 200))
                    .col(big_integer(RecordTombstones::RequestId))
                    .col(string_len(RecordTombstones::Reference, 32))
                    .col(timestamp_with_time_zone(RecordTombstones::ErasedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_tombstones_source_record")
                    .table(RecordTombstones::Table)
                    .col(RecordTombstones::SourceSystemId)
                    .col(RecordTombstones::SourceRecordId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RecordGuards::Table)
                    .col(big_integer(RecordGuards::Id).auto_increment().primary_key())
                    .col(big_integer(RecordGuards::RecordId))
                    // The `record.rectified` event whose acknowledgement lifts the guard.
                    .col(big_integer(RecordGuards::SourceEventId))
                    // SHA-256 of the value before the rectification (that value is in the
                    // record's history; the guard needs only to recognise it, and is deleted
                    // with the acknowledgement).
                    .col(string_len(RecordGuards::RefusedValueSha256, 64))
                    .col(string_len(RecordGuards::Reference, 32))
                    .col(timestamp_with_time_zone(RecordGuards::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_guards_record")
                            .from(RecordGuards::Table, RecordGuards::RecordId)
                            .to(PersonalDataRecords::Table, PersonalDataRecords::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_guards_record")
                    .table(RecordGuards::Table)
                    .col(RecordGuards::RecordId)
                    .to_owned(),
            )
            .await?;

        // SQLite takes one column per ALTER TABLE.
        for column in [
            string_len_null(PersonalDataRecords::RestrictedBy, 32),
            timestamp_with_time_zone_null(PersonalDataRecords::RestrictedAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(PersonalDataRecords::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }

        // Whether an item is about special-category (health) data, kept at filing: a login
        // below the health-data level sees neither its label nor its letter text, even after
        // the record itself was erased.
        manager
            .alter_table(
                Table::alter()
                    .table(RequestItems::Table)
                    .add_column(boolean(RequestItems::SpecialCategory).default(false))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RestrictedProcessing::Table)
                    .col(
                        big_integer(RestrictedProcessing::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(RestrictedProcessing::CitizenId))
                    .col(big_integer(RestrictedProcessing::SourceSystemId))
                    // `staff_view` or `log_line`.
                    .col(string_len(RestrictedProcessing::Kind, 16))
                    // The source's view id, or the line's trace and span.
                    .col(string_len(RestrictedProcessing::ItemRef, 200))
                    .col(string_len(RestrictedProcessing::ActivityCode, 128))
                    // What was done: the staff reference for a view, the span name for a line.
                    .col(string_len(RestrictedProcessing::What, 200))
                    .col(timestamp_with_time_zone(RestrictedProcessing::OccurredAt))
                    // The request that restricted the record.
                    .col(string_len(RestrictedProcessing::RestrictedBy, 32))
                    .col(timestamp_with_time_zone(RestrictedProcessing::DetectedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_restricted_processing_time")
                    .table(RestrictedProcessing::Table)
                    .col(RestrictedProcessing::OccurredAt)
                    .to_owned(),
            )
            .await?;

        manager
            .drop_index(
                Index::drop()
                    .name("ux_consents_source")
                    .table(Consents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_consents_source_given")
                    .table(Consents::Table)
                    .col(Consents::SourceSystemId)
                    .col(Consents::SourceConsentId)
                    .col(Consents::GivenAt)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .drop_index(
                Index::drop()
                    .name("ux_log_trace_span")
                    .table(ProcessingLogLines::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_log_source_trace_span")
                    .table(ProcessingLogLines::Table)
                    .col(ProcessingLogLines::SourceSystemId)
                    .col(ProcessingLogLines::TraceId)
                    .col(ProcessingLogLines::SpanId)
                    .unique()
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum RecordTombstones {
    Table,
    Id,
    SourceSystemId,
    SourceRecordId,
    RequestId,
    Reference,
    ErasedAt,
}

#[derive(DeriveIden)]
enum RecordGuards {
    Table,
    Id,
    RecordId,
    SourceEventId,
    RefusedValueSha256,
    Reference,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PersonalDataRecords {
    Table,
    Id,
    RestrictedBy,
    RestrictedAt,
}

#[derive(DeriveIden)]
enum RequestItems {
    Table,
    SpecialCategory,
}

#[derive(DeriveIden)]
enum RestrictedProcessing {
    Table,
    Id,
    CitizenId,
    SourceSystemId,
    Kind,
    ItemRef,
    ActivityCode,
    What,
    OccurredAt,
    RestrictedBy,
    DetectedAt,
}

#[derive(DeriveIden)]
enum Consents {
    Table,
    SourceSystemId,
    SourceConsentId,
    GivenAt,
}

#[derive(DeriveIden)]
enum ProcessingLogLines {
    Table,
    SourceSystemId,
    TraceId,
    SpanId,
}
