//! The DigiD stand-in: a real OpenID provider under `/dev/digid/`, served only in dev mode when
//! `dev_idp.enabled` is set. It lets a tester log in as a demo citizen or any 11-proef-valid
//! BSN at a chosen DigiD level, log in demo staff with roles, cancel, and choose a fault mode
//! per login so the portal's token checks are exercised over real HTTP.
//!
//! `authorize` is the login a browser sees, `token` what the portal's back channel gets (and
//! how a fault mode bends it), `endpoints` the rest of the provider (discovery, JWKS, userinfo,
//! end-session). This file holds the routes and what they share: the issuer, the two
//! registered clients and the signing key.

mod authorize;
mod endpoints;
mod keys;
mod page;
pub mod personas;
mod token;

use std::sync::Arc;

use axum::{
    Router,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use secrecy::ExposeSecret;

pub use authorize::{AuthorizeParams, LoginForm};
pub use endpoints::EndSessionParams;
pub use keys::SigningKeyPair;
pub use token::Fault;

use crate::{AppState, identity::AssuranceLevel, identity::oidc::Audience};

/// The DigiD `acr` URN of a level.
pub fn acr_for(level: AssuranceLevel) -> &'static str {
    match level {
        AssuranceLevel::Basis => {
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        }
        AssuranceLevel::Midden => "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
        AssuranceLevel::Substantieel => "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
        AssuranceLevel::Hoog => "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
    }
}

/// The stand-in's routes, to be nested under `/dev/digid`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(endpoints::discovery),
        )
        .route("/jwks", get(endpoints::jwks))
        .route(
            "/authorize",
            get(authorize::authorize_page).post(authorize::authorize_submit),
        )
        .route("/token", post(token::token))
        .route("/userinfo", get(endpoints::userinfo))
        .route("/end-session", get(endpoints::end_session))
}

/// The stand-in's issuer URL, under this instance's own address.
fn issuer(state: &AppState) -> String {
    format!("{}/dev/digid", state.settings.public_base_url)
}

/// A client registered at the stand-in: the portal's own two clients.
struct RegisteredClient {
    audience: Audience,
    secret: String,
    redirect_uri: String,
}

/// The registered client `client_id`, if it is one of the portal's two.
fn registered_client(state: &AppState, client_id: &str) -> Option<RegisteredClient> {
    let s = &state.settings;
    let base = &s.public_base_url;
    if client_id == s.oidc.client_id {
        Some(RegisteredClient {
            audience: Audience::Citizen,
            secret: s.oidc.client_secret.expose_secret().to_owned(),
            redirect_uri: format!("{base}{}", Audience::Citizen.callback_path()),
        })
    } else if client_id == s.staff_oidc.client_id {
        Some(RegisteredClient {
            audience: Audience::Staff,
            secret: s.staff_oidc.client_secret.expose_secret().to_owned(),
            redirect_uri: format!("{base}{}", Audience::Staff.callback_path()),
        })
    } else {
        None
    }
}

/// The signing key; without one the stand-in is not serving and answers 404.
fn key(state: &AppState) -> Result<Arc<SigningKeyPair>, StatusCode> {
    state.dev_idp_key.clone().ok_or(StatusCode::NOT_FOUND)
}

/// A redirect to `base` with `params` added to its query; empty values are left out.
fn redirect_with(base: &str, params: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(base) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let present: Vec<_> = params.iter().filter(|(_, v)| !v.is_empty()).collect();
    if !present.is_empty() {
        url.query_pairs_mut().extend_pairs(present);
    }
    Redirect::to(url.as_str()).into_response()
}
