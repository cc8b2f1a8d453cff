//! The audit log: every staff view of citizen data and every state change.
//!
//! Writers only insert ([`append`]), in the transaction of the change they record; they never
//! read or wait for anything another writer wrote, so no state change fails because another one
//! ran at the same moment. Tamper evidence is added apart, in the manner of certificate
//! transparency (RFC 6962): the [`seal`] job (one instance at a time) puts new events in order
//! on a hash chain and signs a checkpoint of its length and head with the instance's Ed25519
//! key; [`verify`] checks every event against the chain, the chain against the signed
//! checkpoints, and optionally against a checkpoint kept outside the portal.
//!
//! | what                         | found by                                                  |
//! |------------------------------|-----------------------------------------------------------|
//! | an event edited              | its chain hash no longer fits (exact position)            |
//! | an event deleted             | its seal names an event that is gone (exact position)     |
//! | the log truncated            | a checkpoint counts more events than the chain holds      |
//! | an edit with the chain recomputed | a signed head no longer fits (the checkpoint's range)|
//! | a checkpoint removed         | a gap in the checkpoints' sequence, or seals without one  |
//! | everything wiped             | an exported checkpoint (`audit verify --checkpoint`)      |
//!
//! Triggers refuse UPDATE, DELETE and (PostgreSQL) TRUNCATE on all three tables; an
//! application role that owns none of them cannot drop those triggers (README: database roles).

mod chain;
mod seal;
mod verify;

use std::fmt;

use chrono::{SubsecRound, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};

pub use chain::{AuditKey, Checkpoint, CheckpointFile, GENESIS, chain_hash};
pub use seal::{LATE_WINDOW, seal};
pub use verify::{Broken, Verified, verify};

use crate::entities::audit_events;

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

/// Appends `entry`: one insert. Pass the transaction of the state change it records, so both
/// commit together.
pub async fn append<C: ConnectionTrait>(db: &C, entry: &AuditEntry) -> Result<i64, DbErr> {
    let row = audit_events::ActiveModel {
        // Stored with microseconds on both databases, so the chain hash is recomputable.
        occurred_at: Set(Utc::now().trunc_subsecs(6)),
        actor: Set(entry.actor.to_string()),
        action: Set(entry.action.clone()),
        citizen_id: Set(entry.citizen_id),
        details: Set(entry.details.to_string()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// The newest signed checkpoint, if anything was sealed yet.
pub async fn latest_checkpoint<C: ConnectionTrait>(db: &C) -> Result<Option<Checkpoint>, DbErr> {
    use sea_orm::{EntityTrait, QueryOrder};
    crate::entities::audit_checkpoints::Entity::find()
        .order_by_desc(crate::entities::audit_checkpoints::Column::Id)
        .one(db)
        .await
}
