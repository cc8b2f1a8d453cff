//! Disclosures (verstrekkingen), idempotent by the source's disclosure id.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    BatchSummary, FieldError, IngestError, Problems, SourceContext, check_size, known_activities,
};
use crate::{
    entities::{consents, disclosures},
    identity::people,
    platform::crypto::Vault,
    sources::register::LegalBasis,
};

/// A disclosure (verstrekking) as the source system made it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureInput {
    /// The source's own id.
    pub source_disclosure_id: String,
    /// Whose data was shared.
    pub bsn: String,
    /// The register entry it was shared under.
    pub activity_code: String,
    /// Who received it.
    pub recipient_name: String,
    /// The recipient's OIN, where known.
    #[serde(default)]
    pub recipient_oin: Option<String>,
    /// Categories shared.
    pub categories: Vec<String>,
    /// Why.
    pub purpose: String,
    /// The legal basis (missing ones are shown to the privacy officer).
    #[serde(default)]
    pub legal_basis: Option<LegalBasis>,
    /// The article in words.
    #[serde(default)]
    pub legal_basis_text: Option<String>,
    /// The source's consent id, when consent is the basis (send the consent first).
    #[serde(default)]
    pub consent_id: Option<String>,
    /// When.
    pub disclosed_at: DateTime<Utc>,
}

/// Upserts disclosures by the source's id.
pub async fn upsert_disclosures(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[DisclosureInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    let known = known_activities(db).await?;
    let consent_ids: BTreeMap<String, (i64, i64)> = consents::Entity::find()
        .filter(consents::Column::SourceSystemId.eq(source.id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.source_consent_id, (c.id, c.citizen_id)))
        .collect();
    let mut problems = Problems::default();
    let mut subjects = Vec::new();
    for (i, d) in items.iter().enumerate() {
        subjects.push(problems.bsn(i, &d.bsn));
        problems.text(i, "source_disclosure_id", &d.source_disclosure_id, 200);
        problems.text(i, "recipient_name", &d.recipient_name, 200);
        problems.text(i, "purpose", &d.purpose, 2000);
        if !known.contains(&d.activity_code) {
            problems.add(
                i,
                "activity_code",
                "is not a processing activity in the register",
            );
        }
        if d.categories.is_empty() {
            problems.add(i, "categories", "must name at least one category");
        }
        if let Some(oin) = &d.recipient_oin
            && (oin.len() != 20 || !oin.chars().all(|c| c.is_ascii_digit()))
        {
            problems.add(i, "recipient_oin", "an OIN has 20 digits");
        }
        if let Some(consent) = &d.consent_id
            && !consent_ids.contains_key(consent)
        {
            problems.add(i, "consent_id", "is not a consent this source has sent");
        }
    }
    problems.finish()?;
    let txn = db.begin().await?;
    let mut summary = BatchSummary::default();
    for (i, (d, bsn)) in items.iter().zip(subjects).enumerate() {
        let citizen_id =
            people::find_or_create_citizen(&txn, vault, &bsn.expect("validated"), None).await?;
        let consent_id = match &d.consent_id {
            Some(key) => {
                let (id, owner) = consent_ids[key];
                if owner != citizen_id {
                    txn.rollback().await?;
                    return Err(IngestError::Invalid(vec![FieldError {
                        pointer: format!("/items/{i}/consent_id"),
                        detail: "belongs to someone else".to_owned(),
                    }]));
                }
                Some(id)
            }
            None => None,
        };
        let existing = disclosures::Entity::find()
            .filter(disclosures::Column::SourceSystemId.eq(source.id))
            .filter(disclosures::Column::SourceDisclosureId.eq(d.source_disclosure_id.clone()))
            .one(&txn)
            .await?;
        let mut active = match existing {
            Some(row) => {
                summary.updated += 1;
                row.into_active_model()
            }
            None => {
                summary.created += 1;
                disclosures::ActiveModel {
                    source_system_id: Set(source.id),
                    source_disclosure_id: Set(d.source_disclosure_id.clone()),
                    ..Default::default()
                }
            }
        };
        active.citizen_id = Set(citizen_id);
        active.activity_code = Set(d.activity_code.clone());
        active.recipient_name = Set(d.recipient_name.clone());
        active.recipient_oin = Set(d.recipient_oin.clone());
        active.categories = Set(serde_json::to_string(&d.categories).unwrap_or_default());
        active.purpose = Set(d.purpose.clone());
        active.legal_basis = Set(d.legal_basis.map(|b| b.as_str().to_owned()));
        active.legal_basis_text = Set(d.legal_basis_text.clone());
        active.consent_id = Set(consent_id);
        active.disclosed_at = Set(d.disclosed_at);
        active.save(&txn).await?;
    }
    txn.commit().await?;
    Ok(summary)
}
