#![allow(clippy::unwrap_used)]
//! The simulator against a stand-in API on a real socket: what goes over the wire, how answers
//! are read, and the order of saving and acknowledging. The stand-in knows only the contract's
//! shapes; the server's own checks are tested against the server.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};
use source_simulator::{Error, Fixture, Holdings, LogLine, MAX_BATCH, Record, Simulator};

/// What the stand-in was sent, and what it is to answer.
#[derive(Default)]
struct Fake {
    /// `(path, authorization header, body)` of every request.
    requests: Vec<(String, String, Value)>,
    /// Open events and tasks.
    events: Vec<Value>,
    tasks: Vec<Value>,
    /// Answer every batch to this path with 503.
    unavailable: Option<String>,
}

type Shared = Arc<Mutex<Fake>>;

fn note(fake: &Shared, path: &str, headers: &HeaderMap, body: Value) {
    let auth = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    fake.lock()
        .unwrap()
        .requests
        .push((path.to_owned(), auth, body));
}

/// A batch endpoint: refuses the batch whole when an item's `bsn` is `"bad"`, naming it.
async fn batch(fake: Shared, path: &str, headers: HeaderMap, body: Value) -> Response {
    note(&fake, path, &headers, body.clone());
    if fake.lock().unwrap().unavailable.as_deref() == Some(path) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"title": "Try again later"})),
        )
            .into_response();
    }
    let items = body["items"].as_array().unwrap();
    let errors: Vec<Value> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| item["bsn"] == "bad")
        .map(|(i, _)| json!({"pointer": format!("/items/{i}/bsn"), "detail": "not a BSN"}))
        .collect();
    if errors.is_empty() {
        Json(json!({"created": items.len(), "updated": 0, "unchanged": 0})).into_response()
    } else {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(
                json!({"type": "https://inzage.example/problems/invalid-batch",
                "title": "The batch was not accepted", "status": 422,
                "detail": "Nothing was written.", "errors": errors}),
            ),
        )
            .into_response()
    }
}

async fn spawn(fake: Shared) -> String {
    let app = Router::new()
        .route(
            "/api/v1/{kind}",
            post(
                |State(fake): State<Shared>, Path(kind): Path<String>, headers, Json(body)| async move {
                    batch(fake, &format!("/{kind}"), headers, body).await
                },
            ),
        )
        .route(
            "/api/v1/events",
            get(|State(fake): State<Shared>| async move {
                Json(fake.lock().unwrap().events.clone())
            }),
        )
        .route(
            "/api/v1/tasks",
            get(|State(fake): State<Shared>| async move {
                Json(fake.lock().unwrap().tasks.clone())
            }),
        )
        .route(
            "/api/v1/events/{id}/ack",
            post(
                |State(fake): State<Shared>, Path(id): Path<i64>, headers: HeaderMap| async move {
                    note(&fake, &format!("/events/{id}/ack"), &headers, Value::Null);
                    fake.lock().unwrap().events.retain(|e| e["id"] != id);
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/api/v1/tasks/{id}/ack",
            post(
                |State(fake): State<Shared>,
                 Path(id): Path<i64>,
                 headers: HeaderMap,
                 Json(body): Json<Value>| async move {
                    note(&fake, &format!("/tasks/{id}/ack"), &headers, body);
                    fake.lock().unwrap().tasks.retain(|t| t["id"] != id);
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/api/v1/")
}

fn record(id: &str, bsn: &str) -> Record {
    Record {
        source_record_id: id.to_owned(),
        bsn: bsn.to_owned(),
        activity_code: "wmo-onderzoek".to_owned(),
        category: "Gezondheid".to_owned(),
        label: "Verslag".to_owned(),
        value: format!("waarde van {id}"),
        recorded_at: "2026-02-10T10:00:00Z".parse().unwrap(),
        recorded_by: "Wmo-consulent, Gemeente Voorbeeldstad".to_owned(),
        special_category: false,
        retention_until: Some("2036-02-10".parse().unwrap()),
    }
}

fn log_line(n: usize) -> LogLine {
    LogLine {
        trace_id: format!("{n:032x}"),
        span_id: format!("{n:016x}"),
        parent_span_id: None,
        name: "Melding vastgelegd".to_owned(),
        status: "ok".to_owned(),
        start_time: "2026-02-03T10:00:00Z".parse().unwrap(),
        end_time: "2026-02-03T10:00:02Z".parse().unwrap(),
        activity_code: "wmo-onderzoek".to_owned(),
        bsn: "162275869".to_owned(),
        processor: "Gemeente Voorbeeldstad, team Wmo".to_owned(),
        foreign_operation: None,
    }
}

fn copy_with(records: impl IntoIterator<Item = Record>) -> Holdings {
    let mut copy = Holdings::default();
    for r in records {
        copy.records.insert(r.source_record_id.clone(), r);
    }
    copy
}

#[tokio::test]
async fn push_sends_each_kind_in_batches_of_at_most_2000_with_the_token() {
    let fake = Shared::default();
    let api = spawn(fake.clone()).await;
    let mut copy = copy_with((0..4500).map(|n| record(&format!("r-{n:05}"), "162275869")));
    copy.log_lines = (0..3).map(log_line).collect();
    let simulator = Simulator::new(api, "geheim", Holdings::default()).unwrap();

    let report = simulator.push(&copy).await.unwrap();

    assert!(report.is_accepted(), "{report:?}");
    let sizes: Vec<_> = report.records.iter().map(|b| b.items).collect();
    assert_eq!(sizes, [MAX_BATCH, MAX_BATCH, 500]);
    assert_eq!(
        report.records[2].body,
        json!({"created": 500, "updated": 0, "unchanged": 0})
    );
    // Nothing to send, nothing sent.
    assert!(report.consents.is_empty() && report.disclosures.is_empty());
    assert_eq!(report.log_lines.len(), 1);

    let fake = fake.lock().unwrap();
    let paths: Vec<_> = fake.requests.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(paths, ["/records", "/records", "/records", "/log-lines"]);
    assert!(
        fake.requests
            .iter()
            .all(|(_, auth, _)| auth == "Bearer geheim")
    );
    // Every record went once, under its own id.
    let sent: BTreeSet<_> = fake.requests[..3]
        .iter()
        .flat_map(|(_, _, body)| body["items"].as_array().unwrap().clone())
        .map(|item| item["source_record_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sent.len(), 4500);
    let first = &fake.requests[0].2["items"][0];
    assert_eq!(first["recorded_at"], "2026-02-10T10:00:00Z");
    assert_eq!(first["retention_until"], "2036-02-10");
}

#[tokio::test]
async fn a_refused_batch_is_reported_with_its_errors_and_the_other_kinds_still_go() {
    let fake = Shared::default();
    let api = spawn(fake.clone()).await;
    let mut copy = copy_with([record("r-1", "162275869"), record("r-2", "bad")]);
    copy.log_lines = vec![log_line(1)];
    let simulator = Simulator::new(api, "t", copy).unwrap();

    let report = simulator.push_own().await.unwrap();

    assert!(!report.is_accepted());
    assert_eq!(report.records[0].status, 422);
    assert_eq!(
        report.records[0].body["errors"][0]["pointer"],
        "/items/1/bsn"
    );
    assert!(report.log_lines[0].is_accepted());
    assert!(
        report.to_string().contains("records 422 (1 field errors)"),
        "{report}"
    );
}

#[tokio::test]
async fn a_5xx_or_no_answer_is_an_error() {
    let fake = Shared::default();
    let api = spawn(fake.clone()).await;
    fake.lock().unwrap().unavailable = Some("/records".to_owned());
    let simulator = Simulator::new(api, "t", copy_with([record("r-1", "1")])).unwrap();
    let error = simulator.push_own().await.unwrap_err();
    assert!(
        matches!(error, Error::Status { status: 503, .. }),
        "{error:?}"
    );

    // A port nobody listens on: bound, then dropped.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let simulator = Simulator::new(format!("http://{address}"), "t", Holdings::default()).unwrap();
    let error = simulator
        .push(&copy_with([record("r-1", "1")]))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
}

#[tokio::test]
async fn process_applies_saves_and_only_then_acknowledges() {
    let fake = Shared::default();
    let api = spawn(fake.clone()).await;
    {
        let mut fake = fake.lock().unwrap();
        fake.events = vec![
            json!({"id": 1, "kind": "record.rectified", "created_at": "2026-03-01T10:00:00Z",
                "payload": {"source_record_id": "r-1", "new_value": "nieuw", "reference": "AVG-1"}}),
            json!({"id": 2, "kind": "record.restricted", "created_at": "2026-03-01T10:00:00Z",
                "payload": {"source_record_id": "r-2", "reference": "AVG-2"}}),
            json!({"id": 3, "kind": "record.beamed", "created_at": "2026-03-01T10:00:00Z",
                "payload": {}}),
            json!({"id": 4, "kind": "record.erased", "created_at": "2026-03-01T10:00:00Z",
                "payload": {"reference": "AVG-3"}}),
        ];
        fake.tasks = vec![
            json!({"id": 7, "action": "erase", "created_at": "2026-03-01T10:00:00Z",
                "payload": {"source_record_id": "r-3", "new_value": null, "reference": "AVG-4"}}),
            json!({"id": 8, "action": "rectify", "created_at": "2026-03-01T10:00:00Z",
                "payload": {"source_record_id": "elders", "new_value": "x", "reference": "AVG-5"}}),
        ];
    }
    let copy = copy_with(["r-1", "r-2", "r-3"].map(|id| record(id, "162275869")));
    let mut simulator = Simulator::new(api, "t", copy).unwrap();

    let mut saves = Vec::new();
    let processed = simulator
        .process_then(|copy| {
            // What was acknowledged by the time each save happens.
            let acked = fake
                .lock()
                .unwrap()
                .requests
                .iter()
                .filter(|(path, _, _)| path.ends_with("/ack"))
                .count();
            saves.push((copy.clone(), acked));
            Ok(())
        })
        .await
        .unwrap();

    assert_eq!(
        processed.applied,
        [
            ("record.rectified".to_owned(), "r-1".to_owned()),
            ("record.restricted".to_owned(), "r-2".to_owned()),
            ("task.erase".to_owned(), "r-3".to_owned()),
        ]
    );
    assert_eq!(
        processed.ignored,
        [("record.beamed".to_owned(), "#3".to_owned())]
    );
    assert_eq!(processed.failed.len(), 1, "{processed:?}");
    assert_eq!(processed.impossible[0].1, "elders");

    assert_eq!(simulator.copy.records["r-1"].value, "nieuw");
    assert!(simulator.copy.restricted.contains("r-2"));
    assert!(!simulator.copy.records.contains_key("r-3"));

    // Events saved before any acknowledgement, tasks before theirs.
    assert_eq!(saves.len(), 2);
    assert_eq!(saves[0].1, 0);
    assert_eq!(saves[1].1, 3);
    assert_eq!(saves[1].0, simulator.copy);

    let fake = fake.lock().unwrap();
    let acks: Vec<_> = fake
        .requests
        .iter()
        .filter(|(path, _, _)| path.ends_with("/ack"))
        .map(|(path, _, body)| (path.as_str(), body.clone()))
        .collect();
    assert_eq!(
        acks,
        [
            ("/events/1/ack", Value::Null),
            ("/events/2/ack", Value::Null),
            ("/events/3/ack", Value::Null),
            ("/tasks/7/ack", json!({"status": "done"})),
            (
                "/tasks/8/ack",
                json!({"status": "impossible", "reason": "this source system does not hold the record"})
            ),
        ]
    );
    // The unreadable event stays open for a person to look at.
    assert_eq!(fake.events.len(), 1);
    assert_eq!(fake.events[0]["id"], 4);
}

#[tokio::test]
async fn a_4xx_outside_a_batch_is_an_error() {
    let fake = Shared::default();
    let api = spawn(fake).await;
    // A refused GET /events leaves nothing to report but the refusal itself.
    let mut simulator = Simulator::new(format!("{api}nowhere"), "t", Holdings::default()).unwrap();
    let error = simulator.process().await.unwrap_err();
    assert!(
        matches!(error, Error::Status { status: 404, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn run_cycles_the_given_number_of_rounds() {
    let fake = Shared::default();
    let api = spawn(fake.clone()).await;
    fake.lock().unwrap().events = vec![json!({"id": 1, "kind": "record.erased",
        "created_at": "2026-03-01T10:00:00Z", "payload": {"source_record_id": "r-1", "reference": "AVG-1"}})];
    let copy = copy_with(["r-1", "r-2"].map(|id| record(id, "162275869")));
    let mut simulator = Simulator::new(api, "t", copy).unwrap();

    let mut rounds = Vec::new();
    let summary = simulator
        .run_then(
            Duration::from_millis(20),
            Some(2),
            |_| Ok(()),
            |round, outcome| rounds.push((round, outcome.as_ref().unwrap().clone())),
        )
        .await
        .unwrap();

    assert_eq!((summary.rounds, summary.failed, summary.unclean), (2, 0, 0));
    assert_eq!(rounds[0].1.processed.applied.len(), 1);
    assert!(rounds[1].1.processed.applied.is_empty());
    // The erased record is not sent again, in either round.
    for (_, cycle) in &rounds {
        assert_eq!(cycle.pushed.records[0].items, 1);
    }
    assert!(matches!(
        simulator.run(Duration::ZERO, Some(1)).await,
        Err(Error::ZeroInterval)
    ));
}

#[test]
fn the_demo_fixtures_read_and_name_what_is_not_sent() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../server/fixtures/demo");
    let wmo =
        Fixture::parse(&std::fs::read_to_string(format!("{demo}/wmo.json")).unwrap()).unwrap();
    assert_eq!(wmo.copy.records["wmo-1001"].bsn, "162275869");
    assert!(!wmo.copy.disclosures.is_empty() && !wmo.copy.log_lines.is_empty());
    assert_eq!(wmo.ignored, ["staff_views", "system"]);
    let wijkteam =
        Fixture::parse(&std::fs::read_to_string(format!("{demo}/wijkteam.json")).unwrap()).unwrap();
    assert!(wijkteam.copy.consents.contains_key("wt-c-1"));

    // A state's copy reads back as itself.
    let text = serde_json::to_string(&wmo.copy).unwrap();
    assert_eq!(Fixture::parse(&text).unwrap().copy, wmo.copy);

    // A field the simulator does not know is an error that says where, not a silent loss.
    let error =
        Fixture::parse(r#"{"records": [{"source_record_id": "x", "colour": "red"}]}"#).unwrap_err();
    assert_eq!(error.at, "records[0]");
}

/// The fields of `pub struct {name}` in a server source file, by reading the file: the
/// simulator links nothing of the server, so this is how it notices a renamed field.
fn server_fields(file: &str, name: &str) -> BTreeSet<String> {
    let path = format!(
        "{}/../../server/src/sources/ingest/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text
        .find(&format!("pub struct {name} {{"))
        .unwrap_or_else(|| panic!("no {name} in {path}"));
    let body = &text[start..];
    let body = &body[..body.find("\n}").unwrap()];
    body.lines()
        .filter_map(|line| line.trim().strip_prefix("pub "))
        .filter_map(|line| line.split_once(':'))
        .map(|(field, _)| field.trim().to_owned())
        .collect()
}

fn keys(value: Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn field_names_are_the_servers() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../server/fixtures/demo");
    let data = Fixture::parse(&std::fs::read_to_string(format!("{demo}/wijkteam.json")).unwrap())
        .unwrap()
        .copy;
    let record = data.records.values().next().unwrap();
    let consent = data.consents.values().next().unwrap();
    let disclosure = data.disclosures.first().unwrap();
    let line = log_line(1);
    for (file, input, sent) in [
        (
            "records.rs",
            "RecordInput",
            serde_json::to_value(record).unwrap(),
        ),
        (
            "consents.rs",
            "ConsentInput",
            serde_json::to_value(consent).unwrap(),
        ),
        (
            "disclosures.rs",
            "DisclosureInput",
            serde_json::to_value(disclosure).unwrap(),
        ),
        (
            "log_lines.rs",
            "LogLineInput",
            serde_json::to_value(&line).unwrap(),
        ),
    ] {
        assert_eq!(keys(sent), server_fields(file, input), "{input}");
    }
}
