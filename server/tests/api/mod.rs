//! The source-system API over HTTP: tokens, all-or-nothing batches, problem details that name the
//! field, idempotency, per-source isolation and the OpenAPI document.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use server::{
    entities::{personal_data_records, record_history, staff_views},
    sources::systems::{self, SourceMode},
};

use crate::{
    db_test,
    support::{
        TestApp,
        api::{Api, source_with_token},
    },
};

/// A complete register activity: the records below refer to it by code.
fn activity(code: &str) -> Value {
    json!({
        "code": code,
        "name": "Huishoudelijke hulp",
        "purpose": "Beoordelen en leveren van hulp bij het huishouden",
        "legal_basis": "PublicTask",
        "legal_basis_text": "Wmo 2015 art. 2.3.1",
        "data_categories": ["NAW", "Gezondheid"],
        "retention": "P15Y",
        "source": "Inwoner, keukentafelgesprek",
        "recipient_categories": ["Zorgaanbieders"],
        "confidentiality": "normaal",
        "domain": "wmo"
    })
}

/// A valid Wmo record; tests spoil one field at a time to see it named.
fn record(id: &str, bsn: &str, value: &str) -> Value {
    json!({
        "source_record_id": id,
        "bsn": bsn,
        "activity_code": "wmo-hh",
        "category": "Gezondheid",
        "label": "Indicatie",
        "value": value,
        "recorded_at": "2026-03-01T09:00:00Z",
        "recorded_by": "Wmo-consulent, Gemeente Voorbeeldstad",
        "special_category": true
    })
}

/// Records in Inzage, whatever their source: what a refused batch must leave alone.
async fn record_count(app: &TestApp) -> u64 {
    app.count::<personal_data_records::Entity>().await
}

async fn source_systems_feed_inzage_through_the_api(app: TestApp) {
    let api = Api::new(&app);
    let admin = source_with_token(&app, "Register", "Privacy", SourceMode::Managed, true)
        .await
        .token;
    let wmo = source_with_token(&app, "Wmo", "Zorg", SourceMode::Managed, false).await;
    let (wmo_token_id, wmo_token) = (wmo.token_id, wmo.token);
    let jeugd_token = source_with_token(&app, "Jeugd", "Jeugd", SourceMode::Connected, false)
        .await
        .token;

    // No token, a wrong token: 401 with a problem.
    let (status, body, content_type) = api.post("/records", None, &json!({"items": []})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["status"], 401);
    let (status, ..) = api
        .post("/records", Some("inz_wrong"), &json!({"items": []}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Only an admin token maintains the register.
    let (status, ..) = api
        .put(
            "/activities",
            Some(&wmo_token),
            &json!({"items": [activity("wmo-hh")]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body, _) = api
        .put(
            "/activities",
            Some(&admin),
            &json!({"items": [activity("wmo-hh")]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 1);

    // A good batch.
    let good = json!({"items": [record("R1", "999993653", "Indicatie: 3 uur per week"), record("R2", "162275869", "Indicatie: 2 uur per week")]});
    let (status, body, _) = api.post("/records", Some(&wmo_token), &good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 2);
    // The same batch again changes nothing (idempotent).
    let (_, body, _) = api.post("/records", Some(&wmo_token), &good).await;
    assert_eq!(
        (body["created"].as_u64(), body["unchanged"].as_u64()),
        (Some(0), Some(2))
    );

    // A bad batch changes nothing and names every problem, without echoing the BSN.
    let bad = json!({"items": [
        record("R3", "111222333", "nieuw"),
        record("R4", "123456789", "nieuw"),
        {"source_record_id": "R5", "bsn": "999993653", "activity_code": "bestaat-niet", "category": "x", "label": "x", "value": "x", "recorded_at": "2026-03-01T09:00:00Z", "recorded_by": "x"}
    ]});
    let (status, body, content_type) = api.post("/records", Some(&wmo_token), &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/problem+json");
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/items/1/bsn", "/items/2/activity_code"]);
    assert!(
        !body.to_string().contains("123456789"),
        "the bad BSN is not echoed"
    );
    assert_eq!(
        record_count(&app).await,
        2,
        "nothing of the bad batch was written"
    );

    // Wrong types and unknown fields are named too.
    let (status, body, _) = api
        .post(
            "/records",
            Some(&wmo_token),
            &json!({"items": [{"source_record_id": "R6", "bsn": 999993653}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "/items/0/bsn");
    assert!(!body.to_string().contains("999993653"));
    let mut extra = record("R7", "999993653", "x");
    extra["source"] = json!("Jeugd");
    let (status, body, _) = api
        .post("/records", Some(&wmo_token), &json!({"items": [extra]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "/items/0/source");

    // A changed value updates the record and keeps the old one in its history.
    let changed = json!({"items": [record("R1", "999993653", "Indicatie: 4 uur per week")]});
    let (_, body, _) = api.post("/records", Some(&wmo_token), &changed).await;
    assert_eq!(body["updated"], 1);
    let history = app.all::<record_history::Entity>().await;
    assert_eq!(history.len(), 1);
    assert_eq!(
        history[0].old_value.as_deref(),
        Some("Indicatie: 3 uur per week")
    );

    // Another source's token cannot touch the Wmo's records: the same id is its own record.
    let (_, body, _) = api
        .post(
            "/records",
            Some(&jeugd_token),
            &json!({"items": [record("R1", "999993653", "overschreven?")]}),
        )
        .await;
    assert_eq!(body["created"], 1);
    let values: Vec<String> = app
        .all::<personal_data_records::Entity>()
        .await
        .into_iter()
        .map(|r| r.value)
        .collect();
    assert!(
        values.contains(&"Indicatie: 4 uur per week".to_owned())
            && values.contains(&"overschreven?".to_owned())
    );

    // Staff views: kept once, a bad one changes nothing, and the log cannot be edited.
    let view = |id: &str, bsn: &str, case: Option<&str>| {
        json!({"source_view_id": id, "bsn": bsn, "staff": "W-2001", "activity_code": "wmo-hh",
               "viewed_at": "2026-03-02T10:00:00Z", "case_reference": case})
    };
    let views =
        json!({"items": [view("V1", "999993653", Some("Z-1")), view("V2", "162275869", None)]});
    let (status, body, _) = api.post("/staff-views", Some(&wmo_token), &views).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 2);
    let (_, body, _) = api.post("/staff-views", Some(&wmo_token), &views).await;
    assert_eq!(body["unchanged"], 2);
    let (status, body, _) = api
        .post(
            "/staff-views",
            Some(&wmo_token),
            &json!({"items": [view("V3", "999993653", None), view("V4", "123456789", None)]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "/items/1/bsn");
    assert_eq!(app.count::<staff_views::Entity>().await, 2);
    let unlinked = server::oversight::toezicht::view(&app.db, chrono::Utc::now())
        .await
        .unwrap()
        .unlinked_views;
    assert_eq!(
        unlinked
            .iter()
            .map(|v| v.staff.as_str())
            .collect::<Vec<_>>(),
        ["W-2001"]
    );
    for statement in [
        "UPDATE staff_views SET case_reference = 'Z-9'",
        "DELETE FROM staff_views",
    ] {
        let refused = app.db.execute_unprepared(statement).await;
        assert!(
            format!("{refused:?}").contains("insert-only"),
            "{statement}: {refused:?}"
        );
    }

    // A revoked token is refused.
    assert!(systems::revoke_token(&app.db, wmo_token_id).await.unwrap());
    let (status, ..) = api.post("/records", Some(&wmo_token), &good).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A body over the limit is refused before it is read.
    let huge = json!({"items": [record("R9", "999993653", &"x".repeat(9 * 1024 * 1024))]});
    let (status, ..) = api.post("/records", Some(&jeugd_token), &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // The OpenAPI document describes the API.
    let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/activities",
        "/api/v1/records",
        "/api/v1/consents",
        "/api/v1/disclosures",
        "/api/v1/log-lines",
        "/api/v1/staff-views",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["components"]["schemas"]["RecordInput"].is_object());
    let docs = reqwest::get(format!("{}/api/v1/docs", app.base))
        .await
        .unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    app.finish().await;
}
db_test!(ingest_api, source_systems_feed_inzage_through_the_api);

async fn the_demo_municipality_loads_and_loads_again_unchanged(app: TestApp) {
    use server::entities::{consents, disclosures, processing_activities, processing_log_lines};
    let vault = crate::support::demo::vault(&app);
    let first = server::dev::demo::seed(&app.db, &vault).await.unwrap();
    assert!(first > 40, "demo data created ({first} items)");
    let second = server::dev::demo::seed(&app.db, &vault).await.unwrap();
    assert_eq!(second, 0, "a second run changes nothing");
    let activities = app.all::<processing_activities::Entity>().await;
    assert!(activities.len() >= 10);
    assert!(
        activities
            .iter()
            .any(|a| a.confidentiality == types::Confidentiality::Vertrouwelijk)
    );
    assert!(
        app.all::<disclosures::Entity>()
            .await
            .iter()
            .any(|d| d.legal_basis.is_none()),
        "one disclosure without a basis"
    );
    assert!(
        app.all::<consents::Entity>()
            .await
            .iter()
            .any(|c| c.withdrawn_at.is_some()),
        "one withdrawn consent"
    );
    assert!(
        app.all::<personal_data_records::Entity>()
            .await
            .iter()
            .any(|r| r
                .retention_until
                .is_some_and(|d| d < chrono::Utc::now().date_naive())),
        "records past retention"
    );
    let lines = app.all::<processing_log_lines::Entity>().await;
    assert!(
        lines
            .iter()
            .all(|l| l.subject_pseudonym.len() == 64 && !l.subject_pseudonym.contains("162275869"))
    );
    app.finish().await;
}
db_test!(
    demo_municipality,
    the_demo_municipality_loads_and_loads_again_unchanged
);
