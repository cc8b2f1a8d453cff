//! Toezicht reads only what it flags (issue 14): partial indexes for each of its questions, so
//! its cost follows what is wrong, not the millions of records, disclosures and views that are
//! fine. Both databases have partial indexes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str)] = &[
    // Records past retention, counted per source: an index-only range scan.
    (
        "ix_records_retention",
        "ON personal_data_records (retention_until, source_system_id) \
         WHERE retention_until IS NOT NULL",
    ),
    // Disclosures without a legal basis.
    (
        "ix_disclosures_no_basis",
        "ON disclosures (disclosed_at, id) WHERE legal_basis IS NULL",
    ),
    // Disclosures under a consent, and the consents withdrawn.
    (
        "ix_disclosures_consent",
        "ON disclosures (consent_id) WHERE consent_id IS NOT NULL",
    ),
    (
        "ix_consents_withdrawn",
        "ON consents (id, withdrawn_at) WHERE withdrawn_at IS NOT NULL",
    ),
    // Staff views without a case.
    (
        "ix_staff_views_unlinked",
        "ON staff_views (viewed_at, id) WHERE case_reference IS NULL OR case_reference = ''",
    ),
    // When each decision took effect.
    (
        "ix_request_events_decided",
        "ON request_events (request_id, id) WHERE to_status IN ('decided', 'rejected')",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, definition) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} {definition}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
