//! Consents, idempotent by the source's consent id. A consent the citizen withdrew in the
//! portal stays withdrawn: a sync may report an earlier withdrawal or a new consent (given after
//! the withdrawal, kept as a new row), never clear it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
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
        // A consent given anew is a new row under the same id. The item is about the row given
        // at the same moment, or else the newest one.
        let rows = consents::Entity::find()
            .filter(consents::Column::SourceSystemId.eq(self.source.id))
            .filter(consents::Column::SourceConsentId.eq(c.source_consent_id.clone()))
            .order_by_desc(consents::Column::GivenAt)
            .all(txn)
            .await?;
        let row = rows
            .iter()
            .find(|r| same_instant(r.given_at, c.given_at))
            .or(rows.first());
        let Some(row) = row else {
            return self.create(txn, citizen_id, c).await;
        };
        let withdrawn_at = match portal_withdrawal(row) {
            // Given again after the citizen withdrew it here: a new consent, and the withdrawn
            // one stays as it was.
            Some(withdrawn) if c.given_at > withdrawn => {
                return self.create(txn, citizen_id, c).await;
            }
            // The portal's withdrawal stands: a sync may only move it earlier.
            Some(withdrawn) => Some(c.withdrawn_at.map_or(withdrawn, |w| w.min(withdrawn))),
            None => c.withdrawn_at,
        };
        if same(row, citizen_id, c, withdrawn_at) {
            return Ok(Outcome::Unchanged);
        }
        let updated = consents::Entity::update_many()
            .col_expr(consents::Column::CitizenId, Expr::value(citizen_id))
            .col_expr(
                consents::Column::Recipient,
                Expr::value(c.recipient.clone()),
            )
            .col_expr(consents::Column::Purpose, Expr::value(c.purpose.clone()))
            .col_expr(consents::Column::GivenAt, Expr::value(c.given_at))
            .col_expr(consents::Column::Channel, Expr::value(c.channel.clone()))
            .col_expr(consents::Column::WithdrawnAt, Expr::value(withdrawn_at))
            .filter(consents::Column::Id.eq(row.id))
            // Not withdrawn in the portal since it was read (by the citizen, on another
            // instance): that withdrawal must not be overwritten.
            .filter(
                Condition::any()
                    .add(consents::Column::WithdrawalChannel.is_null())
                    .add(consents::Column::WithdrawalChannel.ne(PORTAL_CHANNEL))
                    .add(consents::Column::WithdrawnAt.eq(row.withdrawn_at)),
            )
            .exec(txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(IngestError::Database(DbErr::Custom(
                "a consent was withdrawn in the portal while the batch was written".to_owned(),
            )));
        }
        Ok(Outcome::Updated)
    }
}

impl Consents<'_> {
    /// Stores the item as a new consent.
    async fn create(
        &self,
        txn: &DatabaseTransaction,
        citizen_id: i64,
        c: &ConsentInput,
    ) -> Result<Outcome, IngestError> {
        consents::ActiveModel {
            citizen_id: Set(citizen_id),
            source_system_id: Set(self.source.id),
            source_consent_id: Set(c.source_consent_id.clone()),
            recipient: Set(c.recipient.clone()),
            purpose: Set(c.purpose.clone()),
            given_at: Set(c.given_at),
            channel: Set(c.channel.clone()),
            withdrawn_at: Set(c.withdrawn_at),
            withdrawal_channel: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(Outcome::Created)
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
