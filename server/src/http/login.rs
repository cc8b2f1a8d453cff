//! Login, callback, logout and "stay logged in", for citizens and staff.

use axum::{
    Form,
    extract::{Query, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::cookie::time::Duration;

use crate::{
    AppState,
    http::{session::PortalSession, support},
    identity::Principal,
    identity::oidc::{Audience, CallbackParams, Identity, LoginError},
    identity::people,
};

/// `GET /inloggen`: off to DigiD.
pub async fn start_citizen(State(state): State<AppState>) -> Response {
    start(state, Audience::Citizen).await
}

/// `GET /backoffice/inloggen`: off to the municipality's provider.
pub async fn start_staff(State(state): State<AppState>) -> Response {
    start(state, Audience::Staff).await
}

fn failed(audience: Audience, error: &LoginError) -> Response {
    Redirect::to(&format!(
        "/inloggen/mislukt?reden={}",
        error.reason(audience)
    ))
    .into_response()
}

async fn start(state: AppState, audience: Audience) -> Response {
    match state.rp.begin(&state.db, audience).await {
        Ok(start) => {
            let cookie = support::set_cookie(
                &state,
                state.settings.login_cookie_name(),
                &start.browser_token,
                Duration::minutes(10),
            );
            (
                [(header::SET_COOKIE, cookie)],
                Redirect::to(&start.redirect_to),
            )
                .into_response()
        }
        Err(error) => {
            tracing::error!(%error, "starting a login failed");
            failed(audience, &error)
        }
    }
}

/// `GET /inloggen/terug`.
pub async fn callback_citizen(
    State(state): State<AppState>,
    session: PortalSession,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    callback(state, session, headers, params, Audience::Citizen).await
}

/// `GET /backoffice/inloggen/terug`.
pub async fn callback_staff(
    State(state): State<AppState>,
    session: PortalSession,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    callback(state, session, headers, params, Audience::Staff).await
}

async fn callback(
    state: AppState,
    session: PortalSession,
    headers: HeaderMap,
    params: CallbackParams,
    audience: Audience,
) -> Response {
    let clear_login_cookie = support::set_cookie(
        &state,
        state.settings.login_cookie_name(),
        "",
        Duration::ZERO,
    );
    let browser = support::cookie(&headers, state.settings.login_cookie_name());
    let outcome = match state
        .rp
        .complete(&state.db, audience, params, browser)
        .await
    {
        Ok(identity) => establish(&state, &session, identity).await,
        Err(error) => Err(error),
    };
    let response = match outcome {
        Ok(home) => Redirect::to(home).into_response(),
        Err(error) => {
            // The reason goes to the log; the page gets a code. No BSN is in either.
            tracing::warn!(%error, ?audience, "login refused");
            failed(audience, &error)
        }
    };
    ([(header::SET_COOKIE, clear_login_cookie)], response).into_response()
}

/// Creates the session for a verified identity, under a fresh session id.
async fn establish(
    state: &AppState,
    session: &PortalSession,
    identity: Identity,
) -> Result<&'static str, LoginError> {
    let logged_in_at = chrono::Utc::now().timestamp();
    let (principal, home) = match identity {
        Identity::Citizen { bsn, level, acting } => {
            let (citizen_id, acting) = match acting {
                None => (
                    people::citizen_logged_in(&state.db, &state.vault, &bsn).await?,
                    None,
                ),
                // The representative logged in; the session is the represented person's, and
                // shows only their data. Both are recorded, the representative as the actor.
                Some((representative, mandate)) => {
                    let (citizen_id, acting) = people::representation_logged_in(
                        &state.db,
                        &state.vault,
                        &bsn,
                        &representative,
                        mandate,
                    )
                    .await?;
                    (citizen_id, Some(acting))
                }
            };
            (
                Principal::Citizen {
                    citizen_id,
                    level,
                    logged_in_at,
                    acting,
                },
                "/overzicht",
            )
        }
        Identity::Staff {
            issuer,
            subject,
            name,
            email,
            roles,
        } => {
            let staff_id = people::staff_logged_in(
                &state.db,
                &issuer,
                &subject,
                &name,
                email.as_deref(),
                &roles,
            )
            .await?;
            (
                Principal::Staff {
                    staff_id,
                    roles,
                    logged_in_at,
                },
                "/backoffice",
            )
        }
    };
    // Whatever this browser had before is gone, and the id an attacker may have planted too.
    session
        .log_in(principal)
        .await
        .map_err(|e| LoginError::Token(e.to_string()))?;
    Ok(home)
}

/// The query `/uitgelogd` gets when logout could not reach the provider.
pub const PROVIDER_UNREACHABLE: &str = "digid=mogelijk-open";

/// `POST /uitloggen`: ends the session here and at the provider.
pub async fn logout(State(state): State<AppState>, session: PortalSession) -> Response {
    let audience = match session.principal().await {
        Some(Principal::Staff { .. }) => Audience::Staff,
        _ => Audience::Citizen,
    };
    if let Err(e) = session.end().await {
        tracing::error!(error = %e, "ending a session failed");
    }
    // tower-sessions' own removal cookie lacks `Secure`, which browsers reject for a `__Host-`
    // name; this one carries the same flags as the cookie it removes.
    let remove = support::set_cookie(
        &state,
        state.settings.session_cookie_name(),
        "",
        Duration::ZERO,
    );
    // Without the provider the citizen must hear that their DigiD session may still be open.
    let target = state
        .rp
        .logout_url(audience)
        .await
        .unwrap_or_else(|| format!("/uitgelogd?{PROVIDER_UNREACHABLE}"));
    ([(header::SET_COOKIE, remove)], Redirect::to(&target)).into_response()
}

/// The "stay logged in" form.
#[derive(serde::Deserialize)]
pub struct ExtendForm {
    terug: Option<String>,
}

/// `POST /sessie/verlengen`: any request extends the session; this one just returns.
pub async fn extend(session: PortalSession, Form(form): Form<ExtendForm>) -> Response {
    if session.principal().await.is_none() {
        return super::errors::not_logged_in();
    }
    Redirect::to(&support::local_path(form.terug.as_deref())).into_response()
}
