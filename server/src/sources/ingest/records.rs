//! Personal data records, idempotent by the source's record id, with their history. What the
//! portal decided holds against a stale sync: an erased id is refused (its tombstone), and so is
//! the value from before a rectification until the source acknowledged it.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Statement,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    BatchSummary, FieldError, IN_CHUNK, IngestError, Kind, Outcome, Problems, SourceContext,
    check_size, citizen_ids, ingest, insert_all, json_param, known_activities, micros, on_postgres,
    same_instant,
};
use crate::{
    entities::{
        personal_data_records, record_guards, record_history, record_tombstones, source_events,
    },
    identity::Bsn,
    platform::crypto::{Vault, sha256_hex},
    rights::deadlines::received_on,
};

/// A personal data record as a source system holds it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    /// The source's own id; sending it again updates the record (idempotent).
    pub source_record_id: String,
    /// Whose data (sent in the body over TLS; stored only encrypted and as a pseudonym).
    pub bsn: String,
    /// The register entry this record is processed under.
    pub activity_code: String,
    /// Category, e.g. "Gezondheid".
    pub category: String,
    /// Label, e.g. "Indicatie huishoudelijke hulp".
    pub label: String,
    /// The value as shown to the citizen.
    pub value: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Role and organisation, never a person's name: "Wmo-consulent, Gemeente Voorbeeldstad".
    pub recorded_by: String,
    /// Special category (Art. 9 AVG), e.g. health.
    #[serde(default)]
    pub special_category: bool,
    /// End of the retention period, when known.
    #[serde(default)]
    pub retention_until: Option<NaiveDate>,
}

/// Upserts records by the source's record id; a changed value keeps the old one in the history.
/// A batch of new records is a handful of statements, whatever its size: the citizens found
/// and created together, the existing records read together, the new ones inserted together.
pub async fn upsert_records(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[RecordInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    let kind = Records {
        source,
        vault,
        known: known_activities(db).await?,
        decided: Decided::load(db, source, items).await?,
        now: Utc::now(),
    };
    ingest(db, kind, items).await
}

/// Records as a kind of item, checked against the register.
struct Records<'a> {
    source: &'a SourceContext,
    vault: &'a Vault,
    known: HashSet<String>,
    decided: Decided,
    /// When the batch came in: every record and history line it writes carries it.
    now: DateTime<Utc>,
}

impl Kind for Records<'_> {
    type Item = RecordInput;
    type Checked = Bsn;

    fn check(&self, i: usize, r: &RecordInput, problems: &mut Problems) -> Option<Bsn> {
        let bsn = problems.bsn(i, &r.bsn);
        problems.text(i, "source_record_id", &r.source_record_id, 200);
        problems.once(i, "source_record_id", &r.source_record_id);
        problems.activity(i, &r.activity_code, &self.known);
        problems.text(i, "category", &r.category, 200);
        problems.text(i, "label", &r.label, 200);
        problems.text(i, "value", &r.value, 10_000);
        problems.text(i, "recorded_by", &r.recorded_by, 200);
        if let Some(erased) = self.decided.erased.get(&r.source_record_id) {
            problems.add(i, "source_record_id", erased_detail(erased));
        }
        if let Some(reference) = self.decided.refused_value(&r.source_record_id, &r.value) {
            problems.add(i, "value", guarded_detail(reference));
        }
        bsn
    }

    async fn write(
        &mut self,
        txn: &DatabaseTransaction,
        items: &[RecordInput],
        bsns: Vec<Bsn>,
    ) -> Result<BatchSummary, IngestError> {
        let citizen_ids = citizen_ids(txn, self.vault, &bsns.iter().collect::<Vec<_>>()).await?;
        let ids: Vec<&str> = items.iter().map(|r| r.source_record_id.as_str()).collect();
        let existing = existing_records(txn, self.source.id, &ids).await?;
        self.refuse_decided(txn, items, &existing).await?;

        let now = self.now;
        let cause = format!("bron:{}", self.source.name);
        let mut summary = BatchSummary::default();
        let mut history = Vec::new();
        let mut changed = Vec::new();
        let mut created = Vec::new();
        for (r, citizen_id) in items.iter().zip(citizen_ids) {
            match existing.get(&r.source_record_id) {
                Some(row) if same(row, citizen_id, r) => summary.count(Outcome::Unchanged),
                Some(row) => {
                    if row.value != r.value {
                        history.push(record_history::ActiveModel {
                            record_id: Set(row.id),
                            old_value: Set(Some(row.value.clone())),
                            new_value: Set(Some(r.value.clone())),
                            cause: Set(cause.clone()),
                            changed_at: Set(now),
                            ..Default::default()
                        });
                    }
                    changed.push((row.id, citizen_id, r));
                    summary.count(Outcome::Updated);
                }
                None => {
                    created.push((citizen_id, r));
                    summary.count(Outcome::Created);
                }
            }
        }
        insert_all(txn, history).await?;
        // One statement per record that changed, none for the ones that did not: a re-sent
        // batch costs its reads only.
        for (id, citizen_id, r) in changed {
            let updated = personal_data_records::Entity::update_many()
                .col_expr(
                    personal_data_records::Column::CitizenId,
                    Expr::value(citizen_id),
                )
                .col_expr(
                    personal_data_records::Column::ActivityCode,
                    Expr::value(r.activity_code.clone()),
                )
                .col_expr(
                    personal_data_records::Column::Category,
                    Expr::value(r.category.clone()),
                )
                .col_expr(
                    personal_data_records::Column::Label,
                    Expr::value(r.label.clone()),
                )
                .col_expr(
                    personal_data_records::Column::Value,
                    Expr::value(r.value.clone()),
                )
                .col_expr(
                    personal_data_records::Column::RecordedAt,
                    Expr::value(r.recorded_at),
                )
                .col_expr(
                    personal_data_records::Column::RecordedBy,
                    Expr::value(r.recorded_by.clone()),
                )
                .col_expr(
                    personal_data_records::Column::SpecialCategory,
                    Expr::value(r.special_category),
                )
                .col_expr(
                    personal_data_records::Column::RetentionUntil,
                    Expr::value(r.retention_until),
                )
                .col_expr(personal_data_records::Column::UpdatedAt, Expr::value(now))
                .filter(personal_data_records::Column::Id.eq(id))
                .exec(txn)
                .await?;
            if updated.rows_affected != 1 {
                // Erased (by another instance) since it was read: the batch is tried again.
                return Err(IngestError::Database(DbErr::RecordNotUpdated));
            }
        }
        insert_records(txn, self.source.id, now, &created).await?;
        Ok(summary)
    }
}

impl Records<'_> {
    /// The check read the decisions before this transaction; one carried out since (by
    /// another instance, say) is found here, in the transaction, and wins the same way: an
    /// erased id among the new records, a refused value among the changed ones.
    async fn refuse_decided(
        &self,
        txn: &DatabaseTransaction,
        items: &[RecordInput],
        existing: &HashMap<String, personal_data_records::Model>,
    ) -> Result<(), IngestError> {
        let new: Vec<&str> = items
            .iter()
            .map(|r| r.source_record_id.as_str())
            .filter(|id| !existing.contains_key(*id))
            .collect();
        let erased = tombstones(txn, self.source.id, &new).await?;
        let revalued: Vec<i64> = items
            .iter()
            .filter_map(|r| {
                existing
                    .get(&r.source_record_id)
                    .filter(|row| row.value != r.value)
            })
            .map(|row| row.id)
            .collect();
        let guards = open_guards(txn, self.source.id, &revalued).await?;
        let mut refused = Vec::new();
        for (i, r) in items.iter().enumerate() {
            match existing.get(&r.source_record_id) {
                None => {
                    if let Some(erased) = erased.get(&r.source_record_id) {
                        refused.push(FieldError::at(i, "source_record_id", erased_detail(erased)));
                    }
                }
                Some(row) if row.value != r.value => {
                    if let Some(held) = guards.get(&row.id) {
                        let hash = sha256_hex(&r.value);
                        if let Some((_, reference)) = held.iter().find(|(h, _)| *h == hash) {
                            refused.push(FieldError::at(i, "value", guarded_detail(reference)));
                        }
                    }
                }
                Some(_) => {}
            }
        }
        if refused.is_empty() {
            Ok(())
        } else {
            Err(IngestError::Invalid(refused))
        }
    }
}

/// Whether the stored record already says what the item says, for this citizen.
fn same(row: &personal_data_records::Model, citizen_id: i64, r: &RecordInput) -> bool {
    row.citizen_id == citizen_id
        && row.activity_code == r.activity_code
        && row.category == r.category
        && row.label == r.label
        && row.value == r.value
        && same_instant(row.recorded_at, r.recorded_at)
        && row.recorded_by == r.recorded_by
        && row.special_category == r.special_category
        && row.retention_until == r.retention_until
}

/// A new record as PostgreSQL's insert reads it from its JSON parameter.
#[derive(Serialize)]
struct NewRecord<'a> {
    citizen_id: i64,
    source_record_id: &'a str,
    activity_code: &'a str,
    category: &'a str,
    label: &'a str,
    value: &'a str,
    recorded_at: DateTime<Utc>,
    recorded_by: &'a str,
    special_category: bool,
    retention_until: Option<NaiveDate>,
}

/// Inserts the new records (each with its citizen), in the batch's order.
async fn insert_records(
    txn: &DatabaseTransaction,
    source_system_id: i64,
    now: DateTime<Utc>,
    created: &[(i64, &RecordInput)],
) -> Result<(), DbErr> {
    if created.is_empty() {
        return Ok(());
    }
    if on_postgres(txn) {
        let sql = "INSERT INTO personal_data_records (citizen_id, source_system_id, \
                   source_record_id, activity_code, category, label, value, recorded_at, \
                   recorded_by, special_category, retention_until, restricted, updated_at) \
                   SELECT r.citizen_id, $1, r.source_record_id, r.activity_code, r.category, \
                   r.label, r.value, r.recorded_at, r.recorded_by, r.special_category, \
                   r.retention_until, false, $2 \
                   FROM ROWS FROM (json_to_recordset($3::json) AS (citizen_id bigint, \
                   source_record_id text, activity_code text, category text, label text, \
                   value text, recorded_at timestamptz, recorded_by text, \
                   special_category boolean, retention_until date)) \
                   WITH ORDINALITY AS r(citizen_id, source_record_id, activity_code, category, \
                   label, value, recorded_at, recorded_by, special_category, retention_until, n) \
                   ORDER BY r.n";
        let rows: Vec<NewRecord> = created
            .iter()
            .map(|(citizen_id, r)| NewRecord {
                citizen_id: *citizen_id,
                source_record_id: &r.source_record_id,
                activity_code: &r.activity_code,
                category: &r.category,
                label: &r.label,
                value: &r.value,
                recorded_at: micros(r.recorded_at),
                recorded_by: &r.recorded_by,
                special_category: r.special_category,
                retention_until: r.retention_until,
            })
            .collect();
        let values = [
            sea_orm::Value::from(source_system_id),
            sea_orm::Value::from(now),
            json_param(&rows)?,
        ];
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?;
        return Ok(());
    }
    let rows = created
        .iter()
        .map(|(citizen_id, r)| personal_data_records::ActiveModel {
            citizen_id: Set(*citizen_id),
            source_system_id: Set(source_system_id),
            source_record_id: Set(r.source_record_id.clone()),
            activity_code: Set(r.activity_code.clone()),
            category: Set(r.category.clone()),
            label: Set(r.label.clone()),
            value: Set(r.value.clone()),
            recorded_at: Set(r.recorded_at),
            recorded_by: Set(r.recorded_by.clone()),
            special_category: Set(r.special_category),
            retention_until: Set(r.retention_until),
            restricted: Set(false),
            restricted_by: Set(None),
            restricted_at: Set(None),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    insert_all(txn, rows).await
}

/// The source's records with these ids (those that exist), by the source's id.
async fn existing_records(
    txn: &DatabaseTransaction,
    source_system_id: i64,
    ids: &[&str],
) -> Result<HashMap<String, personal_data_records::Model>, DbErr> {
    let mut found = HashMap::with_capacity(ids.len());
    if on_postgres(txn) {
        let sql = "SELECT * FROM personal_data_records WHERE source_system_id = $1 \
                   AND source_record_id = ANY(ARRAY(SELECT json_array_elements_text($2::json)))";
        let values = [sea_orm::Value::from(source_system_id), json_param(ids)?];
        let rows = personal_data_records::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                values,
            ))
            .all(txn)
            .await?;
        found.extend(rows.into_iter().map(|r| (r.source_record_id.clone(), r)));
        return Ok(found);
    }
    for chunk in ids.chunks(IN_CHUNK) {
        let rows = personal_data_records::Entity::find()
            .filter(personal_data_records::Column::SourceSystemId.eq(source_system_id))
            .filter(personal_data_records::Column::SourceRecordId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        found.extend(rows.into_iter().map(|r| (r.source_record_id.clone(), r)));
    }
    Ok(found)
}

/// Why an erased id is refused.
fn erased_detail(erased: &record_tombstones::Model) -> String {
    format!(
        "erased by {} on {}: Inzage does not take it back; send new data under a new id",
        erased.reference,
        received_on(erased.erased_at)
    )
}

/// Why a pre-rectification value is refused; never echoes the value, only whose decision it
/// would undo.
fn guarded_detail(reference: &str) -> String {
    format!(
        "is the value from before the rectification by {reference}; apply and acknowledge its \
         record.rectified event first"
    )
}

/// The tombstones of the source's records among `ids` (those erased), by the source's id.
async fn tombstones<C: ConnectionTrait>(
    db: &C,
    source_system_id: i64,
    ids: &[&str],
) -> Result<BTreeMap<String, record_tombstones::Model>, DbErr> {
    let mut erased = BTreeMap::new();
    if ids.is_empty() {
        return Ok(erased);
    }
    if on_postgres(db) {
        let sql = "SELECT * FROM record_tombstones WHERE source_system_id = $1 \
                   AND source_record_id = ANY(ARRAY(SELECT json_array_elements_text($2::json)))";
        let values = [sea_orm::Value::from(source_system_id), json_param(ids)?];
        let rows = record_tombstones::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                values,
            ))
            .all(db)
            .await?;
        erased.extend(rows.into_iter().map(|t| (t.source_record_id.clone(), t)));
        return Ok(erased);
    }
    for chunk in ids.chunks(IN_CHUNK) {
        let rows = record_tombstones::Entity::find()
            .filter(record_tombstones::Column::SourceSystemId.eq(source_system_id))
            .filter(record_tombstones::Column::SourceRecordId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        erased.extend(rows.into_iter().map(|t| (t.source_record_id.clone(), t)));
    }
    Ok(erased)
}

/// The open guards of these records (Inzage's ids): the refused values' hashes with the
/// request that rectified, by record.
async fn open_guards(
    txn: &DatabaseTransaction,
    source_system_id: i64,
    record_ids: &[i64],
) -> Result<HashMap<i64, Vec<(String, String)>>, DbErr> {
    let mut held: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for chunk in record_ids.chunks(IN_CHUNK) {
        for g in record_guards::Entity::find()
            .filter(record_guards::Column::RecordId.is_in(chunk.iter().copied()))
            .filter(record_guards::Column::SourceEventId.in_subquery(open_events(source_system_id)))
            .all(txn)
            .await?
        {
            held.entry(g.record_id)
                .or_default()
                .push((g.refused_value_sha256, g.reference));
        }
    }
    Ok(held)
}

/// The ids of the source's unacknowledged events: a guard holds while its event is among them.
fn open_events(source_system_id: i64) -> sea_orm::sea_query::SelectStatement {
    source_events::Entity::find()
        .select_only()
        .column(source_events::Column::Id)
        .filter(source_events::Column::SourceSystemId.eq(source_system_id))
        .filter(source_events::Column::AcknowledgedAt.is_null())
        .into_query()
}

/// What the portal decided about records a batch names.
struct Decided {
    /// Erased records' tombstones, by source record id.
    erased: BTreeMap<String, record_tombstones::Model>,
    /// Rectified records whose source has not acknowledged the `record.rectified` event yet:
    /// the refused old values' hashes with the request, by source record id.
    guarded: BTreeMap<String, Vec<(String, String)>>,
}

impl Decided {
    /// Reads the tombstones of the batch's ids and the source's open guards (both small).
    async fn load(
        db: &DatabaseConnection,
        source: &SourceContext,
        items: &[RecordInput],
    ) -> Result<Self, DbErr> {
        let ids: Vec<&str> = items.iter().map(|r| r.source_record_id.as_str()).collect();
        let erased = tombstones(db, source.id, &ids).await?;
        let guards = record_guards::Entity::find()
            .filter(record_guards::Column::SourceEventId.in_subquery(open_events(source.id)))
            .all(db)
            .await?;
        let mut guarded: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        if !guards.is_empty() {
            let records: BTreeMap<i64, String> = personal_data_records::Entity::find()
                .filter(
                    personal_data_records::Column::Id
                        .is_in(guards.iter().map(|g| g.record_id).collect::<Vec<_>>()),
                )
                .all(db)
                .await?
                .into_iter()
                .map(|r| (r.id, r.source_record_id))
                .collect();
            for g in guards {
                if let Some(id) = records.get(&g.record_id) {
                    guarded
                        .entry(id.clone())
                        .or_default()
                        .push((g.refused_value_sha256, g.reference));
                }
            }
        }
        Ok(Decided { erased, guarded })
    }

    /// The request whose rectification `value` would undo, if it would.
    fn refused_value(&self, source_record_id: &str, value: &str) -> Option<&str> {
        let guards = self.guarded.get(source_record_id)?;
        let hash = sha256_hex(value);
        guards
            .iter()
            .find(|(refused, _)| *refused == hash)
            .map(|(_, reference)| reference.as_str())
    }
}
