//! Rights requests as the citizen and the back office see them.

use serde::{Deserialize, Serialize};
use types::{
    Action, Decision, Kind, LetterKind, Outcome, RefusalGround, Status, StatusFilter, TaskAction,
    TaskKind, TaskStatus,
};

use super::AnswerDraftView;

/// One item in a request's scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestItemView {
    /// Item id (for the decision form).
    pub id: i64,
    /// What it is (empty when withheld).
    pub label: String,
    /// About health data, and this login is below the level that may see it: the label, values
    /// and note are left out.
    #[serde(default)]
    pub withheld: bool,
    /// The value now, while the record exists (shown to staff and to the citizen).
    pub current_value: Option<String>,
    /// The citizen's proposed value (rectification).
    pub proposed_value: Option<String>,
    /// Once decided.
    pub decision: Option<Decision>,
    /// The refusal ground.
    pub ground: Option<RefusalGround>,
    /// The explanation of the decision.
    pub decision_note: Option<String>,
    /// What was done.
    pub outcome: Option<Outcome>,
    /// When it was carried out (ISO date).
    pub executed_on: Option<String>,
}

/// One entry of a request's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEventView {
    /// When (`YYYY-MM-DDTHH:MM`, Dutch time).
    pub at: String,
    /// What happened.
    pub action: Action,
    /// The status after it.
    pub status: Status,
    /// Who.
    pub actor: Author,
    /// A note the viewer may see.
    pub note: Option<String>,
}

/// One message of a request's thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestMessageView {
    /// When (`YYYY-MM-DDTHH:MM`, Dutch time).
    pub at: String,
    /// Who wrote it.
    pub author: Author,
    /// The text.
    pub body: String,
    /// An internal note (staff views only).
    pub internal: bool,
}

/// A request as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummaryView {
    /// `AVG-YYYY-NNNNNN`.
    pub reference: String,
    /// What is asked.
    pub kind: Kind,
    /// Where it stands.
    pub status: Status,
    /// Received on (ISO date).
    pub received_on: String,
    /// Due on, extension included (ISO date).
    pub due_on: String,
    /// Still open and past its due date.
    pub overdue: bool,
    /// Assigned handler (staff lists only).
    pub assignee: Option<String>,
}

/// A request in full, as the citizen (or, with more, staff) sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetailView {
    /// The summary line.
    pub summary: RequestSummaryView,
    /// The citizen's explanation.
    pub explanation: String,
    /// All the citizen's data rather than listed items.
    pub all_data: bool,
    /// Why the deadline was extended.
    pub extension_reason: Option<String>,
    /// Items in scope.
    pub items: Vec<RequestItemView>,
    /// Timeline, oldest first.
    pub timeline: Vec<RequestEventView>,
    /// Messages, oldest first.
    pub messages: Vec<RequestMessageView>,
    /// The citizen may still withdraw it.
    pub can_withdraw: bool,
    /// The municipality waits for the citizen's answer.
    pub awaiting_citizen: bool,
    /// The decision's general note, once decided.
    pub decision_note: Option<String>,
    /// Filed by a parent for this child (name).
    pub on_behalf_of: Option<String>,
    /// Filed by a representative under a machtiging: the mandate the broker named ("" when it
    /// named none).
    #[serde(default)]
    pub filed_under_mandate: Option<String>,
    /// The Art. 15 answer was sent and can be read.
    pub answer_sent: bool,
    /// Letters that can be read.
    pub letters: Vec<LetterKind>,
}

/// A record the citizen can put in a request's scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickableRecord {
    /// Record id.
    pub id: i64,
    /// Its domain.
    pub domain: types::Domain,
    /// What it is.
    pub label: String,
    /// Its value.
    pub value: String,
}

/// "Nieuw verzoek": the form, or the review of a filled-in form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequestView {
    /// The kind chosen (or preselected).
    pub kind: Option<Kind>,
    /// "All my data" chosen.
    pub all_data: bool,
    /// Records the citizen may pick from.
    pub records: Vec<PickableRecord>,
    /// Records chosen, with the proposed value (rectification).
    pub chosen: Vec<(i64, Option<String>)>,
    /// The explanation typed.
    pub explanation: String,
    /// Problems with what was sent, as message keys.
    pub errors: Vec<String>,
    /// Showing the review step.
    pub review: bool,
    /// The form's one-time token.
    pub token: String,
    /// The child (under 16, in the parent's authority) the request is for; `None`: oneself.
    pub for_child: Option<i64>,
    /// Children the citizen may file for: id and "name (age)".
    pub children: Vec<(i64, String)>,
}

/// A task in the execution of a request (staff views).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestTaskView {
    /// Task id.
    pub id: i64,
    /// Who it is for.
    pub kind: TaskKind,
    /// The source system or recipient.
    pub target: String,
    /// What it asks.
    pub action: TaskAction,
    /// Where it stands.
    pub status: TaskStatus,
    /// Why it was impossible.
    pub reason: Option<String>,
}

/// The back office's view of one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRequestView {
    /// What the citizen sees, plus staff names and internal notes.
    pub detail: RequestDetailView,
    /// The subject's name, if known.
    pub citizen_name: Option<String>,
    /// The BSN, masked unless revealed with a reason just now.
    pub bsn: String,
    /// Whether `bsn` is the full number.
    pub bsn_revealed: bool,
    /// Filed by someone else (a parent) and not yet confirmed.
    pub authority_unconfirmed: bool,
    /// The optimistic-lock version the forms send back.
    pub version: i32,
    /// Assigned to the viewer.
    pub mine: bool,
    /// Who decided (for the four-eyes rule).
    pub decided_by: Option<String>,
    /// Execution tasks.
    pub tasks: Vec<RequestTaskView>,
    /// Actions the viewer may take now: exactly what the workflow allows.
    pub actions: Vec<Action>,
    /// An access request's answer: while the handler decides, everything in the request's scope
    /// (to pick what to leave out); once decided, as it would go out, leaving out what the
    /// decision does.
    pub answer_draft: Option<Box<AnswerDraftView>>,
}

/// Filters of the back office queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only this status, or every open one.
    pub status: Option<StatusFilter>,
    /// Due within this many days.
    pub due_within: Option<u32>,
    /// Only overdue.
    pub overdue: bool,
    /// Only assigned to the viewer.
    pub mine: bool,
    /// Only unassigned.
    pub unassigned: bool,
    /// A reference or its start (`AVG-2026-0001`), as typed.
    pub search: String,
    /// The page, from 1.
    pub page: u64,
}

impl QueueFilter {
    /// The query string that asks for this filter on `page`, for links that work without
    /// JavaScript (the same names the filter form sends).
    pub fn query(&self, page: u64) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(kind) = self.kind {
            parts.push(format!("soort={}", kind.as_str()));
        }
        if let Some(status) = self.status {
            parts.push(format!("status={}", status.as_str()));
        }
        if let Some(days) = self.due_within {
            parts.push(format!("binnen={days}"));
        }
        for (on, name) in [
            (self.overdue, "te_laat"),
            (self.mine, "van_mij"),
            (self.unassigned, "niet_toegewezen"),
        ] {
            if on {
                parts.push(format!("{name}=1"));
            }
        }
        if !self.search.is_empty() {
            // A reference is letters, digits and dashes; anything else was dropped on reading.
            parts.push(format!("zoek={}", self.search));
        }
        parts.push(format!("pagina={page}"));
        parts.join("&")
    }
}

/// The back office queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    /// This page of the matching requests, by due date.
    pub rows: Vec<RequestSummaryView>,
    /// The filter applied.
    pub filter: QueueFilter,
    /// Matching requests in all pages.
    pub total: u64,
    /// How many pages they fill.
    pub pages: u64,
    /// Open requests in all.
    pub open: usize,
    /// Open and past their due date.
    pub overdue: usize,
    /// Open and due within five days.
    pub due_soon: usize,
    /// Open and unassigned.
    pub unassigned: usize,
}

/// Who wrote a timeline entry or a message, as the viewer may know them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Author {
    /// The citizen (the requester).
    Citizen,
    /// The municipality, without a staff name (what the citizen sees).
    Municipality,
    /// A staff member by name (staff views only).
    Staff(String),
}
