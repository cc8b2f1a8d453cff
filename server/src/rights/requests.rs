//! Rights requests: citizens file and follow them, staff work them through the workflow.
//!
//! Every function takes the acting citizen or staff member and scopes its queries by them; every
//! change runs in one transaction with its timeline event, audit event, the processing log line
//! the citizen sees, and its mails (the outbox), and takes `now` so tests can move time.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    config::Settings,
    entities::{
        access_answers, citizens, disclosures, guardianships, personal_data_records,
        processing_log_lines, record_history, request_events, request_items, request_messages,
        request_tasks, rights_requests, source_systems, staff_accounts,
    },
    identity::StaffRole,
    mail::{self, Mail, MailError, RequestReference},
    platform::audit,
    platform::crypto::Vault,
    rights::deadlines,
    rights::workflow::{self, Action, Actor, Facts, Refusal, Status},
    transparency::{self, PORTAL_ACTIVITY, Visibility},
};
use app::models::{
    Author, NewRequestView, PickableRecord, QueueFilter, QueueView, RequestDetailView,
    RequestEventView, RequestItemView, RequestMessageView, RequestSummaryView, RequestTaskView,
    StaffRequestView,
};

use types::{ActorKind, Notice, SourceMode};
pub use types::{Decision, Kind, Outcome, RefusalGround, TaskAction, TaskKind, TaskStatus};

/// Longest explanation or message a citizen or staff member may send.
pub const MAX_TEXT: usize = 4000;

/// Why a request action did not happen. The message keys are what the pages show.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The database refused.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// A mail could not be queued (the change rolls back with it).
    #[error("mail: {0}")]
    Mail(#[from] MailError),
    /// The form has problems (message keys).
    #[error("invalid form: {0:?}")]
    Invalid(Vec<&'static str>),
    /// No such request for this person.
    #[error("no such request")]
    NotFound,
    /// The workflow refuses.
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    /// The deadline rules refuse the extension.
    #[error("extension refused: {0}")]
    Extension(#[from] deadlines::ExtensionRefused),
    /// Someone else changed the request since the form was loaded.
    #[error("the request changed in the meantime")]
    Stale,
    /// The access answer misses Art. 15 items; it did not go out.
    #[error("the access answer is incomplete: {0:?}")]
    AnswerIncomplete(Vec<crate::rights::answers::Gap>),
    /// Data was left out of the access answer without saying why.
    #[error("data left out without a note")]
    AnswerNoteMissing,
}

impl RequestError {
    /// The notice the page shows for it (`melding=` on the redirect).
    pub fn notice(&self) -> Notice {
        match self {
            RequestError::Database(_) | RequestError::Mail(_) => Notice::Failed,
            RequestError::Invalid(_) => Notice::Invalid,
            RequestError::NotFound => Notice::Unknown,
            RequestError::Refused(Refusal::WrongStatus) => Notice::WrongStatus,
            RequestError::Refused(Refusal::NotAllowed) => Notice::Role,
            RequestError::Refused(Refusal::NotAssignee) => Notice::NotAssignee,
            RequestError::Refused(Refusal::OwnDecision) => Notice::FourEyes,
            RequestError::Refused(Refusal::AuthorityUnconfirmed) => Notice::Authority,
            RequestError::Refused(Refusal::TasksOpen) => Notice::TasksOpen,
            RequestError::Refused(Refusal::NothingToConfirm) => Notice::WrongStatus,
            RequestError::Refused(Refusal::Extension(refused))
            | RequestError::Extension(refused) => match refused {
                deadlines::ExtensionRefused::AlreadyExtended => Notice::AlreadyExtended,
                deadlines::ExtensionRefused::TooLate => Notice::TooLate,
                deadlines::ExtensionRefused::NoReason => Notice::Reason,
            },
            RequestError::Stale => Notice::Stale,
            RequestError::AnswerIncomplete(_) => Notice::AnswerIncomplete,
            RequestError::AnswerNoteMissing => Notice::AnswerNote,
        }
    }
}

/// A filled-in "Nieuw verzoek" form, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// The kind.
    pub kind: Kind,
    /// The child the parent files for; `None`: the citizen themselves.
    pub for_child: Option<i64>,
    /// All the citizen's data.
    pub all_data: bool,
    /// Records picked, with the proposed value for rectification.
    pub items: Vec<(i64, Option<String>)>,
    /// The citizen's explanation.
    pub explanation: String,
}

/// Reads the form's fields: `soort`, `bereik` (`alles` | `gegevens`), `gegeven` (repeated record
/// ids), `voorstel-<id>`, `toelichting`. Returns what the form shows again, and the draft if
/// nothing is wrong.
pub fn read_form(pairs: &[(String, String)]) -> (NewRequestView, Result<Draft, Vec<&'static str>>) {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    let kind_raw = field("soort").unwrap_or_default();
    let kind = Kind::parse(&kind_raw);
    let all_data = field("bereik").as_deref() != Some("gegevens");
    let for_child = field("voor").and_then(|v| v.parse::<i64>().ok());
    let mut chosen: Vec<(i64, Option<String>)> = Vec::new();
    let mut errors = Vec::new();
    for (k, v) in pairs {
        if k == "gegeven" {
            match v.trim().parse::<i64>() {
                Ok(id) if !chosen.iter().any(|(c, _)| *c == id) => {
                    let proposal = field(&format!("voorstel-{id}")).filter(|p| !p.is_empty());
                    chosen.push((id, proposal));
                }
                Ok(_) => {}
                Err(_) => errors.push("request.error.unknown_record"),
            }
        }
    }
    let explanation = field("toelichting").unwrap_or_default();
    let view = NewRequestView {
        kind,
        all_data,
        chosen: chosen.clone(),
        explanation: explanation.clone(),
        for_child,
        ..Default::default()
    };
    let Some(kind) = kind else {
        errors.push("request.error.kind");
        return (view, Err(errors));
    };
    let all_data = all_data || !kind.picks_records();
    if !all_data && chosen.is_empty() {
        errors.push("request.error.no_items");
    }
    if kind == Kind::Rectification {
        if all_data {
            errors.push("request.error.rectification_items");
        } else if chosen.iter().any(|(_, p)| p.is_none()) {
            errors.push("request.error.proposal");
        }
    }
    if kind == Kind::Objection && explanation.is_empty() {
        errors.push("request.error.objection_reason");
    }
    if explanation.chars().count() > MAX_TEXT
        || chosen
            .iter()
            .any(|(_, p)| p.as_ref().is_some_and(|p| p.chars().count() > 1000))
    {
        errors.push("request.error.too_long");
    }
    if !errors.is_empty() {
        return (view, Err(errors));
    }
    let items = if all_data {
        Vec::new()
    } else if kind == Kind::Rectification {
        chosen
    } else {
        chosen.into_iter().map(|(id, _)| (id, None)).collect()
    };
    (
        view,
        Ok(Draft {
            kind,
            for_child,
            all_data,
            items,
            explanation,
        }),
    )
}

/// The form fields a stored draft stands for: the inverse of [`read_form`], so a reviewed draft
/// is checked once more, by the same rules, when it is filed.
pub fn form_of(view: &NewRequestView) -> Vec<(String, String)> {
    let mut pairs = vec![
        (
            "soort".to_owned(),
            view.kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        ),
        (
            "bereik".to_owned(),
            if view.all_data { "alles" } else { "gegevens" }.to_owned(),
        ),
        ("toelichting".to_owned(), view.explanation.clone()),
    ];
    if let Some(child) = view.for_child {
        pairs.push(("voor".to_owned(), child.to_string()));
    }
    for (id, proposal) in &view.chosen {
        pairs.push(("gegeven".to_owned(), id.to_string()));
        if let Some(p) = proposal {
            pairs.push((format!("voorstel-{id}"), p.clone()));
        }
    }
    pairs
}

/// What "Klopt dit niet?" / "Verwijderen aanvragen" preselect on a fresh "Nieuw verzoek" form.
#[derive(Clone, Debug, Default)]
pub struct Preselect {
    /// The kind of request.
    pub kind: Option<Kind>,
    /// The child the parent files for (honoured only for a child in their authority).
    pub for_child: Option<i64>,
    /// Records to put in the scope (honoured only for records the subject may pick).
    pub records: Vec<i64>,
}

/// "Nieuw verzoek": the draft being filled in, or a fresh form with `preselect` applied; with
/// the records the subject may pick and the children the citizen may file for, now.
pub async fn new_request_form(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
    draft: Option<NewRequestView>,
    preselect: Preselect,
    now: DateTime<Utc>,
) -> Result<NewRequestView, DbErr> {
    let children = children_of(db, citizen_id, deadlines::received_on(now)).await?;
    let may_file_for = |id: &i64| children.iter().any(|(c, _)| c == id);
    let mut view = match draft {
        Some(view) => view,
        None => {
            // Only a child in the citizen's authority; anything else is the citizen themselves.
            let for_child = preselect.for_child.filter(may_file_for);
            let records = pickable_records(db, for_child.unwrap_or(citizen_id), visibility).await?;
            let chosen: Vec<(i64, Option<String>)> = preselect
                .records
                .into_iter()
                .filter(|id| records.iter().any(|r| r.id == *id))
                .map(|id| (id, None))
                .collect();
            NewRequestView {
                kind: preselect.kind,
                all_data: chosen.is_empty(),
                chosen,
                token: crate::platform::crypto::random_hex(16),
                for_child,
                ..Default::default()
            }
        }
    };
    if !view.for_child.as_ref().is_none_or(may_file_for) {
        view.for_child = None;
    }
    view.records = pickable_records(db, view.for_child.unwrap_or(citizen_id), visibility).await?;
    view.children = children;
    Ok(view)
}

/// The records a citizen may put in a request at this login, for the form.
pub async fn pickable_records(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
) -> Result<Vec<PickableRecord>, DbErr> {
    let data = transparency::my_data(db, citizen_id, visibility).await?;
    Ok(data
        .domains
        .into_iter()
        .flat_map(|d| {
            let domain = d.domain;
            d.sources.into_iter().flat_map(move |s| {
                let domain = domain.clone();
                s.records.into_iter().map(move |r| PickableRecord {
                    id: r.id,
                    domain: domain.clone(),
                    label: r.label,
                    value: r.value,
                })
            })
        })
        .collect())
}

/// The children a parent may file for on `today`: in their authority and under 16; id and
/// "name (age)".
pub async fn children_of(
    db: &DatabaseConnection,
    parent_id: i64,
    today: NaiveDate,
) -> Result<Vec<(i64, String)>, DbErr> {
    use chrono::Datelike;
    let mut children = Vec::new();
    for g in guardianships::Entity::find()
        .filter(guardianships::Column::ParentId.eq(parent_id))
        .all(db)
        .await?
    {
        let born = g.child_birth_date;
        let mut age = today.year() - born.year();
        if (today.month(), today.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        if !(0..16).contains(&age) {
            continue;
        }
        let name = citizens::Entity::find_by_id(g.child_id)
            .one(db)
            .await?
            .and_then(|c| c.display_name)
            .unwrap_or_default();
        children.push((g.child_id, format!("{name} ({age})")));
    }
    Ok(children)
}

/// What [`submit`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
    /// The reference.
    pub reference: String,
    /// Whether this call made it (`false`: the same form was sent before).
    pub created: bool,
}

/// What the citizen sends: the checked form, its one-time token and the page language.
#[derive(Clone, Copy, Debug)]
pub struct Filing<'a> {
    /// The checked form.
    pub draft: &'a Draft,
    /// The form's one-time token.
    pub token: &'a str,
    /// The language the citizen filed in.
    pub locale: &'a str,
}

/// Files a request for the logged-in citizen. The form's `token` makes a second submission of
/// the same form (double click, back and resubmit) return the first request.
pub async fn submit(
    db: &DatabaseConnection,
    settings: &Settings,
    citizen_id: i64,
    visibility: Visibility,
    filing: &Filing<'_>,
    now: DateTime<Utc>,
) -> Result<Submitted, RequestError> {
    let Filing {
        draft,
        token,
        locale,
    } = *filing;
    if token.is_empty() || token.len() > 64 {
        return Err(RequestError::Invalid(vec!["request.error.token"]));
    }
    if let Some(existing) = find_by_token(db, citizen_id, token).await? {
        return Ok(Submitted {
            reference: existing,
            created: false,
        });
    }
    // A parent files for a child under 16 in their authority; the child is the subject.
    let requester_id = citizen_id;
    let citizen_id = match draft.for_child {
        None => requester_id,
        Some(child) => {
            let today = deadlines::received_on(now);
            if !children_of(db, requester_id, today)
                .await?
                .iter()
                .any(|(id, _)| *id == child)
            {
                return Err(RequestError::Invalid(vec!["request.error.child"]));
            }
            child
        }
    };
    // Only records the citizen sees at this login can be in scope.
    let visible: HashMap<i64, PickableRecord> = pickable_records(db, citizen_id, visibility)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    if draft.items.iter().any(|(id, _)| !visible.contains_key(id)) {
        return Err(RequestError::Invalid(vec!["request.error.unknown_record"]));
    }
    // Items: the picked records; for erasure, restriction or objection of "all my data", every
    // record the citizen sees, so each gets its own decision; for access, one item for all.
    let scope: Vec<(i64, Option<String>)> = if !draft.all_data {
        draft.items.clone()
    } else if draft.kind.picks_records() {
        let mut ids: Vec<i64> = visible.keys().copied().collect();
        ids.sort_unstable();
        ids.into_iter().map(|id| (id, None)).collect()
    } else {
        Vec::new()
    };
    // Source and label of the records in scope, read once.
    let records: HashMap<i64, personal_data_records::Model> = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(citizen_id))
        .filter(personal_data_records::Column::Id.is_in(scope.iter().map(|(id, _)| *id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();

    let txn = db.begin().await?;
    let received = deadlines::received_on(now);
    let inserted = rights_requests::ActiveModel {
        reference: Set(format!(
            "pending-{}",
            crate::platform::crypto::random_hex(12)
        )),
        kind: Set(draft.kind),
        citizen_id: Set(citizen_id),
        requester_id: Set(requester_id),
        authority_confirmed_by: Set(None),
        all_data: Set(draft.all_data),
        explanation: Set(draft.explanation.clone()),
        status: Set(Status::Submitted),
        received_at: Set(now),
        due_on: Set(deadlines::due_date(received)),
        extended_to: Set(None),
        extension_reason: Set(None),
        assignee_id: Set(None),
        decided_by: Set(None),
        decision_note: Set(None),
        approved_by: Set(None),
        locale: Set(locale.to_owned()),
        version: Set(0),
        submit_token: Set(token.to_owned()),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let request = match inserted {
        Ok(request) => request,
        Err(e) => {
            // The same form sent twice at once: the unique token lets one through.
            drop(txn);
            if let Some(existing) = find_by_token(db, requester_id, token).await? {
                return Ok(Submitted {
                    reference: existing,
                    created: false,
                });
            }
            return Err(e.into());
        }
    };
    let reference = RequestReference::new(received.year(), request.id).to_string();
    rights_requests::Entity::update_many()
        .col_expr(rights_requests::Column::Reference, Expr::value(&reference))
        .filter(rights_requests::Column::Id.eq(request.id))
        .exec(&txn)
        .await?;

    if scope.is_empty() {
        request_items::ActiveModel {
            request_id: Set(request.id),
            label: Set("Alle gegevens".to_owned()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    for (record_id, proposal) in scope {
        let record = records.get(&record_id);
        request_items::ActiveModel {
            request_id: Set(request.id),
            record_id: Set(Some(record_id)),
            source_system_id: Set(record.map(|r| r.source_system_id)),
            label: Set(record.map(|r| r.label.clone()).unwrap_or_default()),
            proposed_value: Set(proposal),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    append_event(
        &txn,
        request.id,
        now,
        &Actor::Requester,
        Action::Submit,
        Status::Submitted,
        Status::Submitted,
        None,
        false,
    )
    .await?;
    audit::append(
        &txn,
        &audit::AuditEntry {
            actor: audit::Actor::Citizen(requester_id),
            action: "request.submitted".to_owned(),
            citizen_id: Some(citizen_id),
            details: serde_json::json!({ "reference": reference, "kind": draft.kind.as_str() }),
        },
    )
    .await?;
    if let Some(r) = RequestReference::parse(&reference) {
        mail::notify_citizen(
            &txn,
            settings,
            requester_id,
            &Mail::RequestReceived(r.clone()),
        )
        .await?;
        mail::notify_staff(&txn, settings, &Mail::StaffNewRequest(r)).await?;
    }
    txn.commit().await?;
    Ok(Submitted {
        reference,
        created: true,
    })
}

/// The request an earlier submission of the form with this token made, if any.
pub async fn submit_again(
    db: &DatabaseConnection,
    requester_id: i64,
    token: &str,
) -> Result<Option<String>, DbErr> {
    if token.is_empty() {
        return Ok(None);
    }
    find_by_token(db, requester_id, token).await
}

async fn find_by_token(
    db: &DatabaseConnection,
    requester_id: i64,
    token: &str,
) -> Result<Option<String>, DbErr> {
    Ok(rights_requests::Entity::find()
        .filter(rights_requests::Column::RequesterId.eq(requester_id))
        .filter(rights_requests::Column::SubmitToken.eq(token))
        .one(db)
        .await?
        .map(|r| r.reference))
}

#[allow(clippy::too_many_arguments)]
async fn append_event(
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

fn local_minute(t: &DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::Amsterdam)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A request by its reference, for staff (whose role the caller checked).
async fn by_reference<C: ConnectionTrait>(
    db: &C,
    reference: &str,
) -> Result<rights_requests::Model, RequestError> {
    rights_requests::Entity::find()
        .filter(rights_requests::Column::Reference.eq(reference))
        .one(db)
        .await?
        .ok_or(RequestError::NotFound)
}

/// The due date in force: the extended one when there is one.
fn due_on(request: &rights_requests::Model) -> NaiveDate {
    request.extended_to.unwrap_or(request.due_on)
}

fn summary(
    request: &rights_requests::Model,
    today: NaiveDate,
    assignee: Option<String>,
) -> RequestSummaryView {
    let status = request.status;
    RequestSummaryView {
        reference: request.reference.clone(),
        kind: request.kind,
        status: request.status,
        received_on: deadlines::received_on(request.received_at).to_string(),
        due_on: due_on(request).to_string(),
        overdue: status.is_open() && due_on(request) < today,
        assignee,
    }
}

/// "Mijn verzoeken": the requests the citizen filed, newest first.
pub async fn list_for_citizen(
    db: &DatabaseConnection,
    citizen_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<RequestSummaryView>, DbErr> {
    let today = deadlines::received_on(now);
    Ok(rights_requests::Entity::find()
        .filter(rights_requests::Column::RequesterId.eq(citizen_id))
        .order_by_desc(rights_requests::Column::ReceivedAt)
        .order_by_desc(rights_requests::Column::Id)
        .all(db)
        .await?
        .iter()
        .map(|r| summary(r, today, None))
        .collect())
}

async fn by_reference_for_citizen<C: ConnectionTrait>(
    db: &C,
    citizen_id: i64,
    reference: &str,
) -> Result<rights_requests::Model, RequestError> {
    rights_requests::Entity::find()
        .filter(rights_requests::Column::Reference.eq(reference))
        .filter(rights_requests::Column::RequesterId.eq(citizen_id))
        .one(db)
        .await?
        .ok_or(RequestError::NotFound)
}

/// Whether the requester may still see the subject's data: their own, or a child's while the
/// child is still in their authority.
async fn still_theirs(
    db: &DatabaseConnection,
    citizen_id: i64,
    request: &rights_requests::Model,
    today: NaiveDate,
) -> Result<bool, DbErr> {
    Ok(request.citizen_id == citizen_id
        || children_of(db, citizen_id, today)
            .await?
            .iter()
            .any(|(id, _)| *id == request.citizen_id))
}

/// A request the citizen filed, for its answer and letters: for a child only while the parent
/// still files for them.
pub async fn for_citizen_documents(
    db: &DatabaseConnection,
    citizen_id: i64,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<Option<rights_requests::Model>, DbErr> {
    let request = match by_reference_for_citizen(db, citizen_id, reference).await {
        Ok(request) => request,
        Err(RequestError::Database(e)) => return Err(e),
        Err(_) => return Ok(None),
    };
    let theirs = still_theirs(db, citizen_id, &request, deadlines::received_on(now)).await?;
    Ok(theirs.then_some(request))
}

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

/// Who the viewer is: what they may see of values, decisions, notes and names.
enum Audience {
    /// The requester, with the record values their login may see now.
    Citizen(HashMap<i64, String>),
    /// Staff, with everyone's names.
    Staff(HashMap<i64, String>),
}

async fn detail(
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
    let values: HashMap<i64, String> = if let Audience::Citizen(visible) = audience {
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
            .map(|i| RequestItemView {
                id: i.id,
                current_value: i.record_id.and_then(|id| values.get(&id).cloned()),
                label: i.label,
                proposed_value: i.proposed_value,
                decision: i.decision.filter(|_| decision_shown),
                ground: i.ground.filter(|_| decision_shown),
                decision_note: i.decision_note.filter(|_| decision_shown),
                outcome: i.outcome,
                executed_on: i.executed_at.map(|t| deadlines::received_on(t).to_string()),
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
        answer_sent: access_answers::Entity::find_by_id(request.id)
            .one(db)
            .await?
            .is_some(),
        letters: crate::rights::letters::available(request),
    })
}

/// A request of the citizen's, in full (internal notes and staff names left out).
pub async fn detail_for_citizen(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<Option<RequestDetailView>, DbErr> {
    let request = match by_reference_for_citizen(db, citizen_id, reference).await {
        Ok(request) => request,
        Err(RequestError::Database(e)) => return Err(e),
        Err(_) => return Ok(None),
    };
    let today = deadlines::received_on(now);
    // Current values only as the rest of the portal would show them at this login, and for a
    // child only while the parent still files for them.
    let visible = if still_theirs(db, citizen_id, &request, today).await? {
        pickable_records(db, request.citizen_id, visibility)
            .await?
            .into_iter()
            .map(|r| (r.id, r.value))
            .collect()
    } else {
        HashMap::new()
    };
    Ok(Some(
        detail(db, &request, &Audience::Citizen(visible), today).await?,
    ))
}

/// The citizen withdraws their request; refused once a decision is taken.
pub async fn withdraw(
    db: &DatabaseConnection,
    citizen_id: i64,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let txn = db.begin().await?;
    let request = by_reference_for_citizen(&txn, citizen_id, reference).await?;
    let from = request.status;
    let to = workflow::check(from, Action::Withdraw, &Actor::Requester, &Facts::default())?;
    move_to(&txn, &request, to, now, |u| u).await?;
    append_event(
        &txn,
        request.id,
        now,
        &Actor::Requester,
        Action::Withdraw,
        from,
        to,
        None,
        false,
    )
    .await?;
    audit::append(
        &txn,
        &audit::AuditEntry {
            actor: audit::Actor::Citizen(citizen_id),
            action: "request.withdrawn".to_owned(),
            citizen_id: Some(request.citizen_id),
            details: serde_json::json!({ "reference": request.reference }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A message from the citizen; when the municipality was waiting for them, it goes back to the
/// handler.
pub async fn citizen_message(
    db: &DatabaseConnection,
    citizen_id: i64,
    reference: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let body = text(body)?;
    let txn = db.begin().await?;
    let request = by_reference_for_citizen(&txn, citizen_id, reference).await?;
    let from = request.status;
    if from.is_final() {
        return Err(Refusal::WrongStatus.into());
    }
    if from == Status::AwaitingCitizen {
        let to = workflow::check(
            from,
            Action::CitizenReplies,
            &Actor::Requester,
            &Facts::default(),
        )?;
        move_to(&txn, &request, to, now, |u| u).await?;
        append_event(
            &txn,
            request.id,
            now,
            &Actor::Requester,
            Action::CitizenReplies,
            from,
            to,
            None,
            false,
        )
        .await?;
    }
    request_messages::ActiveModel {
        request_id: Set(request.id),
        at: Set(now),
        author: Set(ActorKind::Citizen),
        staff_id: Set(None),
        body: Set(body.to_owned()),
        internal: Set(false),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Moves the request to `to`, bumping its version; fails as [`RequestError::Stale`] when
/// someone changed it since it was read. `extra` sets further columns.
async fn move_to(
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

/// The staff member acting.
#[derive(Clone, Debug)]
pub struct StaffActor {
    /// Staff account id.
    pub id: i64,
    /// Roles at this login.
    pub roles: Vec<StaffRole>,
}

impl StaffActor {
    fn actor(&self) -> Actor {
        Actor::Staff {
            id: self.id,
            roles: self.roles.clone(),
        }
    }

    fn may_read(&self) -> bool {
        self.roles.iter().any(|r| {
            matches!(
                r,
                StaffRole::Handler | StaffRole::Approver | StaffRole::PrivacyOfficer
            )
        })
    }
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
    /// Decide every item, with a general note.
    Decide(Vec<ItemDecision>, String),
    /// Approve the decision (four eyes).
    Approve,
    /// Send the decision back, with why.
    SendBack(String),
    /// Carry the decision out.
    Execute,
    /// Carry out an access decision: send the Art. 15 answer, leaving out these records (third
    /// parties' data) for the reason given.
    SendAnswer {
        /// Records left out.
        left_out: Vec<i64>,
        /// Why.
        note: String,
    },
    /// A message to the citizen.
    Message(String),
    /// An internal note (never shown to the citizen).
    Note(String),
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
        }
    }
}

fn text(value: &str) -> Result<String, RequestError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > MAX_TEXT {
        return Err(RequestError::Invalid(vec!["request.error.message"]));
    }
    Ok(value.to_owned())
}

async fn facts(
    txn: &DatabaseTransaction,
    request: &rights_requests::Model,
    decisions: Option<&[ItemDecision]>,
    today: NaiveDate,
) -> Result<Facts, DbErr> {
    let items = request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .all(txn)
        .await?;
    let decided: Vec<(bool, Option<RefusalGround>)> = match decisions {
        Some(d) => d.iter().map(|d| (d.granted, d.ground)).collect(),
        None => items
            .iter()
            .map(|i| (i.decision == Some(Decision::Granted), i.ground))
            .collect(),
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
        needs_approval: any_refused || erases,
        all_refused: !decided.is_empty() && decided.iter().all(|(granted, _)| !granted),
        authority_unconfirmed: request.requester_id != request.citizen_id
            && request.authority_confirmed_by.is_none(),
        open_tasks,
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
        Command::Decide(d, _) => Some(d.as_slice()),
        _ => None,
    };
    let facts = facts(&txn, &request, decisions, deadlines::received_on(now)).await?;
    let action = command.action();
    let to = workflow::check(from, action, &actor, &facts)?;
    let reference_typed = RequestReference::parse(&request.reference);
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
            mail_to_citizen = reference_typed.clone().map(Mail::InformationNeeded);
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
            mail_to_citizen = reference_typed.clone().map(Mail::DeadlineExtended);
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
        Command::Decide(decisions, general) => {
            record_decisions(&txn, &request, decisions).await?;
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
                mail_to_citizen = reference_typed.clone().map(Mail::DecisionTaken);
            }
        }
        Command::Approve => {
            move_to(&txn, &request, to, now, |u| {
                u.col_expr(rights_requests::Column::ApprovedBy, Expr::value(staff.id))
            })
            .await?;
            mail_to_citizen = reference_typed.clone().map(Mail::DecisionTaken);
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
                // Granted access is carried out by sending the answer, and only a complete one.
                let (left_out, why) = match &command {
                    Command::SendAnswer { left_out, note } => {
                        if note.chars().count() > MAX_TEXT {
                            return Err(RequestError::Invalid(vec!["request.error.too_long"]));
                        }
                        (left_out.iter().copied().collect(), note.as_str())
                    }
                    _ => (BTreeSet::new(), ""),
                };
                crate::rights::answers::send(
                    &txn,
                    &settings.municipality_name,
                    &request,
                    staff.id,
                    &left_out,
                    why,
                    now,
                )
                .await?
                .map_err(|e| match e {
                    crate::rights::answers::NotSent::Incomplete(gaps) => {
                        RequestError::AnswerIncomplete(gaps)
                    }
                    crate::rights::answers::NotSent::NoteMissing => RequestError::AnswerNoteMissing,
                })?;
            }
            execute(&txn, &request, now).await?;
        }
        Command::Message(body) => {
            let body = text(body)?;
            move_to(&txn, &request, to, now, |u| u).await?;
            add_message(&txn, request.id, now, staff.id, &body, false).await?;
            mail_to_citizen = reference_typed.clone().map(Mail::NewMessage);
        }
        Command::Note(body) => {
            let body = text(body)?;
            move_to(&txn, &request, to, now, |u| u).await?;
            add_message(&txn, request.id, now, staff.id, &body, true).await?;
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

async fn add_message(
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

async fn record_decisions(
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

/// Carries a decided request out: managed source systems' records change here and now,
/// connected ones get a task; every recipient the citizen's data went to gets an Art. 19 task.
async fn execute(
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
                    // Restriction shows at once in Inzage, whatever the source's mode.
                    personal_data_records::Entity::update_many()
                        .col_expr(personal_data_records::Column::Restricted, Expr::value(true))
                        .filter(personal_data_records::Column::Id.eq(record.id))
                        .exec(txn)
                        .await?;
                }
                if connected {
                    request_tasks::ActiveModel {
                        request_id: Set(request.id),
                        kind: Set(TaskKind::Source),
                        source_system_id: Set(Some(record.source_system_id)),
                        recipient: Set(None),
                        action: Set(action),
                        record_id: Set(Some(record.id)),
                        payload: Set(serde_json::json!({
                            "source_record_id": record.source_record_id,
                            "new_value": item.proposed_value,
                            "reference": request.reference,
                        })
                        .to_string()),
                        status: Set(TaskStatus::Open),
                        reason: Set(None),
                        created_at: Set(now),
                        done_at: Set(None),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    Outcome::SentToSource
                } else {
                    apply_to_record(
                        txn,
                        &record,
                        action,
                        item.proposed_value.as_deref(),
                        &request.reference,
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
            request_tasks::ActiveModel {
                request_id: Set(request.id),
                kind: Set(TaskKind::Art19),
                source_system_id: Set(None),
                recipient: Set(Some(recipient)),
                action: Set(kind
                    .and_then(Kind::task_action)
                    .unwrap_or(TaskAction::Restrict)),
                record_id: Set(None),
                payload: Set("{}".to_owned()),
                status: Set(TaskStatus::Open),
                reason: Set(None),
                created_at: Set(now),
                done_at: Set(None),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}

/// Applies a rectification or erasure to Inzage's own copy of a record.
async fn apply_to_record(
    txn: &DatabaseTransaction,
    record: &personal_data_records::Model,
    action: TaskAction,
    new_value: Option<&str>,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<Outcome, DbErr> {
    match action {
        TaskAction::Rectify => {
            let new_value = new_value.unwrap_or_default();
            record_history::ActiveModel {
                record_id: Set(record.id),
                old_value: Set(Some(record.value.clone())),
                new_value: Set(Some(new_value.to_owned())),
                cause: Set(reference.to_owned()),
                changed_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            personal_data_records::Entity::update_many()
                .col_expr(personal_data_records::Column::Value, Expr::value(new_value))
                .col_expr(personal_data_records::Column::UpdatedAt, Expr::value(now))
                .filter(personal_data_records::Column::Id.eq(record.id))
                .exec(txn)
                .await?;
            Ok(Outcome::Rectified)
        }
        TaskAction::Erase => {
            // The history goes with the record (ON DELETE CASCADE): nothing of the value stays.
            personal_data_records::Entity::delete_by_id(record.id)
                .exec(txn)
                .await?;
            Ok(Outcome::Erased)
        }
        TaskAction::Restrict => Ok(Outcome::Restricted),
    }
}

async fn complete_if_done(
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
    let from = request.status;
    let facts = facts(txn, &request, None, deadlines::received_on(now)).await?;
    let Ok(to) = workflow::check(from, Action::FinishTasks, &Actor::System, &facts) else {
        return Ok(());
    };
    move_to(txn, &request, to, now, |u| u).await?;
    append_event(
        txn,
        request.id,
        now,
        &Actor::System,
        Action::FinishTasks,
        from,
        to,
        None,
        false,
    )
    .await?;
    if let Some(r) = RequestReference::parse(&request.reference) {
        mail::notify_citizen(
            txn,
            settings,
            request.requester_id,
            &Mail::RequestCompleted(r),
        )
        .await?;
    }
    Ok(())
}

/// The audit event and the processing log line the citizen sees for a staff action or view.
async fn staff_trail(
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
    let Some(citizen) = citizens::Entity::find_by_id(request.citizen_id)
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let verb = if action == "viewed" {
        "heeft uw gegevens ingezien"
    } else {
        "heeft uw verzoek behandeld"
    };
    processing_log_lines::ActiveModel {
        trace_id: Set(crate::platform::crypto::random_hex(16)),
        span_id: Set(crate::platform::crypto::random_hex(8)),
        parent_span_id: Set(None),
        name: Set(format!(
            // The setting is the full name ("Gemeente Voorbeeldstad").
            "{}, team Privacy, {verb} voor verzoek {}",
            settings.municipality_name, request.reference
        )),
        status: Set("ok".to_owned()),
        start_time: Set(now),
        end_time: Set(now),
        activity_code: Set(PORTAL_ACTIVITY.to_owned()),
        subject_pseudonym: Set(citizen.bsn_pseudonym),
        source_system_id: Set(None),
        processor: Set(format!("{}, team Privacy", settings.municipality_name)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

async fn staff_names<C: ConnectionTrait>(db: &C) -> Result<HashMap<i64, String>, DbErr> {
    Ok(staff_accounts::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.display_name))
        .collect())
}

/// The back office queue, for any staff member who may read requests.
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
    let all = rights_requests::Entity::find()
        .order_by_asc(rights_requests::Column::DueOn)
        .order_by_asc(rights_requests::Column::Id)
        .all(db)
        .await?;
    let open: Vec<&rights_requests::Model> = all.iter().filter(|r| r.status.is_open()).collect();
    let soon = today + chrono::Duration::days(5);
    let mut rows: Vec<&rights_requests::Model> = all
        .iter()
        .filter(|r| {
            let status = r.status;
            let due = due_on(r);
            filter.kind.is_none_or(|k| k == r.kind)
                && filter.status.is_none_or(|f| f.admits(status))
                && filter.due_within.is_none_or(|days| {
                    status.is_open() && due <= today + chrono::Duration::days(i64::from(days))
                })
                && (!filter.overdue || (status.is_open() && due < today))
                && (!filter.mine || r.assignee_id == Some(staff.id))
                && (!filter.unassigned || r.assignee_id.is_none())
        })
        .collect();
    rows.sort_by_key(|r| (due_on(r), r.id));
    Ok(QueueView {
        rows: rows
            .into_iter()
            .map(|r| {
                summary(
                    r,
                    today,
                    r.assignee_id.and_then(|id| names.get(&id).cloned()),
                )
            })
            .collect(),
        filter: filter.clone(),
        open: open.len(),
        overdue: open.iter().filter(|r| due_on(r) < today).count(),
        due_soon: open
            .iter()
            .filter(|r| due_on(r) >= today && due_on(r) <= soon)
            .count(),
        unassigned: open.iter().filter(|r| r.assignee_id.is_none()).count(),
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
    // A granted access request waiting to be carried out: the answer as it would go out now.
    let answer_draft = if request.kind == Kind::Access
        && status == Status::Decided
        && view
            .items
            .iter()
            .any(|i| i.decision == Some(Decision::Granted))
    {
        let input = crate::rights::answers::load(db, &request).await?;
        Some(Box::new(crate::rights::answers::draft(
            crate::rights::answers::build(
                app::i18n::Locale::parse(&request.locale),
                &settings.municipality_name,
                &request.reference,
                &today.to_string(),
                &input,
                &BTreeSet::new(),
                None,
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
                    &request.reference,
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
