//! Limits on confirmation codes: at most a few per day per citizen, so the portal cannot be used
//! to flood someone's mailbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CitizenContacts::Table)
                    .add_column(integer(CitizenContacts::CodeRequests).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CitizenContacts::Table)
                    .add_column(timestamp_with_time_zone_null(
                        CitizenContacts::CodeWindowStartedAt,
                    ))
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum CitizenContacts {
    Table,
    CodeRequests,
    CodeWindowStartedAt,
}
