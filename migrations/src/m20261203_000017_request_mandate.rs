//! A request filed under a representation (DigiD Machtigen, or a broker's `represents` claim)
//! is the represented person's own request (requester and subject), and keeps who filed it for
//! them (`filed_by`, the representative's citizen row) and the mandate the broker named
//! (issue 15).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One `ALTER TABLE` per column: SQLite adds only one at a time.
fn columns() -> [ColumnDef; 2] {
    [
        ColumnDef::new(Alias::new("mandate"))
            .text()
            .null()
            .to_owned(),
        ColumnDef::new(Alias::new("filed_by"))
            .big_integer()
            .null()
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("rights_requests"))
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["mandate", "filed_by"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("rights_requests"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
