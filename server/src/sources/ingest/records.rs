//! Personal data records, idempotent by the source's record id, with their history. What the
//! portal decided holds against a stale sync: an erased id is refused (its tombstone), and so is
//! the value from before a rectification until the source acknowledged it.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    DbErr, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, QueryTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    BatchSummary, Citizens, FieldError, IngestError, Kind, Outcome, Problems, SourceContext,
    check_size, ingest, known_activities, same_instant,
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
pub async fn upsert_records(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[RecordInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    let kind = Records {
        source,
        known: known_activities(db).await?,
        decided: Decided::load(db, source, items).await?,
        citizens: Citizens::new(vault),
        now: Utc::now(),
    };
    ingest(db, kind, items).await
}

/// Records as a kind of item, checked against the register.
struct Records<'a> {
    source: &'a SourceContext,
    known: HashSet<String>,
    decided: Decided,
    citizens: Citizens<'a>,
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
        i: usize,
        r: &RecordInput,
        bsn: Bsn,
    ) -> Result<Outcome, IngestError> {
        let citizen_id = self.citizens.id(txn, &bsn).await?;
        let existing = personal_data_records::Entity::find()
            .filter(personal_data_records::Column::SourceSystemId.eq(self.source.id))
            .filter(personal_data_records::Column::SourceRecordId.eq(r.source_record_id.clone()))
            .one(txn)
            .await?;
        // The check above read the decisions before this transaction; one carried out since
        // (by another instance, say) is found here, in the transaction, and wins the same way.
        let refused = match &existing {
            None => tombstone(txn, self.source.id, &r.source_record_id)
                .await?
                .map(|erased| FieldError::at(i, "source_record_id", erased_detail(&erased))),
            Some(row) if row.value != r.value => guard(txn, self.source.id, row.id, &r.value)
                .await?
                .map(|reference| FieldError::at(i, "value", guarded_detail(&reference))),
            Some(_) => None,
        };
        if let Some(refused) = refused {
            return Err(IngestError::Invalid(vec![refused]));
        }
        let now = self.now;
        match existing {
            Some(row)
                if row.citizen_id == citizen_id
                    && row.activity_code == r.activity_code
                    && row.category == r.category
                    && row.label == r.label
                    && row.value == r.value
                    && same_instant(row.recorded_at, r.recorded_at)
                    && row.recorded_by == r.recorded_by
                    && row.special_category == r.special_category
                    && row.retention_until == r.retention_until =>
            {
                Ok(Outcome::Unchanged)
            }
            Some(row) => {
                if row.value != r.value {
                    record_history::ActiveModel {
                        record_id: Set(row.id),
                        old_value: Set(Some(row.value.clone())),
                        new_value: Set(Some(r.value.clone())),
                        cause: Set(format!("bron:{}", self.source.name)),
                        changed_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                }
                let mut active = row.into_active_model();
                active.citizen_id = Set(citizen_id);
                active.activity_code = Set(r.activity_code.clone());
                active.category = Set(r.category.clone());
                active.label = Set(r.label.clone());
                active.value = Set(r.value.clone());
                active.recorded_at = Set(r.recorded_at);
                active.recorded_by = Set(r.recorded_by.clone());
                active.special_category = Set(r.special_category);
                active.retention_until = Set(r.retention_until);
                active.updated_at = Set(now);
                active.update(txn).await?;
                Ok(Outcome::Updated)
            }
            None => {
                personal_data_records::ActiveModel {
                    citizen_id: Set(citizen_id),
                    source_system_id: Set(self.source.id),
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
                }
                .insert(txn)
                .await?;
                Ok(Outcome::Created)
            }
        }
    }
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

/// The tombstone of the source's record `id`, if it was erased.
async fn tombstone(
    txn: &DatabaseTransaction,
    source_system_id: i64,
    id: &str,
) -> Result<Option<record_tombstones::Model>, DbErr> {
    record_tombstones::Entity::find()
        .filter(record_tombstones::Column::SourceSystemId.eq(source_system_id))
        .filter(record_tombstones::Column::SourceRecordId.eq(id))
        .one(txn)
        .await
}

/// The request whose rectification of `record_id` refuses `value` still, if one does.
async fn guard(
    txn: &DatabaseTransaction,
    source_system_id: i64,
    record_id: i64,
    value: &str,
) -> Result<Option<String>, DbErr> {
    Ok(record_guards::Entity::find()
        .filter(record_guards::Column::RecordId.eq(record_id))
        .filter(record_guards::Column::RefusedValueSha256.eq(sha256_hex(value)))
        .filter(record_guards::Column::SourceEventId.in_subquery(open_events(source_system_id)))
        .one(txn)
        .await?
        .map(|g| g.reference))
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
        let ids: Vec<String> = items.iter().map(|r| r.source_record_id.clone()).collect();
        let erased = record_tombstones::Entity::find()
            .filter(record_tombstones::Column::SourceSystemId.eq(source.id))
            .filter(record_tombstones::Column::SourceRecordId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.source_record_id.clone(), t))
            .collect();
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
