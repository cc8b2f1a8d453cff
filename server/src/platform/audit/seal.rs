//! The sealer: puts new audit events on the chain and signs a checkpoint, one instance at a time.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement as SqlStatement, TransactionSession,
    TransactionTrait,
};

use super::chain::{AuditKey, Checkpoint, GENESIS, Statement, chain_hash};
use crate::entities::{audit_checkpoints, audit_events, audit_seals};

/// How late an event may commit after it was stamped and still be sealed. A writer's transaction
/// that stays open longer than this (none does: statements time out far sooner) would leave its
/// event unsealed, and verification would report it as added afterwards.
pub const LATE_WINDOW: Duration = Duration::minutes(10);

/// The most events one round seals; the next round takes the rest.
const ROUND: u64 = 20_000;

/// Any fixed number: the PostgreSQL advisory lock that keeps sealing to one instance at a time.
const SEAL_LOCK: i64 = 0x1A5A_6E5E_A1ED;

/// Seals the events not yet on the chain and signs a checkpoint over them. Returns the new
/// checkpoint, or `None` when there was nothing to seal or another instance is sealing.
pub async fn seal<C>(
    db: &C,
    key: &AuditKey,
    now: DateTime<Utc>,
) -> Result<Option<Checkpoint>, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        let locked = txn
            .query_one_raw(SqlStatement::from_string(
                DatabaseBackend::Postgres,
                format!("SELECT pg_try_advisory_xact_lock({SEAL_LOCK}) AS locked"),
            ))
            .await?
            .map(|row| row.try_get::<bool>("", "locked"))
            .transpose()?
            .unwrap_or(false);
        if !locked {
            txn.rollback().await?;
            return Ok(None);
        }
    }
    // On SQLite one writer at a time is the database's own rule; two sealers that both read the
    // same head collide on the seals' primary key, and the loser's round is rolled back.
    let last = audit_checkpoints::Entity::find()
        .order_by_desc(audit_checkpoints::Column::Id)
        .one(&txn)
        .await?;
    let head = audit_seals::Entity::find()
        .order_by_desc(audit_seals::Column::Position)
        .one(&txn)
        .await?;
    let since = match &head {
        Some(h) => window_start(&txn, h.event_id).await?,
        None => None,
    };
    let (mut position, mut hash) = head.map_or((0, GENESIS.to_owned()), |h| (h.position, h.hash));
    let events = unsealed(&txn, since).await?;
    if events.is_empty() {
        // Ended here, not on drop: the lock must be free when this returns.
        txn.rollback().await?;
        return Ok(None);
    }
    let sequence = last.map_or(1, |c| c.id + 1);
    let mut seals = Vec::with_capacity(events.len());
    for event in &events {
        position += 1;
        hash = chain_hash(&hash, position, event);
        seals.push(audit_seals::ActiveModel {
            position: Set(position),
            event_id: Set(event.id),
            checkpoint_id: Set(sequence),
            hash: Set(hash.clone()),
        });
    }
    // 4 columns a row: well under both databases' limit on bound parameters.
    for chunk in seals.chunks(2_000) {
        audit_seals::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    let sealed_at = now.trunc_subsecs(6);
    let signature = key.sign(&Statement {
        sequence,
        events: position,
        head: &hash,
        sealed_at,
    });
    let checkpoint = audit_checkpoints::Model {
        id: sequence,
        events: position,
        head: hash,
        sealed_at,
        key_id: key.key_id(),
        signature,
    };
    audit_checkpoints::Entity::insert(audit_checkpoints::ActiveModel {
        id: Set(checkpoint.id),
        events: Set(checkpoint.events),
        head: Set(checkpoint.head.clone()),
        sealed_at: Set(checkpoint.sealed_at),
        key_id: Set(checkpoint.key_id.clone()),
        signature: Set(checkpoint.signature.clone()),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(Some(checkpoint))
}

/// Where the search for unsealed events starts: [`LATE_WINDOW`] before the last sealed event
/// was stamped. Events are sealed in id order, so a round that stopped at [`ROUND`] events goes
/// on from there; nothing stamped earlier can still be waiting (verification checks that).
pub(super) async fn window_start<C: ConnectionTrait>(
    db: &C,
    last_sealed_event: i64,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(audit_events::Entity::find_by_id(last_sealed_event)
        .one(db)
        .await?
        .map(|e| e.occurred_at - LATE_WINDOW))
}

/// The condition "this event has no seal yet", for queries on `audit_events`.
pub(super) fn not_sealed() -> sea_orm::sea_query::Expr {
    sea_orm::sea_query::Expr::cust(
        "NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.event_id = audit_events.id)",
    )
}

/// Events without a seal, oldest id first, among those stamped after `since` (all when `None`).
async fn unsealed<C: ConnectionTrait>(
    db: &C,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<audit_events::Model>, DbErr> {
    let mut query = audit_events::Entity::find()
        .filter(not_sealed())
        .order_by_asc(audit_events::Column::Id)
        .limit(ROUND);
    if let Some(since) = since {
        query = query.filter(audit_events::Column::OccurredAt.gte(since));
    }
    query.all(db).await
}
