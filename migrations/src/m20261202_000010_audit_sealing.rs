//! Audit events that never make a writer fail, sealed apart (issue 13):
//!
//! - `audit_events` loses `prev_hash` and `hash`. Writers only insert; they no longer race each
//!   other for the head of one chain (`prev_hash` was unique, and under load the loser's state
//!   change failed). The table is rebuilt, keeping every event and its id.
//! - `audit_seals`: the sealer's chain, one row per event in the order it was sealed: its
//!   position, the event and the chain hash up to it.
//! - `audit_checkpoints`: a signed statement (Ed25519) of how many events the chain holds and
//!   its head hash at a time, as a certificate-transparency log signs its tree heads.
//! - On PostgreSQL every insert-only table also refuses `TRUNCATE`, which row triggers do not
//!   see. (Dropping the triggers needs the table's owner: see the README's database roles.)

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables no one may change or empty.
const INSERT_ONLY: [&str; 4] = [
    "audit_events",
    "staff_views",
    "request_events",
    "access_answers",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        // Rebuild: SQLite cannot drop a UNIQUE column. The old table's triggers go with it.
        manager
            .rename_table(
                Table::rename()
                    .table(AuditEvents::Table, Alias::new("audit_events_v1"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(big_integer(AuditEvents::Id).auto_increment().primary_key())
                    .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                    // `staff:<id>`, `citizen:<id>`, `source:<name>` or `system`.
                    .col(string(AuditEvents::Actor))
                    .col(string(AuditEvents::Action))
                    .col(big_integer_null(AuditEvents::CitizenId))
                    .col(text(AuditEvents::Details))
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "INSERT INTO audit_events (id, occurred_at, actor, action, citizen_id, details) \
             SELECT id, occurred_at, actor, action, citizen_id, details FROM audit_events_v1 \
             ORDER BY id",
        )
        .await?;
        if backend == DatabaseBackend::Postgres {
            // The copied ids were explicit: the sequence continues after them.
            db.execute_unprepared(
                "SELECT setval(pg_get_serial_sequence('audit_events', 'id'), \
                 COALESCE((SELECT MAX(id) FROM audit_events), 0) + 1, false)",
            )
            .await?;
            db.execute_unprepared("DROP TABLE audit_events_v1 CASCADE")
                .await?;
        } else {
            db.execute_unprepared("DROP TABLE audit_events_v1").await?;
        }
        crate::insert_only(manager, "audit_events").await?;
        // The sealer looks for events not yet sealed among the recent ones.
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_occurred_at")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::OccurredAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditCheckpoints::Table)
                    // The checkpoint's sequence number, 1, 2, …: set by the sealer, not a
                    // serial, so a removed checkpoint leaves a gap that verification sees.
                    .col(big_integer(AuditCheckpoints::Id).primary_key())
                    // How many events the chain holds (the last sealed position).
                    .col(big_integer(AuditCheckpoints::Events))
                    .col(string_len(AuditCheckpoints::Head, 64))
                    .col(timestamp_with_time_zone(AuditCheckpoints::SealedAt))
                    // First 16 hex digits of the SHA-256 of the public key.
                    .col(string_len(AuditCheckpoints::KeyId, 16))
                    // Ed25519 signature, base64.
                    .col(string_len(AuditCheckpoints::Signature, 100))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditSeals::Table)
                    .col(big_integer(AuditSeals::Position).primary_key())
                    .col(big_integer_uniq(AuditSeals::EventId))
                    .col(big_integer(AuditSeals::CheckpointId))
                    .col(string_len(AuditSeals::Hash, 64))
                    .to_owned(),
            )
            .await?;
        crate::insert_only(manager, "audit_seals").await?;
        crate::insert_only(manager, "audit_checkpoints").await?;
        if backend == DatabaseBackend::Postgres {
            for table in INSERT_ONLY
                .iter()
                .chain(&["audit_seals", "audit_checkpoints"])
            {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} \
                     FOR EACH STATEMENT EXECUTE FUNCTION {table}_insert_only()"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The chain of the old format cannot be rebuilt from sealed events without a gap.
        Err(DbErr::Migration(
            "the audit sealing migration cannot be undone; restore a backup instead".to_owned(),
        ))
    }
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OccurredAt,
    Actor,
    Action,
    CitizenId,
    Details,
}

#[derive(DeriveIden)]
enum AuditSeals {
    Table,
    Position,
    EventId,
    CheckpointId,
    Hash,
}

#[derive(DeriveIden)]
enum AuditCheckpoints {
    Table,
    Id,
    Events,
    Head,
    SealedAt,
    KeyId,
    Signature,
}
