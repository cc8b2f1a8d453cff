//! Prometheus metrics for the municipality's operators, served at `/metrics` on a listen address
//! of their own (`metrics_listen_addr`), never on the citizens' one.
//!
//! Recorded as things happen: request latency per route (the route's pattern, never a path
//! with an id in it), ingest batches per kind and outcome. Read from the database at each
//! scrape, so every instance reports the same truth: the outbox's depth and failures, open and
//! overdue requests, and how far the audit log's sealing lags behind.
//!
//! The `metrics` facade with `metrics-exporter-prometheus` (the maintained pair most Rust
//! services use): the recorder renders the text format itself; only the HTTP side is ours, so
//! the scrape can refresh the database figures first.

use std::{sync::OnceLock, time::Instant};

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use types::MailStatus;

use crate::{
    AppState,
    entities::{audit_checkpoints, audit_events, audit_seals, outbox_mails},
    rights::deadlines,
};

/// Request latency, seconds, by `route`, `method` and `status`.
pub const REQUEST_SECONDS: &str = "inzage_http_request_duration_seconds";
/// Ingest batches, by `kind` (`records`, `log_lines`, `otlp`, …) and `outcome`.
pub const INGEST_BATCHES: &str = "inzage_ingest_batches_total";
/// Items those batches carried, by `kind`.
pub const INGEST_ITEMS: &str = "inzage_ingest_items_total";

/// Latency buckets from 5 ms to 10 s: a page at 20 ms and an export at 2 s both resolve.
const BUCKETS: &[f64] = &[0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0];

/// The process's recorder, installed on first use. Metrics are per process: several portals in
/// one process (the tests) share it, as several routers in one instance would.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.to_owned()), BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder installed first (a test harness of its own) leaves ours unused but
        // harmless: its scrape then shows only the database figures.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("metrics: another recorder is installed; /metrics shows less");
        }
        handle
    })
}

/// Middleware: times every request and records it under its route's pattern.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics::histogram!(
        REQUEST_SECONDS,
        "route" => route,
        "method" => method,
        "status" => response.status().as_u16().to_string(),
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// Counts one ingest batch of `items` items of `kind`; `outcome` is `accepted`, `refused`,
/// `partial` (an OTLP export with refused spans) or `failed` (the database).
pub fn ingest_batch(kind: &'static str, outcome: &'static str, items: usize) {
    metrics::counter!(INGEST_BATCHES, "kind" => kind, "outcome" => outcome).increment(1);
    metrics::counter!(INGEST_ITEMS, "kind" => kind).increment(items as u64);
}

/// The operators' router: `GET /metrics`, for the separate listen address.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(state)
}

async fn scrape(State(state): State<AppState>) -> Response {
    let handle = handle();
    if let Err(e) = refresh(&state.db).await {
        // The process's own figures still help; the database's are marked stale by the gauge.
        tracing::warn!(error = %e, "metrics: database figures not refreshed");
        metrics::gauge!("inzage_database_up").set(0.0);
    } else {
        metrics::gauge!("inzage_database_up").set(1.0);
    }
    handle.run_upkeep();
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// Sets the gauges read from the database.
async fn refresh(db: &DatabaseConnection) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    let counts = crate::rights::requests::open_counts(db, deadlines::received_on(now)).await?;
    metrics::gauge!("inzage_requests_open").set(counts.open as f64);
    metrics::gauge!("inzage_requests_overdue").set(counts.overdue as f64);
    for (status, name) in [
        (MailStatus::Pending, "inzage_outbox_pending"),
        (MailStatus::Failed, "inzage_outbox_failed"),
    ] {
        let n = outbox_mails::Entity::find()
            .filter(outbox_mails::Column::Status.eq(status))
            .count(db)
            .await?;
        metrics::gauge!(name).set(n as f64);
    }
    let (unsealed, age) = sealing_lag(db, now).await?;
    metrics::gauge!("inzage_audit_unsealed_events").set(unsealed as f64);
    metrics::gauge!("inzage_audit_last_seal_age_seconds").set(age);
    Ok(())
}

/// Audit events not yet on the sealed chain, and seconds since the latest checkpoint (zero
/// when none was ever needed).
async fn sealing_lag<C: ConnectionTrait>(
    db: &C,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(u64, f64), DbErr> {
    let sealed: Option<i64> = audit_seals::Entity::find()
        .select_only()
        .column(audit_seals::Column::EventId)
        .order_by_desc(audit_seals::Column::Position)
        .into_tuple()
        .one(db)
        .await?;
    let unsealed = audit_events::Entity::find()
        .filter(audit_events::Column::Id.gt(sealed.unwrap_or(0)))
        .count(db)
        .await?;
    let latest = audit_checkpoints::Entity::find()
        .order_by_desc(audit_checkpoints::Column::Id)
        .one(db)
        .await?;
    let age = latest.map_or(0.0, |c| {
        (now - c.sealed_at).num_milliseconds().max(0) as f64 / 1000.0
    });
    Ok((unsealed, age))
}
