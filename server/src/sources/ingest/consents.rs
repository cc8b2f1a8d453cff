//! Consents, idempotent by the source's consent id. A consent the citizen withdrew in the
//! portal stays withdrawn: a sync may report an earlier withdrawal or a new consent (given after
//! the withdrawal, kept as a new row), never clear it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    BatchSummary, Citizens, IngestError, Kind, Outcome, Problems, SourceContext, check_size,
    ingest, same_instant,
};
use crate::{
    entities::consents, identity::Bsn, platform::crypto::Vault, transparency::PORTAL_CHANNEL,
};

/// A consent as the source system recorded it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// The source's own id.
    pub source_consent_id: String,
    /// Whose consent.
    pub bsn: String,
    /// To whom the data may go.
    pub recipient: String,
    /// For what.
    pub purpose: String,
    /// When it was given.
    pub given_at: DateTime<Utc>,
    /// How: "formulier", "gesprek met consulent", …
    pub channel: String,
    /// When it was withdrawn, if it was.
    #[serde(default)]
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// Upserts consents by the source's id.
pub async fn upsert_consents(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[ConsentInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    let kind = Consents {
        source,
        citizens: Citizens::new(vault),
    };
    ingest(db, kind, items).await
}

/// Consents as a kind of item.
struct Consents<'a> {
    source: &'a SourceContext,
    citizens: Citizens<'a>,
}

impl Kind for Consents<'_> {
    type Item = ConsentInput;
    type Checked = Bsn;

    fn check(&self, i: usize, c: &ConsentInput, problems: &mut Problems) -> Option<Bsn> {
        let bsn = problems.bsn(i, &c.bsn);
        problems.text(i, "source_consent_id", &c.source_consent_id, 200);
        problems.text(i, "recipient", &c.recipient, 200);
        problems.text(i, "purpose", &c.purpose, 2000);
        problems.text(i, "channel", &c.channel, 100);
        if c.withdrawn_at.is_some_and(|w| w < c.given_at) {
            problems.add(i, "withdrawn_at", "is before given_at");
        }
        bsn
    }

    async fn write(
        &mut self,
        txn: &DatabaseTransaction,
        _: usize,
        c: &ConsentInput,
        bsn: Bsn,
    ) -> Result<Outcome, IngestError> {
        let citizen_id = self.citizens.id(txn, &bsn).await?;
        // A consent given anew is a new row under the same id: the newest is the one in force.
        let latest = consents::Entity::find()
            .filter(consents::Column::SourceSystemId.eq(self.source.id))
            .filter(consents::Column::SourceConsentId.eq(c.source_consent_id.clone()))
            .order_by_desc(consents::Column::GivenAt)
            .one(txn)
            .await?;
        let fresh = || consents::ActiveModel {
            source_system_id: Set(self.source.id),
            source_consent_id: Set(c.source_consent_id.clone()),
            withdrawal_channel: Set(None),
            ..Default::default()
        };
        let mut withdrawn_at = c.withdrawn_at;
        let (outcome, mut active) = match latest {
            None => (Outcome::Created, fresh()),
            Some(row) => {
                let in_portal = portal_withdrawal(&row);
                match in_portal {
                    // Given again after the citizen withdrew it here: a new consent, and the
                    // withdrawn one stays as it was.
                    Some(withdrawn) if c.given_at > withdrawn => (Outcome::Created, fresh()),
                    // The portal's withdrawal stands: a sync may only move it earlier.
                    Some(withdrawn) => {
                        withdrawn_at = Some(c.withdrawn_at.map_or(withdrawn, |w| w.min(withdrawn)));
                        if same(&row, citizen_id, c, withdrawn_at) {
                            return Ok(Outcome::Unchanged);
                        }
                        (Outcome::Updated, row.into_active_model())
                    }
                    None => {
                        if same(&row, citizen_id, c, withdrawn_at) {
                            return Ok(Outcome::Unchanged);
                        }
                        (Outcome::Updated, row.into_active_model())
                    }
                }
            }
        };
        active.citizen_id = Set(citizen_id);
        active.recipient = Set(c.recipient.clone());
        active.purpose = Set(c.purpose.clone());
        active.given_at = Set(c.given_at);
        active.channel = Set(c.channel.clone());
        active.withdrawn_at = Set(withdrawn_at);
        active.save(txn).await?;
        Ok(outcome)
    }
}

/// When the citizen withdrew this consent in the portal, if they did.
fn portal_withdrawal(row: &consents::Model) -> Option<DateTime<Utc>> {
    row.withdrawn_at
        .filter(|_| row.withdrawal_channel.as_deref() == Some(PORTAL_CHANNEL))
}

/// Whether the stored consent already says what the item says (with this withdrawal).
fn same(
    row: &consents::Model,
    citizen_id: i64,
    c: &ConsentInput,
    withdrawn_at: Option<DateTime<Utc>>,
) -> bool {
    row.citizen_id == citizen_id
        && row.recipient == c.recipient
        && row.purpose == c.purpose
        && same_instant(row.given_at, c.given_at)
        && row.channel == c.channel
        && match (row.withdrawn_at, withdrawn_at) {
            (Some(a), Some(b)) => same_instant(a, b),
            (a, b) => a == b,
        }
}
