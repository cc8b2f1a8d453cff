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
        ]
    }
}
