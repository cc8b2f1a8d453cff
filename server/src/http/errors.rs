//! What the portal answers when something goes wrong, and what it logs. One policy for every
//! handler:
//!
//! | what happened | logged | the visitor sees |
//! |---|---|---|
//! | bad input in a form | nothing (not a fault) | the form again with what to fix, or the page with a `melding`; nothing changed |
//! | refused by the workflow or a rule | nothing | the page with a `melding` ([`types::Notice`]) |
//! | not logged in, or the wrong audience | nothing | a redirect or 403 (the table in `extractors`) |
//! | not theirs, or does not exist | nothing | "not found", the same for both |
//! | a database, mail queue, PDF or session store failure | `error`, with the cause | a plain 500: "Er ging iets mis. Er is niets veranderd." (no detail) |
//! | the source-system API | nothing | RFC 9457 problem details naming each bad field (`sources::api`) |
//!
//! Errors come in layers: each domain module has its own `thiserror` enum (`RequestError`,
//! `IngestError`, `ContactError`, …), handlers turn them into the answers above, and only
//! [`failure`] turns a cause into a 500. BSNs and personal data never go into a log line.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

/// Where a form or download without a (live) session goes: the start page, which says the
/// session ended.
pub fn not_logged_in() -> Response {
    Redirect::to("/?verlopen=1").into_response()
}

/// A failure behind a form or page: the cause is logged, the visitor is told plainly that
/// nothing changed.
pub fn failure(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "a request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Er ging iets mis. Er is niets veranderd. Probeer het later opnieuw.",
    )
        .into_response()
}
