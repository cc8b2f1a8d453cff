//! Renders a page: the Leptos app, with what the viewer may see of it in a `PortalContext`, the
//! CSP nonce, and `Cache-Control: no-store` (pages may show personal data). Which page it is,
//! is for the Leptos routes in `app/src/shell.rs`; who may see it, for the handler's extractor.

use axum::{
    body::Body,
    extract::{FromRequestParts, Request, State},
    http::{Method, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use leptos::{nonce::Nonce, prelude::provide_context};

use crate::{
    AppState,
    http::{assets, security::CspNonce, session::PortalSession, support},
    identity::{Principal, people},
};
use app::models::{PageData, PortalContext, SessionClock, Viewer};

/// Renders a page about one thing (a request) that may not exist for this viewer: 404 then,
/// with the page's own "does not exist, or is not yours" text.
pub async fn found_or_404(
    state: &AppState,
    request: Request<Body>,
    page: Result<Option<PageData>, sea_orm::DbErr>,
) -> Response {
    let missing = matches!(page, Ok(None));
    let mut response = self::page(state, request, page.map(|p| p.unwrap_or(PageData::None))).await;
    if missing && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    response
}

/// Renders the page this request asks for with `page` as its data; a failed load is logged and
/// answered with a plain 500 (nothing personal in it).
pub async fn page(
    state: &AppState,
    request: Request<Body>,
    page: Result<PageData, sea_orm::DbErr>,
) -> Response {
    let page = match page {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "loading page data failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let (mut parts, body) = request.into_parts();
    let session = PortalSession::from_request_parts(&mut parts, state)
        .await
        .ok();
    let principal = match &session {
        Some(session) => session.principal().await,
        None => None,
    };
    let request = Request::from_parts(parts, body);
    let viewer = match viewer(state, principal.as_ref()).await {
        Ok(viewer) => viewer,
        Err(e) => {
            tracing::error!(error = %e, "loading the viewer failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    // A session whose citizen or staff account is gone (removed since login) is ended, as an
    // expired one is: nothing is shown for it.
    if principal.is_some() && matches!(viewer, Viewer::Anonymous) {
        if let Some(session) = &session
            && let Err(e) = session.end().await
        {
            tracing::warn!(error = %e, "ending a session without an account failed");
        }
        return Redirect::to("/?verlopen=1").into_response();
    }
    let locale = support::locale(request.headers());
    let context = PortalContext {
        municipality_name: state.settings.municipality_name.clone(),
        stylesheet_href: state.stylesheet_href.clone(),
        theme_href: state.theme.href.clone(),
        theme_class: state.theme.class_name.clone(),
        locale,
        session: (!matches!(viewer, Viewer::Anonymous)).then_some(SessionClock {
            seconds_left: state.settings.session.idle_timeout_minutes * 60,
            warning_seconds: state.settings.session.warning_minutes * 60,
            script_href: assets::session_clock_href(),
        }),
        viewer,
        current_path: request
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        dev_idp: state.settings.dev_idp_enabled(),
        page,
    };
    let nonce = request
        .extensions()
        .get::<CspNonce>()
        .map(|n| Nonce::from_value(n.0.clone()));
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_context(context.clone());
            if let Some(nonce) = nonce.clone() {
                provide_context(nonce);
            }
        },
        move || app::shell(options.clone()),
    );
    let mut response = handler(request).await.into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// A page without data of its own (start, statements, login outcomes, the back-office start,
/// and any address the Leptos routes do not know, which shows "not found").
pub async fn plain(State(state): State<AppState>, request: Request<Body>) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    page(&state, request, Ok(PageData::None)).await
}

async fn viewer(state: &AppState, principal: Option<&Principal>) -> Result<Viewer, sea_orm::DbErr> {
    Ok(match principal {
        None => Viewer::Anonymous,
        Some(Principal::Citizen {
            citizen_id,
            level,
            acting,
            ..
        }) => people::citizen_summary(
            &state.db,
            &state.vault,
            *citizen_id,
            *level,
            acting.is_some(),
        )
        .await?
        .map_or(Viewer::Anonymous, Viewer::Citizen),
        Some(Principal::Staff {
            staff_id, roles, ..
        }) => people::staff_summary(&state.db, *staff_id, roles)
            .await?
            .map_or(Viewer::Anonymous, Viewer::Staff),
    })
}

/// `uri`'s page, with `page` data, as the answer to a request refused by a limit: rendered for
/// this request's session and language, as `429 Too Many Requests` with `Retry-After`, so the
/// browser shows the page and a script knows to wait.
pub async fn too_many(
    state: &AppState,
    mut parts: axum::http::request::Parts,
    uri: &str,
    page: Result<PageData, sea_orm::DbErr>,
    retry_after_seconds: u64,
) -> Response {
    parts.method = Method::GET;
    if let Ok(uri) = uri.parse() {
        parts.uri = uri;
    }
    let mut response = self::page(state, Request::from_parts(parts, Body::empty()), page).await;
    if response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(retry_after_seconds),
        );
    }
    response
}
