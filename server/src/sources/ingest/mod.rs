//! What source systems send: processing activities (admin tokens only), personal data records,
//! disclosures, consents, processing log lines and staff views, one file per kind. Each batch is
//! validated whole first, every bad field named by a JSON pointer, and then written in one
//! transaction: all or nothing. The source is always the token's, never something the body says.
//!
//! A batch is written in a few statements, not a few per item: its citizens are found (and
//! the missing ones created) together, the rows it names are read with one `IN (…)` select,
//! and the new ones inserted with multi-row `INSERT`s, each statement kept under the databases'
//! limits on bound values (`MAX_BINDS`). Only a row that changed gets an `UPDATE` of its own.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, Iterable, QueryFilter, QuerySelect,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait, sea_query::OnConflict,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    entities::{citizens, personal_data_records, processing_activities, restricted_processing},
    identity::{Bsn, BsnVault},
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
pub use log_lines::{ForeignOperation, LogLineInput, record_good_log_lines, record_log_lines};
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

/// What is particular to one kind of item: how an item is checked and how a checked batch is
/// written. [`ingest`] does the rest, the same for every kind. A value of the kind carries what
/// the whole batch is checked against (the register's codes, the source's consents).
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
    /// Writes the whole checked batch in its transaction (`checked[i]` is what checking
    /// `items[i]` found), in a few statements for the batch rather than a few per item: a
    /// refusal found only while writing comes back as [`IngestError::Invalid`] and undoes it all.
    async fn write(
        &mut self,
        txn: &DatabaseTransaction,
        items: &[Self::Item],
        checked: Vec<Self::Checked>,
    ) -> Result<BatchSummary, IngestError>;
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
    let txn = begin_write(db).await?;
    match kind.write(&txn, items, checked).await {
        Ok(summary) => {
            txn.commit().await?;
            Ok(summary)
        }
        Err(e) => {
            // A refusal found only while writing (a consent of someone else's) undoes the
            // whole batch, as a database error does.
            txn.rollback().await?;
            Err(e)
        }
    }
}

/// What a partial ingest (OTLP's) did: what the good items changed, and each refused item's
/// bad fields.
#[derive(Debug, Default)]
pub struct Partial {
    /// What the written items changed.
    pub summary: BatchSummary,
    /// The refused items, by their index in the batch, with what was wrong (pointers such as
    /// `/items/3/activity_code`).
    pub refused: Vec<(usize, Vec<FieldError>)>,
}

/// Like [`ingest`], but writes the good items and refuses only the bad ones: for receivers
/// whose protocol acknowledges part of a batch (OTLP's partial success). The good items are
/// still written in one transaction, all or none.
async fn ingest_good<K: Kind>(
    db: &DatabaseConnection,
    mut kind: K,
    items: &[K::Item],
) -> Result<Partial, IngestError>
where
    K::Item: Clone,
{
    let mut problems = Problems::default();
    let mut good = Vec::new();
    let mut checked = Vec::new();
    let mut refused = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let before = problems.errors.len();
        match kind.check(index, item, &mut problems) {
            Some(c) if problems.errors.len() == before => {
                good.push(item.clone());
                checked.push(c);
            }
            _ => refused.push((index, problems.errors.split_off(before))),
        }
    }
    if good.is_empty() {
        return Ok(Partial {
            summary: BatchSummary::default(),
            refused,
        });
    }
    let txn = begin_write(db).await?;
    match kind.write(&txn, &good, checked).await {
        Ok(summary) => {
            txn.commit().await?;
            Ok(Partial { summary, refused })
        }
        Err(e) => {
            txn.rollback().await?;
            Err(e)
        }
    }
}

/// Begins a batch's transaction. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`): a batch reads before it writes, and a deferred transaction that read while
/// another batch committed could not write any more (`SQLITE_BUSY_SNAPSHOT`, which no busy
/// timeout waits out). PostgreSQL ignores the mode.
async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Most values one statement binds: below SQLite's limit (32766 since 3.32) and PostgreSQL's
/// (65535), so a batch of 2,000 items needs one statement per step, and never fails on it.
const MAX_BINDS: usize = 30_000;

/// How many values one `IN (…)` list holds, leaving room for the query's other parameters.
const IN_CHUNK: usize = MAX_BINDS - 100;

/// Inserts `rows` with multi-row `INSERT`s of at most [`MAX_BINDS`] values each, in order.
/// Every row must set the same columns (the first row's are counted).
async fn insert_all<A>(txn: &DatabaseTransaction, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let columns = <A::Entity as EntityTrait>::Column::iter()
        .filter(|c| !first.is_not_set(*c))
        .count();
    let per_statement = (MAX_BINDS / columns.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Whether a batch's big statements take PostgreSQL's form: a list as one JSON parameter that
/// the query unpacks (`json_to_recordset`, `= ANY(ARRAY(…))`). PostgreSQL spends longer
/// parsing and binding a 2,000-row `VALUES` list or `IN (…)` than running it (tens of
/// milliseconds each); one parameter, in a statement whose text never changes and so is
/// prepared once per connection, costs it next to nothing. SQLite parses long lists cheaply,
/// and takes the portable statements.
fn on_postgres<C: ConnectionTrait>(db: &C) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// `values` as one JSON text parameter, for [`on_postgres`]'s statements.
fn json_param<T: Serialize + ?Sized>(values: &T) -> Result<sea_orm::Value, DbErr> {
    serde_json::to_string(values)
        .map(sea_orm::Value::from)
        .map_err(|e| DbErr::Custom(format!("encoding a batch for the database: {e}")))
}

/// A moment as the database keeps it (whole microseconds, the rest cut off as PostgreSQL's
/// binary protocol does), for a JSON parameter: text would be rounded instead, and a re-sent
/// item would then look changed to [`same_instant`].
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
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

/// The citizen of each BSN, in order (`ids[i]` is the citizen of `bsns[i]`), for the whole
/// batch at once: one `IN (…)` select by pseudonym, and for those not found one multi-row
/// insert and one select more. Each distinct BSN is pseudonymised once, and encrypted only when
/// its citizen is new.
async fn citizen_ids(
    txn: &DatabaseTransaction,
    vault: &Vault,
    bsns: &[&Bsn],
) -> Result<Vec<i64>, DbErr> {
    // A batch often holds many items of one citizen: each distinct BSN gets a slot.
    let mut slot_of: HashMap<&str, usize> = HashMap::with_capacity(bsns.len());
    let mut distinct: Vec<(&Bsn, String)> = Vec::new();
    let slots: Vec<usize> = bsns
        .iter()
        .map(|bsn| {
            *slot_of.entry(bsn.expose()).or_insert_with(|| {
                distinct.push((bsn, vault.pseudonym(bsn)));
                distinct.len() - 1
            })
        })
        .collect();
    let pseudonyms: Vec<&str> = distinct.iter().map(|(_, p)| p.as_str()).collect();
    let mut found = find_citizens(txn, &pseudonyms).await?;
    // In pseudonym order: two batches creating some of the same citizens at once take the
    // unique index's locks in the same order, so on PostgreSQL one waits for the other (and
    // then finds the row) instead of both deadlocking.
    let mut missing: Vec<&(&Bsn, String)> = distinct
        .iter()
        .filter(|(_, p)| !found.contains_key(p.as_str()))
        .collect();
    if !missing.is_empty() {
        missing.sort_by(|a, b| a.1.cmp(&b.1));
        let now = Utc::now();
        let rows: Vec<NewCitizen> = missing
            .iter()
            .map(|(bsn, pseudonym)| NewCitizen {
                pseudonym: pseudonym.clone(),
                ciphertext: vault.encrypt_bsn(bsn),
                created_at: now,
            })
            .collect();
        // Insert-or-ignore, then read: a concurrent batch (or first login) that created one of
        // them first leaves its row, and that row is the citizen.
        insert_citizens(txn, rows).await?;
        let created: Vec<&str> = missing.iter().map(|(_, p)| p.as_str()).collect();
        found.extend(find_citizens(txn, &created).await?);
    }
    slots
        .into_iter()
        .map(|slot| {
            found
                .get(distinct[slot].1.as_str())
                .copied()
                .ok_or_else(|| DbErr::RecordNotFound("citizen just inserted".to_owned()))
        })
        .collect()
}

/// A citizen a batch creates: the keyed pseudonym and the sealed BSN, never the BSN.
#[derive(Serialize)]
struct NewCitizen {
    pseudonym: String,
    ciphertext: String,
    #[serde(skip)]
    created_at: DateTime<Utc>,
}

/// Inserts citizens in the order given, leaving any that exist (by pseudonym) as they are.
async fn insert_citizens(txn: &DatabaseTransaction, rows: Vec<NewCitizen>) -> Result<(), DbErr> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    if on_postgres(txn) {
        let sql = "INSERT INTO citizens (bsn_pseudonym, bsn_ciphertext, created_at) \
                   SELECT c.pseudonym, c.ciphertext, $1 \
                   FROM ROWS FROM (json_to_recordset($2::json) AS (pseudonym text, ciphertext text)) \
                   WITH ORDINALITY AS c(pseudonym, ciphertext, n) ORDER BY c.n \
                   ON CONFLICT (bsn_pseudonym) DO NOTHING";
        let values = [sea_orm::Value::from(first.created_at), json_param(&rows)?];
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?;
        return Ok(());
    }
    let mut rows = rows.into_iter().map(|c| citizens::ActiveModel {
        bsn_pseudonym: Set(c.pseudonym),
        bsn_ciphertext: Set(c.ciphertext),
        display_name: Set(None),
        created_at: Set(c.created_at),
        ..Default::default()
    });
    loop {
        let chunk: Vec<_> = rows.by_ref().take(MAX_BINDS / 4).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        citizens::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::column(citizens::Column::BsnPseudonym)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
}

/// The ids of the citizens with these pseudonyms, by pseudonym (those that exist).
async fn find_citizens(
    txn: &DatabaseTransaction,
    pseudonyms: &[&str],
) -> Result<HashMap<String, i64>, DbErr> {
    let mut found = HashMap::with_capacity(pseudonyms.len());
    if pseudonyms.is_empty() {
        return Ok(found);
    }
    if on_postgres(txn) {
        let sql = "SELECT id, bsn_pseudonym FROM citizens \
                   WHERE bsn_pseudonym = ANY(ARRAY(SELECT json_array_elements_text($1::json)))";
        let stmt =
            Statement::from_sql_and_values(DbBackend::Postgres, sql, [json_param(pseudonyms)?]);
        for row in txn.query_all_raw(stmt).await? {
            found.insert(
                row.try_get::<String>("", "bsn_pseudonym")?,
                row.try_get::<i64>("", "id")?,
            );
        }
        return Ok(found);
    }
    for chunk in pseudonyms.chunks(IN_CHUNK) {
        let rows: Vec<(i64, String)> = citizens::Entity::find()
            .select_only()
            .column(citizens::Column::Id)
            .column(citizens::Column::BsnPseudonym)
            .filter(citizens::Column::BsnPseudonym.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        found.extend(rows.into_iter().map(|(id, pseudonym)| (pseudonym, id)));
    }
    Ok(found)
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

    /// The row that shows `touch` to the privacy officer, when it touched a restricted record.
    fn touched(
        &self,
        source: &SourceContext,
        touch: Touch<'_>,
        detected_at: DateTime<Utc>,
    ) -> Option<restricted_processing::ActiveModel> {
        let (by, since) = self
            .by_citizen
            .get(&(touch.citizen_id, touch.activity_code.to_owned()))?;
        if touch.at < *since {
            return None;
        }
        Some(restricted_processing::ActiveModel {
            citizen_id: Set(touch.citizen_id),
            source_system_id: Set(source.id),
            kind: Set(touch.kind.to_owned()),
            item_ref: Set(touch.item_ref),
            activity_code: Set(touch.activity_code.to_owned()),
            what: Set(touch.what.chars().take(200).collect()),
            occurred_at: Set(touch.at),
            restricted_by: Set(by.clone()),
            detected_at: Set(detected_at),
            ..Default::default()
        })
    }
}
