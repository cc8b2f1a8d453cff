//! Rights requests: citizens file and follow them, staff work them through the workflow.
//!
//! `filing` (the form and submitting it), `citizen` and `staff` (what each reads and does),
//! `timeline` (one state change with its event, audit line and trail; the detail view) and
//! `execution` (carrying a decision out, source tasks). The rules themselves are in
//! `rights::workflow` and `rights::deadlines`.
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
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    config::Settings,
    entities::{
        access_answers, citizens, disclosures, guardianships, personal_data_records,
        record_history, request_events, request_items, request_leave_outs, request_messages,
        request_tasks, rights_requests, source_systems, staff_accounts,
    },
    identity::StaffRole,
    mail::{self, Mail, MailError, RequestReference},
    platform::audit,
    platform::crypto::Vault,
    rights::deadlines,
    rights::workflow::{self, Action, Actor, Facts, Refusal, Status},
    transparency::{self, Visibility},
};
use app::models::{
    Author, NewRequestView, PickableRecord, QueueFilter, QueueView, RequestDetailView,
    RequestEventView, RequestItemView, RequestMessageView, RequestSummaryView, RequestTaskView,
    StaffRequestView,
};

use types::{ActorKind, Notice, SourceMode};
pub use types::{Decision, Kind, Outcome, RefusalGround, TaskAction, TaskKind, TaskStatus};

mod citizen;
mod execution;
mod filing;
mod staff;
mod timeline;

pub use citizen::*;
pub use execution::*;
pub use filing::*;
pub use staff::*;
use timeline::*;

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
    /// Leaving records out of the access answer needs a ground from the list and a note.
    #[error("records left out without a ground from the list and a note")]
    LeaveOutGround,
    /// The answer would leave out other records than the approved decision does.
    #[error("the answer would leave out records the approver did not approve")]
    LeaveOutNotApproved,
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
            RequestError::Refused(Refusal::NothingToConfirm | Refusal::NothingToLift) => {
                Notice::WrongStatus
            }
            RequestError::Refused(Refusal::Extension(refused))
            | RequestError::Extension(refused) => match refused {
                deadlines::ExtensionRefused::AlreadyExtended => Notice::AlreadyExtended,
                deadlines::ExtensionRefused::TooLate => Notice::TooLate,
                deadlines::ExtensionRefused::NoReason => Notice::Reason,
            },
            RequestError::Stale => Notice::Stale,
            RequestError::AnswerIncomplete(_) => Notice::AnswerIncomplete,
            RequestError::LeaveOutGround => Notice::LeaveOutGround,
            RequestError::LeaveOutNotApproved => Notice::LeaveOutNotApproved,
        }
    }
}

/// A request by its reference, for staff (whose role the caller checked).
async fn by_reference<C: ConnectionTrait>(
    db: &C,
    reference: &str,
) -> Result<rights_requests::Model, RequestError> {
    let query =
        rights_requests::Entity::find().filter(rights_requests::Column::Reference.eq(reference));
    load_requests(db, query)
        .await?
        .into_iter()
        .next()
        .ok_or(RequestError::NotFound)
}

/// The request's reference, typed; a stored one that does not parse is an error naming the row
/// (a mail without its reference would tell the citizen nothing).
fn reference_of(request: &rights_requests::Model) -> Result<RequestReference, DbErr> {
    RequestReference::parse(&request.reference).ok_or_else(|| {
        DbErr::Type(format!(
            "rights_requests id {}: {:?} is not a request reference",
            request.id, request.reference
        ))
    })
}

/// Loads requests; when a row does not load because a stored word is not one of the
/// vocabulary's (a status or kind Inzage did not write), the error names every such row by id
/// and reference, so an operator can find it. Reading the raw columns happens only then.
pub async fn load_requests<C: ConnectionTrait>(
    db: &C,
    query: sea_orm::Select<rights_requests::Entity>,
) -> Result<Vec<rights_requests::Model>, DbErr> {
    let what = match query.all(db).await {
        Err(DbErr::Type(what)) => what,
        other => return other,
    };
    let raw: Vec<(i64, String, String, String)> = rights_requests::Entity::find()
        .select_only()
        .column(rights_requests::Column::Id)
        .column(rights_requests::Column::Reference)
        .column(rights_requests::Column::Kind)
        .column(rights_requests::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let bad: Vec<String> = raw
        .into_iter()
        .filter(|(_, _, kind, status)| {
            Kind::parse(kind).is_none() || Status::parse(status).is_none()
        })
        .map(|(id, reference, kind, status)| {
            format!("id {id} ({reference}): kind {kind:?}, status {status:?}")
        })
        .collect();
    Err(DbErr::Type(format!(
        "rights_requests {}: {what}",
        bad.join("; ")
    )))
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

fn text(value: &str) -> Result<String, RequestError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > MAX_TEXT {
        return Err(RequestError::Invalid(vec!["request.error.message"]));
    }
    Ok(value.to_owned())
}

async fn staff_names<C: ConnectionTrait>(db: &C) -> Result<HashMap<i64, String>, DbErr> {
    Ok(staff_accounts::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.display_name))
        .collect())
}
