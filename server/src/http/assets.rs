//! The stylesheet, compiled by Tailwind in `build.rs` and served from the binary under a
//! content-hashed name with a year of caching; the favicon likewise.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

/// The compiled CSS.
pub const STYLESHEET: &str = include_str!(concat!(env!("OUT_DIR"), "/inzage.css"));
/// The favicon.
pub const FAVICON: &str = include_str!("../../../public/favicon.svg");

static STYLESHEET_HASH: LazyLock<String> =
    LazyLock::new(|| crate::platform::crypto::hex(&Sha256::digest(STYLESHEET.as_bytes())[..8]));

/// `/assets/inzage-<hash>.css`.
pub fn stylesheet_href() -> String {
    format!("/assets/inzage-{}.css", *STYLESHEET_HASH)
}

/// Serves the stylesheet under its hashed name, with an ETag for revalidation.
pub async fn stylesheet(Path(file): Path<String>, headers: HeaderMap) -> Response {
    if format!("/assets/{file}") != stylesheet_href() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let etag = format!("\"{}\"", *STYLESHEET_HASH);
    let cache = [
        (
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable".to_owned(),
        ),
        (header::ETAG, etag.clone()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag))
    {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    let mut response = (cache, STYLESHEET).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/css; charset=utf-8"),
    );
    response
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
