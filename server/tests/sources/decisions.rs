//! The acceptance matrix: rectification, erasure, restriction and objection, each with a
//! `managed` and a `connected` source. After the decision is carried out the source re-sends its
//! original batch; the citizen's page, downloads and a fresh access answer still show the
//! decision's outcome, and the source's own copy matches once it processed its events.

use serde_json::Value;
use types::{Kind, SourceMode};

use super::{LABELS, VALUES, file_over_http, grant_and_execute, grant_over_http, record_id};
use crate::support::{
    TestApp,
    demo::{FATIMA, seed_demo},
    rights::{staff_act, status_of},
};

pub(super) async fn rectification_managed(app: TestApp) {
    decision_holds(app, Kind::Rectification, SourceMode::Managed).await;
}
pub(super) async fn rectification_connected(app: TestApp) {
    decision_holds(app, Kind::Rectification, SourceMode::Connected).await;
}
pub(super) async fn erasure_managed(app: TestApp) {
    decision_holds(app, Kind::Erasure, SourceMode::Managed).await;
}
pub(super) async fn erasure_connected(app: TestApp) {
    decision_holds(app, Kind::Erasure, SourceMode::Connected).await;
}
pub(super) async fn restriction_managed(app: TestApp) {
    decision_holds(app, Kind::Restriction, SourceMode::Managed).await;
}
pub(super) async fn restriction_connected(app: TestApp) {
    decision_holds(app, Kind::Restriction, SourceMode::Connected).await;
}
pub(super) async fn objection_managed(app: TestApp) {
    decision_holds(app, Kind::Objection, SourceMode::Managed).await;
}
pub(super) async fn objection_connected(app: TestApp) {
    decision_holds(app, Kind::Objection, SourceMode::Connected).await;
}

/// The corrected value the citizen proposes.
const NEW_VALUE: &str = "Huisbezoek op 3 november: geen hulp bij de boodschappen nodig";

/// What the citizen should see of the record after the decision, wherever they look.
fn shows_outcome(kind: Kind, reference: &str, text: &str, what: &str) {
    match kind {
        Kind::Rectification => {
            assert!(text.contains(NEW_VALUE), "{what}: the new value");
            assert!(!text.contains(VALUES[0]), "{what}: not the old value");
        }
        Kind::Erasure => {
            assert!(
                !text.contains(LABELS[0]),
                "{what}: the erased record is gone"
            );
            assert!(text.contains(LABELS[1]), "{what}: the others stay");
        }
        _ => {
            assert!(text.contains(VALUES[0]), "{what}: the record is kept");
            assert!(
                text.contains(reference),
                "{what}: restricted, naming the request"
            );
        }
    }
}

async fn decision_holds(app: TestApp, kind: Kind, mode: SourceMode) {
    seed_demo(&app).await;
    let (source, mut simulator) =
        super::simulated_source(&app, &format!("Simulator ({mode})"), mode, FATIMA).await;
    let original = simulator.copy.clone();
    let target = record_id(&app, &source, "sim-1").await;
    let mut fatima = app.citizen(FATIMA).await;
    let proposal = (kind == Kind::Rectification).then_some(NEW_VALUE);
    let reference = file_over_http(&mut fatima, kind, Some(target), proposal).await;
    grant_and_execute(&app, &reference).await;

    // Everything the source applied, over its rounds.
    let mut applied = Vec::new();
    if mode == SourceMode::Connected {
        // A connected source carries the change out itself and confirms its task; only then
        // does Inzage's copy change.
        assert_eq!(status_of(&app, &reference).await.0, "executing");
        let processed = simulator.process().await.unwrap();
        assert!(processed.is_clean(), "{processed:?}");
        assert!(
            processed
                .applied
                .iter()
                .any(|(what, id)| what.starts_with("task") && id == "sim-1"),
            "the task was applied: {processed:?}"
        );
        applied.extend(processed.applied);
    }
    assert_eq!(status_of(&app, &reference).await.0, "completed");

    // A stale sync: the source's original batch, as if nothing had happened.
    let stale = simulator.push(&original).await.unwrap();
    let records = &stale.records[0];
    match kind {
        Kind::Rectification | Kind::Erasure => {
            assert_eq!(records.status, 422, "{:?}", records.body);
            let errors = records.body["errors"].as_array().unwrap();
            let field = if kind == Kind::Erasure {
                "source_record_id"
            } else {
                "value"
            };
            assert!(
                errors
                    .iter()
                    .any(|e| e["pointer"] == format!("/items/0/{field}")
                        && e["detail"].as_str().unwrap().contains(&reference)),
                "{errors:?}"
            );
        }
        _ => assert_eq!(records.status, 200, "{:?}", records.body),
    }

    // What the citizen sees: the page, both downloads and a fresh access answer.
    let page = fatima
        .get_text(&format!("/mijn-gegevens?bron={}", source.id))
        .await;
    shows_outcome(kind, &reference, &page, "Mijn gegevens");
    let json = fatima.get_text("/mijn-gegevens/download.json").await;
    shows_outcome(kind, &reference, &json, "JSON download");
    let csv = fatima.get_text("/mijn-gegevens/download.csv").await;
    shows_outcome(kind, &reference, &csv, "CSV download");
    if matches!(kind, Kind::Restriction | Kind::Objection) {
        assert!(
            page.contains("data-testid=\"restricted\""),
            "marked restricted"
        );
        let downloaded: Value = serde_json::from_str(&json).unwrap();
        assert!(
            downloaded
                .to_string()
                .contains(&format!("\"restricted_by\":\"{reference}\"")),
            "the JSON names the restricting request"
        );
    }
    let access = file_over_http(&mut fatima, Kind::Access, None, None).await;
    let mut eva = grant_over_http(&app, &access).await;
    let sent = staff_act(&mut eva, &app, &access, &[("actie", types::SEND_ANSWER)]).await;
    assert!(sent.ends_with("melding=opgeslagen"), "{sent}");
    let answer = fatima
        .get_text(&format!("/verzoeken/{access}/antwoord.json"))
        .await;
    assert!(
        answer.contains(LABELS[1]),
        "the answer holds the source's data"
    );
    shows_outcome(kind, &reference, &answer, "access answer");

    // The source processes its events and tasks; its copy then matches the decision, and its
    // next full sync is taken as it is.
    let processed = simulator.process().await.unwrap();
    assert!(processed.is_clean(), "{processed:?}");
    applied.extend(processed.applied);
    let event = match kind {
        Kind::Rectification => "record.rectified",
        Kind::Erasure => "record.erased",
        _ => "record.restricted",
    };
    assert!(
        applied
            .iter()
            .any(|(what, id)| what == event && id == "sim-1"),
        "{event} reached the {mode} source: {applied:?}"
    );
    match kind {
        Kind::Rectification => assert_eq!(simulator.copy.records["sim-1"].value, NEW_VALUE),
        Kind::Erasure => assert!(!simulator.copy.records.contains_key("sim-1")),
        _ => assert!(simulator.copy.restricted.contains("sim-1")),
    }
    let resync = simulator.push_own().await.unwrap();
    assert!(resync.is_accepted(), "{resync:?}");
    let page = fatima
        .get_text(&format!("/mijn-gegevens?bron={}", source.id))
        .await;
    shows_outcome(kind, &reference, &page, "Mijn gegevens after the resync");
    app.finish().await;
}
