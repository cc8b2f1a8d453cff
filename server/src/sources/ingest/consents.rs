//! Consents, idempotent by the source's consent id. A consent the citizen withdrew in the
//! portal stays withdrawn: a sync may report an earlier withdrawal or a new consent (given after
//! the withdrawal, kept as a new row), never clear it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    BatchSummary, IN_CHUNK, IngestError, Kind, Outcome, Problems, SourceContext, check_size,
    citizen_ids, ingest, insert_all, same_instant,
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
    let kind = Consents { source, vault };
    ingest(db, kind, items).await
}

/// Consents as a kind of item.
struct Consents<'a> {
    source: &'a SourceContext,
    vault: &'a Vault,
}

/// A consent row as the batch goes through its items in order: one read from the database
/// (with the withdrawal it had then, for the update's guard), or one an earlier item of the
/// batch created.
struct Held {
    row: consents::Model,
    /// `None` for a row the batch creates; else the `withdrawn_at` read in this transaction.
    read: Option<Option<DateTime<Utc>>>,
    /// For a row the batch creates, the item that created it: new rows are inserted in the
    /// batch's order.
    item: usize,
    /// Whether an item changed a row that was read.
    changed: bool,
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
        items: &[ConsentInput],
        bsns: Vec<Bsn>,
    ) -> Result<BatchSummary, IngestError> {
        let citizen_ids = citizen_ids(txn, self.vault, &bsns.iter().collect::<Vec<_>>()).await?;
        let ids: Vec<&str> = items.iter().map(|c| c.source_consent_id.as_str()).collect();
        let mut held = self.held(txn, &ids).await?;
        // The items in order, each against the rows as the items before it left them: the same
        // outcome as writing them one by one, with the writes gathered at the end.
        let mut summary = BatchSummary::default();
        for (i, (c, citizen_id)) in items.iter().zip(citizen_ids).enumerate() {
            let rows = held.entry(c.source_consent_id.as_str()).or_default();
            summary.count(apply(rows, self.source.id, citizen_id, i, c));
        }
        let mut created = Vec::new();
        for held in held.into_values().flatten() {
            let Held {
                row,
                read,
                item,
                changed,
            } = held;
            match read {
                None => created.push((
                    item,
                    consents::ActiveModel {
                        citizen_id: Set(row.citizen_id),
                        source_system_id: Set(row.source_system_id),
                        source_consent_id: Set(row.source_consent_id),
                        recipient: Set(row.recipient),
                        purpose: Set(row.purpose),
                        given_at: Set(row.given_at),
                        channel: Set(row.channel),
                        withdrawn_at: Set(row.withdrawn_at),
                        withdrawal_channel: Set(None),
                        ..Default::default()
                    },
                )),
                Some(read_withdrawn_at) if changed => update(txn, &row, read_withdrawn_at).await?,
                Some(_) => {}
            }
        }
        created.sort_by_key(|(item, _)| *item);
        insert_all(txn, created.into_iter().map(|(_, row)| row).collect()).await?;
        Ok(summary)
    }
}

impl Consents<'_> {
    /// The source's stored consents under these ids, newest first per id, in one select (per
    /// chunk of ids).
    async fn held<'i>(
        &self,
        txn: &DatabaseTransaction,
        ids: &[&'i str],
    ) -> Result<BTreeMap<&'i str, Vec<Held>>, DbErr> {
        let mut distinct = ids.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let mut held: BTreeMap<&str, Vec<Held>> = BTreeMap::new();
        for chunk in distinct.chunks(IN_CHUNK) {
            for row in consents::Entity::find()
                .filter(consents::Column::SourceSystemId.eq(self.source.id))
                .filter(consents::Column::SourceConsentId.is_in(chunk.iter().copied()))
                .order_by_desc(consents::Column::GivenAt)
                .all(txn)
                .await?
            {
                if let Ok(at) = distinct.binary_search(&row.source_consent_id.as_str()) {
                    held.entry(distinct[at]).or_default().push(Held {
                        read: Some(row.withdrawn_at),
                        row,
                        item: 0,
                        changed: false,
                    });
                }
            }
        }
        Ok(held)
    }
}

/// Applies one item to the rows held under its id (newest first): what writing it alone would
/// have done. A consent given anew is a new row under the same id; the item is about the row
/// given at the same moment, or else the newest one.
fn apply(
    rows: &mut Vec<Held>,
    source_system_id: i64,
    citizen_id: i64,
    item: usize,
    c: &ConsentInput,
) -> Outcome {
    let at = rows
        .iter()
        .position(|h| same_instant(h.row.given_at, c.given_at))
        .or(if rows.is_empty() { None } else { Some(0) });
    let Some(at) = at else {
        create(rows, source_system_id, citizen_id, item, c);
        return Outcome::Created;
    };
    let row = &rows[at].row;
    let withdrawn_at = match portal_withdrawal(row) {
        // Given again after the citizen withdrew it here: a new consent, and the withdrawn
        // one stays as it was.
        Some(withdrawn) if c.given_at > withdrawn => {
            create(rows, source_system_id, citizen_id, item, c);
            return Outcome::Created;
        }
        // The portal's withdrawal stands: a sync may only move it earlier.
        Some(withdrawn) => Some(c.withdrawn_at.map_or(withdrawn, |w| w.min(withdrawn))),
        None => c.withdrawn_at,
    };
    if same(row, citizen_id, c, withdrawn_at) {
        return Outcome::Unchanged;
    }
    let held = &mut rows[at];
    held.row.citizen_id = citizen_id;
    held.row.recipient.clone_from(&c.recipient);
    held.row.purpose.clone_from(&c.purpose);
    held.row.given_at = c.given_at;
    held.row.channel.clone_from(&c.channel);
    held.row.withdrawn_at = withdrawn_at;
    held.changed = true;
    newest_first(rows);
    Outcome::Updated
}

/// Holds the item as a new consent, to be inserted with the batch's other new ones.
fn create(
    rows: &mut Vec<Held>,
    source_system_id: i64,
    citizen_id: i64,
    item: usize,
    c: &ConsentInput,
) {
    rows.push(Held {
        row: consents::Model {
            id: 0,
            citizen_id,
            source_system_id,
            source_consent_id: c.source_consent_id.clone(),
            recipient: c.recipient.clone(),
            purpose: c.purpose.clone(),
            given_at: c.given_at,
            channel: c.channel.clone(),
            withdrawn_at: c.withdrawn_at,
            withdrawal_channel: None,
        },
        read: None,
        item,
        changed: false,
    });
    newest_first(rows);
}

/// Keeps the rows of one id in the order the database gives them: newest `given_at` first.
fn newest_first(rows: &mut [Held]) {
    rows.sort_by_key(|held| std::cmp::Reverse(held.row.given_at));
}

/// Writes what the batch's items made of a stored consent.
async fn update(
    txn: &DatabaseTransaction,
    row: &consents::Model,
    read_withdrawn_at: Option<DateTime<Utc>>,
) -> Result<(), IngestError> {
    let updated = consents::Entity::update_many()
        .col_expr(consents::Column::CitizenId, Expr::value(row.citizen_id))
        .col_expr(
            consents::Column::Recipient,
            Expr::value(row.recipient.clone()),
        )
        .col_expr(consents::Column::Purpose, Expr::value(row.purpose.clone()))
        .col_expr(consents::Column::GivenAt, Expr::value(row.given_at))
        .col_expr(consents::Column::Channel, Expr::value(row.channel.clone()))
        .col_expr(consents::Column::WithdrawnAt, Expr::value(row.withdrawn_at))
        .filter(consents::Column::Id.eq(row.id))
        // Not withdrawn in the portal since it was read (by the citizen, on another
        // instance): that withdrawal must not be overwritten.
        .filter(
            Condition::any()
                .add(consents::Column::WithdrawalChannel.is_null())
                .add(consents::Column::WithdrawalChannel.ne(PORTAL_CHANNEL))
                .add(consents::Column::WithdrawnAt.eq(read_withdrawn_at)),
        )
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(IngestError::Database(DbErr::Custom(
            "a consent was withdrawn in the portal while the batch was written".to_owned(),
        )));
    }
    Ok(())
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
