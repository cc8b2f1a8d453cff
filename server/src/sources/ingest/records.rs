//! Personal data records, idempotent by the source's record id, with their history.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, QueryFilter,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    BatchSummary, Citizens, IngestError, Kind, Outcome, Problems, SourceContext, check_size,
    ingest, known_activities,
};
use crate::{
    entities::{personal_data_records, record_history},
    identity::Bsn,
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
    let kind = Records {
        source,
        known: known_activities(db).await?,
        citizens: Citizens::new(vault),
        now: Utc::now(),
    };
    ingest(db, kind, items).await
}

/// Records as a kind of item, checked against the register.
struct Records<'a> {
    source: &'a SourceContext,
    known: HashSet<String>,
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
        bsn
    }

    async fn write(
        &mut self,
        txn: &DatabaseTransaction,
        _: usize,
        r: &RecordInput,
        bsn: Bsn,
    ) -> Result<Outcome, IngestError> {
        let citizen_id = self.citizens.id(txn, &bsn).await?;
        let existing = personal_data_records::Entity::find()
            .filter(personal_data_records::Column::SourceSystemId.eq(self.source.id))
            .filter(personal_data_records::Column::SourceRecordId.eq(r.source_record_id.clone()))
            .one(txn)
            .await?;
        let now = self.now;
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
