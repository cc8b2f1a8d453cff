//! The back office works on open requests, a small part of all of them once a city has years of
//! closed ones (issue 14). Ordered by due date over every request, the open ones come last in
//! the index: a partial index on the open requests alone, in due order, keeps the queue's open
//! views, its counts and the staff digest to the open requests' own size. The predicate is
//! spelled exactly as `rights::requests::OPEN_SQL` writes it, so both databases match it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Must stay equal to `server::rights::requests::OPEN_SQL` (a server test compares them).
pub const OPEN_REQUESTS: &str =
    "status IN ('submitted', 'in_review', 'awaiting_citizen', 'awaiting_approval')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in [
            format!(
                "CREATE INDEX ix_requests_open_due ON rights_requests \
                 ((COALESCE(extended_to, due_on)), id, assignee_id) WHERE {OPEN_REQUESTS}"
            ),
            // The open counts read status, due date and assignee: all in the index.
            "DROP INDEX ix_requests_status_due".to_owned(),
            "CREATE INDEX ix_requests_status_due ON rights_requests \
             (status, (COALESCE(extended_to, due_on)), assignee_id)"
                .to_owned(),
            // A kind's or a handler's requests in due order: read in the index's order and
            // stopped at the page, instead of all of them sorted (and counted in the index).
            "CREATE INDEX ix_requests_kind_due ON rights_requests \
             (kind, (COALESCE(extended_to, due_on)), id)"
                .to_owned(),
            "CREATE INDEX ix_requests_assignee_due ON rights_requests \
             (assignee_id, (COALESCE(extended_to, due_on)), id)"
                .to_owned(),
        ] {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in [
            "DROP INDEX IF EXISTS ix_requests_open_due",
            "DROP INDEX IF EXISTS ix_requests_kind_due",
            "DROP INDEX IF EXISTS ix_requests_assignee_due",
            "DROP INDEX IF EXISTS ix_requests_status_due",
            "CREATE INDEX ix_requests_status_due ON rights_requests \
             (status, (COALESCE(extended_to, due_on)))",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
