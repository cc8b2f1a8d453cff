//! What staff do and read: the queue, one request with the actions the workflow allows, and
//! acting on it (claim, ask, extend, decide, approve, execute, message).

use super::*;
use crate::identity::BsnVault;
use app::models::StatusFilter;
use sea_orm::{Condition, Order};

/// A request for a staff member who may read requests, for its letters.
pub async fn for_staff_documents(
    db: &DatabaseConnection,
    settings: &Settings,
    staff: &StaffActor,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<Option<rights_requests::Model>, DbErr> {
    if !staff.may_read() {
        return Ok(None);
    }
    let request = match by_reference(db, reference).await {
        Ok(request) => request,
        Err(RequestError::Database(e)) => return Err(e),
        Err(_) => return Ok(None),
    };
    // A letter names the citizen's items: reading it is viewing their data, in their log too.
    let txn = db.begin().await?;
    staff_trail(&txn, settings, staff.id, &request, "viewed", now).await?;
    txn.commit().await?;
    Ok(Some(request))
}

/// One item's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemDecision {
    /// The item.
    pub item_id: i64,
    /// Granted, or refused with a ground.
    pub granted: bool,
    /// The refusal ground.
    pub ground: Option<RefusalGround>,
    /// The explanation; required for a refusal.
    pub note: String,
}

/// What a decision on an access request leaves out of the answer (Art. 15(4) AVG, UAVG art.
/// 41): a refusal in effect, so it needs a ground from the list, a note and the approver.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaveOutDecision {
    /// The records left out; none is the usual case.
    pub records: Vec<i64>,
    /// The ground (`RefusalGround::leaves_out`).
    pub ground: Option<RefusalGround>,
    /// Why, for the citizen.
    pub note: String,
}

/// What a staff member does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Take the request on.
    Claim,
    /// Ask the citizen for information (the message goes to them).
    AskInformation(String),
    /// Extend the deadline, with the reason the citizen is told.
    Extend(String),
    /// Confirm a parent's authority over the child.
    ConfirmAuthority,
    /// Decide every item, with a general note, and for an access request what the answer
    /// leaves out.
    Decide(Vec<ItemDecision>, String, LeaveOutDecision),
    /// Approve the decision (four eyes).
    Approve,
    /// Send the decision back, with why.
    SendBack(String),
    /// Carry the decision out.
    Execute,
    /// Carry out an access decision: send the Art. 15 answer. It leaves out the records the
    /// approved decision leaves out; `left_out` (what the send form repeats) must be exactly
    /// those.
    SendAnswer {
        /// Records left out.
        left_out: Vec<i64>,
    },
    /// A message to the citizen.
    Message(String),
    /// An internal note (never shown to the citizen).
    Note(String),
    /// Lift the restriction the request put on the citizen's records, with the reason the
    /// citizen is told (Art. 18(3)).
    LiftRestriction(String),
    /// Finish an Art. 19 task: done, or impossible with a reason.
    FinishTask {
        /// The task.
        task_id: i64,
        /// Done (`true`) or impossible.
        done: bool,
        /// Why it was impossible.
        reason: String,
    },
}

impl Command {
    fn action(&self) -> Action {
        match self {
            Command::Claim => Action::Claim,
            Command::AskInformation(_) => Action::AskInformation,
            Command::Extend(_) => Action::Extend,
            Command::ConfirmAuthority => Action::ConfirmAuthority,
            Command::Decide(..) => Action::Decide,
            Command::Approve => Action::Approve,
            Command::SendBack(_) => Action::SendBack,
            Command::Execute | Command::SendAnswer { .. } => Action::Execute,
            Command::Message(_) => Action::Message,
            Command::Note(_) => Action::Note,
            Command::FinishTask { .. } => Action::FinishTask,
            Command::LiftRestriction(_) => Action::LiftRestriction,
        }
    }
}

pub(super) async fn facts(
    txn: &DatabaseTransaction,
    request: &rights_requests::Model,
    decisions: Option<(&[ItemDecision], &LeaveOutDecision)>,
    today: NaiveDate,
) -> Result<Facts, DbErr> {
    let items = request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .all(txn)
        .await?;
    let decided: Vec<(bool, Option<RefusalGround>)> = match decisions {
        Some((d, _)) => d.iter().map(|d| (d.granted, d.ground)).collect(),
        None => items
            .iter()
            .map(|i| (i.decision == Some(Decision::Granted), i.ground))
            .collect(),
    };
    // Leaving records out of an access answer refuses them in effect: four eyes as well.
    let leaves_out = match decisions {
        Some((_, leave_out)) => !leave_out.records.is_empty(),
        None => {
            request_leave_outs::Entity::find()
                .filter(request_leave_outs::Column::RequestId.eq(request.id))
                .count(txn)
                .await?
                > 0
        }
    };
    let kind = request.kind;
    let any_refused = decided.iter().any(|(granted, _)| !granted);
    let erases = kind == Kind::Erasure && decided.iter().any(|(granted, _)| *granted);
    let open_tasks = request_tasks::Entity::find()
        .filter(request_tasks::Column::RequestId.eq(request.id))
        .filter(request_tasks::Column::Status.eq(TaskStatus::Open))
        .count(txn)
        .await?
        > 0;
    Ok(Facts {
        assignee: request.assignee_id,
        decided_by: request.decided_by,
        needs_approval: any_refused || erases || leaves_out,
        all_refused: !decided.is_empty() && decided.iter().all(|(granted, _)| !granted),
        authority_unconfirmed: request.requester_id != request.citizen_id
            && request.authority_confirmed_by.is_none(),
        open_tasks,
        restriction_in_effect: request.status == Status::Completed
            && kind.task_action() == Some(TaskAction::Restrict)
            && !super::execution::restricted_by(txn, request)
                .await?
                .is_empty(),
        extension_refused: deadlines::may_extend(
            deadlines::received_on(request.received_at),
            request.extended_to.is_some(),
            today,
        )
        .err(),
    })
}

/// A staff member acts on a request. `version` is the one their form was built from: when the
/// request changed since, nothing happens and they are told ([`RequestError::Stale`]).
pub async fn act(
    db: &DatabaseConnection,
    settings: &Settings,
    staff: &StaffActor,
    reference: &str,
    version: i32,
    command: Command,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let txn = db.begin().await?;
    let request = by_reference(&txn, reference).await?;
    if request.version != version {
        return Err(RequestError::Stale);
    }
    let from = request.status;
    let actor = staff.actor();
    let decisions = match &command {
        Command::Decide(d, _, leave_out) => Some((d.as_slice(), leave_out)),
        _ => None,
    };
    let facts = facts(&txn, &request, decisions, deadlines::received_on(now)).await?;
    let action = command.action();
    let to = workflow::check(from, action, &actor, &facts)?;
    let typed_reference = reference_of(&request)?;
    let mut note: Option<String> = None;
    let mut public_note = false;
    let mut mail_to_citizen: Option<Mail> = None;
    match &command {
        Command::Claim => {
            move_to(&txn, &request, to, now, |u| {
                u.col_expr(rights_requests::Column::AssigneeId, Expr::value(staff.id))
            })
            .await?;
        }
        Command::AskInformation(question) => {
            let question = text(question)?;
            move_to(&txn, &request, to, now, |u| u).await?;
            add_message(&txn, request.id, now, staff.id, &question, false).await?;
            mail_to_citizen = Some(Mail::InformationNeeded(typed_reference.clone()));
        }
        Command::Extend(reason) => {
            let today = deadlines::received_on(now);
            let received = deadlines::received_on(request.received_at);
            let new_due =
                deadlines::extend(received, request.extended_to.is_some(), today, reason)?;
            let reason = text(reason)?;
            move_to(&txn, &request, to, now, |u| {
                u.col_expr(rights_requests::Column::ExtendedTo, Expr::value(new_due))
                    .col_expr(
                        rights_requests::Column::ExtensionReason,
                        Expr::value(reason.clone()),
                    )
            })
            .await?;
            note = Some(reason);
            public_note = true;
            mail_to_citizen = Some(Mail::DeadlineExtended(typed_reference.clone()));
        }
        Command::ConfirmAuthority => {
            move_to(&txn, &request, to, now, |u| {
                u.col_expr(
                    rights_requests::Column::AuthorityConfirmedBy,
                    Expr::value(staff.id),
                )
            })
            .await?;
        }
        Command::Decide(decisions, general, leave_out) => {
            record_decisions(&txn, &request, decisions).await?;
            record_leave_outs(&txn, &request, leave_out).await?;
            let general = general.trim().to_owned();
            move_to(&txn, &request, to, now, |u| {
                u.col_expr(rights_requests::Column::DecidedBy, Expr::value(staff.id))
                    .col_expr(
                        rights_requests::Column::DecisionNote,
                        Expr::value((!general.is_empty()).then_some(general.clone())),
                    )
            })
            .await?;
            if to == Status::Decided {
                mail_to_citizen = Some(Mail::DecisionTaken(typed_reference.clone()));
            }
        }
        Command::Approve => {
            move_to(&txn, &request, to, now, |u| {
                u.col_expr(rights_requests::Column::ApprovedBy, Expr::value(staff.id))
            })
            .await?;
            mail_to_citizen = Some(Mail::DecisionTaken(typed_reference.clone()));
        }
        Command::SendBack(why) => {
            let why = text(why)?;
            move_to(&txn, &request, to, now, |u| {
                u.col_expr(
                    rights_requests::Column::DecidedBy,
                    Expr::value(Option::<i64>::None),
                )
            })
            .await?;
            note = Some(why);
        }
        Command::Execute | Command::SendAnswer { .. } => {
            move_to(&txn, &request, to, now, |u| u).await?;
            if request.kind == Kind::Access {
                // Granted access is carried out by sending the answer, and only a complete one
                // that leaves out exactly what was approved.
                let asked: Option<BTreeSet<i64>> = match &command {
                    Command::SendAnswer { left_out } => Some(left_out.iter().copied().collect()),
                    _ => None,
                };
                crate::rights::answers::send(
                    &txn,
                    &settings.municipality_name,
                    &request,
                    staff.id,
                    asked.as_ref(),
                    now,
                )
                .await?
                .map_err(|e| match e {
                    crate::rights::answers::NotSent::Incomplete(gaps) => {
                        RequestError::AnswerIncomplete(gaps)
                    }
                    crate::rights::answers::NotSent::NotApproved => {
                        RequestError::LeaveOutNotApproved
                    }
                })?;
            }
            execute(&txn, &request, now).await?;
        }
        Command::Message(body) => {
            let body = text(body)?;
            move_to(&txn, &request, to, now, |u| u).await?;
            add_message(&txn, request.id, now, staff.id, &body, false).await?;
            mail_to_citizen = Some(Mail::NewMessage(typed_reference.clone()));
        }
        Command::Note(body) => {
            let body = text(body)?;
            move_to(&txn, &request, to, now, |u| u).await?;
            add_message(&txn, request.id, now, staff.id, &body, true).await?;
        }
        Command::LiftRestriction(why) => {
            let why = text(why)?;
            move_to(&txn, &request, to, now, |u| u).await?;
            super::execution::lift_restrictions(&txn, &request, now).await?;
            note = Some(why);
            public_note = true;
            mail_to_citizen = Some(Mail::NewMessage(typed_reference.clone()));
        }
        Command::FinishTask {
            task_id,
            done,
            reason,
        } => {
            let reason = if *done { None } else { Some(text(reason)?) };
            // The request row first: a concurrent acknowledgement waits, or this one is stale.
            move_to(&txn, &request, to, now, |u| u).await?;
            let changed = request_tasks::Entity::update_many()
                .col_expr(
                    request_tasks::Column::Status,
                    Expr::value(if *done {
                        TaskStatus::Done
                    } else {
                        TaskStatus::Impossible
                    }),
                )
                .col_expr(request_tasks::Column::Reason, Expr::value(reason.clone()))
                .col_expr(request_tasks::Column::DoneAt, Expr::value(now))
                .filter(request_tasks::Column::Id.eq(*task_id))
                .filter(request_tasks::Column::RequestId.eq(request.id))
                .filter(request_tasks::Column::Kind.eq(TaskKind::Art19))
                .filter(request_tasks::Column::Status.eq(TaskStatus::Open))
                .exec(&txn)
                .await?;
            if changed.rows_affected != 1 {
                return Err(RequestError::NotFound);
            }
            note = reason;
        }
    }
    let action_name = action;
    append_event(
        &txn,
        request.id,
        now,
        &actor,
        action_name,
        from,
        to,
        note,
        public_note,
    )
    .await?;
    staff_trail(
        &txn,
        settings,
        staff.id,
        &request,
        action_name.as_str(),
        now,
    )
    .await?;
    if let Some(mail) = mail_to_citizen {
        mail::notify_citizen(&txn, settings, request.requester_id, &mail).await?;
    }
    // Executing with nothing open (or the last task just closed): the request is complete.
    if to == Status::Executing {
        complete_if_done(&txn, settings, request.id, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

pub(super) async fn record_decisions(
    txn: &DatabaseTransaction,
    request: &rights_requests::Model,
    decisions: &[ItemDecision],
) -> Result<(), RequestError> {
    let items = request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .all(txn)
        .await?;
    let mut errors = Vec::new();
    let decided: BTreeSet<i64> = decisions.iter().map(|d| d.item_id).collect();
    if decided.len() != decisions.len()
        || items.len() != decisions.len()
        || items.iter().any(|i| !decided.contains(&i.id))
    {
        errors.push("request.error.every_item");
    }
    for d in decisions {
        if !d.granted {
            if d.ground.is_none() {
                errors.push("request.error.ground");
            }
            if d.note.trim().is_empty() {
                errors.push("request.error.refusal_note");
            }
        }
        if d.note.chars().count() > MAX_TEXT {
            errors.push("request.error.too_long");
        }
    }
    if !errors.is_empty() {
        errors.dedup();
        return Err(RequestError::Invalid(errors));
    }
    for d in decisions {
        request_items::Entity::update_many()
            .col_expr(
                request_items::Column::Decision,
                Expr::value(if d.granted {
                    Decision::Granted
                } else {
                    Decision::Refused
                }),
            )
            .col_expr(
                request_items::Column::Ground,
                Expr::value(if d.granted { None } else { d.ground }),
            )
            .col_expr(
                request_items::Column::DecisionNote,
                Expr::value((!d.note.trim().is_empty()).then(|| d.note.trim().to_owned())),
            )
            .filter(request_items::Column::Id.eq(d.item_id))
            .filter(request_items::Column::RequestId.eq(request.id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Stores what the decision leaves out of the access answer, replacing what an earlier decision
/// (sent back since) left out. Refused, changing nothing, unless every record is one the answer
/// would show and there is a ground from the list and a note.
async fn record_leave_outs(
    txn: &DatabaseTransaction,
    request: &rights_requests::Model,
    leave_out: &LeaveOutDecision,
) -> Result<(), RequestError> {
    request_leave_outs::Entity::delete_many()
        .filter(request_leave_outs::Column::RequestId.eq(request.id))
        .exec(txn)
        .await?;
    if leave_out.records.is_empty() {
        return Ok(());
    }
    let note = leave_out.note.trim();
    let ground = match leave_out.ground {
        Some(ground) if ground.leaves_out() && !note.is_empty() => ground,
        _ => return Err(RequestError::LeaveOutGround),
    };
    if note.chars().count() > MAX_TEXT {
        return Err(RequestError::Invalid(vec!["request.error.too_long"]));
    }
    // Only what the answer would show, under the decisions just recorded: nothing of another
    // citizen's, nothing refused, nothing confidential.
    let answerable = if request.kind == Kind::Access {
        crate::rights::answers::answerable(&crate::rights::answers::load(txn, request).await?)
    } else {
        BTreeSet::new()
    };
    let records: BTreeSet<i64> = leave_out.records.iter().copied().collect();
    if !records.is_subset(&answerable) {
        return Err(RequestError::Invalid(vec!["request.error.unknown_record"]));
    }
    request_leave_outs::Entity::insert_many(records.into_iter().map(|record_id| {
        request_leave_outs::ActiveModel {
            request_id: Set(request.id),
            record_id: Set(record_id),
            ground: Set(ground),
            note: Set(note.to_owned()),
            ..Default::default()
        }
    }))
    .exec(txn)
    .await?;
    Ok(())
}

/// Requests on one page of the back office queue.
pub const QUEUE_PAGE: u64 = 50;

/// The open requests as one literal predicate, spelled as the partial index
/// `ix_requests_open_due` is (migration 000014), so both databases use that index whatever the
/// statement cache: with bound values they could not prove the index applies.
pub const OPEN_SQL: &str = migrations::m20261202_000014_open_requests_index::OPEN_REQUESTS;
/// The date a request is due by: the extended one when there is one (indexed as an expression).
const DUE_SQL: &str = "COALESCE(extended_to, due_on)";

/// The open requests' counts the queue's header and the staff digest show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenCounts {
    pub open: i64,
    /// Past their due date.
    pub overdue: i64,
    /// Due within five days, today included.
    pub due_soon: i64,
    pub unassigned: i64,
}

/// [`OpenCounts`] on `today`, in one aggregate query over the open requests' partial index.
pub async fn open_counts<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
) -> Result<OpenCounts, DbErr> {
    use sea_orm::sea_query::Func;
    let due = || Expr::cust(DUE_SQL);
    let soon = today + chrono::Duration::days(5);
    let tally = |condition: Condition| -> Expr {
        let case = Expr::case(condition, Expr::val(1)).finally(Expr::val(0));
        Func::coalesce([Expr::from(Func::sum(case)), Expr::val(0)]).into()
    };
    let (open, overdue, due_soon, unassigned): (i64, i64, i64, i64) =
        rights_requests::Entity::find()
            .select_only()
            .column_as(rights_requests::Column::Id.count(), "open")
            .column_as(tally(Condition::all().add(due().lt(today))), "overdue")
            .column_as(
                tally(Condition::all().add(due().gte(today)).add(due().lte(soon))),
                "due_soon",
            )
            .column_as(
                tally(Condition::all().add(rights_requests::Column::AssigneeId.is_null())),
                "unassigned",
            )
            .filter(Expr::cust(OPEN_SQL))
            .into_tuple()
            .one(db)
            .await?
            .unwrap_or_default();
    Ok(OpenCounts {
        open,
        overdue,
        due_soon,
        unassigned,
    })
}

/// The back office queue, for any staff member who may read requests: one page of it.
pub async fn queue(
    db: &DatabaseConnection,
    staff: &StaffActor,
    filter: &QueueFilter,
    now: DateTime<Utc>,
) -> Result<QueueView, RequestError> {
    if !staff.may_read() {
        return Err(Refusal::NotAllowed.into());
    }
    let today = deadlines::received_on(now);
    let names = staff_names(db).await?;
    // Everything is done by the database, with indexes: filters, order, counts and the page,
    // so the cost does not grow with the number of closed requests.
    let due = || Expr::cust(DUE_SQL);
    let open = || Expr::cust(OPEN_SQL);
    let mut matching = Condition::all();
    if let Some(kind) = filter.kind {
        matching = matching.add(rights_requests::Column::Kind.eq(kind));
    }
    match filter.status {
        Some(StatusFilter::Open) => matching = matching.add(open()),
        Some(StatusFilter::Is(status)) => {
            matching = matching.add(rights_requests::Column::Status.eq(status));
        }
        None => {}
    }
    if let Some(days) = filter.due_within {
        matching = matching
            .add(open())
            .add(due().lte(today + chrono::Duration::days(i64::from(days))));
    }
    if filter.overdue {
        matching = matching.add(open()).add(due().lt(today));
    }
    if filter.mine {
        matching = matching.add(rights_requests::Column::AssigneeId.eq(staff.id));
    }
    if filter.unassigned {
        matching = matching.add(rights_requests::Column::AssigneeId.is_null());
    }
    if !filter.search.is_empty() {
        matching = matching.add(rights_requests::Column::Reference.starts_with(&filter.search));
    }
    let matching = rights_requests::Entity::find().filter(matching);
    // Counted without the order: a count in due order would walk the due index over every row.
    let total = matching.clone().count(db).await?;
    let pages = Ord::max(total.div_ceil(QUEUE_PAGE), 1);
    let page = filter.page.clamp(1, pages);
    let query = matching
        .order_by(due(), Order::Asc)
        .order_by_asc(rights_requests::Column::Id);
    let rows = load_requests(db, query.offset((page - 1) * QUEUE_PAGE).limit(QUEUE_PAGE)).await?;
    let counts = open_counts(db, today).await?;
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    Ok(QueueView {
        rows: rows
            .iter()
            .map(|r| {
                summary(
                    r,
                    today,
                    r.assignee_id.and_then(|id| names.get(&id).cloned()),
                )
            })
            .collect(),
        filter: QueueFilter {
            page,
            ..filter.clone()
        },
        total,
        pages,
        open: count(counts.open),
        overdue: count(counts.overdue),
        due_soon: count(counts.due_soon),
        unassigned: count(counts.unassigned),
    })
}

/// The back office's view of one request. Looking at it is a view of citizen data: it writes an
/// audit event and a line in the citizen's processing log.
pub async fn detail_for_staff(
    db: &DatabaseConnection,
    settings: &Settings,
    vault: &Vault,
    staff: &StaffActor,
    reference: &str,
    reveal_bsn: bool,
    now: DateTime<Utc>,
) -> Result<StaffRequestView, RequestError> {
    if !staff.may_read() {
        return Err(Refusal::NotAllowed.into());
    }
    let request = by_reference(db, reference).await?;
    let names = staff_names(db).await?;
    let today = deadlines::received_on(now);
    let view = detail(db, &request, &Audience::Staff(names.clone()), today).await?;
    let citizen = citizens::Entity::find_by_id(request.citizen_id)
        .one(db)
        .await?
        .ok_or(RequestError::NotFound)?;
    let bsn = vault
        .decrypt_bsn(&citizen.bsn_ciphertext)
        .map(|b| {
            if reveal_bsn {
                b.expose().to_owned()
            } else {
                b.masked()
            }
        })
        .unwrap_or_default();
    let tasks = request_tasks::Entity::find()
        .filter(request_tasks::Column::RequestId.eq(request.id))
        .order_by_asc(request_tasks::Column::Id)
        .all(db)
        .await?;
    let sources: HashMap<i64, String> = source_systems::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let txn = db.begin().await?;
    let facts = facts(&txn, &request, None, today).await?;
    staff_trail(&txn, settings, staff.id, &request, "viewed", now).await?;
    txn.commit().await?;
    let status = request.status;
    let actor = staff.actor();
    // Exactly what the workflow allows this staff member now; the last task's completion is
    // not a button (it follows from finishing the last task).
    let actions: Vec<Action> = Action::ALL
        .into_iter()
        .filter(|a| *a != Action::FinishTasks)
        .filter(|a| workflow::check(status, *a, &actor, &facts).is_ok())
        .collect();
    // An access request's answer as it would go out: while the handler decides (everything in
    // the request's scope, to pick what to leave out), while the approver looks at the decision
    // and once it is granted and waits to be sent (leaving out what the decision does).
    let deciding = status == Status::InReview && actions.contains(&Action::Decide);
    let granted = view
        .items
        .iter()
        .any(|i| i.decision == Some(Decision::Granted));
    let answer_draft = if request.kind == Kind::Access
        && (deciding || (granted && matches!(status, Status::AwaitingApproval | Status::Decided)))
    {
        let mut input = crate::rights::answers::load(db, &request).await?;
        if deciding {
            input.granted = scope(db, &request).await?;
        }
        let left_out = crate::rights::answers::leave_outs(db, request.id).await?;
        Some(Box::new(crate::rights::answers::draft(
            crate::rights::answers::build(
                app::i18n::Locale::parse(&request.locale),
                &settings.municipality_name,
                &request.reference,
                &today.to_string(),
                &input,
                if deciding { &[] } else { &left_out },
            ),
        )))
    } else {
        None
    };
    Ok(StaffRequestView {
        answer_draft,
        detail: view,
        citizen_name: citizen.display_name,
        bsn,
        bsn_revealed: reveal_bsn,
        authority_unconfirmed: facts.authority_unconfirmed,
        version: request.version,
        mine: request.assignee_id == Some(staff.id),
        decided_by: request.decided_by.and_then(|id| names.get(&id).cloned()),
        tasks: tasks
            .into_iter()
            .map(|t| RequestTaskView {
                id: t.id,
                target: match (&t.recipient, t.source_system_id) {
                    (Some(recipient), _) => recipient.clone(),
                    (None, Some(id)) => sources.get(&id).cloned().unwrap_or_default(),
                    _ => String::new(),
                },
                kind: t.kind,
                action: t.action,
                status: t.status,
                reason: t.reason,
            })
            .collect(),
        actions,
    })
}

/// The records a request is about, whatever the decision: `None` for all the citizen's data.
async fn scope(
    db: &DatabaseConnection,
    request: &rights_requests::Model,
) -> Result<Option<BTreeSet<i64>>, DbErr> {
    let items = request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .all(db)
        .await?;
    Ok(if items.iter().any(|i| i.record_id.is_none()) {
        None
    } else {
        Some(items.iter().filter_map(|i| i.record_id).collect())
    })
}

/// Records that a staff member is about to see a citizen's full BSN, and why.
pub async fn reveal_bsn(
    db: &DatabaseConnection,
    staff: &StaffActor,
    reference: &str,
    reason: &str,
) -> Result<(), RequestError> {
    if !staff.may_read() {
        return Err(Refusal::NotAllowed.into());
    }
    let reason = text(reason)?;
    let request = by_reference(db, reference).await?;
    let txn = db.begin().await?;
    audit::append(
        &txn,
        &audit::AuditEntry {
            actor: audit::Actor::Staff(staff.id),
            action: "citizen.bsn_revealed".to_owned(),
            citizen_id: Some(request.citizen_id),
            details: serde_json::json!({ "reference": request.reference, "reason": reason }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod open_sql_tests {
    use super::*;

    /// The literal the partial index and the queries share names exactly the open statuses.
    #[test]
    fn open_sql_names_the_open_statuses() {
        let listed: Vec<String> = Status::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(OPEN_SQL, format!("status IN ({})", listed.join(", ")));
    }
}
