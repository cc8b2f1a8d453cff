//! The back-office queue is filtered, sorted, counted and paged by the database (issue 14):
//! indexes for what it asks. The due date is the extended one when there is one, so the order
//! index is on that expression (both databases index expressions).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in [
            "CREATE INDEX ix_requests_due ON rights_requests ((COALESCE(extended_to, due_on)), id)",
            "CREATE INDEX ix_requests_status_due ON rights_requests \
             (status, (COALESCE(extended_to, due_on)))",
            "CREATE INDEX ix_requests_assignee ON rights_requests (assignee_id, status)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for index in [
            "ix_requests_due",
            "ix_requests_status_due",
            "ix_requests_assignee",
        ] {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                .await?;
        }
        Ok(())
    }
}
