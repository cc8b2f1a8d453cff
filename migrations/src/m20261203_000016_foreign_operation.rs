//! A processing log line may have been caused by a processing at another organisation: the
//! Logboek Dataverwerkingen standard calls that its `foreign_operation` (that organisation's
//! trace and operation, and a URI naming it). Kept beside the line so the citizen's download
//! can point to where the processing began (issue 15).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["foreign_trace_id", "foreign_span_id", "foreign_entity"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("processing_log_lines"))
                        .add_column(ColumnDef::new(Alias::new(column)).text().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["foreign_trace_id", "foreign_span_id", "foreign_entity"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("processing_log_lines"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
