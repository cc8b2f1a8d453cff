//! What the municipality's operators watch: `/metrics` on its own address, parsed as
//! Prometheus text and moving with the load; `/readyz` that names a provider it cannot reach;
//! a request id on every answer.

mod instances;

use prometheus_parse::{Scrape, Value};
use reqwest::{StatusCode, header};
use server::{
    config::Settings,
    platform::metrics::{INGEST_BATCHES, REQUEST_SECONDS},
};
use types::SourceMode;

use crate::{
    db_test, db_test_with,
    support::{
        TestApp,
        api::{Api, source_with_token},
        demo::{EVA, FATIMA, citizen_id, seed_demo_with_requests},
        rights::{access_to_everything, file},
    },
};

db_test!(metrics_move_with_load, metrics_move_with_load);
db_test_with!(
    readiness_names_what_is_down,
    readiness_names_what_is_down,
    unreachable_staff_provider
);

/// Scrapes `/metrics`, checking it parses as Prometheus text.
async fn scrape(app: &TestApp) -> Scrape {
    let response = reqwest::get(format!("{}/metrics", app.metrics_base))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();
    let scrape = Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("Prometheus text");
    assert!(!scrape.samples.is_empty(), "{text}");
    scrape
}

/// The value of a gauge or counter with these labels (0 when absent).
fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == metric)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            Value::Histogram(buckets) => buckets
                .iter()
                .find(|b| b.less_than.is_infinite())
                .map_or(0.0, |b| b.count),
            Value::Summary(_) => 0.0,
        })
        .sum()
}

async fn metrics_move_with_load(app: TestApp) {
    let vault = seed_demo_with_requests(&app).await;
    let before = scrape(&app).await;
    // The database's figures, read at the scrape.
    let open = value(&before, "inzage_requests_open", &[]);
    assert!(open > 0.0, "the demo's open requests");
    assert_eq!(value(&before, "inzage_database_up", &[]), 1.0);

    // Load: pages, an API batch, a refused batch, and a request filed.
    let start = [("route", "/"), ("method", "GET"), ("status", "200")];
    let mut browser = app.browser();
    for _ in 0..5 {
        assert_eq!(browser.get("/").await.status(), StatusCode::OK);
    }
    let source = source_with_token(&app, "Wmo-systeem", "Wmo", SourceMode::Managed, false).await;
    let api = Api::new(&app);
    let (status, _, _) = api
        .post(
            "/log-lines",
            Some(&source.token),
            &serde_json::json!({ "items": [crate::sources::line(FATIMA,
                "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = api
        .post(
            "/log-lines",
            Some(&source.token),
            &serde_json::json!({ "items": [] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fatima = citizen_id(&app, &vault, FATIMA).await;
    file(&app, fatima, &access_to_everything(), "metrics-load").await;
    // Staff look at the queue (its route's pattern, no ids in the label).
    let mut eva = app.staff(EVA).await;
    assert_eq!(
        eva.get("/backoffice/verzoeken").await.status(),
        StatusCode::OK
    );

    let after = scrape(&app).await;
    assert!(
        value(&after, REQUEST_SECONDS, &start) >= value(&before, REQUEST_SECONDS, &start) + 5.0,
        "five more starts timed"
    );
    assert!(
        value(
            &after,
            REQUEST_SECONDS,
            &[("route", "/backoffice/verzoeken")]
        ) >= 1.0
    );
    assert!(
        !after
            .samples
            .iter()
            .filter_map(|s| s.labels.get("route"))
            .any(|route| route.contains("AVG-")),
        "routes are patterns, never paths with a reference"
    );
    let batches = |s: &Scrape, outcome| {
        value(
            s,
            INGEST_BATCHES,
            &[("kind", "log_lines"), ("outcome", outcome)],
        )
    };
    assert!(batches(&after, "accepted") >= batches(&before, "accepted") + 1.0);
    assert!(batches(&after, "refused") >= batches(&before, "refused") + 1.0);
    assert_eq!(
        value(&after, "inzage_requests_open", &[]),
        open + 1.0,
        "the filed request is open"
    );
    // Filing queued the receipt mail: the outbox depth follows.
    assert!(
        value(&after, "inzage_outbox_pending", &[]) > value(&before, "inzage_outbox_pending", &[])
            || value(&before, "inzage_outbox_pending", &[]) > 0.0
    );
    // Filing wrote audit events that the next sealing round takes.
    assert!(value(&after, "inzage_audit_unsealed_events", &[]) >= 1.0);
    server::platform::audit::seal(
        &app.db,
        &app.settings.secrets.audit_key(),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let sealed = scrape(&app).await;
    assert_eq!(value(&sealed, "inzage_audit_unsealed_events", &[]), 0.0);

    // Not on the citizens' address.
    assert_eq!(
        app.browser().get("/metrics").await.status(),
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}

fn unreachable_staff_provider(settings: &mut Settings) {
    // Nothing listens on the discard port.
    settings.staff_oidc.issuer_url = "http://127.0.0.1:9/realms/gemeente".to_owned();
}

async fn readiness_names_what_is_down(app: TestApp) {
    let response = app.browser().get("/readyz").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        response.headers().contains_key("x-request-id"),
        "every answer carries its request id"
    );
    let body = response.text().await.unwrap();
    assert!(body.contains("database: ok"), "{body}");
    assert!(
        body.contains("citizen provider (DigiD) discovery: ok"),
        "{body}"
    );
    assert!(
        body.contains("staff provider discovery: unreachable"),
        "{body}"
    );
    assert!(!body.contains("127.0.0.1:9"), "no internals in the answer");
    app.finish().await;
}

db_test_with!(own_theme, a_deployment_serves_its_own_tokens, own_tokens);

/// A municipality's own tokens file, as its design-tokens package would build it.
fn own_tokens(settings: &mut Settings) {
    let path = std::env::temp_dir().join(format!(
        "inzage-theme-{}.css",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(
        &path,
        ".gemeente-theme { --nl-button-primary-background-color: #123456; }\n",
    )
    .unwrap();
    settings.theme.tokens_css = Some(path);
    settings.theme.class_name = "gemeente-theme".to_owned();
}

async fn a_deployment_serves_its_own_tokens(app: TestApp) {
    let mut browser = app.browser();
    let start = browser.get_text("/").await;
    assert!(
        start.contains("class=\"gemeente-theme "),
        "the theme's class on <body>"
    );
    let href = start
        .split("href=\"")
        .map(|rest| rest.split('"').next().unwrap_or(""))
        .find(|h| h.starts_with("/theme/tokens-"))
        .expect("the tokens link")
        .to_owned();
    let tokens = browser.get(&href).await;
    assert_eq!(tokens.status(), StatusCode::OK);
    assert!(
        tokens.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(
        tokens.text().await.unwrap().contains("#123456"),
        "its own tokens"
    );
    // The stand-in, outside the Leptos shell, takes the theme too.
    let stand_in = browser.get_text("/dev/digid/authorize").await;
    assert!(stand_in.contains(&href));
    assert_eq!(
        browser
            .get("/theme/tokens-0000000000000000.css")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    if let Some(path) = &app.settings.theme.tokens_css {
        std::fs::remove_file(path).ok();
    }
    app.finish().await;
}
