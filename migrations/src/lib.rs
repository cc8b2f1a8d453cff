//! The Inzage database schema as sea-orm migrations.
//!
//! Every migration runs unchanged on SQLite and PostgreSQL; tests apply them to both.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_foundation;
mod m20261122_000002_mail;
mod m20261122_000003_transparency;
mod m20261122_000004_contact_limits;
mod m20261122_000005_source_events;
mod m20261122_000006_requests;
mod m20261122_000007_answers_and_oversight;
mod m20261122_000008_staff_views_insert_only;
mod m20261202_000009_rights_that_stick;
mod m20261202_000010_audit_sealing;
mod m20261202_000011_leave_out_grounds;
mod m20261202_000012_queue_indexes;
mod m20261202_000013_oversight_indexes;
pub mod m20261202_000014_open_requests_index;
mod m20261202_000015_retention_counts;
mod m20261203_000016_foreign_operation;
mod m20261203_000017_request_mandate;

/// Makes `table` insert-only on both databases: a trigger refuses every UPDATE and DELETE.
async fn insert_only(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::DatabaseBackend;
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DatabaseBackend::Postgres => {
            db.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION {table}_insert_only() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION '{table} is insert-only'; END; $$ LANGUAGE plpgsql"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION {table}_insert_only()"
            ))
            .await?;
        }
        _ => {
            for operation in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_no_{op} BEFORE {operation} ON {table} \
                     BEGIN SELECT RAISE(ABORT, '{table} is insert-only'); END",
                    op = operation.to_lowercase()
                ))
                .await?;
            }
        }
    }
    Ok(())
}

/// Applies the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_000002_mail::Migration),
            Box::new(m20261122_000003_transparency::Migration),
            Box::new(m20261122_000004_contact_limits::Migration),
            Box::new(m20261122_000005_source_events::Migration),
            Box::new(m20261122_000006_requests::Migration),
            Box::new(m20261122_000007_answers_and_oversight::Migration),
            Box::new(m20261122_000008_staff_views_insert_only::Migration),
            Box::new(m20261202_000009_rights_that_stick::Migration),
            Box::new(m20261202_000010_audit_sealing::Migration),
            Box::new(m20261202_000011_leave_out_grounds::Migration),
            Box::new(m20261202_000012_queue_indexes::Migration),
            Box::new(m20261202_000013_oversight_indexes::Migration),
            Box::new(m20261202_000014_open_requests_index::Migration),
            Box::new(m20261202_000015_retention_counts::Migration),
            Box::new(m20261203_000016_foreign_operation::Migration),
            Box::new(m20261203_000017_request_mandate::Migration),
        ]
    }
}
