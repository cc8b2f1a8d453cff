//! What source systems send: processing activities (admin tokens only), personal data records,
//! disclosures, consents, processing log lines and staff views, one file per kind. Each batch is
//! validated whole first, every bad field named by a JSON pointer, and then written in one
//! transaction: all or nothing. The source is always the token's, never something the body says.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, TransactionTrait,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    entities::{citizens, personal_data_records, processing_activities, restricted_processing},
    identity::{Bsn, people},
    platform::crypto::Vault,
};

mod activities;
mod consents;
mod disclosures;
mod log_lines;
mod records;
mod staff_views;

pub use activities::{ActivityInput, upsert_activities};
pub use consents::{ConsentInput, upsert_consents};
pub use disclosures::{DisclosureInput, upsert_disclosures};
pub use log_lines::{LogLineInput, record_log_lines};
pub use records::{RecordInput, upsert_records};
pub use staff_views::{StaffViewInput, record_staff_views};

/// Most items one batch may carry.
pub const MAX_BATCH: usize = 2000;

/// The source system a token belongs to.
#[derive(Clone, Debug)]
pub struct SourceContext {
    /// `source_systems.id`.
    pub id: i64,
    /// `source_systems.name`.
    pub name: String,
    /// Whether the token may maintain the register.
    pub is_admin: bool,
}

/// One bad field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// RFC 6901 pointer into the request body, e.g. `/items/3/bsn`.
    pub pointer: String,
    /// What is wrong, without echoing personal data.
    pub detail: String,
}

/// Why a batch was not written.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Nothing was written; these fields are wrong.
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// The token may not do this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The database failed; nothing was written.
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// What a batch changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct BatchSummary {
    /// Items new to Inzage.
    pub created: usize,
    /// Items that existed and changed.
    pub updated: usize,
    /// Items that existed and were the same.
    pub unchanged: usize,
}

impl BatchSummary {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
        }
    }
}

impl FieldError {
    /// A bad field of the batch's item `index`.
    fn at(index: usize, field: &str, detail: impl Into<String>) -> Self {
        FieldError {
            pointer: format!("/items/{index}/{field}"),
            detail: detail.into(),
        }
    }
}

/// What writing one item did.
enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// What is particular to one kind of item: how an item is checked and how it is written.
/// [`ingest`] does the rest, the same for every kind. A value of the kind carries what the
/// whole batch is checked against (the register's codes, the source's consents).
trait Kind {
    /// The item as the source sends it.
    type Item;
    /// What checking an item found that writing it needs (its citizen's BSN, where it has one).
    type Checked;
    /// Checks one item, noting every bad field; yields nothing only when it noted one.
    fn check(
        &self,
        index: usize,
        item: &Self::Item,
        problems: &mut Problems,
    ) -> Option<Self::Checked>;
    /// Writes one checked item in the batch's transaction.
    async fn write(
        &mut self,
        txn: &DatabaseTransaction,
        index: usize,
        item: &Self::Item,
        checked: Self::Checked,
    ) -> Result<Outcome, IngestError>;
}

/// Checks every item, naming each bad field, and only when all are good writes them in one
/// transaction: all or nothing.
async fn ingest<K: Kind>(
    db: &DatabaseConnection,
    mut kind: K,
    items: &[K::Item],
) -> Result<BatchSummary, IngestError> {
    let mut problems = Problems::default();
    let checked: Vec<_> = items
        .iter()
        .enumerate()
        .map(|(index, item)| kind.check(index, item, &mut problems))
        .collect();
    problems.finish()?;
    // No problem was noted, so every check yielded its item; a kind that breaks that rule is
    // a fault of ours, answered as one (nothing written), not a panic.
    let checked: Vec<_> = checked.into_iter().collect::<Option<_>>().ok_or_else(|| {
        IngestError::Database(DbErr::Custom(
            "an item failed its check without a problem noted".to_owned(),
        ))
    })?;
    let txn = db.begin().await?;
    let mut summary = BatchSummary::default();
    for (index, (item, checked)) in items.iter().zip(checked).enumerate() {
        match kind.write(&txn, index, item, checked).await {
            Ok(outcome) => summary.count(outcome),
            Err(e) => {
                // A refusal found only while writing (a consent of someone else's) undoes the
                // items before it, as a database error does.
                txn.rollback().await?;
                return Err(e);
            }
        }
    }
    txn.commit().await?;
    Ok(summary)
}

/// Collects field errors for one batch.
#[derive(Default)]
struct Problems {
    errors: Vec<FieldError>,
    /// The ids seen so far, by field, for [`Problems::once`].
    seen: HashSet<(&'static str, String)>,
}

impl Problems {
    fn add(&mut self, index: usize, field: &str, detail: impl Into<String>) {
        self.errors.push(FieldError::at(index, field, detail));
    }

    fn text(&mut self, index: usize, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.add(index, field, "must not be empty");
        } else if value.chars().count() > max {
            self.add(index, field, format!("must be at most {max} characters"));
        }
    }

    /// An id the batch may hold only once.
    fn once(&mut self, index: usize, field: &'static str, value: &str) {
        if !self.seen.insert((field, value.to_owned())) {
            self.add(index, field, "appears twice in this batch");
        }
    }

    /// An `activity_code` that must name a current entry of the register.
    fn activity(&mut self, index: usize, code: &str, known: &HashSet<String>) {
        if !known.contains(code) {
            self.add(
                index,
                "activity_code",
                "is not a processing activity in the register",
            );
        }
    }

    fn bsn(&mut self, index: usize, raw: &str) -> Option<Bsn> {
        match Bsn::parse(raw) {
            Ok(bsn) => Some(bsn),
            Err(e) => {
                // Never echo the number back: it may be a real BSN with a typo.
                self.add(index, "bsn", format!("not a valid BSN: {e}"));
                None
            }
        }
    }

    fn finish(self) -> Result<(), IngestError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(IngestError::Invalid(self.errors))
        }
    }
}

/// The citizens a batch is about, each found (or created) once per batch.
struct Citizens<'a> {
    vault: &'a Vault,
    ids: BTreeMap<String, i64>,
}

impl<'a> Citizens<'a> {
    fn new(vault: &'a Vault) -> Self {
        Citizens {
            vault,
            ids: BTreeMap::new(),
        }
    }

    async fn id(&mut self, txn: &DatabaseTransaction, bsn: &Bsn) -> Result<i64, DbErr> {
        if let Some(id) = self.ids.get(bsn.expose()) {
            return Ok(*id);
        }
        let id = people::find_or_create_citizen(txn, self.vault, bsn, None).await?;
        self.ids.insert(bsn.expose().to_owned(), id);
        Ok(id)
    }
}

fn check_size<T>(items: &[T]) -> Result<(), IngestError> {
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(IngestError::Invalid(vec![FieldError {
            pointer: "/items".to_owned(),
            detail: format!("must hold between 1 and {MAX_BATCH} items"),
        }]));
    }
    Ok(())
}

/// Whether two moments are the same as the database keeps them: PostgreSQL stores microseconds,
/// so a source that sends nanoseconds would otherwise look changed on every sync.
fn same_instant(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    a.timestamp_micros() == b.timestamp_micros()
}

/// The codes of the register's current activities.
async fn known_activities<C: ConnectionTrait>(db: &C) -> Result<HashSet<String>, DbErr> {
    Ok(processing_activities::Entity::find()
        .filter(processing_activities::Column::IsCurrent.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.code)
        .collect())
}

/// The records whose processing is restricted (Art. 18), read once per batch: a staff view or
/// a log line of the same citizen under the same processing activity, at or after the moment
/// of the restriction, is processing of restricted data. It is accepted (the source did it, and
/// the log must say so) and shown to the privacy officer. Restrictions are rare, so all of them
/// fit in memory.
struct Restrictions {
    /// (citizen, activity) → (the request that restricted, since when), the earliest.
    by_citizen: BTreeMap<(i64, String), (String, DateTime<Utc>)>,
    /// The restricted citizens' pseudonyms, for log lines, which name no citizen otherwise.
    by_pseudonym: BTreeMap<String, i64>,
}

/// A staff view or log line that touched a restricted record.
struct Touch<'a> {
    citizen_id: i64,
    kind: &'static str,
    item_ref: String,
    activity_code: &'a str,
    what: &'a str,
    at: DateTime<Utc>,
}

impl Restrictions {
    async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, DbErr> {
        let mut by_citizen: BTreeMap<(i64, String), (String, DateTime<Utc>)> = BTreeMap::new();
        for r in personal_data_records::Entity::find()
            .filter(personal_data_records::Column::Restricted.eq(true))
            .all(db)
            .await?
        {
            let since = r.restricted_at.unwrap_or(r.updated_at);
            let by = r.restricted_by.unwrap_or_default();
            by_citizen
                .entry((r.citizen_id, r.activity_code))
                .and_modify(|held| {
                    if since < held.1 {
                        *held = (by.clone(), since);
                    }
                })
                .or_insert((by, since));
        }
        let ids: BTreeSet<i64> = by_citizen.keys().map(|(id, _)| *id).collect();
        let by_pseudonym = if ids.is_empty() {
            BTreeMap::new()
        } else {
            citizens::Entity::find()
                .filter(citizens::Column::Id.is_in(ids))
                .all(db)
                .await?
                .into_iter()
                .map(|c| (c.bsn_pseudonym, c.id))
                .collect()
        };
        Ok(Restrictions {
            by_citizen,
            by_pseudonym,
        })
    }

    /// The citizen a pseudonym names, when that citizen has a restricted record.
    fn citizen(&self, pseudonym: &str) -> Option<i64> {
        self.by_pseudonym.get(pseudonym).copied()
    }

    /// Notes `touch` for the privacy officer when it touched a restricted record.
    async fn note(
        &self,
        txn: &DatabaseTransaction,
        source: &SourceContext,
        touch: Touch<'_>,
    ) -> Result<(), DbErr> {
        let Some((by, since)) = self
            .by_citizen
            .get(&(touch.citizen_id, touch.activity_code.to_owned()))
        else {
            return Ok(());
        };
        if touch.at < *since {
            return Ok(());
        }
        restricted_processing::ActiveModel {
            citizen_id: Set(touch.citizen_id),
            source_system_id: Set(source.id),
            kind: Set(touch.kind.to_owned()),
            item_ref: Set(touch.item_ref),
            activity_code: Set(touch.activity_code.to_owned()),
            what: Set(touch.what.chars().take(200).collect()),
            occurred_at: Set(touch.at),
            restricted_by: Set(by.clone()),
            detected_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(())
    }
}
