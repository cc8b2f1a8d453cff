//! Events for source systems (e.g. a consent withdrawn in the portal), written in the same
//! transaction as the change and fetched by the source over the API until it acknowledges them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SourceEvents::Table)
                    .col(big_integer(SourceEvents::Id).auto_increment().primary_key())
                    .col(big_integer(SourceEvents::SourceSystemId))
                    // e.g. `consent.withdrawn`
                    .col(string_len(SourceEvents::Kind, 64))
                    // JSON with the source's own ids; never a BSN.
                    .col(text(SourceEvents::Payload))
                    .col(timestamp_with_time_zone(SourceEvents::CreatedAt))
                    .col(timestamp_with_time_zone_null(SourceEvents::AcknowledgedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_source_events_open")
                    .table(SourceEvents::Table)
                    .col(SourceEvents::SourceSystemId)
                    .col(SourceEvents::AcknowledgedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum SourceEvents {
    Table,
    Id,
    SourceSystemId,
    Kind,
    Payload,
    CreatedAt,
    AcknowledgedAt,
}
