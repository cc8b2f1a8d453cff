//! `inzage audit verify`: every event against the chain, the chain against the signed
//! checkpoints, and optionally against a checkpoint kept outside the portal.

use std::{collections::HashMap, fmt};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::chain::{AuditKey, CheckpointFile, GENESIS, Statement, chain_hash};
use crate::entities::{audit_checkpoints, audit_events, audit_seals};

/// How many seals and checkpoints are read at a time.
const PAGE: u64 = 2_000;

/// An intact log.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    /// Events checked against the chain.
    pub events: i64,
    /// Signed checkpoints checked.
    pub checkpoints: i64,
    /// Recent events not sealed yet (the next sealing round takes them).
    pub unsealed: u64,
}

/// Where the log stops holding.
#[derive(Debug, PartialEq, Eq)]
pub struct Broken {
    /// The first chain position that cannot be trusted (1 is the first event).
    pub position: i64,
    /// When only a range can be named (an edit with the chain recomputed lies somewhere in one
    /// checkpoint's range): its last position.
    pub up_to: Option<i64>,
    /// What is wrong, for the operator.
    pub problem: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.up_to {
            Some(last) => write!(f, "positions {}–{last}: {}", self.position, self.problem),
            None => write!(f, "position {}: {}", self.position, self.problem),
        }
    }
}

fn broken(position: i64, problem: impl Into<String>) -> Broken {
    Broken {
        position,
        up_to: None,
        problem: problem.into(),
    }
}

/// Checks the whole log, in pages, and `external` (an exported checkpoint) when given.
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    key: &AuditKey,
    external: Option<&CheckpointFile>,
) -> Result<Result<Verified, Broken>, DbErr> {
    if let Some(file) = external {
        if !file.signature_holds() {
            return Ok(Err(broken(
                file.events,
                format!(
                    "the exported checkpoint {}'s signature does not hold",
                    file.sequence
                ),
            )));
        }
        if file.key_id != key.key_id() {
            return Ok(Err(broken(
                file.events,
                format!(
                    "the exported checkpoint was signed by key {}, this portal signs with {}",
                    file.key_id,
                    key.key_id()
                ),
            )));
        }
    }
    let mut walk = Walk {
        db,
        key,
        external,
        seals: Vec::new(),
        next_seal: 0,
        events: HashMap::new(),
        position: 0,
        hash: GENESIS.to_owned(),
        last_event: None,
    };
    let mut sequence = 0;
    loop {
        let checkpoints = audit_checkpoints::Entity::find()
            .filter(audit_checkpoints::Column::Id.gt(sequence))
            .order_by_asc(audit_checkpoints::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        if checkpoints.is_empty() {
            break;
        }
        for checkpoint in &checkpoints {
            if let Err(b) = walk.checkpoint(sequence + 1, checkpoint).await? {
                return Ok(Err(b));
            }
            sequence = checkpoint.id;
        }
    }
    // Seals beyond the last checkpoint: their checkpoint was removed.
    if let Some(seal) = walk.seal().await? {
        return Ok(Err(broken(
            seal.position,
            format!(
                "sealed under checkpoint {}, which is missing",
                seal.checkpoint_id
            ),
        )));
    }
    if let Some(file) = external
        && file.events > walk.position
    {
        return Ok(Err(broken(
            walk.position + 1,
            format!(
                "the log was truncated: the exported checkpoint {} counts {} events, the chain \
                 holds {}",
                file.sequence, file.events, walk.position
            ),
        )));
    }
    let since = match walk.last_event {
        Some(id) => super::seal::window_start(db, id).await?,
        None => None,
    };
    let (late, unsealed) = unsealed_events(db, since).await?;
    if let Some((id, at)) = late {
        return Ok(Err(broken(
            walk.position + 1,
            format!(
                "event {id}, dated {at}, was added after that time had been sealed",
                at = at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
        )));
    }
    Ok(Ok(Verified {
        events: walk.position,
        checkpoints: sequence,
        unsealed,
    }))
}

struct Walk<'a, C> {
    db: &'a C,
    key: &'a AuditKey,
    external: Option<&'a CheckpointFile>,
    seals: Vec<audit_seals::Model>,
    next_seal: usize,
    events: HashMap<i64, audit_events::Model>,
    /// The last position checked, and the chain hash recomputed up to it.
    position: i64,
    hash: String,
    /// The event at the last position checked.
    last_event: Option<i64>,
}

impl<C: ConnectionTrait> Walk<'_, C> {
    /// The next seal in position order, reading a page (and its events) when needed.
    async fn seal(&mut self) -> Result<Option<audit_seals::Model>, DbErr> {
        if self.next_seal == self.seals.len() {
            self.seals = audit_seals::Entity::find()
                .filter(audit_seals::Column::Position.gt(self.position))
                .order_by_asc(audit_seals::Column::Position)
                .limit(PAGE)
                .all(self.db)
                .await?;
            self.next_seal = 0;
            let ids: Vec<i64> = self.seals.iter().map(|s| s.event_id).collect();
            self.events = audit_events::Entity::find()
                .filter(audit_events::Column::Id.is_in(ids))
                .all(self.db)
                .await?
                .into_iter()
                .map(|e| (e.id, e))
                .collect();
        }
        Ok(self.seals.get(self.next_seal).cloned())
    }

    /// Checks `checkpoint` (expected to be number `sequence`) and the positions it covers.
    async fn checkpoint(
        &mut self,
        sequence: i64,
        checkpoint: &audit_checkpoints::Model,
    ) -> Result<Result<(), Broken>, DbErr> {
        let first = self.position + 1;
        if checkpoint.id != sequence {
            return Ok(Err(broken(
                first,
                format!("checkpoint {sequence} is missing"),
            )));
        }
        let range = |problem: String| Broken {
            position: first,
            up_to: Some(checkpoint.events),
            problem,
        };
        if checkpoint.key_id != self.key.key_id()
            || !self
                .key
                .verifies(&Statement::from(checkpoint), &checkpoint.signature)
        {
            return Ok(Err(range(format!(
                "checkpoint {sequence}'s signature does not hold under this portal's key"
            ))));
        }
        if checkpoint.events < first {
            return Ok(Err(range(format!(
                "checkpoint {sequence} does not extend the one before it"
            ))));
        }
        if let Some(file) = self.external.filter(|f| f.sequence == checkpoint.id)
            && (file.events, &file.head, &file.signature)
                != (checkpoint.events, &checkpoint.head, &checkpoint.signature)
        {
            return Ok(Err(range(format!(
                "checkpoint {sequence} in the database differs from the exported one"
            ))));
        }
        while self.position < checkpoint.events {
            let position = self.position + 1;
            let Some(seal) = self.seal().await? else {
                return Ok(Err(broken(
                    position,
                    format!(
                        "the log was truncated: checkpoint {sequence} counts {} events",
                        checkpoint.events
                    ),
                )));
            };
            if seal.position != position {
                return Ok(Err(broken(
                    position,
                    "the seal of this position was removed",
                )));
            }
            let Some(event) = self.events.get(&seal.event_id) else {
                return Ok(Err(broken(
                    position,
                    format!("event {} was deleted", seal.event_id),
                )));
            };
            if seal.checkpoint_id != checkpoint.id {
                return Ok(Err(broken(
                    position,
                    format!(
                        "sealed under checkpoint {} but covered by checkpoint {sequence}",
                        seal.checkpoint_id
                    ),
                )));
            }
            let hash = chain_hash(&self.hash, position, event);
            if hash != seal.hash {
                return Ok(Err(broken(
                    position,
                    format!("event {} was changed after it was sealed", event.id),
                )));
            }
            self.hash = hash;
            self.position = position;
            self.last_event = Some(event.id);
            self.next_seal += 1;
            if let Some(file) = self.external.filter(|f| f.events == position)
                && file.head != self.hash
            {
                return Ok(Err(Broken {
                    position: 1,
                    up_to: Some(position),
                    problem: format!(
                        "the chain does not match the exported checkpoint {}: an event up to \
                         here was changed and the chain recomputed",
                        file.sequence
                    ),
                }));
            }
        }
        if self.hash != checkpoint.head {
            return Ok(Err(range(format!(
                "the chain does not match signed checkpoint {sequence}: an event in this range \
                 was changed and the chain recomputed"
            ))));
        }
        Ok(Ok(()))
    }
}

/// The first event that should have been sealed but was not (stamped before `since`, where the
/// sealer no longer looks: added afterwards, with an old date), and how many await sealing.
async fn unsealed_events<C: ConnectionTrait>(
    db: &C,
    since: Option<DateTime<Utc>>,
) -> Result<(Option<(i64, DateTime<Utc>)>, u64), DbErr> {
    let not_sealed = super::seal::not_sealed;
    let late = match since {
        Some(at) => {
            audit_events::Entity::find()
                .select_only()
                .column(audit_events::Column::Id)
                .column(audit_events::Column::OccurredAt)
                .filter(not_sealed())
                .filter(audit_events::Column::OccurredAt.lt(at))
                .order_by_asc(audit_events::Column::Id)
                .into_tuple::<(i64, DateTime<Utc>)>()
                .one(db)
                .await?
        }
        None => None,
    };
    let unsealed =
        sea_orm::PaginatorTrait::count(audit_events::Entity::find().filter(not_sealed()), db)
            .await?;
    Ok((late, unsealed))
}
