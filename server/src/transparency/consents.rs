//! "Toestemmingen": the consents the citizen gave, and withdrawing one.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::iso_date;
use crate::entities::consents;

/// The citizen's consents by id: all of them, or only those in `ids`.
pub(super) async fn consents_by_id(
    db: &DatabaseConnection,
    citizen_id: i64,
    ids: Option<Vec<i64>>,
) -> Result<HashMap<i64, consents::Model>, DbErr> {
    let mut query = consents::Entity::find().filter(consents::Column::CitizenId.eq(citizen_id));
    if let Some(ids) = ids {
        query = query.filter(consents::Column::Id.is_in(ids));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

fn consent_view(c: &consents::Model) -> app::models::ConsentView {
    app::models::ConsentView {
        id: c.id,
        recipient: c.recipient.clone(),
        purpose: c.purpose.clone(),
        given_at: iso_date(&c.given_at),
        channel: c.channel.clone(),
        withdrawn_at: c.withdrawn_at.as_ref().map(iso_date),
    }
}

/// "Toestemmingen"; with `confirm` naming one of the citizen's consents in force, the
/// confirmation step for it.
pub async fn consents_view(
    db: &DatabaseConnection,
    citizen_id: i64,
    confirm: Option<i64>,
) -> Result<app::models::ConsentsView, DbErr> {
    let all = consents::Entity::find()
        .filter(consents::Column::CitizenId.eq(citizen_id))
        .order_by_desc(consents::Column::GivenAt)
        .all(db)
        .await?;
    let confirm = confirm.and_then(|id| {
        all.iter()
            .find(|c| c.id == id && c.withdrawn_at.is_none())
            .map(consent_view)
    });
    let (active, withdrawn): (Vec<_>, Vec<_>) = all.iter().partition(|c| c.withdrawn_at.is_none());
    Ok(app::models::ConsentsView {
        active: active.into_iter().map(consent_view).collect(),
        withdrawn: withdrawn.into_iter().map(consent_view).collect(),
        confirm,
    })
}

/// The withdrawal channel of a consent withdrawn in the portal: a sync never clears it.
pub const PORTAL_CHANNEL: &str = "Inzage";

/// Withdraws one of the citizen's consents at once: the consent, an event for its source
/// system and an audit event, in one transaction. `false` if there is no such consent in force.
pub async fn withdraw_consent(
    db: &DatabaseConnection,
    citizen_id: i64,
    consent_id: i64,
) -> Result<bool, DbErr> {
    use sea_orm::{TransactionTrait, sea_query::Expr};
    let now = chrono::Utc::now();
    let txn = db.begin().await?;
    let changed = consents::Entity::update_many()
        .col_expr(consents::Column::WithdrawnAt, Expr::value(now))
        .col_expr(
            consents::Column::WithdrawalChannel,
            Expr::value(PORTAL_CHANNEL),
        )
        .filter(consents::Column::Id.eq(consent_id))
        .filter(consents::Column::CitizenId.eq(citizen_id))
        .filter(consents::Column::WithdrawnAt.is_null())
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Ok(false);
    }
    let Some(consent) = consents::Entity::find_by_id(consent_id).one(&txn).await? else {
        return Ok(false);
    };
    crate::sources::events::emit(
        &txn,
        consent.source_system_id,
        crate::sources::events::EventKind::ConsentWithdrawn,
        serde_json::json!({
            "source_consent_id": consent.source_consent_id,
            "withdrawn_at": now,
            "channel": PORTAL_CHANNEL,
        }),
        now,
    )
    .await?;
    crate::platform::audit::append(
        &txn,
        &crate::platform::audit::AuditEntry {
            actor: crate::platform::audit::Actor::Citizen(citizen_id),
            action: "consent.withdrawn".to_owned(),
            citizen_id: Some(citizen_id),
            details: serde_json::json!({ "consent_id": consent_id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}
