//! A request filed under a representation (DigiD Machtigen, or a broker's `represents` claim)
//! is the represented person's own request (requester and subject), and keeps who filed it for
//! them (`filed_by`, the representative's citizen row) and the mandate the broker named
//! (issue 15).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("rights_requests"))
                    .add_column(ColumnDef::new(Alias::new("mandate")).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("rights_requests"))
                    .add_column(ColumnDef::new(Alias::new("filed_by")).big_integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("rights_requests"))
                    .drop_column(Alias::new("mandate"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("rights_requests"))
                    .drop_column(Alias::new("filed_by"))
                    .to_owned(),
            )
            .await
    }
}
