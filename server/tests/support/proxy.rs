//! A plain HTTP reverse proxy, as a municipality puts in front of several instances: each
//! request goes to the next instance in turn (round robin, no stickiness), headers and body
//! passed through unchanged, so anything an instance kept in its own memory would show.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderName, StatusCode, header},
    response::{IntoResponse, Response},
};

/// How many requests each instance was sent.
#[derive(Clone, Default)]
pub struct Hits(pub Arc<Vec<AtomicUsize>>);

impl Hits {
    /// Requests per instance so far.
    pub fn counts(&self) -> Vec<usize> {
        self.0.iter().map(|n| n.load(Ordering::Relaxed)).collect()
    }
}

#[derive(Clone)]
struct Upstreams {
    bases: Arc<Vec<String>>,
    next: Arc<AtomicUsize>,
    hits: Hits,
    client: reqwest::Client,
}

/// Headers that belong to one hop, not passed on (RFC 9110 §7.6.1).
const HOP_BY_HOP: [HeaderName; 4] = [
    header::CONNECTION,
    header::TRANSFER_ENCODING,
    header::HOST,
    header::CONTENT_LENGTH,
];

/// Serves the proxy on `listener`, in front of `bases`.
pub fn spawn(listener: tokio::net::TcpListener, bases: Vec<String>) -> Hits {
    let hits = Hits(Arc::new(
        bases.iter().map(|_| AtomicUsize::new(0)).collect(),
    ));
    let upstreams = Upstreams {
        bases: Arc::new(bases),
        next: Arc::new(AtomicUsize::new(0)),
        hits: hits.clone(),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    };
    let app = axum::Router::new().fallback(forward).with_state(upstreams);
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("proxy");
    });
    hits
}

async fn forward(State(up): State<Upstreams>, request: Request) -> Response {
    let n = up.next.fetch_add(1, Ordering::Relaxed) % up.bases.len();
    up.hits.0[n].fetch_add(1, Ordering::Relaxed);
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let mut outgoing = up
        .client
        .request(parts.method, format!("{}{path}", up.bases[n]))
        .body(body);
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(name) {
            outgoing = outgoing.header(name, value);
        }
    }
    let Ok(answer) = outgoing.send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !HOP_BY_HOP.contains(name) {
            response = response.header(name, value);
        }
    }
    let bytes: Bytes = answer.bytes().await.unwrap_or_default();
    response
        .body(Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
}
