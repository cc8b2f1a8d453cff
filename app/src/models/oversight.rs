//! The privacy officer's view (Toezicht).

use serde::{Deserialize, Serialize};
use types::{DeadlineState, DisclosureProblem, Kind, Status};

/// An open request as the privacy officer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OversightRequest {
    /// `AVG-YYYY-NNNNNN`.
    pub reference: String,
    /// What is asked.
    pub kind: Kind,
    /// Where it stands.
    pub status: Status,
    /// Due on (ISO date).
    pub due_on: String,
    /// Days until due (negative: overdue).
    pub days_left: i64,
    /// How close to its due date.
    pub state: DeadlineState,
}

/// Handling figures for one month (and one request type, or `all`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthFigure {
    /// `YYYY-MM` in which the decision was taken.
    pub month: String,
    /// One kind, or `None`: every kind together.
    pub kind: Option<Kind>,
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
    /// What is wrong with it.
    pub problem: DisclosureProblem,
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

/// A staff view or log line that touched a record whose processing is restricted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestrictedUse {
    /// When (`YYYY-MM-DD HH:MM`, Dutch time).
    pub at: String,
    /// A staff view (`true`) or a log line.
    pub staff_view: bool,
    /// The staff member (a view) or what was done (a line's name).
    pub what: String,
    /// The processing activity.
    pub activity: String,
    /// The source system that reported it.
    pub source: String,
    /// The request that restricted the record.
    pub restricted_by: String,
}

/// The latest signed checkpoint of the audit log, for the privacy officer to keep elsewhere.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCheckpointView {
    /// The checkpoint's sequence number.
    pub sequence: i64,
    /// How many events it covers.
    pub events: i64,
    /// The chain's head hash (hex).
    pub head: String,
    /// When it was sealed (`YYYY-MM-DD HH:MM`, Dutch time).
    pub sealed_at: String,
    /// The signing key's id.
    pub key_id: String,
    /// The signing key's public half (Ed25519, base64).
    pub public_key: String,
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
    /// When the daily count of [`Self::retention`] was made (Dutch time); `None`: just now.
    pub retention_counted_at: Option<String>,
    /// Disclosures without a legal basis or relying on a withdrawn consent.
    pub disclosures: Vec<DisclosureFlag>,
    /// Staff views of citizen data with no linked request.
    pub unlinked_views: Vec<UnlinkedView>,
    /// Processing of restricted data, newest first.
    pub restricted: Vec<RestrictedUse>,
    /// The audit log's latest checkpoint, if anything was sealed yet.
    pub audit: Option<AuditCheckpointView>,
}
