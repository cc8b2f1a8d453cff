//! The files pages load, served from the binary: the stylesheet (compiled by Tailwind in
//! `build.rs`) and the session clock's script, each under a content-hashed name with a year of
//! caching; the favicon likewise, under its own name.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

/// The compiled CSS.
pub const STYLESHEET: &str = include_str!(concat!(env!("OUT_DIR"), "/inzage.css"));
/// The session clock (`app/src/components/session_timer.rs` renders what it drives).
pub const SESSION_CLOCK: &str = include_str!("../../../public/session-clock.js");
/// The favicon.
pub const FAVICON: &str = include_str!("../../../public/favicon.svg");

/// A file under `/assets/<stem>-<hash>.<extension>`.
struct Hashed {
    href: String,
    etag: String,
    body: &'static str,
    content_type: &'static str,
}

impl Hashed {
    fn new(stem: &str, extension: &str, body: &'static str, content_type: &'static str) -> Self {
        let hash = crate::platform::crypto::hex(&Sha256::digest(body.as_bytes())[..8]);
        Self {
            href: format!("/assets/{stem}-{hash}.{extension}"),
            etag: format!("\"{hash}\""),
            body,
            content_type,
        }
    }
}

static HASHED: LazyLock<[Hashed; 2]> = LazyLock::new(|| {
    [
        Hashed::new("inzage", "css", STYLESHEET, "text/css; charset=utf-8"),
        Hashed::new(
            "session-clock",
            "js",
            SESSION_CLOCK,
            "text/javascript; charset=utf-8",
        ),
    ]
});

/// The default design tokens: the NL Design System example theme (`voorbeeld-theme`).
pub const DEFAULT_TOKENS: &str = include_str!(concat!(env!("OUT_DIR"), "/theme.css"));

/// The design tokens this instance serves: the default ones, or the deployment's own file
/// (`theme.tokens_css`), read once at start, under `/theme/tokens-<hash>.css`.
#[derive(Debug)]
pub struct Theme {
    /// Where pages load it.
    pub href: String,
    /// The class its variables are scoped to, for `<body>`.
    pub class_name: String,
    etag: String,
    body: String,
}

impl Theme {
    /// Reads the configured tokens, or takes the default ones.
    pub fn load(settings: &crate::config::ThemeSettings) -> anyhow::Result<Self> {
        let body = match &settings.tokens_css {
            Some(path) => std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("theme.tokens_css: cannot read {}: {e}", path.display())
            })?,
            None => DEFAULT_TOKENS.to_owned(),
        };
        let hash = crate::platform::crypto::hex(&Sha256::digest(body.as_bytes())[..8]);
        Ok(Self {
            href: format!("/theme/tokens-{hash}.css"),
            class_name: settings.class_name.clone(),
            etag: format!("\"{hash}\""),
            body,
        })
    }
}

/// The theme's and the portal's stylesheets, as `<link>`s, for a page built outside the Leptos
/// shell (its `<body>` takes `state.theme.class_name`).
pub fn stylesheet_links(state: &crate::AppState) -> String {
    use html_escape::encode_double_quoted_attribute as attribute;
    format!(
        r#"<link rel="stylesheet" href="{}"><link rel="stylesheet" href="{}">"#,
        attribute(&state.theme.href),
        attribute(&state.stylesheet_href)
    )
}

/// `/theme/tokens-<hash>.css`: the design tokens, cached like the stylesheet.
pub async fn theme(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let theme = &state.theme;
    if theme.href.strip_prefix("/theme/") != Some(file.as_str()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    immutable(
        &headers,
        &theme.etag,
        "text/css; charset=utf-8",
        theme.body.clone(),
    )
}

/// `/assets/inzage-<hash>.css`.
pub fn stylesheet_href() -> String {
    HASHED[0].href.clone()
}

/// `/assets/session-clock-<hash>.js`.
pub fn session_clock_href() -> String {
    HASHED[1].href.clone()
}

/// Serves a file under its hashed name, with an ETag for revalidation; any other name is 404.
pub async fn hashed(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = HASHED
        .iter()
        .find(|a| a.href.strip_prefix("/assets/") == Some(file.as_str()))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    immutable(&headers, &asset.etag, asset.content_type, asset.body)
}

/// A content-hashed file's answer: cached for a year, revalidated by its ETag (304 when the
/// browser has it).
fn immutable(
    headers: &HeaderMap,
    etag: &str,
    content_type: &'static str,
    body: impl Into<axum::body::Body>,
) -> Response {
    let cache = [
        (
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable".to_owned(),
        ),
        (header::ETAG, etag.to_owned()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag))
    {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (cache, [(header::CONTENT_TYPE, content_type)], body.into()).into_response()
}

/// Serves the favicon.
pub async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
        .into_response()
}
