//! The source system on the wire: batches out, events and tasks in.

use std::fmt;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    Error, MAX_BATCH,
    changes::{Event, EventOutcome, Processed, Task, TaskOutcome},
    data::Holdings,
    describe,
};

/// A source system with its own copy, talking to one Inzage API with one token.
pub struct Simulator {
    /// The API's base URL, e.g. `http://127.0.0.1:3000/api/v1`, without a trailing slash.
    api: String,
    /// The source's bearer token.
    token: String,
    /// One client, so connections are reused between batches.
    client: reqwest::Client,
    /// The source's own data, with every applied event and task.
    pub copy: Holdings,
}

// By hand, so the token never reaches a log through `{:?}`.
impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("api", &self.api)
            .field("token", &"<redacted>")
            .field("copy", &self.copy)
            .finish_non_exhaustive()
    }
}

/// The answer to one batch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BatchReport {
    /// How many items the batch carried.
    pub items: usize,
    /// The HTTP status.
    pub status: u16,
    /// The answer: `{created, updated, unchanged}`, or a problem with its `errors`; a body that
    /// is not JSON as a string, an empty one as null.
    pub body: serde_json::Value,
}

impl BatchReport {
    /// Whether Inzage took the batch.
    pub fn is_accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The answers to a push, per kind in the order sent; a kind with nothing to send has none.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SyncReport {
    /// `POST /records`.
    pub records: Vec<BatchReport>,
    /// `POST /consents`.
    pub consents: Vec<BatchReport>,
    /// `POST /disclosures`.
    pub disclosures: Vec<BatchReport>,
    /// `POST /log-lines`.
    pub log_lines: Vec<BatchReport>,
}

impl SyncReport {
    /// The batches by kind, in the order they were sent.
    pub fn kinds(&self) -> [(&'static str, &[BatchReport]); 4] {
        [
            ("records", &self.records),
            ("consents", &self.consents),
            ("disclosures", &self.disclosures),
            ("log_lines", &self.log_lines),
        ]
    }

    /// Whether every batch was taken.
    pub fn is_accepted(&self) -> bool {
        self.kinds()
            .iter()
            .all(|(_, batches)| batches.iter().all(BatchReport::is_accepted))
    }
}

impl fmt::Display for SyncReport {
    /// One line: `records 200 (0 created, 1 updated, 5 unchanged); consents -; …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, (kind, batches)) in self.kinds().into_iter().enumerate() {
            if n > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{kind}")?;
            if batches.is_empty() {
                f.write_str(" -")?;
            }
            for batch in batches {
                let count = |key: &str| batch.body.get(key).and_then(serde_json::Value::as_u64);
                match (count("created"), count("updated"), count("unchanged")) {
                    (Some(c), Some(u), Some(s)) => write!(
                        f,
                        " {} ({c} created, {u} updated, {s} unchanged)",
                        batch.status
                    )?,
                    _ => {
                        let errors = batch
                            .body
                            .get("errors")
                            .and_then(serde_json::Value::as_array)
                            .map_or(0, Vec::len);
                        write!(f, " {} ({errors} field errors)", batch.status)?;
                    }
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Processed {
    /// One line: `applied 2, ignored 0, impossible 0, failed 0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "applied {}, ignored {}, impossible {}, failed {}",
            self.applied.len(),
            self.ignored.len(),
            self.impossible.len(),
            self.failed.len()
        )
    }
}

/// One round: Inzage's decisions taken in, then the copy sent.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Cycle {
    /// What the events and tasks did.
    pub processed: Processed,
    /// What the push of the copy got.
    pub pushed: SyncReport,
}

impl Cycle {
    /// Whether every batch was taken and every event and task could be read.
    pub fn is_clean(&self) -> bool {
        self.processed.is_clean() && self.pushed.is_accepted()
    }
}

impl fmt::Display for Cycle {
    /// One line: what was processed, then what the push got.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; pushed {}", self.processed, self.pushed)
    }
}

/// How a timed run went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// Rounds run.
    pub rounds: usize,
    /// Rounds that ended in an [`Error`] (the next round tries again).
    pub failed: usize,
    /// Rounds that finished but were not clean: a refused batch or an unreadable event or task.
    pub unclean: usize,
}

/// The body of a batch.
#[derive(Serialize)]
struct Batch<'a, T> {
    items: &'a [T],
}

/// The body of a task acknowledgement.
#[derive(Serialize)]
struct TaskAck<'a> {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// Reads an answer's body: JSON as JSON, anything else as a string, nothing as null.
fn body_value(text: &str) -> serde_json::Value {
    if text.trim().is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
    }
}

impl Simulator {
    /// A simulator for the API at `api` (e.g. `http://127.0.0.1:3000/api/v1`) with `token`,
    /// starting from `copy`.
    pub fn new(
        api: impl Into<String>,
        token: impl Into<String>,
        copy: Holdings,
    ) -> Result<Simulator, Error> {
        // A server that never answers must not hang a source forever; a large batch on a slow
        // database still has a minute.
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!(
                "inzage-source-simulator/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(Error::Client)?;
        Ok(Simulator {
            api: api.into().trim_end_matches('/').to_owned(),
            token: token.into(),
            client,
            copy,
        })
    }

    /// The API's base URL.
    pub fn api(&self) -> &str {
        &self.api
    }

    /// Sends one request; the status and the body as text, or an error for no answer or a 5xx.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<(StatusCode, String), Error> {
        let url = format!("{}{path}", self.api);
        let name = if method == Method::GET { "GET" } else { "POST" };
        let transport = |source| Error::Transport {
            method: name,
            url: url.clone(),
            source,
        };
        let mut request = self.client.request(method, &url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let text = response.text().await.map_err(transport)?;
        if status.is_server_error() {
            return Err(Error::Status {
                method: name,
                url,
                status: status.as_u16(),
                body: text,
            });
        }
        Ok((status, text))
    }

    /// Sends a request that must succeed, and reads its JSON answer (or none, for 204).
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, Error> {
        let name = if method == Method::GET { "GET" } else { "POST" };
        let (status, text) = self.send(method, path, body).await?;
        let url = || format!("{}{path}", self.api);
        if !status.is_success() {
            return Err(Error::Status {
                method: name,
                url: url(),
                status: status.as_u16(),
                body: text,
            });
        }
        let text = if text.trim().is_empty() {
            "null"
        } else {
            &text
        };
        serde_json::from_str(text).map_err(|source| Error::Answer {
            method: name,
            url: url(),
            source,
        })
    }

    /// Posts `items` to `path` in batches of at most [`MAX_BATCH`].
    async fn post_batches<T: Serialize>(
        &self,
        path: &str,
        items: &[T],
    ) -> Result<Vec<BatchReport>, Error> {
        let mut reports = Vec::new();
        for chunk in items.chunks(MAX_BATCH) {
            let (status, text) = self
                .send(Method::POST, path, Some(&Batch { items: chunk }))
                .await?;
            reports.push(BatchReport {
                items: chunk.len(),
                status: status.as_u16(),
                body: body_value(&text),
            });
        }
        Ok(reports)
    }

    /// Sends `copy` whole: records, consents (before the disclosures that name them),
    /// disclosures, log lines. Every kind is sent even when an earlier one was refused, as a
    /// source's nightly job would; a refusal is in the report, not an error.
    pub async fn push(&self, copy: &Holdings) -> Result<SyncReport, Error> {
        let records: Vec<_> = copy.records.values().collect();
        let consents: Vec<_> = copy.consents.values().collect();
        Ok(SyncReport {
            records: self.post_batches("/records", &records).await?,
            consents: self.post_batches("/consents", &consents).await?,
            disclosures: self.post_batches("/disclosures", &copy.disclosures).await?,
            log_lines: self.post_batches("/log-lines", &copy.log_lines).await?,
        })
    }

    /// Sends the source's own current copy, as a nightly full sync does.
    pub async fn push_own(&self) -> Result<SyncReport, Error> {
        self.push(&self.copy).await
    }

    /// Takes in Inzage's open events, then its open tasks: applies each to the copy and
    /// acknowledges it. Tasks acknowledged here are followed by their events, which the next
    /// round takes in.
    pub async fn process(&mut self) -> Result<Processed, Error> {
        self.process_then(|_| Ok(())).await
    }

    /// [`Simulator::process`], calling `persist` with the changed copy before anything is
    /// acknowledged: a crash after saving repeats the (idempotent) changes next round, where
    /// acknowledging first would lose them.
    pub async fn process_then(
        &mut self,
        mut persist: impl FnMut(&Holdings) -> Result<(), Error>,
    ) -> Result<Processed, Error> {
        let mut processed = Processed::default();

        let events: Vec<Event> = self.call(Method::GET, "/events", None::<&()>).await?;
        let mut acks = Vec::new();
        for event in &events {
            let id = format!("#{}", event.id);
            match self.copy.apply_event(&event.kind, &event.payload) {
                EventOutcome::Applied { id } => processed.applied.push((event.kind.clone(), id)),
                EventOutcome::NotHeld { id } => processed.ignored.push((event.kind.clone(), id)),
                EventOutcome::Unknown => processed.ignored.push((event.kind.clone(), id)),
                EventOutcome::Malformed { reason } => {
                    processed
                        .failed
                        .push((event.kind.clone(), format!("{id}: {reason}")));
                    continue;
                }
            }
            acks.push(event.id);
        }
        persist(&self.copy)?;
        for id in acks {
            self.call::<serde_json::Value>(Method::POST, &format!("/events/{id}/ack"), None::<&()>)
                .await?;
        }

        let tasks: Vec<Task> = self.call(Method::GET, "/tasks", None::<&()>).await?;
        let mut acks = Vec::new();
        for task in &tasks {
            let kind = format!("task.{}", task.action);
            match self.copy.apply_task(&task.action, &task.payload) {
                TaskOutcome::Done { id } => {
                    processed.applied.push((kind, id));
                    acks.push((task.id, None));
                }
                TaskOutcome::Impossible { id, reason } => {
                    processed.impossible.push((kind, id, reason.clone()));
                    acks.push((task.id, Some(reason)));
                }
                TaskOutcome::Malformed { reason } => {
                    processed
                        .failed
                        .push((kind, format!("#{}: {reason}", task.id)));
                }
            }
        }
        persist(&self.copy)?;
        for (id, reason) in acks {
            let ack = TaskAck {
                status: if reason.is_some() {
                    "impossible"
                } else {
                    "done"
                },
                reason: reason.as_deref(),
            };
            self.call::<serde_json::Value>(Method::POST, &format!("/tasks/{id}/ack"), Some(&ack))
                .await?;
        }
        Ok(processed)
    }

    /// One round: [`Simulator::process`], then [`Simulator::push_own`].
    pub async fn cycle(&mut self) -> Result<Cycle, Error> {
        self.cycle_then(|_| Ok(())).await
    }

    /// [`Simulator::cycle`] with [`Simulator::process_then`]'s `persist`. The push changes
    /// nothing in the copy, so there is nothing more to save after it.
    pub async fn cycle_then(
        &mut self,
        persist: impl FnMut(&Holdings) -> Result<(), Error>,
    ) -> Result<Cycle, Error> {
        let processed = self.process_then(persist).await?;
        let pushed = self.push_own().await?;
        Ok(Cycle { processed, pushed })
    }

    /// Cycles every `every`, `rounds` times or for ever, with each round's summary on one line
    /// of stderr. A failed round is logged and the next one tries again, as a scheduled job
    /// would; only a zero interval is refused.
    pub async fn run(
        &mut self,
        every: Duration,
        rounds: Option<usize>,
    ) -> Result<RunSummary, Error> {
        self.run_then(every, rounds, |_| Ok(()), |_, _| {}).await
    }

    /// [`Simulator::run`], with `persist` as in [`Simulator::process_then`] and `after_round`
    /// called with each round's number (from 1) and outcome.
    pub async fn run_then(
        &mut self,
        every: Duration,
        rounds: Option<usize>,
        mut persist: impl FnMut(&Holdings) -> Result<(), Error>,
        mut after_round: impl FnMut(usize, &Result<Cycle, Error>),
    ) -> Result<RunSummary, Error> {
        if every.is_zero() {
            return Err(Error::ZeroInterval);
        }
        let mut interval = tokio::time::interval(every);
        // After a slow round, wait a whole interval again rather than catch up in a burst.
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut summary = RunSummary::default();
        while rounds.is_none_or(|rounds| summary.rounds < rounds) {
            interval.tick().await;
            summary.rounds += 1;
            let round = summary.rounds;
            let outcome = self.cycle_then(&mut persist).await;
            match &outcome {
                Ok(cycle) => {
                    if !cycle.is_clean() {
                        summary.unclean += 1;
                    }
                    eprintln!("round {round}: {cycle}");
                }
                Err(e) => {
                    summary.failed += 1;
                    eprintln!("round {round} failed: {}", describe(e));
                }
            }
            after_round(round, &outcome);
        }
        Ok(summary)
    }
}
