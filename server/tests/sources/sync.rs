//! A stale sync against what the portal decided, item by item: an erased id, a value from
//! before a rectification, a consent withdrawn in the portal, log lines of two sources, and
//! processing of restricted data on Toezicht; and lifting a restriction through the workflow.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use server::{
    entities::{
        consents, personal_data_records, processing_log_lines, record_history, record_tombstones,
        restricted_processing,
    },
    identity::StaffRole,
    rights::requests::{Command, Draft},
};
use types::{Kind, SourceMode};

use super::{LABELS, VALUES, line, record_id, simulated_source};
use crate::support::{
    TestApp,
    api::Api,
    demo::{EVA, FATIMA, PRIVACY_OFFICER, citizen_id, seed_demo},
    location,
    rights::{act_now, claim_and_grant, draft, file, staff_act, staff_actor, status_of},
};

/// Files `kind` on one record through the service, and grants and carries it out (with an
/// approver where four eyes are needed): the way to a decision in effect, when the test is
/// about what comes after.
pub(super) async fn decided(app: &TestApp, citizen: i64, request: &Draft, token: &str) -> String {
    let reference = file(app, citizen, request, token).await;
    let eva = staff_actor(app, "eva-service", &[StaffRole::Handler]).await;
    claim_and_grant(app, &eva, &reference).await;
    if status_of(app, &reference).await.0 == "awaiting_approval" {
        let ingrid = staff_actor(app, "ingrid-service", &[StaffRole::Approver]).await;
        act_now(app, &ingrid, &reference, Command::Approve)
            .await
            .unwrap();
    }
    act_now(app, &eva, &reference, Command::Execute)
        .await
        .unwrap();
    reference
}

async fn record_named(
    app: &TestApp,
    source_id: i64,
    id: &str,
) -> Option<personal_data_records::Model> {
    personal_data_records::Entity::find()
        .filter(personal_data_records::Column::SourceSystemId.eq(source_id))
        .filter(personal_data_records::Column::SourceRecordId.eq(id))
        .one(&app.db)
        .await
        .unwrap()
}

pub(super) async fn a_re_sent_erased_id_is_refused_and_nothing_written(app: TestApp) {
    let vault = seed_demo(&app).await;
    let fatima = citizen_id(&app, &vault, FATIMA).await;
    let (source, mut simulator) =
        simulated_source(&app, "Simulator", SourceMode::Managed, FATIMA).await;
    let target = record_id(&app, &source, "sim-1").await;
    let reference = decided(
        &app,
        fatima,
        &draft(Kind::Erasure, vec![(target, None)]),
        "t-e",
    )
    .await;
    assert!(record_named(&app, source.id, "sim-1").await.is_none());
    // The tombstone says only which id, which request and when.
    let tombstones = app.all::<record_tombstones::Entity>().await;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (
            tombstones[0].source_record_id.as_str(),
            tombstones[0].reference.as_str()
        ),
        ("sim-1", reference.as_str())
    );

    // A batch with a new record, the erased one and a changed one: refused whole, naming the
    // erased item and its request.
    let mut stale = simulator.copy.clone();
    let mut fresh = stale.records["sim-2"].clone();
    fresh.source_record_id = "sim-9".into();
    fresh.label = "Simulatie: nieuw gegeven".into();
    stale.records.insert("sim-9".into(), fresh);
    stale.records.get_mut("sim-2").unwrap().value = "06-87654321".into();
    let items: Vec<_> = stale.records.values().cloned().collect();
    let api = Api::new(&app);
    let (status, body, content_type) = api
        .post(
            "/records",
            Some(&source.token),
            &serde_json::json!({ "items": items }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/problem+json");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["pointer"], "/items/0/source_record_id");
    let today = server::rights::deadlines::received_on(Utc::now()).to_string();
    assert_eq!(
        errors[0]["detail"],
        format!(
            "erased by {reference} on {today}: Inzage does not take it back; send new data under a new id"
        )
    );
    assert!(
        record_named(&app, source.id, "sim-1").await.is_none(),
        "not re-created"
    );
    assert!(
        record_named(&app, source.id, "sim-9").await.is_none(),
        "nothing written"
    );
    assert_eq!(
        record_named(&app, source.id, "sim-2").await.unwrap().value,
        VALUES[1],
        "nothing written"
    );

    // Without the erased id the rest goes through; new data under a new id is new data.
    stale.records.remove("sim-1");
    let accepted = simulator.push(&stale).await.unwrap();
    assert!(accepted.is_accepted(), "{accepted:?}");
    assert!(record_named(&app, source.id, "sim-9").await.is_some());

    // On its timer the source processes record.erased, then re-sends its own copy: every round
    // clean, and the erased record stays gone.
    let summary = simulator
        .run(std::time::Duration::from_millis(100), Some(3))
        .await
        .unwrap();
    assert_eq!((summary.rounds, summary.failed, summary.unclean), (3, 0, 0));
    assert!(!simulator.copy.records.contains_key("sim-1"));
    assert!(record_named(&app, source.id, "sim-1").await.is_none());
    app.finish().await;
}

pub(super) async fn the_old_value_is_refused_until_the_source_acknowledged(app: TestApp) {
    let vault = seed_demo(&app).await;
    let fatima = citizen_id(&app, &vault, FATIMA).await;
    let (source, mut simulator) =
        simulated_source(&app, "Simulator", SourceMode::Managed, FATIMA).await;
    let original = simulator.copy.clone();
    let target = record_id(&app, &source, "sim-2").await;
    let request = draft(
        Kind::Rectification,
        vec![(target, Some("06-11112222".into()))],
    );
    let reference = decided(&app, fatima, &request, "t-r").await;
    assert_eq!(
        record_named(&app, source.id, "sim-2").await.unwrap().value,
        "06-11112222"
    );

    // Before the acknowledgement the old value is refused, naming the request.
    let stale = simulator.push(&original).await.unwrap();
    assert_eq!(stale.records[0].status, 422, "{:?}", stale.records[0].body);
    let errors = stale.records[0].body["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["pointer"], "/items/1/value");
    assert!(errors[0]["detail"].as_str().unwrap().contains(&reference));
    assert!(
        !errors[0]["detail"].as_str().unwrap().contains(VALUES[1]),
        "the value is never echoed"
    );
    assert_eq!(
        record_named(&app, source.id, "sim-2").await.unwrap().value,
        "06-11112222"
    );

    // The source applies the event and acknowledges it; then its updates flow as usual.
    let processed = simulator.process().await.unwrap();
    assert!(
        processed
            .applied
            .contains(&("record.rectified".to_owned(), "sim-2".to_owned())),
        "{processed:?}"
    );
    assert_eq!(simulator.copy.records["sim-2"].value, "06-11112222");
    simulator.copy.records.get_mut("sim-2").unwrap().value = "06-33334444".into();
    let later = simulator.push_own().await.unwrap();
    assert!(later.is_accepted(), "{later:?}");
    let record = record_named(&app, source.id, "sim-2").await.unwrap();
    assert_eq!(record.value, "06-33334444");
    let history = record_history::Entity::find()
        .filter(record_history::Column::RecordId.eq(record.id))
        .order_by_asc(record_history::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let changes: Vec<(Option<&str>, Option<&str>, &str)> = history
        .iter()
        .map(|h| {
            (
                h.old_value.as_deref(),
                h.new_value.as_deref(),
                h.cause.as_str(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            (Some(VALUES[1]), Some("06-11112222"), reference.as_str()),
            (Some("06-11112222"), Some("06-33334444"), "bron:Simulator"),
        ]
    );
    app.finish().await;
}

pub(super) async fn a_consent_withdrawn_in_the_portal_stays_withdrawn(app: TestApp) {
    seed_demo(&app).await;
    let (source, mut simulator) =
        simulated_source(&app, "Simulator", SourceMode::Managed, FATIMA).await;
    let original = simulator.copy.clone();
    let consent = consents::Entity::find()
        .filter(consents::Column::SourceSystemId.eq(source.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut fatima = app.citizen(FATIMA).await;
    let withdrawn = fatima
        .post(
            "/toestemmingen/intrekken",
            &[("id", consent.id.to_string().as_str())],
        )
        .await;
    assert_eq!(location(&withdrawn), "/toestemmingen?melding=ingetrokken");

    // The source's next sync still says `withdrawn_at: null`: the withdrawal stands.
    let stale = simulator.push(&original).await.unwrap();
    assert!(stale.is_accepted(), "{stale:?}");
    let rows = consents::Entity::find()
        .filter(consents::Column::SourceSystemId.eq(source.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].withdrawn_at.is_some(), "still withdrawn");

    // A sync may move the withdrawal earlier, never later.
    let early = original.consents["sim-consent-1"].given_at + Duration::minutes(5);
    let mut earlier = original.clone();
    earlier
        .consents
        .get_mut("sim-consent-1")
        .unwrap()
        .withdrawn_at = Some(early);
    assert!(simulator.push(&earlier).await.unwrap().is_accepted());
    let mut later = original.clone();
    later
        .consents
        .get_mut("sim-consent-1")
        .unwrap()
        .withdrawn_at = Some(Utc::now() + Duration::days(1));
    assert!(simulator.push(&later).await.unwrap().is_accepted());
    let row = consents::Entity::find_by_id(rows[0].id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.withdrawn_at.map(|w| w.timestamp()),
        Some(early.timestamp()),
        "the earlier withdrawal counts, the later one does not"
    );

    // The source hears of it, and a consent given again later is a new, active consent.
    let processed = simulator.process().await.unwrap();
    assert!(
        processed
            .applied
            .contains(&("consent.withdrawn".to_owned(), "sim-consent-1".to_owned())),
        "{processed:?}"
    );
    let mut again = original.clone();
    let renewed = again.consents.get_mut("sim-consent-1").unwrap();
    renewed.given_at = Utc::now() + Duration::minutes(1);
    renewed.channel = "gesprek met consulent".into();
    let given_again = simulator.push(&again).await.unwrap();
    assert!(given_again.is_accepted(), "{given_again:?}");
    let rows = consents::Entity::find()
        .filter(consents::Column::SourceSystemId.eq(source.id))
        .order_by_asc(consents::Column::GivenAt)
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "the new consent is a new row");
    assert!(rows[0].withdrawn_at.is_some() && rows[1].withdrawn_at.is_none());
    let view = server::transparency::consents_view(&app.db, rows[0].citizen_id, None)
        .await
        .unwrap();
    assert_eq!(
        view.active
            .iter()
            .filter(|c| c.purpose == "Simulatie: afstemming van de hulp")
            .count(),
        1,
        "the citizen sees the new consent as active"
    );
    assert_eq!(
        view.withdrawn
            .iter()
            .filter(|c| c.purpose == "Simulatie: afstemming van de hulp")
            .count(),
        1,
        "and the withdrawn one as withdrawn"
    );
    let page = fatima.get_text("/toestemmingen").await;
    assert!(
        page.contains("gesprek met consulent"),
        "the new consent is shown"
    );
    // Sent again, the renewed consent is unchanged; the stale original batch is about the
    // withdrawn consent (same given_at), which stays withdrawn.
    let same = simulator.push(&again).await.unwrap();
    assert!(same.is_accepted());
    assert_eq!(same.consents[0].body["unchanged"], 1, "{:?}", same.consents);
    let stale = simulator.push(&original).await.unwrap();
    assert!(stale.is_accepted(), "{stale:?}");
    let after: Vec<_> = consents::Entity::find()
        .filter(consents::Column::SourceSystemId.eq(source.id))
        .order_by_asc(consents::Column::GivenAt)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.withdrawn_at.is_some()))
        .collect();
    assert_eq!(after, vec![(rows[0].id, true), (rows[1].id, false)]);
    app.finish().await;
}

pub(super) async fn log_lines_are_kept_per_source(app: TestApp) {
    seed_demo(&app).await;
    let (first, _) = simulated_source(&app, "Simulator Wmo", SourceMode::Managed, FATIMA).await;
    let second = crate::support::api::source_with_token(
        &app,
        "Simulator Jeugd",
        "Jeugd",
        SourceMode::Managed,
        false,
    )
    .await;
    // The first source's line, with the same trace and span, from the second source.
    let mut other = line(
        FATIMA,
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7",
    );
    other.name = "Simulatie: melding doorzetten".into();
    let api = Api::new(&app);
    let (status, body, _) = api
        .post(
            "/log-lines",
            Some(&second.token),
            &serde_json::json!({ "items": [other] }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    assert_eq!(
        body["created"], 1,
        "a line of another source is another line"
    );
    let lines = processing_log_lines::Entity::find()
        .filter(processing_log_lines::Column::TraceId.eq("4bf92f3577b34da6a3ce929d0e0e4736"))
        .all(&app.db)
        .await
        .unwrap();
    let mut sources: Vec<_> = lines.iter().filter_map(|l| l.source_system_id).collect();
    sources.sort_unstable();
    assert_eq!(sources, vec![first.id, second.id]);
    // Sent again by the same source, it is kept once.
    let (_, again, _) = api
        .post(
            "/log-lines",
            Some(&second.token),
            &serde_json::json!({ "items": [other] }),
        )
        .await;
    assert_eq!(again["unchanged"], 1);
    let mut fatima = app.citizen(FATIMA).await;
    let usage = fatima.get_text("/gebruik").await;
    assert!(
        usage.contains("Simulatie: aanvraag beoordelen"),
        "the first source's line"
    );
    assert!(
        usage.contains("Simulatie: melding doorzetten"),
        "the second source's line"
    );
    app.finish().await;
}

pub(super) async fn processing_of_restricted_data_shows_on_toezicht(app: TestApp) {
    let vault = seed_demo(&app).await;
    let fatima = citizen_id(&app, &vault, FATIMA).await;
    let (source, mut simulator) =
        simulated_source(&app, "Simulator", SourceMode::Managed, FATIMA).await;
    let target = record_id(&app, &source, "sim-1").await;
    let reference = decided(
        &app,
        fatima,
        &draft(Kind::Restriction, vec![(target, None)]),
        "t-b",
    )
    .await;
    assert_eq!(status_of(&app, &reference).await.0, "completed");

    // The source's staff open the file, one before the restriction and one after; and it logs
    // a processing after the restriction.
    let now = Utc::now();
    let view = |id: &str, staff: &str, at: chrono::DateTime<Utc>| {
        serde_json::json!({
            "source_view_id": id, "bsn": FATIMA, "staff": staff,
            "activity_code": "wmo-onderzoek", "viewed_at": at, "case_reference": "ZAAK-1",
        })
    };
    let api = Api::new(&app);
    let (status, body, _) = api
        .post(
            "/staff-views",
            Some(&source.token),
            &serde_json::json!({ "items": [
                view("v-before", "medewerker-voor", now - Duration::days(1)),
                view("v-after", "medewerker-na", now + Duration::minutes(1)),
            ]}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let mut late = line(
        FATIMA,
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "bbbbbbbbbbbbbbbb",
    );
    late.name = "Simulatie: beperkt gegeven gebruikt".into();
    late.start_time = now + Duration::minutes(1);
    late.end_time = now + Duration::minutes(2);
    let (status, body, _) = api
        .post(
            "/log-lines",
            Some(&source.token),
            &serde_json::json!({ "items": [late] }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let flagged = app.all::<restricted_processing::Entity>().await;
    let mut kinds: Vec<_> = flagged
        .iter()
        .map(|f| (f.kind.as_str(), f.what.as_str()))
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        vec![
            ("log_line", "Simulatie: beperkt gegeven gebruikt"),
            ("staff_view", "medewerker-na")
        ],
        "only what happened after the restriction"
    );

    // The privacy officer sees it on Toezicht and in its CSV.
    let mut officer = app.staff(PRIVACY_OFFICER).await;
    let page = officer.get_text("/backoffice/toezicht").await;
    assert!(page.contains("medewerker-na") && !page.contains("medewerker-voor"));
    assert!(page.contains("Simulatie: beperkt gegeven gebruikt"));
    let csv = officer
        .get_text("/backoffice/toezicht/csv/beperkte-verwerking")
        .await;
    assert!(
        csv.contains("medewerker-na") && csv.contains(&reference),
        "{csv}"
    );

    // Lifting the restriction is a staff step of its own: refused for the privacy officer,
    // taken by a handler with the reason the citizen is told.
    let refused = staff_act(
        &mut officer,
        &app,
        &reference,
        &[("actie", "lift_restriction"), ("reden", "x")],
    )
    .await;
    assert!(refused.ends_with("melding=rol"), "{refused}");
    let mut eva = app.staff(EVA).await;
    let detail = eva
        .get_text(&format!("/backoffice/verzoeken/{reference}"))
        .await;
    assert!(
        detail.contains("Beperking opheffen"),
        "offered to the handler"
    );
    // The citizen is told before the restriction is lifted (Art. 18(3)).
    let announced = staff_act(
        &mut eva,
        &app,
        &reference,
        &[
            ("actie", "message"),
            ("bericht", "Wij gaan de beperking over een week opheffen."),
        ],
    )
    .await;
    assert!(announced.ends_with("melding=opgeslagen"), "{announced}");
    let lifted = staff_act(
        &mut eva,
        &app,
        &reference,
        &[
            ("actie", "lift_restriction"),
            (
                "reden",
                "Het bezwaar tegen de juistheid is onderzocht: het gegeven klopt.",
            ),
        ],
    )
    .await;
    assert!(lifted.ends_with("melding=opgeslagen"), "{lifted}");
    assert!(
        !record_named(&app, source.id, "sim-1")
            .await
            .unwrap()
            .restricted
    );
    let again = staff_act(
        &mut eva,
        &app,
        &reference,
        &[("actie", "lift_restriction"), ("reden", "nogmaals")],
    )
    .await;
    assert!(again.ends_with("melding=status"), "{again}");
    let processed = simulator.process().await.unwrap();
    assert!(
        processed
            .applied
            .contains(&("record.restricted".to_owned(), "sim-1".to_owned()))
            && processed
                .applied
                .contains(&("record.unrestricted".to_owned(), "sim-1".to_owned())),
        "{processed:?}"
    );
    assert!(!simulator.copy.restricted.contains("sim-1"));
    let mut citizen = app.citizen(FATIMA).await;
    let timeline = citizen.get_text(&format!("/verzoeken/{reference}")).await;
    assert!(timeline.contains("Beperking opgeheven"));
    assert!(
        timeline.contains("het gegeven klopt"),
        "the citizen is told why"
    );
    let data = citizen
        .get_text(&format!("/mijn-gegevens?bron={}", source.id))
        .await;
    assert!(data.contains(LABELS[0]) && !data.contains("data-testid=\"restricted\""));
    // What was flagged stays flagged: it happened while the restriction held.
    assert_eq!(app.all::<restricted_processing::Entity>().await.len(), 2);
    app.finish().await;
}

pub(super) async fn a_connected_source_that_syncs_first_still_has_its_old_value_refused(
    app: TestApp,
) {
    let vault = seed_demo(&app).await;
    let fatima = citizen_id(&app, &vault, FATIMA).await;
    let (source, mut simulator) =
        simulated_source(&app, "Simulator", SourceMode::Connected, FATIMA).await;
    let original = simulator.copy.clone();
    let target = record_id(&app, &source, "sim-2").await;
    let request = draft(
        Kind::Rectification,
        vec![(target, Some("06-11112222".into()))],
    );
    let reference = decided(&app, fatima, &request, "t-c").await;
    assert_eq!(status_of(&app, &reference).await.0, "executing");

    // The source corrects its copy and syncs it before it confirms the task.
    assert!(simulator.copy.rectify("sim-2", "06-11112222"));
    assert!(simulator.push_own().await.unwrap().is_accepted());
    let processed = simulator.process().await.unwrap();
    assert!(
        processed
            .applied
            .contains(&("task.rectify".to_owned(), "sim-2".to_owned())),
        "{processed:?}"
    );
    assert_eq!(status_of(&app, &reference).await.0, "completed");

    // The value from before the rectification is still the one refused.
    let stale = simulator.push(&original).await.unwrap();
    assert_eq!(stale.records[0].status, 422, "{:?}", stale.records[0].body);
    assert_eq!(
        stale.records[0].body["errors"][0]["pointer"],
        "/items/1/value"
    );
    let record = record_named(&app, source.id, "sim-2").await.unwrap();
    assert_eq!(record.value, "06-11112222");
    let history = record_history::Entity::find()
        .filter(record_history::Column::RecordId.eq(record.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(
        history.len(),
        1,
        "one change, by the source's sync: {history:?}"
    );

    // Acknowledged, the guard and its hash are gone.
    let processed = simulator.process().await.unwrap();
    assert!(
        processed
            .applied
            .contains(&("record.rectified".to_owned(), "sim-2".to_owned())),
        "{processed:?}"
    );
    assert_eq!(
        app.count::<server::entities::record_guards::Entity>().await,
        0
    );
    app.finish().await;
}
