//! Personal data records, idempotent by the source's record id, with their history.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{BatchSummary, IngestError, Problems, SourceContext, check_size, known_activities};
use crate::{
    entities::{personal_data_records, record_history},
    identity::people,
    platform::crypto::Vault,
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
    let known = known_activities(db).await?;
    let mut problems = Problems::default();
    let mut subjects = Vec::with_capacity(items.len());
    let mut seen = HashSet::new();
    for (i, r) in items.iter().enumerate() {
        subjects.push(problems.bsn(i, &r.bsn));
        problems.text(i, "source_record_id", &r.source_record_id, 200);
        if !seen.insert(r.source_record_id.clone()) {
            problems.add(i, "source_record_id", "appears twice in this batch");
        }
        if !known.contains(&r.activity_code) {
            problems.add(
                i,
                "activity_code",
                "is not a processing activity in the register",
            );
        }
        problems.text(i, "category", &r.category, 200);
        problems.text(i, "label", &r.label, 200);
        problems.text(i, "value", &r.value, 10_000);
        problems.text(i, "recorded_by", &r.recorded_by, 200);
    }
    problems.finish()?;

    let txn = db.begin().await?;
    let mut citizens: BTreeMap<String, i64> = BTreeMap::new();
    let mut summary = BatchSummary::default();
    let now = Utc::now();
    for (r, bsn) in items.iter().zip(subjects) {
        let bsn = bsn.expect("validated above");
        let citizen_id = match citizens.get(bsn.expose()) {
            Some(id) => *id,
            None => {
                let id = people::find_or_create_citizen(&txn, vault, &bsn, None).await?;
                citizens.insert(bsn.expose().to_owned(), id);
                id
            }
        };
        let existing = personal_data_records::Entity::find()
            .filter(personal_data_records::Column::SourceSystemId.eq(source.id))
            .filter(personal_data_records::Column::SourceRecordId.eq(r.source_record_id.clone()))
            .one(&txn)
            .await?;
        match existing {
            Some(row)
                if row.citizen_id == citizen_id
                    && row.activity_code == r.activity_code
                    && row.category == r.category
                    && row.label == r.label
                    && row.value == r.value
                    && row.recorded_at == r.recorded_at
                    && row.recorded_by == r.recorded_by
                    && row.special_category == r.special_category
                    && row.retention_until == r.retention_until =>
            {
                summary.unchanged += 1;
            }
            Some(row) => {
                if row.value != r.value {
                    record_history::ActiveModel {
                        record_id: Set(row.id),
                        old_value: Set(Some(row.value.clone())),
                        new_value: Set(Some(r.value.clone())),
                        cause: Set(format!("bron:{}", source.name)),
                        changed_at: Set(now),
                        ..Default::default()
                    }
                    .insert(&txn)
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
                active.update(&txn).await?;
                summary.updated += 1;
            }
            None => {
                personal_data_records::ActiveModel {
                    citizen_id: Set(citizen_id),
                    source_system_id: Set(source.id),
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
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                summary.created += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(summary)
}
