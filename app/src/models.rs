//! Types the server hands to the pages. Plain data, safe to compile to WASM.

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;

/// Level of assurance of a login, lowest first (DigiD names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssuranceLevel {
    /// DigiD Basis: username and password.
    Basis,
    /// DigiD Midden: the app or an SMS check.
    Midden,
    /// DigiD Substantieel: the app with an ID check.
    Substantieel,
    /// DigiD Hoog: an identity document with a chip.
    Hoog,
}

impl AssuranceLevel {
    /// Every level, lowest first.
    pub const ALL: [AssuranceLevel; 4] =
        [Self::Basis, Self::Midden, Self::Substantieel, Self::Hoog];

    /// The lowercase name used in settings and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basis => "basis",
            Self::Midden => "midden",
            Self::Substantieel => "substantieel",
            Self::Hoog => "hoog",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// The translation key of the level's display name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Basis => "level.basis",
            Self::Midden => "level.midden",
            Self::Substantieel => "level.substantieel",
            Self::Hoog => "level.hoog",
        }
    }
}

/// A back-office role, asserted by the municipality's identity provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Behandelaar: works the request queue.
    Handler,
    /// Second pair of eyes on erasures and refusals.
    Approver,
    /// Functionaris gegevensbescherming: read-only oversight.
    PrivacyOfficer,
    /// Keeps registers, source systems and templates.
    Admin,
}

impl StaffRole {
    /// Every role.
    pub const ALL: [StaffRole; 4] = [
        Self::Handler,
        Self::Approver,
        Self::PrivacyOfficer,
        Self::Admin,
    ];

    /// The name used in the identity provider's roles claim.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Handler => "handler",
            Self::Approver => "approver",
            Self::PrivacyOfficer => "privacy_officer",
            Self::Admin => "admin",
        }
    }

    /// Parses a role name from the claim.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The translation key of the role's display name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Handler => "role.handler",
            Self::Approver => "role.approver",
            Self::PrivacyOfficer => "role.privacy_officer",
            Self::Admin => "role.admin",
        }
    }
}

/// The logged-in citizen as the pages may show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenSummary {
    /// Name from the BRP, when known.
    pub name: Option<String>,
    /// BSN with all but the last three digits hidden.
    pub masked_bsn: String,
    /// Level of assurance of this login.
    pub level: AssuranceLevel,
}

/// The logged-in staff member as the pages may show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSummary {
    /// Display name from the staff identity provider.
    pub name: String,
    /// Roles at login.
    pub roles: Vec<StaffRole>,
}

/// Who is looking at the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    /// Not logged in.
    Anonymous,
    /// A citizen.
    Citizen(CitizenSummary),
    /// A staff member.
    Staff(StaffSummary),
}

/// How long the session has left, for the warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClock {
    /// Seconds until the session ends without activity.
    pub seconds_left: u32,
    /// Seconds before the end at which the warning shows.
    pub warning_seconds: u32,
}

/// The citizen's contact address as the settings page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    /// The confirmed address mails go to.
    pub verified_email: Option<String>,
    /// An address waiting for its code.
    pub pending_email: Option<String>,
}

/// A mail the outbox gave up on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedMailView {
    /// Outbox id.
    pub id: i64,
    /// Message key, e.g. `request_received`.
    pub kind: String,
    /// When it was caused (UTC, ISO 8601).
    pub created_at: String,
    /// Delivery attempts made.
    pub attempts: i32,
    /// The last error the SMTP server or network gave.
    pub last_error: String,
}

/// The state of the mail outbox, for administrators.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    /// Waiting to be sent (including retries).
    pub pending: u64,
    /// Of those, how many have failed at least once.
    pub retrying: u64,
    /// Delivered.
    pub sent: u64,
    /// Given up on.
    pub failed: u64,
    /// The failed mails, newest first.
    pub failed_mails: Vec<FailedMailView>,
}

/// One personal data record as the citizen sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    /// The record's id, for "Klopt dit niet?" and "Verwijderen aanvragen" (only ever looked up
    /// within the logged-in citizen's own records).
    pub id: i64,
    /// What it is, e.g. "Indicatie hulp bij het huishouden".
    pub label: String,
    /// The value as recorded.
    pub value: String,
    /// Category of data.
    pub category: String,
    /// The processing activity's name.
    pub activity: String,
    /// Its purpose in plain words.
    pub purpose: String,
    /// Legal basis key (`LegalObligation`, …) for the plain-words translation.
    pub legal_basis: String,
    /// The article, e.g. "Wmo 2015 art. 2.3.5".
    pub legal_basis_text: String,
    /// Kept until (ISO date), when known.
    pub retention_until: Option<String>,
    /// The register's retention rule otherwise.
    pub retention_rule: String,
    /// When it was recorded (ISO date).
    pub recorded_at: String,
    /// Role and organisation.
    pub recorded_by: String,
    /// Special category (e.g. health).
    pub special: bool,
}

/// Records of one source system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceGroup {
    /// Source system id (for the link to all its records).
    pub source_id: i64,
    /// Source system name.
    pub source: String,
    /// How many records it holds on the citizen, shown or not.
    pub total: usize,
    /// Its records, newest first: all of them, or the part this page shows.
    pub records: Vec<RecordView>,
}

/// Records of one domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGroup {
    /// Domain key (`wmo`, `jeugd`, …).
    pub domain: String,
    /// Per source system.
    pub sources: Vec<SourceGroup>,
}

/// "Mijn gegevens".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyDataView {
    /// Grouped by domain, then source.
    pub domains: Vec<DomainGroup>,
    /// When the page shows one source system page by page: which page.
    pub focus: Option<SourcePage>,
    /// Items of special categories not shown because the login level is too low.
    pub withheld_for_level: usize,
}

/// One page of one source system's records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcePage {
    /// The source system's id.
    pub source_id: i64,
    /// This page, from 1.
    pub page: usize,
    /// Number of pages.
    pub pages: usize,
}

/// One disclosure as the citizen sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureView {
    /// Who received it.
    pub recipient: String,
    /// What (categories).
    pub categories: Vec<String>,
    /// When (ISO date).
    pub disclosed_at: String,
    /// Why.
    pub purpose: String,
    /// Legal basis key, when there is one.
    pub legal_basis: Option<String>,
    /// The article.
    pub legal_basis_text: Option<String>,
    /// The consent it rests on: recipient and whether it was withdrawn (ISO date).
    pub consent: Option<(String, Option<String>)>,
}

/// "Gedeeld met".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedView {
    /// Newest first, after the filters.
    pub disclosures: Vec<DisclosureView>,
    /// Every recipient, for the filter.
    pub recipients: Vec<String>,
    /// The filter as applied.
    pub filter_recipient: Option<String>,
    /// The filter as applied (ISO dates).
    pub filter_from: Option<String>,
    /// The filter as applied.
    pub filter_to: Option<String>,
    /// Disclosures of special categories not shown because the login level is too low.
    pub withheld_for_level: usize,
}

/// One line of "Wie gebruikte mijn gegevens".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageLine {
    /// When (ISO date-time, UTC).
    pub when: String,
    /// What was done.
    pub name: String,
    /// For which processing activity.
    pub activity: String,
    /// The organisation unit, never a person.
    pub processor: String,
    /// `ok` or `error`.
    pub status: String,
}

/// "Wie gebruikte mijn gegevens".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageView {
    /// Newest first.
    pub lines: Vec<UsageLine>,
    /// The filter as applied (ISO dates).
    pub filter_from: Option<String>,
    /// The filter as applied.
    pub filter_to: Option<String>,
    /// Lines about health data withheld until a higher login level.
    pub withheld_for_level: usize,
}

/// A consent as the citizen sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentView {
    /// Id, for the withdrawal form.
    pub id: i64,
    /// To whom.
    pub recipient: String,
    /// For what.
    pub purpose: String,
    /// Given (ISO date).
    pub given_at: String,
    /// How it was given.
    pub channel: String,
    /// Withdrawn (ISO date), if it was.
    pub withdrawn_at: Option<String>,
}

/// "Toestemmingen".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentsView {
    /// Consents in force.
    pub active: Vec<ConsentView>,
    /// Consents withdrawn.
    pub withdrawn: Vec<ConsentView>,
    /// The consent the citizen is about to withdraw (confirmation step).
    pub confirm: Option<ConsentView>,
}

/// The overview's figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewView {
    /// Records shown to the citizen.
    pub records: usize,
    /// In how many domains.
    pub domains: usize,
    /// The three latest disclosures.
    pub recent: Vec<DisclosureView>,
    /// Items withheld until a higher login level.
    pub withheld_for_level: usize,
}

/// One item in a request's scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestItemView {
    /// Item id (for the decision form).
    pub id: i64,
    /// What it is.
    pub label: String,
    /// The value now, while the record exists (shown to staff and to the citizen).
    pub current_value: Option<String>,
    /// The citizen's proposed value (rectification).
    pub proposed_value: Option<String>,
    /// `granted` | `refused`, once decided.
    pub decision: Option<String>,
    /// The refusal ground's key.
    pub ground: Option<String>,
    /// The explanation of the decision.
    pub decision_note: Option<String>,
    /// What was done: `rectified`, `erased`, `restricted`, `sent_to_source`, `kept`, `answered`.
    pub outcome: Option<String>,
    /// When it was carried out (ISO date).
    pub executed_on: Option<String>,
}

/// One entry of a request's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEventView {
    /// When (`YYYY-MM-DDTHH:MM`, Dutch time).
    pub at: String,
    /// The action's key.
    pub action: String,
    /// The status after it.
    pub status: String,
    /// Who: `citizen`, `municipality`, or (staff views only) a staff name.
    pub actor: String,
    /// A note the viewer may see.
    pub note: Option<String>,
}

/// One message of a request's thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestMessageView {
    /// When (`YYYY-MM-DDTHH:MM`, Dutch time).
    pub at: String,
    /// `citizen` or `municipality` (staff views: the staff name).
    pub author: String,
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
    /// Request type key.
    pub kind: String,
    /// Status key.
    pub status: String,
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
    /// The Art. 15 answer was sent and can be read.
    pub answer_sent: bool,
    /// Letters that can be read: `besluit`, `verlenging`.
    pub letters: Vec<String>,
}

/// A record the citizen can put in a request's scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickableRecord {
    /// Record id.
    pub id: i64,
    /// Domain key.
    pub domain: String,
    /// What it is.
    pub label: String,
    /// Its value.
    pub value: String,
}

/// "Nieuw verzoek": the form, or the review of a filled-in form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequestView {
    /// Request type key chosen (or preselected).
    pub kind: Option<String>,
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
    /// `source` or `art19`.
    pub kind: String,
    /// The source system or recipient.
    pub target: String,
    /// `rectify` | `erase` | `restrict`.
    pub action: String,
    /// `open` | `done` | `impossible`.
    pub status: String,
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
    /// Actions the viewer may take now (workflow action keys).
    pub actions: Vec<String>,
    /// An access request ready to answer: the answer as it would go out.
    pub answer_draft: Option<Box<AnswerDraftView>>,
}

/// Filters of the back office queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    /// Request type key.
    pub kind: Option<String>,
    /// Status key, or `open` for every open status.
    pub status: Option<String>,
    /// Due within this many days.
    pub due_within: Option<u32>,
    /// Only overdue.
    pub overdue: bool,
    /// Only assigned to the viewer.
    pub mine: bool,
    /// Only unassigned.
    pub unassigned: bool,
}

/// The back office queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    /// Matching requests, by due date.
    pub rows: Vec<RequestSummaryView>,
    /// The filter applied.
    pub filter: QueueFilter,
    /// Open requests in all.
    pub open: usize,
    /// Open and past their due date.
    pub overdue: usize,
    /// Open and due within five days.
    pub due_soon: usize,
    /// Open and unassigned.
    pub unassigned: usize,
}

/// One piece of data in an access answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerItem {
    /// Record id (the handler leaves third parties' data out by id).
    pub id: i64,
    /// What it is.
    pub label: String,
    /// The category of personal data.
    pub category: String,
    /// The value.
    pub value: String,
    /// Recorded on (ISO date).
    pub recorded_on: String,
    /// Recorded by (role and organisation).
    pub recorded_by: String,
    /// The source system that holds it.
    pub source_system: String,
    /// Special-category data (health): shown only at the login level health data needs. An
    /// answer stored before this was recorded counts as special, so nothing shows too early.
    #[serde(default = "special_unless_known")]
    pub special: bool,
}

fn special_unless_known() -> bool {
    true
}

/// One disclosure in an access answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerDisclosure {
    /// The recipient organisation.
    pub recipient: String,
    /// On (ISO date).
    pub on: String,
    /// The categories it received.
    pub categories: Vec<String>,
    /// Why.
    pub purpose: String,
}

/// One processing activity in an access answer, with (a)–(d), (g) and (h) of Art. 15.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerActivity {
    /// The activity's name in the register.
    pub name: String,
    /// (a) The purpose.
    pub purpose: String,
    /// The legal basis, in words.
    pub legal_basis: String,
    /// (b) The categories of personal data.
    pub categories: Vec<String>,
    /// (c) The categories of recipients, from the register.
    pub recipient_categories: Vec<String>,
    /// (c) The recipients that did receive data, from the disclosure log.
    pub disclosures: Vec<AnswerDisclosure>,
    /// (d) How long the data is kept.
    pub retention: String,
    /// (g) Where the data came from.
    pub source: String,
    /// (h) Automated decision-making.
    pub automated_decision: String,
    /// The data itself.
    pub data: Vec<AnswerItem>,
}

/// The activities of one domain in an access answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerDomain {
    /// Domain key.
    pub domain: String,
    /// The activities that hold data on the citizen.
    pub activities: Vec<AnswerActivity>,
}

/// The answer to an access request (Art. 15 AVG): the same facts for the page, the PDF and the
/// JSON download.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessAnswerView {
    /// The request it answers.
    pub reference: String,
    /// The controller.
    pub municipality: String,
    /// The day it was sent (ISO date).
    pub sent_on: String,
    /// Per domain.
    pub domains: Vec<AnswerDomain>,
    /// (e) The rights to rectification, erasure, restriction and objection.
    pub rights: String,
    /// (f) The right to complain to the Autoriteit Persoonsgegevens.
    pub complaint: String,
    /// That the answer costs nothing.
    pub fee: String,
    /// How many items were left out as third parties' data.
    pub left_out: usize,
    /// Why they were left out.
    pub left_out_note: Option<String>,
}

/// What the handler sees before sending an access answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerDraftView {
    /// The answer as it would go out now.
    pub answer: AccessAnswerView,
    /// What the completeness check misses: the Art. 15 item (`a`–`h`) and the activity it is
    /// missing for (empty: the answer as a whole).
    pub missing: Vec<(String, String)>,
}

/// One decided item in a decision letter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterItem {
    /// What it is about.
    pub label: String,
    /// The decision, in words.
    pub decision: String,
    /// The legal ground and reasons, in words.
    pub reasons: String,
}

/// A decision letter (besluit) or the letter that extends the deadline, in one language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterView {
    /// `besluit` or `verlenging`.
    pub kind: String,
    /// `granted` | `partly_granted` | `refused` | `extended`.
    pub outcome: String,
    /// `nl` or `en`.
    pub lang: String,
    /// The sender.
    pub municipality: String,
    /// The request's reference.
    pub reference: String,
    /// Letter date (ISO).
    pub date: String,
    /// The letter date, written out in the letter's language.
    pub date_text: String,
    /// The subject line.
    pub subject: String,
    /// The opening and the decision, paragraph by paragraph.
    pub paragraphs: Vec<String>,
    /// The decision per item.
    pub items: Vec<LetterItem>,
    /// The legal ground of the decision as a whole.
    pub legal_ground: String,
    /// How to object (bezwaar, within six weeks).
    pub objection: String,
    /// How to complain to the Autoriteit Persoonsgegevens.
    pub complaint: String,
    /// The closing line and signature.
    pub closing: String,
}

/// An open request as the privacy officer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OversightRequest {
    /// `AVG-YYYY-NNNNNN`.
    pub reference: String,
    /// Request type key.
    pub kind: String,
    /// Status key.
    pub status: String,
    /// Due on (ISO date).
    pub due_on: String,
    /// Days until due (negative: overdue).
    pub days_left: i64,
    /// `overdue` | `at_risk` | `open`.
    pub state: String,
}

/// Handling figures for one month (and one request type, or `all`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthFigure {
    /// `YYYY-MM` in which the decision was taken.
    pub month: String,
    /// Request type key, or `all`.
    pub kind: String,
    /// Requests decided that month.
    pub handled: usize,
    /// Of those, decided by their due date.
    pub on_time: usize,
    /// `on_time / handled` in whole percent.
    pub on_time_percent: u32,
    /// Median days from receipt to decision.
    pub median_days: u32,
}

/// Records past their retention date in one source system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionFigure {
    /// The source system.
    pub source: String,
    /// Records whose retention date has passed.
    pub records: usize,
    /// The oldest retention date passed (ISO).
    pub oldest: String,
}

/// A disclosure the privacy officer should look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureFlag {
    /// The source system that reported it.
    pub source: String,
    /// Its id in that system.
    pub source_id: String,
    /// The recipient.
    pub recipient: String,
    /// The processing activity.
    pub activity: String,
    /// On (ISO date).
    pub on: String,
    /// `no_basis` | `consent_withdrawn`.
    pub problem: String,
}

/// A staff view of citizen data with no linked request or case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlinkedView {
    /// The source system (or Inzage).
    pub source: String,
    /// The staff member, as the source names them.
    pub staff: String,
    /// The processing activity.
    pub activity: String,
    /// When (`YYYY-MM-DDTHH:MM`, Dutch time).
    pub at: String,
}

/// The privacy officer's oversight view (read-only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OversightView {
    /// Open requests, most urgent first.
    pub requests: Vec<OversightRequest>,
    /// Open requests.
    pub open: usize,
    /// Open and due within five days.
    pub at_risk: usize,
    /// Open and past their due date.
    pub overdue: usize,
    /// Per month, for all types together and per type.
    pub months: Vec<MonthFigure>,
    /// Per request type over the whole period (`month` empty).
    pub per_kind: Vec<MonthFigure>,
    /// Records past retention per source system.
    pub retention: Vec<RetentionFigure>,
    /// Disclosures without a legal basis or relying on a withdrawn consent.
    pub disclosures: Vec<DisclosureFlag>,
    /// Staff views of citizen data with no linked request.
    pub unlinked_views: Vec<UnlinkedView>,
}

/// Data a particular page needs, loaded by the server for that page only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PageData {
    /// The page needs nothing beyond the context.
    #[default]
    None,
    /// `/instellingen`.
    Settings(ContactView),
    /// `/backoffice/post`.
    Outbox(OutboxView),
    /// `/overzicht`.
    Overview(OverviewView),
    /// `/mijn-gegevens`.
    MyData(MyDataView),
    /// `/gedeeld`.
    Shared(SharedView),
    /// `/gebruik`.
    Usage(UsageView),
    /// `/toestemmingen`.
    Consents(ConsentsView),
    /// `/verzoeken`.
    Requests(Vec<RequestSummaryView>),
    /// `/verzoeken/nieuw`.
    NewRequest(NewRequestView),
    /// `/verzoeken/{reference}`.
    Request(RequestDetailView),
    /// `/backoffice/verzoeken`.
    Queue(QueueView),
    /// `/backoffice/verzoeken/{reference}`.
    StaffRequest(StaffRequestView),
    /// `/verzoeken/{reference}/antwoord`.
    AccessAnswer(AccessAnswerView),
    /// `/verzoeken/{reference}/besluit` and `/verzoeken/{reference}/verlenging`.
    Letter(LetterView),
    /// `/backoffice/toezicht`.
    Oversight(OversightView),
}

/// Everything the server tells a page about the request it renders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalContext {
    /// The municipality this instance serves.
    pub municipality_name: String,
    /// URL of the content-hashed stylesheet.
    pub stylesheet_href: String,
    /// Language of the page.
    pub locale: Locale,
    /// Who is logged in.
    pub viewer: Viewer,
    /// Session clock, when logged in.
    pub session: Option<SessionClock>,
    /// Path and query of this page, to come back to after switching language.
    pub current_path: String,
    /// Whether the DigiD stand-in runs (the start page says so).
    pub dev_idp: bool,
    /// Page-specific data.
    pub page: PageData,
}
