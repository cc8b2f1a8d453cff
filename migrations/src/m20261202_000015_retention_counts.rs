//! Toezicht's count of the records kept past their retention date, made once a day (issue 14).
//! At a large city's volumes that count walks millions of index entries (8 s at 50 M records),
//! while its answer only changes with the date: a background job counts once a day and
//! Toezicht reads the day's row, showing when it was counted.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One row per day (the primary key lets one instance store it); the figures per source
        // as JSON, so a day on which nothing is past retention is a row too.
        manager
            .create_table(
                Table::create()
                    .table(RetentionCounts::Table)
                    .col(
                        ColumnDef::new(RetentionCounts::Day)
                            .date()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(RetentionCounts::CountedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(RetentionCounts::Figures).text().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RetentionCounts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RetentionCounts {
    Table,
    Day,
    CountedAt,
    Figures,
}
