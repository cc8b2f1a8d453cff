//! Disclosures (verstrekkingen), idempotent by the source's disclosure id.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    BatchSummary, FieldError, IN_CHUNK, IngestError, Kind, Outcome, Problems, SourceContext,
    check_size, citizen_ids, ingest, insert_all, known_activities, same_instant,
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
    // Only the consents the batch names: a source may have sent millions.
    let mut named: Vec<&str> = items
        .iter()
        .filter_map(|d| d.consent_id.as_deref())
        .collect();
    named.sort_unstable();
    named.dedup();
    let mut consent_ids: BTreeMap<String, Vec<(DateTime<Utc>, i64, i64)>> = BTreeMap::new();
    for chunk in named.chunks(IN_CHUNK) {
        for c in consents::Entity::find()
            .filter(consents::Column::SourceSystemId.eq(source.id))
            .filter(consents::Column::SourceConsentId.is_in(chunk.iter().copied()))
            .order_by_asc(consents::Column::GivenAt)
            .all(db)
            .await?
        {
            consent_ids.entry(c.source_consent_id).or_default().push((
                c.given_at,
                c.id,
                c.citizen_id,
            ));
        }
    }
    let kind = Disclosures {
        source,
        vault,
        known,
        consent_ids,
    };
    ingest(db, kind, items).await
}

/// Disclosures as a kind of item, checked against the register and the source's consents.
struct Disclosures<'a> {
    source: &'a SourceContext,
    vault: &'a Vault,
    known: HashSet<String>,
    /// The source's consents the batch names: its own id to when each was given, Inzage's id
    /// and the citizen who gave it, oldest first (a consent given anew is a new row under the
    /// same id).
    consent_ids: BTreeMap<String, Vec<(DateTime<Utc>, i64, i64)>>,
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
        items: &[DisclosureInput],
        bsns: Vec<Bsn>,
    ) -> Result<BatchSummary, IngestError> {
        let citizen_ids = citizen_ids(txn, self.vault, &bsns.iter().collect::<Vec<_>>()).await?;
        // Whose consent a disclosure rests on is only known once its citizen is: a consent of
        // someone else's refuses the whole batch, and it is rolled back.
        let mut refused = Vec::new();
        let mut consent_ids = Vec::with_capacity(items.len());
        for (i, (d, citizen_id)) in items.iter().zip(&citizen_ids).enumerate() {
            let consent_id = match &d.consent_id {
                Some(key) => match self.consent_at(key, d.disclosed_at) {
                    None => {
                        refused.push(FieldError::at(
                            i,
                            "consent_id",
                            "is not a consent this source has sent",
                        ));
                        None
                    }
                    Some((_, owner)) if owner != *citizen_id => {
                        refused.push(FieldError::at(i, "consent_id", "belongs to someone else"));
                        None
                    }
                    Some((id, _)) => Some(id),
                },
                None => None,
            };
            consent_ids.push(consent_id);
        }
        if !refused.is_empty() {
            return Err(IngestError::Invalid(refused));
        }

        let ids: Vec<&str> = items
            .iter()
            .map(|d| d.source_disclosure_id.as_str())
            .collect();
        let mut held: HashMap<String, Held> = existing_disclosures(txn, self.source.id, &ids)
            .await?
            .into_iter()
            .map(|(id, row)| {
                let held = Held {
                    row,
                    stored: true,
                    changed: false,
                    item: 0,
                };
                (id, held)
            })
            .collect();
        // The items in order, each against the rows as the items before it left them (an id
        // may come twice): the same outcome as writing them one by one.
        let mut summary = BatchSummary::default();
        for (i, ((d, citizen_id), consent_id)) in
            items.iter().zip(citizen_ids).zip(consent_ids).enumerate()
        {
            let wanted = disclosures::Model {
                id: 0,
                citizen_id,
                source_system_id: self.source.id,
                source_disclosure_id: d.source_disclosure_id.clone(),
                activity_code: d.activity_code.clone(),
                recipient_name: d.recipient_name.clone(),
                recipient_oin: d.recipient_oin.clone(),
                categories: serde_json::to_string(&d.categories).unwrap_or_default(),
                purpose: d.purpose.clone(),
                legal_basis: d.legal_basis,
                legal_basis_text: d.legal_basis_text.clone(),
                consent_id,
                disclosed_at: d.disclosed_at,
            };
            match held.get_mut(&d.source_disclosure_id) {
                Some(h) if same(&h.row, &wanted) => summary.count(Outcome::Unchanged),
                Some(h) => {
                    h.row = disclosures::Model {
                        id: h.row.id,
                        ..wanted
                    };
                    h.changed = true;
                    summary.count(Outcome::Updated);
                }
                None => {
                    let h = Held {
                        row: wanted,
                        stored: false,
                        changed: false,
                        item: i,
                    };
                    held.insert(d.source_disclosure_id.clone(), h);
                    summary.count(Outcome::Created);
                }
            }
        }
        let mut created = Vec::new();
        let mut changed: Vec<disclosures::Model> = Vec::new();
        for h in held.into_values() {
            if !h.stored {
                created.push((h.item, h.row));
            } else if h.changed {
                changed.push(h.row);
            }
        }
        // In id order, so two batches updating the same rows lock them in the same order.
        changed.sort_by_key(|row| row.id);
        for row in changed {
            let id = row.id;
            let updated = disclosures::Entity::update_many()
                .set(columns(row))
                .filter(disclosures::Column::Id.eq(id))
                .exec(txn)
                .await?;
            if updated.rows_affected != 1 {
                return Err(IngestError::Database(DbErr::RecordNotUpdated));
            }
        }
        created.sort_by_key(|(item, _)| *item);
        let created = created.into_iter().map(|(_, row)| columns(row)).collect();
        insert_all(txn, created).await?;
        Ok(summary)
    }
}

/// A disclosure row as the batch goes through its items: stored, or created by an earlier item.
struct Held {
    row: disclosures::Model,
    /// Whether the row was read from the database (else the batch creates it).
    stored: bool,
    /// Whether an item changed a stored row.
    changed: bool,
    /// For a row the batch creates, the item that created it: new rows keep the batch's order.
    item: usize,
}

/// Every column of `row` but its id, to be written.
fn columns(row: disclosures::Model) -> disclosures::ActiveModel {
    let mut active = row.into_active_model().reset_all();
    active.id = NotSet;
    active
}

/// Whether the stored disclosure already says what the item says.
fn same(row: &disclosures::Model, wanted: &disclosures::Model) -> bool {
    row.citizen_id == wanted.citizen_id
        && row.activity_code == wanted.activity_code
        && row.recipient_name == wanted.recipient_name
        && row.recipient_oin == wanted.recipient_oin
        && row.categories == wanted.categories
        && row.purpose == wanted.purpose
        && row.legal_basis == wanted.legal_basis
        && row.legal_basis_text == wanted.legal_basis_text
        && row.consent_id == wanted.consent_id
        && same_instant(row.disclosed_at, wanted.disclosed_at)
}

/// The source's disclosures with these ids (those that exist), by the source's id.
async fn existing_disclosures(
    txn: &DatabaseTransaction,
    source_system_id: i64,
    ids: &[&str],
) -> Result<HashMap<String, disclosures::Model>, DbErr> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let rows = disclosures::Entity::find()
            .filter(disclosures::Column::SourceSystemId.eq(source_system_id))
            .filter(disclosures::Column::SourceDisclosureId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        found.extend(
            rows.into_iter()
                .map(|r| (r.source_disclosure_id.clone(), r)),
        );
    }
    Ok(found)
}
