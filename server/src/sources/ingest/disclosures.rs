//! Disclosures (verstrekkingen), idempotent by the source's disclosure id.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    BatchSummary, Citizens, FieldError, IngestError, Kind, Outcome, Problems, SourceContext,
    check_size, ingest, known_activities,
};
use crate::{
    entities::{consents, disclosures},
    identity::Bsn,
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
    let mut consent_ids: BTreeMap<String, Vec<(DateTime<Utc>, i64, i64)>> = BTreeMap::new();
    for c in consents::Entity::find()
        .filter(consents::Column::SourceSystemId.eq(source.id))
        .order_by_asc(consents::Column::GivenAt)
        .all(db)
        .await?
    {
        consent_ids
            .entry(c.source_consent_id)
            .or_default()
            .push((c.given_at, c.id, c.citizen_id));
    }
    let kind = Disclosures {
        source,
        known,
        consent_ids,
        citizens: Citizens::new(vault),
    };
    ingest(db, kind, items).await
}

/// Disclosures as a kind of item, checked against the register and the source's consents.
struct Disclosures<'a> {
    source: &'a SourceContext,
    known: HashSet<String>,
    /// The source's consents: its own id to when each was given, Inzage's id and the citizen
    /// who gave it, oldest first (a consent given anew is a new row under the same id).
    consent_ids: BTreeMap<String, Vec<(DateTime<Utc>, i64, i64)>>,
    citizens: Citizens<'a>,
}

impl Disclosures<'_> {
    /// The consent `key` that was in force at `at`: the latest given by then, or else the
    /// first; with Inzage's id and its citizen.
    fn consent_at(&self, key: &str, at: DateTime<Utc>) -> Option<(i64, i64)> {
        let rows = self.consent_ids.get(key)?;
        rows.iter()
            .rev()
            .find(|(given, ..)| *given <= at)
            .or(rows.first())
            .map(|(_, id, owner)| (*id, *owner))
    }
}

impl Kind for Disclosures<'_> {
    type Item = DisclosureInput;
    type Checked = Bsn;

    fn check(&self, i: usize, d: &DisclosureInput, problems: &mut Problems) -> Option<Bsn> {
        let bsn = problems.bsn(i, &d.bsn);
        problems.text(i, "source_disclosure_id", &d.source_disclosure_id, 200);
        problems.text(i, "recipient_name", &d.recipient_name, 200);
        problems.text(i, "purpose", &d.purpose, 2000);
        problems.activity(i, &d.activity_code, &self.known);
        if d.categories.is_empty() {
            problems.add(i, "categories", "must name at least one category");
        }
        if let Some(oin) = &d.recipient_oin
            && (oin.len() != 20 || !oin.chars().all(|c| c.is_ascii_digit()))
        {
            problems.add(i, "recipient_oin", "an OIN has 20 digits");
        }
        if let Some(consent) = &d.consent_id
            && !self.consent_ids.contains_key(consent)
        {
            problems.add(i, "consent_id", "is not a consent this source has sent");
        }
        bsn
    }

    async fn write(
        &mut self,
        txn: &DatabaseTransaction,
        i: usize,
        d: &DisclosureInput,
        bsn: Bsn,
    ) -> Result<Outcome, IngestError> {
        let citizen_id = self.citizens.id(txn, &bsn).await?;
        let consent_id = match &d.consent_id {
            Some(key) => {
                let Some((id, owner)) = self.consent_at(key, d.disclosed_at) else {
                    return Err(IngestError::Invalid(vec![FieldError::at(
                        i,
                        "consent_id",
                        "is not a consent this source has sent",
                    )]));
                };
                // Only known once the citizen is: the whole batch is refused and rolled back.
                if owner != citizen_id {
                    return Err(IngestError::Invalid(vec![FieldError::at(
                        i,
                        "consent_id",
                        "belongs to someone else",
                    )]));
                }
                Some(id)
            }
            None => None,
        };
        let existing = disclosures::Entity::find()
            .filter(disclosures::Column::SourceSystemId.eq(self.source.id))
            .filter(disclosures::Column::SourceDisclosureId.eq(d.source_disclosure_id.clone()))
            .one(txn)
            .await?;
        let (outcome, mut active) = match existing {
            Some(row) => (Outcome::Updated, row.into_active_model()),
            None => (
                Outcome::Created,
                disclosures::ActiveModel {
                    source_system_id: Set(self.source.id),
                    source_disclosure_id: Set(d.source_disclosure_id.clone()),
                    ..Default::default()
                },
            ),
        };
        active.citizen_id = Set(citizen_id);
        active.activity_code = Set(d.activity_code.clone());
        active.recipient_name = Set(d.recipient_name.clone());
        active.recipient_oin = Set(d.recipient_oin.clone());
        active.categories = Set(serde_json::to_string(&d.categories).unwrap_or_default());
        active.purpose = Set(d.purpose.clone());
        active.legal_basis = Set(d.legal_basis);
        active.legal_basis_text = Set(d.legal_basis_text.clone());
        active.consent_id = Set(consent_id);
        active.disclosed_at = Set(d.disclosed_at);
        active.save(txn).await?;
        Ok(outcome)
    }
}
