//! A municipal source system, played against Inzage's REST API over HTTP.
//!
//! The simulator holds its own copy ([`Holdings`]) of records, consents, disclosures and log lines, sends
//! it in batches as a nightly full sync would, and takes Inzage's decisions back: events
//! (`GET /events`) and, for a `connected` source, tasks (`GET /tasks`), each applied to the copy
//! and then acknowledged. It shares no code with the server: only JSON crosses, so it checks
//! the contract as a real source system meets it.
//!
//! Error policy: transport failures, 5xx answers and unreadable answers are [`Error`]s; a 4xx
//! answer to a batch is not, it is reported in the [`SyncReport`], because a refused batch is
//! something the caller (or a test) wants to look at, not a reason to stop.

mod changes;
mod client;
mod data;

use std::path::PathBuf;

pub use changes::{Event, EventOutcome, Processed, Task, TaskOutcome};
pub use client::{BatchReport, Cycle, RunSummary, Simulator, SyncReport};
pub use data::{
    Consent, Disclosure, Fixture, FixtureError, ForeignOperation, Holdings, LogLine, Record, State,
    write_state,
};

/// Most items Inzage takes in one batch; larger kinds are sent in several.
pub const MAX_BATCH: usize = 2000;

/// Why the simulator could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The HTTP client could not be built (no TLS backend, for one).
    #[error("could not set up the HTTP client")]
    Client(#[source] reqwest::Error),
    /// The request did not get an answer: connection refused, timed out, cut off.
    #[error("{method} {url} got no answer")]
    Transport {
        /// `GET` or `POST`.
        method: &'static str,
        /// The URL asked.
        url: String,
        /// What the HTTP client reported.
        #[source]
        source: reqwest::Error,
    },
    /// An answer the simulator cannot carry on from: any 5xx, or a 4xx outside a batch.
    #[error("{method} {url} answered {status}: {body}")]
    Status {
        /// `GET` or `POST`.
        method: &'static str,
        /// The URL asked.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The answer's body as text (problem details, which never echo personal data).
        body: String,
    },
    /// A 2xx answer whose body is not what the API promises.
    #[error("{method} {url} answered something unreadable")]
    Answer {
        /// `GET` or `POST`.
        method: &'static str,
        /// The URL asked.
        url: String,
        /// What did not fit.
        #[source]
        source: serde_json::Error,
    },
    /// The state file could not be read or written.
    #[error("state file {}", path.display())]
    StateIo {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
    /// The state file is not a state.
    #[error("state file {} is not a simulator state", path.display())]
    StateFormat {
        /// The file.
        path: PathBuf,
        /// What did not fit.
        #[source]
        source: serde_json::Error,
    },
    /// `run` was asked to repeat without waiting.
    #[error("the interval between rounds must be longer than zero")]
    ZeroInterval,
}

/// An error with its causes, on one line: `a: b: c`.
pub fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
