//! The staff audit log: every staff view of citizen data and every state change, as an
//! append-only chain. Each row's hash covers its content and the previous row's hash; a trigger
//! refuses UPDATE and DELETE on both databases; `inzage audit verify` recomputes the chain and
//! names the first row that does not fit.
//!
//! `prev_hash` is unique: two writers that read the same head cannot both append to it, so the
//! loser retries on the new head instead of forking the chain.

use std::fmt;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::entities::audit_events;

/// `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How often an append retries after losing the race for the head.
const APPEND_TRIES: usize = 20;

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A staff member (`staff_accounts.id`).
    Staff(i64),
    /// A citizen (`citizens.id`).
    Citizen(i64),
    /// A source system, by name.
    Source(String),
    /// Inzage itself (jobs, migrations).
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Staff(id) => write!(f, "staff:{id}"),
            Actor::Citizen(id) => write!(f, "citizen:{id}"),
            Actor::Source(name) => write!(f, "source:{name}"),
            Actor::System => f.write_str("system"),
        }
    }
}

/// One event to record. `details` must not hold a BSN; use ids and references.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    /// Who acted.
    pub actor: Actor,
    /// What they did, e.g. `citizen.viewed`, `consent.withdrawn`.
    pub action: String,
    /// Whose data, if any.
    pub citizen_id: Option<i64>,
    /// Further facts as JSON.
    pub details: serde_json::Value,
}

fn field(hasher: &mut Sha256, value: &str) {
    // Length-prefixed, so no two different rows encode to the same bytes.
    hasher.update((value.len() as u64).to_be_bytes());
    hasher.update(value.as_bytes());
}

/// The hash of a row: its content and the previous row's hash.
pub fn hash_row(
    prev_hash: &str,
    occurred_at: &DateTime<Utc>,
    actor: &str,
    action: &str,
    citizen_id: Option<i64>,
    details: &str,
) -> String {
    let mut hasher = Sha256::new();
    field(&mut hasher, "inzage/audit/v1");
    field(&mut hasher, prev_hash);
    field(&mut hasher, &occurred_at.timestamp_micros().to_string());
    field(&mut hasher, actor);
    field(&mut hasher, action);
    field(
        &mut hasher,
        &citizen_id.map(|id| id.to_string()).unwrap_or_default(),
    );
    field(&mut hasher, details);
    crate::platform::crypto::hex(&hasher.finalize())
}

/// Appends `entry`; pass the transaction of the state change it records, so both commit together.
pub async fn append<C>(db: &C, entry: &AuditEntry) -> Result<i64, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let details = entry.details.to_string();
    let actor = entry.actor.to_string();
    let mut last_error = None;
    for _ in 0..APPEND_TRIES {
        // A savepoint (or a transaction): a lost race rolls back only this attempt.
        let attempt = db.begin().await?;
        let head = audit_events::Entity::find()
            .order_by_desc(audit_events::Column::Id)
            .limit(1)
            .one(&attempt)
            .await?;
        let prev_hash = head.map(|h| h.hash).unwrap_or_else(|| GENESIS.to_owned());
        // Stored with microseconds on both databases, so the hash is recomputable.
        let occurred_at = Utc::now().trunc_subsecs(6);
        let hash = hash_row(
            &prev_hash,
            &occurred_at,
            &actor,
            &entry.action,
            entry.citizen_id,
            &details,
        );
        let inserted = audit_events::ActiveModel {
            occurred_at: Set(occurred_at),
            actor: Set(actor.clone()),
            action: Set(entry.action.clone()),
            citizen_id: Set(entry.citizen_id),
            details: Set(details.clone()),
            prev_hash: Set(prev_hash),
            hash: Set(hash),
            ..Default::default()
        }
        .insert(&attempt)
        .await;
        match inserted {
            Ok(row) => {
                attempt.commit().await?;
                return Ok(row.id);
            }
            Err(e) => {
                if let Err(rollback) = attempt.rollback().await {
                    tracing::warn!(error = %rollback, "rolling back a failed audit append failed");
                }
                last_error = Some(e);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
    }
    Err(last_error.unwrap_or_else(|| DbErr::Custom("audit append failed".to_owned())))
}

/// What `inzage audit verify` found.
#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    /// Every row fits; this many were checked.
    Intact(u64),
    /// The first row that does not fit.
    Broken {
        /// Its id.
        id: i64,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Recomputes the whole chain, in pages, in id order.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<Verification, DbErr> {
    let mut expected_prev = GENESIS.to_owned();
    let mut checked = 0u64;
    let mut pages = audit_events::Entity::find()
        .order_by_asc(audit_events::Column::Id)
        .paginate(db, 1000);
    while let Some(rows) = pages.fetch_and_next().await? {
        for row in rows {
            if row.prev_hash != expected_prev {
                return Ok(Verification::Broken {
                    id: row.id,
                    reason: "does not follow the previous row (a row was removed, inserted or reordered)",
                });
            }
            let recomputed = hash_row(
                &row.prev_hash,
                &row.occurred_at,
                &row.actor,
                &row.action,
                row.citizen_id,
                &row.details,
            );
            if recomputed != row.hash {
                return Ok(Verification::Broken {
                    id: row.id,
                    reason: "its content was changed after it was written",
                });
            }
            expected_prev = row.hash;
            checked += 1;
        }
    }
    Ok(Verification::Intact(checked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_every_field() {
        let t = Utc::now().trunc_subsecs(6);
        let base = hash_row(GENESIS, &t, "staff:1", "citizen.viewed", Some(7), "{}");
        assert_eq!(
            base,
            hash_row(GENESIS, &t, "staff:1", "citizen.viewed", Some(7), "{}")
        );
        let variants = [
            hash_row("1", &t, "staff:1", "citizen.viewed", Some(7), "{}"),
            hash_row(
                GENESIS,
                &(t + chrono::Duration::microseconds(1)),
                "staff:1",
                "citizen.viewed",
                Some(7),
                "{}",
            ),
            hash_row(GENESIS, &t, "staff:2", "citizen.viewed", Some(7), "{}"),
            hash_row(GENESIS, &t, "staff:1", "citizen.changed", Some(7), "{}"),
            hash_row(GENESIS, &t, "staff:1", "citizen.viewed", None, "{}"),
            hash_row(
                GENESIS,
                &t,
                "staff:1",
                "citizen.viewed",
                Some(7),
                "{\"x\":1}",
            ),
            // Moving a boundary between fields changes the hash too.
            hash_row(GENESIS, &t, "staff:1c", "itizen.viewed", Some(7), "{}"),
        ];
        for variant in variants {
            assert_ne!(variant, base);
        }
    }
}
