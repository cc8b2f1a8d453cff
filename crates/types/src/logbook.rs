//! The outbox and the processing log: how a mail and a logged processing step ended.

use crate::macros::vocabulary;

vocabulary! {
    /// Where a mail in the outbox stands.
    MailStatus, "outbox" {
        /// Waiting for its (next) attempt.
        Pending => "pending",
        /// Delivered to the mail server.
        Sent => "sent",
        /// Given up after the last attempt; an administrator sees it.
        Failed => "failed",
    }
}

vocabulary! {
    /// How a processing step (a span of the Logboek Dataverwerkingen) ended.
    SpanStatus, "usage.status" {
        /// Completed.
        Ok => "ok",
        /// Ended in an error.
        Error => "error",
    }
}
