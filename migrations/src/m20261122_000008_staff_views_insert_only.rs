//! Staff views are the privacy officer's evidence: like the audit log, they are never edited.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::insert_only(manager, "staff_views").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS staff_views_insert_only ON staff_views; \
                     DROP FUNCTION IF EXISTS staff_views_insert_only()",
                )
                .await?;
            }
            _ => {
                for operation in ["update", "delete"] {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS staff_views_no_{operation}"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }
}
