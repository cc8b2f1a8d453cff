//! The register of processing activities (Art. 30 AVG), kept by admin tokens only.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, QueryFilter,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    BatchSummary, IngestError, Kind, Outcome, Problems, SourceContext, check_size, ingest,
};
use crate::{
    entities::processing_activities,
    sources::register::{Confidentiality, Domain, LegalBasis},
};

/// A processing activity as the register keeps it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// Stable key, lower case with dashes: `wmo-huishoudelijke-hulp`.
    pub code: String,
    /// Name, e.g. "Huishoudelijke hulp (Wmo)".
    pub name: String,
    /// Purpose in plain words.
    pub purpose: String,
    /// Legal basis under Art. 6(1) AVG.
    pub legal_basis: LegalBasis,
    /// The article, e.g. "Wmo 2015 art. 2.3.1".
    pub legal_basis_text: String,
    /// Categories of personal data.
    pub data_categories: Vec<String>,
    /// ISO 8601 duration (`P15Y`) or a rule in words.
    pub retention: String,
    /// Where the data comes from (herkomst).
    pub source: String,
    /// Categories of recipients.
    pub recipient_categories: Vec<String>,
    /// `normaal`, `vertrouwelijk` or `opgeheven`.
    pub confidentiality: Confidentiality,
    /// The social domain.
    pub domain: Domain,
    /// Automated decision-making, when there is any.
    #[serde(default)]
    pub automated_decision: Option<String>,
}

impl ActivityInput {
    fn same_as(&self, row: &processing_activities::Model) -> bool {
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_default();
        row.name == self.name
            && row.purpose == self.purpose
            && row.legal_basis == self.legal_basis
            && row.legal_basis_text == self.legal_basis_text
            && row.data_categories == json(&self.data_categories)
            && row.retention == self.retention
            && row.source == self.source
            && row.recipient_categories == json(&self.recipient_categories)
            && row.confidentiality == self.confidentiality
            && row.domain == self.domain
            && row.automated_decision == self.automated_decision
    }
}

/// Upserts register entries; a changed entry becomes a new version, the old one is kept.
pub async fn upsert_activities(
    db: &DatabaseConnection,
    source: &SourceContext,
    items: &[ActivityInput],
) -> Result<BatchSummary, IngestError> {
    if !source.is_admin {
        return Err(IngestError::Forbidden(
            "only an admin token may maintain the register",
        ));
    }
    check_size(items)?;
    ingest(db, Register, items).await
}

/// The register as a kind of item: keyed by `code`, versioned rather than overwritten.
struct Register;

impl Kind for Register {
    type Item = ActivityInput;
    type Checked = ();

    fn check(&self, i: usize, a: &ActivityInput, problems: &mut Problems) -> Option<()> {
        problems.text(i, "code", &a.code, 100);
        if !a
            .code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            problems.add(i, "code", "may only hold a-z, 0-9 and '-'");
        }
        problems.once(i, "code", &a.code);
        problems.text(i, "name", &a.name, 200);
        problems.text(i, "purpose", &a.purpose, 2000);
        problems.text(i, "legal_basis_text", &a.legal_basis_text, 300);
        problems.text(i, "retention", &a.retention, 300);
        problems.text(i, "source", &a.source, 300);
        if a.data_categories.is_empty() {
            problems.add(i, "data_categories", "must name at least one category");
        }
        Some(())
    }

    async fn write(
        &mut self,
        txn: &DatabaseTransaction,
        items: &[ActivityInput],
        _: Vec<()>,
    ) -> Result<BatchSummary, IngestError> {
        // The register is small and kept by hand: item by item is plenty.
        let mut summary = BatchSummary::default();
        for a in items {
            summary.count(write_activity(txn, a).await?);
        }
        Ok(summary)
    }
}

/// Writes one register entry: new, a new version of a changed one, or nothing.
async fn write_activity(
    txn: &DatabaseTransaction,
    a: &ActivityInput,
) -> Result<Outcome, IngestError> {
    let current = processing_activities::Entity::find()
        .filter(processing_activities::Column::Code.eq(a.code.clone()))
        .filter(processing_activities::Column::IsCurrent.eq(true))
        .one(txn)
        .await?;
    let (outcome, version) = match &current {
        Some(row) if a.same_as(row) => return Ok(Outcome::Unchanged),
        Some(row) => {
            let mut old = row.clone().into_active_model();
            old.is_current = Set(false);
            old.update(txn).await?;
            (Outcome::Updated, row.version + 1)
        }
        None => (Outcome::Created, 1),
    };
    processing_activities::ActiveModel {
        code: Set(a.code.clone()),
        version: Set(version),
        is_current: Set(true),
        name: Set(a.name.clone()),
        purpose: Set(a.purpose.clone()),
        legal_basis: Set(a.legal_basis),
        legal_basis_text: Set(a.legal_basis_text.clone()),
        data_categories: Set(serde_json::to_string(&a.data_categories).unwrap_or_default()),
        retention: Set(a.retention.clone()),
        source: Set(a.source.clone()),
        recipient_categories: Set(
            serde_json::to_string(&a.recipient_categories).unwrap_or_default()
        ),
        confidentiality: Set(a.confidentiality),
        domain: Set(a.domain),
        automated_decision: Set(a.automated_decision.clone()),
        valid_from: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(outcome)
}
