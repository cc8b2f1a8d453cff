//! Small endpoints: language choice, health, readiness, security.txt; and cookie helpers.

use axum::{
    Form,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use tower_sessions::cookie::{Cookie, SameSite, time::Duration};

use crate::AppState;
use app::i18n::Locale;

/// Name of the language cookie. It holds `nl` or `en`, nothing personal.
pub const LANGUAGE_COOKIE: &str = "inzage_taal";

/// Reads a cookie from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// The page language: the visitor's choice, else Dutch.
pub fn locale(headers: &HeaderMap) -> Locale {
    cookie(headers, LANGUAGE_COOKIE)
        .map(Locale::parse)
        .unwrap_or_default()
}

/// A `Set-Cookie` value with the portal's flags.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Duration) -> String {
    Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .secure(state.settings.session.cookie_secure)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .build()
        .to_string()
}

/// A path on this site to return to; anything else becomes `/`.
pub fn local_path(candidate: Option<&str>) -> String {
    match candidate {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// A download: `body` with its type and the file name the browser saves it as.
pub fn attachment(content_type: &'static str, name: &str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The language switch form.
#[derive(serde::Deserialize)]
pub struct LanguageForm {
    taal: String,
    terug: Option<String>,
}

/// Stores the language choice and returns to the page.
pub async fn set_language(
    State(state): State<AppState>,
    Form(form): Form<LanguageForm>,
) -> Response {
    let locale = Locale::parse(&form.taal);
    let cookie = set_cookie(&state, LANGUAGE_COOKIE, locale.code(), Duration::days(365));
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&local_path(form.terug.as_deref())),
    )
        .into_response()
}

/// Liveness: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers, and both OpenID providers answer their discovery (without
/// them nobody can log in). `ok`, or 503 with one line per check.
pub async fn readyz(State(state): State<AppState>) -> Response {
    use crate::identity::oidc::Audience;
    let (database, citizens, staff) = tokio::join!(
        state.db.ping(),
        state.rp.discovery_ready(Audience::Citizen),
        state.rp.discovery_ready(Audience::Staff),
    );
    let checks = [
        ("database", database.map_err(|e| e.to_string())),
        (
            "citizen provider (DigiD) discovery",
            citizens.map_err(|e| e.to_string()),
        ),
        ("staff provider discovery", staff.map_err(|e| e.to_string())),
    ];
    if checks.iter().all(|(_, r)| r.is_ok()) {
        return "ok".into_response();
    }
    let mut body = String::new();
    for (what, result) in &checks {
        match result {
            Ok(()) => body.push_str(&format!("{what}: ok\n")),
            Err(e) => {
                tracing::error!(check = what, error = %e, "readiness: failing");
                body.push_str(&format!("{what}: unreachable\n"));
            }
        }
    }
    (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
}

/// RFC 9116 security.txt.
pub async fn security_txt(State(state): State<AppState>) -> Response {
    let expires = (Utc::now() + chrono::Duration::days(365)).format("%Y-%m-%dT00:00:00Z");
    let body = format!(
        "Contact: {contact}\nExpires: {expires}\nPreferred-Languages: nl, en\nCanonical: {base}/.well-known/security.txt\n",
        contact = state.settings.security_contact,
        base = state.settings.public_base_url,
    );
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_path(Some("/overzicht")), "/overzicht");
        assert_eq!(local_path(Some("/?verlopen=1")), "/?verlopen=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "evil",
            "",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_path(None), "/");
    }
}
