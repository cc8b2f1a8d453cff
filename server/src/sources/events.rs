//! Events for source systems: what the portal decided about the source's own data, written in
//! the transaction of the decision and fetched by the source (`GET /api/v1/events`) until it
//! acknowledges each one. Every source hears every decision, `managed` and `connected` alike:
//!
//! | kind | when | payload |
//! |---|---|---|
//! | `consent.withdrawn` | the citizen withdrew a consent in the portal | `source_consent_id`, `withdrawn_at`, `channel` |
//! | `record.rectified` | a rectification took effect in Inzage's copy | `source_record_id`, `new_value`, `reference` |
//! | `record.erased` | an erasure took effect | `source_record_id`, `reference` |
//! | `record.restricted` | processing of a record was restricted (restriction or objection) | `source_record_id`, `reference` |
//! | `record.unrestricted` | staff lifted that restriction | `source_record_id`, `reference` |
//!
//! For a `connected` source a rectification or erasure takes effect when the source acknowledges
//! its task, so its event follows the task; a restriction takes effect at once in both modes.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entities::{record_guards, source_events};

/// What happened, as a source system reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub enum EventKind {
    /// A consent was withdrawn in the portal.
    #[serde(rename = "consent.withdrawn")]
    ConsentWithdrawn,
    /// A record's value was corrected; the source must take the new value.
    #[serde(rename = "record.rectified")]
    RecordRectified,
    /// A record was erased; the source must erase it and never send its id again.
    #[serde(rename = "record.erased")]
    RecordErased,
    /// Processing of a record is restricted (Art. 18): store it, do not use it.
    #[serde(rename = "record.restricted")]
    RecordRestricted,
    /// The restriction was lifted.
    #[serde(rename = "record.unrestricted")]
    RecordUnrestricted,
}

impl EventKind {
    /// The stored and sent word.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ConsentWithdrawn => "consent.withdrawn",
            EventKind::RecordRectified => "record.rectified",
            EventKind::RecordErased => "record.erased",
            EventKind::RecordRestricted => "record.restricted",
            EventKind::RecordUnrestricted => "record.unrestricted",
        }
    }
}

/// Writes an event for `source_system_id` in the caller's transaction; its id, for a guard that
/// waits for the acknowledgement. The payload names the source's own ids, never a BSN.
pub async fn emit<C: ConnectionTrait>(
    txn: &C,
    source_system_id: i64,
    kind: EventKind,
    payload: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let event = source_events::ActiveModel {
        source_system_id: Set(source_system_id),
        kind: Set(kind.as_str().to_owned()),
        payload: Set(payload.to_string()),
        created_at: Set(now),
        acknowledged_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(event.id)
}

/// Most events one poll returns.
pub const POLL_LIMIT: u64 = 500;

/// The source's unacknowledged events, oldest first.
pub async fn open_events(
    db: &DatabaseConnection,
    source_system_id: i64,
) -> Result<Vec<source_events::Model>, DbErr> {
    source_events::Entity::find()
        .filter(source_events::Column::SourceSystemId.eq(source_system_id))
        .filter(source_events::Column::AcknowledgedAt.is_null())
        .order_by_asc(source_events::Column::Id)
        .limit(POLL_LIMIT)
        .all(db)
        .await
}

/// The source acknowledges one of its events; `false` when it is not the source's or not open.
/// Acknowledging a `record.rectified` event lifts the guard against the old value, and the
/// guard (the old value's hash) goes with it.
pub async fn acknowledge(
    db: &DatabaseConnection,
    source_system_id: i64,
    event_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let acknowledged = source_events::Entity::update_many()
        .col_expr(source_events::Column::AcknowledgedAt, Expr::value(now))
        .filter(source_events::Column::Id.eq(event_id))
        .filter(source_events::Column::SourceSystemId.eq(source_system_id))
        .filter(source_events::Column::AcknowledgedAt.is_null())
        .exec(&txn)
        .await?;
    if acknowledged.rows_affected != 1 {
        return Ok(false);
    }
    record_guards::Entity::delete_many()
        .filter(record_guards::Column::SourceEventId.eq(event_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(true)
}
