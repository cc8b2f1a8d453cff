//! The provider's other endpoints: discovery, JWKS, userinfo and end-session.

use axum::{
    Json,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{acr_for, issuer, key, page, redirect_with, registered_client};
use crate::{AppState, identity::AssuranceLevel};

/// The discovery document: what the portal reads first.
pub(super) async fn discovery(State(state): State<AppState>) -> Json<serde_json::Value> {
    let iss = issuer(&state);
    Json(serde_json::json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "jwks_uri": format!("{iss}/jwks"),
        "end_session_endpoint": format!("{iss}/end-session"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code"],
        "claims_supported": ["sub", "acr", "bsn", "name", "email", "roles"],
        "acr_values_supported": AssuranceLevel::ALL.map(acr_for),
    }))
}

/// The public signing key.
pub(super) async fn jwks(State(state): State<AppState>) -> Response {
    match key(&state) {
        Ok(key) => Json(key.jwks()).into_response(),
        Err(status) => status.into_response(),
    }
}

/// The claims of a valid access token, without the registered ones.
pub(super) async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Ok(key) = key(&state) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let claims = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|token| key.verify(token.trim()));
    match claims {
        Some(mut claims) => {
            if let Some(object) = claims.as_object_mut() {
                for registered in ["iss", "aud", "iat", "exp"] {
                    object.remove(registered);
                }
            }
            Json(claims).into_response()
        }
        None => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        )
            .into_response(),
    }
}

/// RP-initiated logout parameters.
#[derive(Debug, Deserialize)]
pub struct EndSessionParams {
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

/// RP-initiated logout: back to the portal's own page when it asked for it, else a page.
pub(super) async fn end_session(
    State(state): State<AppState>,
    Query(params): Query<EndSessionParams>,
) -> Response {
    if let Err(status) = key(&state) {
        return status.into_response();
    }
    let expected = format!("{}/uitgelogd", state.settings.public_base_url);
    let known_client = params
        .client_id
        .as_deref()
        .and_then(|id| registered_client(&state, id))
        .is_some();
    match params.post_logout_redirect_uri {
        Some(uri) if known_client && uri == expected => {
            redirect_with(&uri, &[("state", params.state.as_deref().unwrap_or(""))])
        }
        _ => page::logged_out(&state),
    }
}
