//! The request's state changes and timeline: one step (status, version, event, audit
//! line, staff trail), and the detail view both audiences read.

use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) async fn append_event(
    txn: &DatabaseTransaction,
    request_id: i64,
    now: DateTime<Utc>,
    actor: &Actor,
    action: Action,
    from: Status,
    to: Status,
    note: Option<String>,
    note_is_public: bool,
) -> Result<(), DbErr> {
    let (kind, staff_id) = match actor {
        Actor::Requester => (ActorKind::Citizen, None),
        Actor::Staff { id, .. } => (ActorKind::Staff, Some(*id)),
        Actor::System => (ActorKind::System, None),
    };
    request_events::ActiveModel {
        request_id: Set(request_id),
        at: Set(now),
        actor_kind: Set(kind),
        staff_id: Set(staff_id),
        action: Set(action),
        from_status: Set(from),
        to_status: Set(to),
        note: Set(note),
        note_is_public: Set(note_is_public),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

pub(super) fn local_minute(t: &DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::Amsterdam)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Who the viewer is: what they may see of values, decisions, notes and names.
pub(super) enum Audience {
    /// The requester, with the record values their login may see now, and whether it may see
    /// health (special-category) data.
    Citizen(HashMap<i64, String>, Visibility),
    /// Staff, with everyone's names.
    Staff(HashMap<i64, String>),
}

pub(super) async fn detail(
    db: &DatabaseConnection,
    request: &rights_requests::Model,
    audience: &Audience,
    today: NaiveDate,
) -> Result<RequestDetailView, DbErr> {
    let items = request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .order_by_asc(request_items::Column::Id)
        .all(db)
        .await?;
    let record_ids: Vec<i64> = items.iter().filter_map(|i| i.record_id).collect();
    let values: HashMap<i64, String> = if let Audience::Citizen(visible, _) = audience {
        visible.clone()
    } else if record_ids.is_empty() {
        HashMap::new()
    } else {
        personal_data_records::Entity::find()
            .filter(personal_data_records::Column::Id.is_in(record_ids))
            .filter(personal_data_records::Column::CitizenId.eq(request.citizen_id))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.value))
            .collect()
    };
    let events = request_events::Entity::find()
        .filter(request_events::Column::RequestId.eq(request.id))
        .order_by_asc(request_events::Column::Id)
        .all(db)
        .await?;
    let messages = request_messages::Entity::find()
        .filter(request_messages::Column::RequestId.eq(request.id))
        .order_by_asc(request_messages::Column::Id)
        .all(db)
        .await?;
    let staff_name = |id: Option<i64>| match (audience, id) {
        (Audience::Staff(names), Some(id)) => names
            .get(&id)
            .cloned()
            .map_or(Author::Municipality, Author::Staff),
        _ => Author::Municipality,
    };
    let staff_view = matches!(audience, Audience::Staff(_));
    let status = request.status;
    // The citizen sees a decision once it has taken effect (approved where four eyes apply),
    // never a draft waiting for approval or sent back.
    let decision_shown = staff_view || status.decision_in_effect();
    Ok(RequestDetailView {
        summary: summary(
            request,
            today,
            request.assignee_id.map(|id| match staff_name(Some(id)) {
                Author::Staff(name) => name,
                _ => String::new(),
            }),
        ),
        explanation: request.explanation.clone(),
        all_data: request.all_data,
        extension_reason: request.extension_reason.clone(),
        items: items
            .into_iter()
            .map(|i| {
                // A health item at a login below the health-data level: what was decided and
                // done, but nothing of what it is about.
                let withheld =
                    i.special_category && matches!(audience, Audience::Citizen(_, v) if !v.health);
                let open = |text: Option<String>| text.filter(|_| !withheld);
                RequestItemView {
                    id: i.id,
                    current_value: open(i.record_id.and_then(|id| values.get(&id).cloned())),
                    label: if withheld { String::new() } else { i.label },
                    withheld,
                    proposed_value: open(i.proposed_value),
                    decision: i.decision.filter(|_| decision_shown),
                    ground: i.ground.filter(|_| decision_shown),
                    decision_note: open(i.decision_note.filter(|_| decision_shown)),
                    outcome: i.outcome,
                    executed_on: i.executed_at.map(|t| deadlines::received_on(t).to_string()),
                }
            })
            .collect(),
        timeline: events
            .into_iter()
            // Internal steps stay internal.
            .filter(|e| staff_view || !e.action.staff_only())
            .map(|e| RequestEventView {
                at: local_minute(&e.at),
                actor: match e.actor_kind {
                    ActorKind::Citizen => Author::Citizen,
                    ActorKind::Staff => staff_name(e.staff_id),
                    ActorKind::System => Author::Municipality,
                },
                note: e.note.filter(|_| staff_view || e.note_is_public),
                action: e.action,
                status: e.to_status,
            })
            .collect(),
        messages: messages
            .into_iter()
            .filter(|m| staff_view || !m.internal)
            .map(|m| RequestMessageView {
                at: local_minute(&m.at),
                author: if m.author == ActorKind::Citizen {
                    Author::Citizen
                } else {
                    staff_name(m.staff_id)
                },
                body: m.body,
                internal: m.internal,
            })
            .collect(),
        can_withdraw: status.is_open(),
        awaiting_citizen: status == Status::AwaitingCitizen,
        decision_note: request.decision_note.clone().filter(|_| decision_shown),
        on_behalf_of: if request.requester_id == request.citizen_id {
            None
        } else {
            citizens::Entity::find_by_id(request.citizen_id)
                .one(db)
                .await?
                .map(|c| c.display_name.unwrap_or_default())
        },
        filed_under_mandate: request
            .filed_by
            .map(|_| request.mandate.clone().unwrap_or_default()),
        answer_sent: access_answers::Entity::find_by_id(request.id)
            .one(db)
            .await?
            .is_some(),
        letters: crate::rights::letters::available(request),
    })
}

/// One workflow step with nothing else to store: the table decides whether `actor` may take
/// `action` now, the request moves (optimistically locked) and the timeline says so. Returns the
/// status it moved to.
pub(super) async fn step(
    txn: &DatabaseTransaction,
    request: &rights_requests::Model,
    actor: &Actor,
    action: Action,
    facts: &Facts,
    now: DateTime<Utc>,
) -> Result<Status, RequestError> {
    let from = request.status;
    let to = workflow::check(from, action, actor, facts)?;
    move_to(txn, request, to, now, |u| u).await?;
    append_event(txn, request.id, now, actor, action, from, to, None, false).await?;
    Ok(to)
}

/// Moves the request to `to`, bumping its version; fails as [`RequestError::Stale`] when
/// someone changed it since it was read. `extra` sets further columns.
pub(super) async fn move_to(
    txn: &DatabaseTransaction,
    request: &rights_requests::Model,
    to: Status,
    now: DateTime<Utc>,
    extra: impl FnOnce(
        sea_orm::UpdateMany<rights_requests::Entity>,
    ) -> sea_orm::UpdateMany<rights_requests::Entity>,
) -> Result<(), RequestError> {
    let mut update = rights_requests::Entity::update_many()
        .col_expr(rights_requests::Column::Status, Expr::value(to))
        .col_expr(
            rights_requests::Column::Version,
            Expr::col(rights_requests::Column::Version).add(1),
        )
        .filter(rights_requests::Column::Id.eq(request.id))
        .filter(rights_requests::Column::Version.eq(request.version));
    if to.is_final() {
        update = update.col_expr(rights_requests::Column::ClosedAt, Expr::value(now));
    }
    update = extra(update);
    if update.exec(txn).await?.rows_affected != 1 {
        return Err(RequestError::Stale);
    }
    Ok(())
}

pub(super) async fn add_message(
    txn: &DatabaseTransaction,
    request_id: i64,
    now: DateTime<Utc>,
    staff_id: i64,
    body: &str,
    internal: bool,
) -> Result<(), DbErr> {
    request_messages::ActiveModel {
        request_id: Set(request_id),
        at: Set(now),
        author: Set(ActorKind::Staff),
        staff_id: Set(Some(staff_id)),
        body: Set(body.to_owned()),
        internal: Set(internal),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The audit event and the processing log line the citizen sees for a staff action or view.
pub(super) async fn staff_trail(
    txn: &DatabaseTransaction,
    settings: &Settings,
    staff_id: i64,
    request: &rights_requests::Model,
    action: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    audit::append(
        txn,
        &audit::AuditEntry {
            actor: audit::Actor::Staff(staff_id),
            action: format!("request.{action}"),
            citizen_id: Some(request.citizen_id),
            details: serde_json::json!({ "reference": request.reference }),
        },
    )
    .await?;
    let verb = if action == "viewed" {
        "heeft uw gegevens ingezien"
    } else {
        "heeft uw verzoek behandeld"
    };
    transparency::log_portal_step(
        txn,
        request.citizen_id,
        // The setting is the full name ("Gemeente Voorbeeldstad").
        &format!(
            "{}, team Privacy, {verb} voor verzoek {}",
            settings.municipality_name, request.reference
        ),
        &format!("{}, team Privacy", settings.municipality_name),
        now,
    )
    .await
}
