//! Rate limits, with `governor` (GCRA): a login start per client address, e-mail codes per
//! citizen, PDF downloads per person, source API calls per token. The limits are settings
//! (`limits.*`). A refused request changes nothing and answers `429 Too Many Requests` with
//! `Retry-After`: a page says so in the visitor's language; the API answers JSON.
//!
//! The keyed state lives in this instance's memory: with several instances behind a proxy each
//! allows the limit, which bounds what one client gets to a small multiple of it.

use std::{net::SocketAddr, num::NonZeroU32, time::Duration};

use axum::{
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::Response,
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use sha2::{Digest, Sha256};

use crate::{
    AppState, config::RateLimitSettings, http::session::PortalSession, identity::Principal,
};

/// One limiter per guarded thing.
pub struct RateLimits {
    login: DefaultKeyedRateLimiter<String>,
    email_code: DefaultKeyedRateLimiter<String>,
    pdf: DefaultKeyedRateLimiter<String>,
    api: DefaultKeyedRateLimiter<String>,
    address_header: Option<header::HeaderName>,
}

fn per_minute(n: u32) -> DefaultKeyedRateLimiter<String> {
    let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    RateLimiter::keyed(Quota::per_minute(n))
}

impl RateLimits {
    /// The limiters for these settings (validated: every limit is at least one).
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            login: per_minute(settings.login_per_minute),
            email_code: per_minute(settings.email_code_per_minute),
            pdf: per_minute(settings.pdf_per_minute),
            api: per_minute(settings.api_per_minute),
            address_header: (!settings.client_address_header.is_empty())
                .then(|| settings.client_address_header.parse().ok())
                .flatten(),
        }
    }

    /// Forgets keys whose allowance is full again, so memory follows the active clients.
    pub fn forget_idle(&self) {
        for limiter in [&self.login, &self.email_code, &self.pdf, &self.api] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    fn client_address(&self, request: &Request) -> String {
        if let Some(name) = &self.address_header
            && let Some(value) = request.headers().get(name).and_then(|v| v.to_str().ok())
            && let Some(last) = value.rsplit(',').next()
        {
            return last.trim().to_owned();
        }
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
    }
}

/// `Ok` when `key` may go on, else how long it must wait.
fn check(limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> Result<(), Duration> {
    limiter.check_key(&key.to_owned()).map_err(|not_until| {
        not_until.wait_time_from(governor::clock::DefaultClock::default().now())
    })
}

fn seconds(wait: Duration) -> u64 {
    // Rounded up, and at least one: "try again in 0 seconds" would be refused again.
    (wait.as_millis().div_ceil(1000) as u64).max(1)
}

/// The person behind the session, as a key; the session itself when nobody is logged in.
async fn person(state: &AppState, request: Request) -> (String, Request) {
    let (mut parts, body) = request.into_parts();
    let key = match PortalSession::from_request_parts(&mut parts, state).await {
        Ok(session) => match session.principal().await {
            Some(Principal::Citizen { citizen_id, .. }) => format!("citizen:{citizen_id}"),
            Some(Principal::Staff { staff_id, .. }) => format!("staff:{staff_id}"),
            None => "anonymous".to_owned(),
        },
        Err(_) => "anonymous".to_owned(),
    };
    (key, Request::from_parts(parts, body))
}

/// The "try again in N seconds" page, rendered for this request's session and language.
async fn too_often(state: &AppState, request: Request, wait: Duration) -> Response {
    let wait = seconds(wait);
    let (parts, _) = request.into_parts();
    super::render::too_many(
        state,
        parts,
        &format!("/te-vaak?wacht={wait}"),
        Ok(app::models::PageData::None),
        wait,
    )
    .await
}

/// Starting a login: per client address.
pub async fn login(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let key = state.limits.client_address(&request);
    match check(&state.limits.login, &key) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::warn!(limit = "login", "rate limit reached");
            too_often(&state, request, wait).await
        }
    }
}

/// Asking for, confirming or removing an e-mail code: per citizen.
pub async fn email_code(State(state): State<AppState>, request: Request, next: Next) -> Response {
    per_person(
        &state,
        &state.limits.email_code,
        "email_code",
        request,
        next,
    )
    .await
}

/// PDF downloads: per citizen or staff member.
pub async fn pdf(State(state): State<AppState>, request: Request, next: Next) -> Response {
    per_person(&state, &state.limits.pdf, "pdf", request, next).await
}

async fn per_person(
    state: &AppState,
    limiter: &DefaultKeyedRateLimiter<String>,
    name: &'static str,
    request: Request,
    next: Next,
) -> Response {
    let (key, request) = person(state, request).await;
    if key == "anonymous" {
        // Not logged in: the handler refuses it anyway.
        return next.run(request).await;
    }
    match check(limiter, &key) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::warn!(limit = name, "rate limit reached");
            too_often(state, request, wait).await
        }
    }
}

/// The source API: per bearer token (its hash; the token itself is a secret).
pub async fn api(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let key = request
        .headers()
        .get(header::AUTHORIZATION)
        .map_or_else(String::new, |v| {
            crate::platform::crypto::hex(&Sha256::digest(v.as_bytes()))
        });
    match check(&state.limits.api, &key) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::warn!(limit = "api", "rate limit reached");
            let wait = seconds(wait);
            let mut response = crate::sources::api::problem(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many requests",
                format!(
                    "This token reached its limit of calls a minute. Nothing was written; send \
                     the call again in {wait} s (Retry-After)."
                ),
                Vec::new(),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
            response
        }
    }
}
