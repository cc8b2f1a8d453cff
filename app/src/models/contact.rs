//! The citizen's contact address and the administrator's outbox.

use serde::{Deserialize, Serialize};

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
