//! Security rules every response keeps (DESIGN §6): strict CSP with a per-response nonce,
//! HSTS, no sniffing, no referrer, no framing, `no-store` unless a handler set its own caching;
//! and an Origin / `Sec-Fetch-Site` check on every state-changing request.

use axum::{
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{AppState, config::Settings};

/// The CSP nonce of this response, for the page renderer.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Path prefixes that non-browser clients POST to, authenticated by client credentials or
/// bearer tokens, never by cookies: no CSRF to guard against.
const MACHINE_PATHS: &[&str] = &["/dev/digid/token", "/api/", "/v1/traces"];

/// What the two middlewares need from the settings, worked out once at start-up.
#[derive(Clone, Debug)]
pub struct SecurityPolicy {
    /// The portal's own origin, e.g. `https://inzage.gemeente.nl`.
    public_origin: String,
    /// The CSP `form-action` sources: ourselves and the identity providers' origins, because
    /// logout is a form whose redirect ends at the provider and browsers check that hop too.
    form_action: String,
}

impl SecurityPolicy {
    /// Derives the policy from validated settings.
    pub fn new(settings: &Settings) -> Self {
        let origin = |url: &str| {
            url::Url::parse(url)
                .ok()
                .map(|u| u.origin().ascii_serialization())
        };
        let mut form_action = vec!["'self'".to_owned()];
        for issuer in [&settings.oidc.issuer_url, &settings.staff_oidc.issuer_url] {
            if let Some(o) = origin(issuer)
                && !form_action.contains(&o)
            {
                form_action.push(o);
            }
        }
        Self {
            public_origin: origin(&settings.public_base_url).unwrap_or_default(),
            form_action: form_action.join(" "),
        }
    }
}

/// Adds the security headers and provides the CSP nonce to the handlers.
pub async fn headers(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let nonce = URL_SAFE_NO_PAD.encode(bytes);
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;

    let csp = format!(
        "default-src 'none'; script-src 'self' 'nonce-{nonce}'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         manifest-src 'self'; form-action {}; frame-ancestors 'none'; base-uri 'none'; \
         object-src 'none'",
        state.security.form_action
    );
    let h = response.headers_mut();
    let has_cache_control = h.contains_key(header::CACHE_CONTROL);
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            h.insert(name, value);
        }
    };
    set(header::CONTENT_SECURITY_POLICY, &csp);
    set(
        header::STRICT_TRANSPORT_SECURITY,
        "max-age=63072000; includeSubDomains",
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    );
    set(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    if !has_cache_control {
        set(header::CACHE_CONTROL, "no-store");
    }
    response
}

/// Refuses state-changing requests that a browser sent from another site.
pub async fn origin_check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || MACHINE_PATHS
        .iter()
        .any(|prefix| request.uri().path().starts_with(prefix))
    {
        return next.run(request).await;
    }
    let expected = state.security.public_origin.as_str();
    let headers = request.headers();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    // Fetch Metadata first: with `Referrer-Policy: no-referrer` browsers send `Origin: null` on
    // same-origin form posts, so the Origin header alone cannot tell us who posted.
    let allowed = match (fetch_site, origin) {
        (Some(site), origin) => {
            site == "same-origin" && origin.is_none_or(|o| o == "null" || o == expected)
        }
        (None, Some(origin)) => origin == expected,
        // Browsers send at least one of the two on a POST; anything without both is refused.
        (None, None) => false,
    };
    if allowed {
        next.run(request).await
    } else {
        tracing::warn!(
            path = request.uri().path(),
            ?origin,
            ?fetch_site,
            "cross-origin state change refused"
        );
        (StatusCode::FORBIDDEN, "Verzoek geweigerd: het kwam niet van deze website. / Request refused: it did not come from this website.").into_response()
    }
}

/// A request span with method and path only: query strings carry codes and state.
pub fn span_without_query(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = request.uri().path(),
        request_id = id
    )
}
