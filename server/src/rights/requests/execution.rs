//! Carrying a decision out: managed sources change here, connected sources and recipients get
//! tasks, and a request completes when the last task is done.

use super::*;
use crate::{
    entities::{record_guards, record_tombstones},
    platform::crypto::sha256_hex,
    sources::events::{self, EventKind},
};

/// Carries a decided request out: managed source systems' records change here and now,
/// connected ones get a task; every recipient the citizen's data went to gets an Art. 19 task.
pub(super) async fn execute(
    txn: &DatabaseTransaction,
    request: &rights_requests::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let kind = Some(request.kind);
    let items = request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .all(txn)
        .await?;
    let sources: HashMap<i64, source_systems::Model> = source_systems::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut changed_categories = BTreeSet::new();
    for item in items {
        let granted = item.decision == Some(Decision::Granted);
        let record = match item.record_id {
            Some(id) => {
                personal_data_records::Entity::find_by_id(id)
                    .filter(personal_data_records::Column::CitizenId.eq(request.citizen_id))
                    .one(txn)
                    .await?
            }
            None => None,
        };
        let action = kind.and_then(Kind::task_action);
        let outcome = match (granted, action, record) {
            (false, _, _) => Outcome::Kept,
            (true, None, _) => Outcome::Answered,
            (true, Some(_), None) => Outcome::Gone,
            (true, Some(action), Some(record)) => {
                changed_categories.insert(record.category.clone());
                let connected = sources
                    .get(&record.source_system_id)
                    .is_some_and(|s| s.mode == SourceMode::Connected);
                if action == TaskAction::Restrict {
                    // Restriction takes effect at once in Inzage, whatever the source's mode.
                    restrict(txn, &record, request, now).await?;
                }
                if connected && action == TaskAction::Rectify {
                    // The value before the rectification is the one Inzage holds now; by the
                    // time the source confirms, its own sync may already have brought the new.
                    hold_back(txn, &record, &request.reference, PENDING, now).await?;
                }
                if connected {
                    let payload = serde_json::json!({
                        "source_record_id": record.source_record_id,
                        "new_value": item.proposed_value,
                        "reference": request.reference,
                    });
                    let target = TaskTarget::Source {
                        source_system_id: record.source_system_id,
                        record_id: record.id,
                    };
                    open_task(txn, request.id, target, action, &payload, now).await?;
                    Outcome::SentToSource
                } else {
                    apply_to_record(
                        txn,
                        &record,
                        action,
                        item.proposed_value.as_deref(),
                        request,
                        now,
                    )
                    .await?
                }
            }
        };
        request_items::Entity::update_many()
            .col_expr(request_items::Column::Outcome, Expr::value(outcome))
            .col_expr(
                request_items::Column::ExecutedAt,
                Expr::value((outcome != Outcome::SentToSource).then_some(now)),
            )
            .filter(request_items::Column::Id.eq(item.id))
            .exec(txn)
            .await?;
    }
    // Art. 19: every recipient that received data of a changed category.
    if !changed_categories.is_empty() {
        let mut recipients = BTreeSet::new();
        for d in disclosures::Entity::find()
            .filter(disclosures::Column::CitizenId.eq(request.citizen_id))
            .all(txn)
            .await?
        {
            let categories: Vec<String> = serde_json::from_str(&d.categories).unwrap_or_default();
            if categories.iter().any(|c| changed_categories.contains(c)) {
                recipients.insert(d.recipient_name);
            }
        }
        for recipient in recipients {
            let action = kind
                .and_then(Kind::task_action)
                .unwrap_or(TaskAction::Restrict);
            let target = TaskTarget::Recipient(recipient);
            open_task(txn, request.id, target, action, &serde_json::json!({}), now).await?;
        }
    }
    Ok(())
}

/// Who a task is for.
enum TaskTarget {
    /// A connected source system, to change one of its records.
    Source {
        /// The source system.
        source_system_id: i64,
        /// The record in Inzage's copy.
        record_id: i64,
    },
    /// A recipient of the data, to be told (Art. 19).
    Recipient(String),
}

/// Opens a task for `target` in the transaction of the step that makes it.
async fn open_task(
    txn: &DatabaseTransaction,
    request_id: i64,
    target: TaskTarget,
    action: TaskAction,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let (kind, source_system_id, record_id, recipient) = match target {
        TaskTarget::Source {
            source_system_id,
            record_id,
        } => (
            TaskKind::Source,
            Some(source_system_id),
            Some(record_id),
            None,
        ),
        TaskTarget::Recipient(name) => (TaskKind::Art19, None, None, Some(name)),
    };
    request_tasks::ActiveModel {
        request_id: Set(request_id),
        kind: Set(kind),
        source_system_id: Set(source_system_id),
        recipient: Set(recipient),
        action: Set(action),
        record_id: Set(record_id),
        payload: Set(payload.to_string()),
        status: Set(TaskStatus::Open),
        reason: Set(None),
        created_at: Set(now),
        done_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Applies a rectification or erasure to Inzage's own copy of a record, and tells its source
/// (`managed` at execution, `connected` when it acknowledged the task). An erasure leaves a
/// tombstone and a rectification a guard against the old value, so a stale sync cannot undo it.
pub(super) async fn apply_to_record(
    txn: &DatabaseTransaction,
    record: &personal_data_records::Model,
    action: TaskAction,
    new_value: Option<&str>,
    request: &rights_requests::Model,
    now: DateTime<Utc>,
) -> Result<Outcome, DbErr> {
    let reference = request.reference.clone();
    match action {
        TaskAction::Rectify => {
            let new_value = new_value.unwrap_or_default();
            // Unchanged when the connected source's own sync brought the new value first (the
            // history names the source then).
            if record.value != new_value {
                record_history::ActiveModel {
                    record_id: Set(record.id),
                    old_value: Set(Some(record.value.clone())),
                    new_value: Set(Some(new_value.to_owned())),
                    cause: Set(reference.clone()),
                    changed_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
            personal_data_records::Entity::update_many()
                .col_expr(personal_data_records::Column::Value, Expr::value(new_value))
                .col_expr(personal_data_records::Column::UpdatedAt, Expr::value(now))
                .filter(personal_data_records::Column::Id.eq(record.id))
                .exec(txn)
                .await?;
            let event = events::emit(
                txn,
                record.source_system_id,
                EventKind::RecordRectified,
                serde_json::json!({
                    "source_record_id": record.source_record_id,
                    "new_value": new_value,
                    "reference": reference,
                }),
                now,
            )
            .await?;
            // A connected source's guard was made at execution and waits for this event.
            let pending = record_guards::Entity::update_many()
                .col_expr(record_guards::Column::SourceEventId, Expr::value(event))
                .filter(record_guards::Column::RecordId.eq(record.id))
                .filter(record_guards::Column::Reference.eq(reference.clone()))
                .filter(record_guards::Column::SourceEventId.eq(PENDING))
                .exec(txn)
                .await?;
            if pending.rows_affected == 0 {
                hold_back(txn, record, &reference, event, now).await?;
            }
            Ok(Outcome::Rectified)
        }
        TaskAction::Erase => {
            // The history goes with the record (ON DELETE CASCADE): nothing of the value stays.
            personal_data_records::Entity::delete_by_id(record.id)
                .exec(txn)
                .await?;
            record_tombstones::Entity::insert(record_tombstones::ActiveModel {
                source_system_id: Set(record.source_system_id),
                source_record_id: Set(record.source_record_id.clone()),
                request_id: Set(request.id),
                reference: Set(reference.clone()),
                erased_at: Set(now),
                ..Default::default()
            })
            .on_conflict_do_nothing_on([
                record_tombstones::Column::SourceSystemId,
                record_tombstones::Column::SourceRecordId,
            ])
            .exec(txn)
            .await?;
            events::emit(
                txn,
                record.source_system_id,
                EventKind::RecordErased,
                serde_json::json!({
                    "source_record_id": record.source_record_id,
                    "reference": reference,
                }),
                now,
            )
            .await?;
            Ok(Outcome::Erased)
        }
        // Restricted at execution already ([`restrict`]); the source confirms it kept to it.
        TaskAction::Restrict => Ok(Outcome::Restricted),
    }
}

/// A guard's event while a connected source has not confirmed its task: no event has that id,
/// so the guard refuses nothing yet.
const PENDING: i64 = 0;

/// Refuses the record's current value from its source until `event` is acknowledged.
async fn hold_back(
    txn: &DatabaseTransaction,
    record: &personal_data_records::Model,
    reference: &str,
    event: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    record_guards::ActiveModel {
        record_id: Set(record.id),
        source_event_id: Set(event),
        refused_value_sha256: Set(sha256_hex(&record.value)),
        reference: Set(reference.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Restricts processing of a record (Art. 18, or an objection granted): marked with the request,
/// shown to the citizen, and told to its source.
async fn restrict(
    txn: &DatabaseTransaction,
    record: &personal_data_records::Model,
    request: &rights_requests::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    personal_data_records::Entity::update_many()
        .col_expr(personal_data_records::Column::Restricted, Expr::value(true))
        .col_expr(
            personal_data_records::Column::RestrictedBy,
            Expr::value(request.reference.clone()),
        )
        .col_expr(
            personal_data_records::Column::RestrictedAt,
            Expr::value(now),
        )
        .filter(personal_data_records::Column::Id.eq(record.id))
        .exec(txn)
        .await?;
    events::emit(
        txn,
        record.source_system_id,
        EventKind::RecordRestricted,
        serde_json::json!({
            "source_record_id": record.source_record_id,
            "reference": request.reference,
        }),
        now,
    )
    .await?;
    Ok(())
}

/// Lifts the restrictions `request` put on the citizen's records; how many it lifted. Each
/// record's source hears `record.unrestricted`.
pub(super) async fn lift_restrictions(
    txn: &DatabaseTransaction,
    request: &rights_requests::Model,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let records = restricted_by(txn, request).await?;
    for record in &records {
        personal_data_records::Entity::update_many()
            .col_expr(
                personal_data_records::Column::Restricted,
                Expr::value(false),
            )
            .col_expr(
                personal_data_records::Column::RestrictedBy,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                personal_data_records::Column::RestrictedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(personal_data_records::Column::Id.eq(record.id))
            .exec(txn)
            .await?;
        events::emit(
            txn,
            record.source_system_id,
            EventKind::RecordUnrestricted,
            serde_json::json!({
                "source_record_id": record.source_record_id,
                "reference": request.reference,
            }),
            now,
        )
        .await?;
    }
    Ok(records.len())
}

/// The citizen's records that `request` restricted and that are still restricted.
pub(super) async fn restricted_by<C: ConnectionTrait>(
    db: &C,
    request: &rights_requests::Model,
) -> Result<Vec<personal_data_records::Model>, DbErr> {
    personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(request.citizen_id))
        .filter(personal_data_records::Column::Restricted.eq(true))
        .filter(personal_data_records::Column::RestrictedBy.eq(request.reference.clone()))
        .all(db)
        .await
}

pub(super) async fn complete_if_done(
    txn: &DatabaseTransaction,
    settings: &Settings,
    request_id: i64,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let Some(request) = rights_requests::Entity::find_by_id(request_id)
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let facts = facts(txn, &request, None, deadlines::received_on(now)).await?;
    // Tasks still open (or not executing at all): nothing to complete yet.
    match step(
        txn,
        &request,
        &Actor::System,
        Action::FinishTasks,
        &facts,
        now,
    )
    .await
    {
        Err(RequestError::Refused(_)) => return Ok(()),
        other => other?,
    };
    mail::notify_citizen(
        txn,
        settings,
        request.requester_id,
        &Mail::RequestCompleted(reference_of(&request)?),
    )
    .await?;
    Ok(())
}

/// A connected source system's open tasks.
pub async fn open_source_tasks(
    db: &DatabaseConnection,
    source_system_id: i64,
) -> Result<Vec<request_tasks::Model>, DbErr> {
    request_tasks::Entity::find()
        .filter(request_tasks::Column::SourceSystemId.eq(source_system_id))
        .filter(request_tasks::Column::Kind.eq(TaskKind::Source))
        .filter(request_tasks::Column::Status.eq(TaskStatus::Open))
        .order_by_asc(request_tasks::Column::Id)
        .all(db)
        .await
}

/// A source system acknowledges a task: done (Inzage applies the change to its own copy) or
/// impossible with a reason. `Ok(false)` when the task is not this source's or not open.
pub async fn acknowledge_task(
    db: &DatabaseConnection,
    settings: &Settings,
    source_system_id: i64,
    task_id: i64,
    done: bool,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, RequestError> {
    let txn = db.begin().await?;
    // Lock the request first (bumping its version): two acknowledgements, or one and a staff
    // member finishing an Art. 19 task, then run one after the other, and the last one sees
    // every task closed and completes the request.
    let Some(request_id) = request_tasks::Entity::find_by_id(task_id)
        .one(&txn)
        .await?
        .map(|t| t.request_id)
    else {
        return Ok(false);
    };
    rights_requests::Entity::update_many()
        .col_expr(
            rights_requests::Column::Version,
            Expr::col(rights_requests::Column::Version).add(1),
        )
        .filter(rights_requests::Column::Id.eq(request_id))
        .exec(&txn)
        .await?;
    let changed = request_tasks::Entity::update_many()
        .col_expr(
            request_tasks::Column::Status,
            Expr::value(if done {
                TaskStatus::Done
            } else {
                TaskStatus::Impossible
            }),
        )
        .col_expr(
            request_tasks::Column::Reason,
            Expr::value(reason.map(str::to_owned)),
        )
        .col_expr(request_tasks::Column::DoneAt, Expr::value(now))
        .filter(request_tasks::Column::Id.eq(task_id))
        .filter(request_tasks::Column::SourceSystemId.eq(source_system_id))
        .filter(request_tasks::Column::Kind.eq(TaskKind::Source))
        .filter(request_tasks::Column::Status.eq(TaskStatus::Open))
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Ok(false);
    }
    let Some(task) = request_tasks::Entity::find_by_id(task_id).one(&txn).await? else {
        return Ok(false);
    };
    let Some(request) = rights_requests::Entity::find_by_id(task.request_id)
        .one(&txn)
        .await?
    else {
        return Ok(false);
    };
    let outcome = if done {
        let record = match task.record_id {
            Some(id) => {
                personal_data_records::Entity::find_by_id(id)
                    .one(&txn)
                    .await?
            }
            None => None,
        };
        let new_value: Option<String> = serde_json::from_str::<serde_json::Value>(&task.payload)
            .ok()
            .and_then(|p| {
                p.get("new_value")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            });
        match record {
            Some(record) => {
                apply_to_record(
                    &txn,
                    &record,
                    task.action,
                    new_value.as_deref(),
                    &request,
                    now,
                )
                .await?
            }
            None => Outcome::Gone,
        }
    } else {
        Outcome::Impossible
    };
    request_items::Entity::update_many()
        .col_expr(request_items::Column::Outcome, Expr::value(outcome))
        .col_expr(request_items::Column::ExecutedAt, Expr::value(now))
        .filter(request_items::Column::RequestId.eq(request.id))
        .filter(request_items::Column::RecordId.eq(task.record_id))
        .exec(&txn)
        .await?;
    audit::append(
        &txn,
        &audit::AuditEntry {
            actor: audit::Actor::System,
            action: "request.task_acknowledged".to_owned(),
            citizen_id: Some(request.citizen_id),
            details: serde_json::json!({
                "reference": request.reference, "task": task_id, "done": done,
            }),
        },
    )
    .await?;
    complete_if_done(&txn, settings, request.id, now).await?;
    txn.commit().await?;
    Ok(true)
}
