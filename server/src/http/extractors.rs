//! Who may call a handler, said in its signature: [`Citizen`], [`Staff`], [`StaffWith`]. Each
//! reads the session once and refuses with [`Denied`], which answers as the portal always has:
//!
//! | who asks | a page (GET) | a form (POST) | a download ([`Download`]) |
//! |---|---|---|---|
//! | nobody, session expired | `/?verlopen=1` | `/?verlopen=1` | `/?verlopen=1` |
//! | nobody, never logged in | `/` | `/?verlopen=1` | `/?verlopen=1` |
//! | a citizen, on a staff page | `/overzicht` | `/?verlopen=1` | `/?verlopen=1` |
//! | staff, on a citizen page | `/backoffice` | `/?verlopen=1` | `/?verlopen=1` |
//! | staff without the role | `/backoffice` | `/?verlopen=1` | 403 |
//!
//! [`Lenient`] reads a page's query string the way the pages always have: what does not parse
//! is left out.

use std::marker::PhantomData;

use axum::{
    extract::{FromRef, FromRequestParts},
    http::{Method, StatusCode, request::Parts},
    response::{IntoResponse, Redirect, Response},
};

use crate::{
    AppState,
    http::{session::PortalSession, support},
    identity::{Principal, StaffRole},
    rights::requests::StaffActor,
    transparency::Visibility,
};
use app::models::AssuranceLevel;

/// Why the extractor refused, and how to answer.
#[derive(Debug)]
pub struct Denied {
    /// Who was logged in instead, if anyone.
    found: Found,
    /// The request was a page view (GET or HEAD of a page, not a download).
    page: bool,
    /// The browser still sent a session cookie (its session expired).
    had_cookie: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Nobody,
    Citizen,
    Staff,
    StaffWithoutRole,
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        if !self.page {
            return match self.found {
                Found::StaffWithoutRole => StatusCode::FORBIDDEN.into_response(),
                _ => super::errors::not_logged_in(),
            };
        }
        let to = match self.found {
            Found::Citizen => "/overzicht",
            Found::Staff | Found::StaffWithoutRole => "/backoffice",
            Found::Nobody if self.had_cookie => "/?verlopen=1",
            Found::Nobody => "/",
        };
        Redirect::to(to).into_response()
    }
}

/// The principal of this request, if `pick` accepts it; otherwise the refusal that fits who was
/// there instead.
async fn require<S, T>(
    parts: &mut Parts,
    state: &S,
    pick: impl FnOnce(&AppState, Principal) -> Option<T>,
) -> Result<T, Denied>
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    let app = AppState::from_ref(state);
    let principal = match PortalSession::from_request_parts(parts, state).await {
        Ok(session) => session.principal().await,
        Err(_) => None,
    };
    let found = match &principal {
        None => Found::Nobody,
        Some(Principal::Citizen { .. }) => Found::Citizen,
        Some(Principal::Staff { .. }) => Found::Staff,
    };
    principal
        .and_then(|p| pick(&app, p))
        .ok_or_else(|| denied(parts, &app, found))
}

fn denied(parts: &Parts, state: &AppState, found: Found) -> Denied {
    Denied {
        found,
        page: matches!(parts.method, Method::GET | Method::HEAD),
        had_cookie: support::cookie(&parts.headers, state.settings.session_cookie_name()).is_some(),
    }
}

/// A logged-in citizen, and what their login level lets them see.
#[derive(Clone, Debug)]
pub struct Citizen {
    /// The citizen's id (never their BSN): the represented person's, when someone acts for them.
    pub id: i64,
    /// The DigiD level of this login.
    pub level: AssuranceLevel,
    /// What the level shows (health data needs Substantieel).
    pub visibility: Visibility,
    /// Who acts for the citizen in this session (a machtiging), if anyone.
    pub acting: Option<crate::identity::Acting>,
}

impl Citizen {
    /// Whose requests this session reaches, and who acts in it.
    pub fn requester(&self) -> crate::rights::requests::Requester {
        crate::rights::requests::Requester {
            citizen_id: self.id,
            acting: self.acting.as_ref().map(|a| a.citizen_id),
        }
    }
}

impl<S> FromRequestParts<S> for Citizen
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        require(parts, state, |app, principal| match principal {
            Principal::Citizen {
                citizen_id,
                level,
                acting,
                ..
            } => Some(Self {
                id: citizen_id,
                level,
                visibility: Visibility::at(&app.settings, level),
                acting,
            }),
            Principal::Staff { .. } => None,
        })
        .await
    }
}

/// A logged-in staff member, with the roles of this login.
#[derive(Clone, Debug)]
pub struct Staff(pub StaffActor);

impl<S> FromRequestParts<S> for Staff
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        require(parts, state, |_, principal| match principal {
            Principal::Staff {
                staff_id, roles, ..
            } => Some(Self(StaffActor {
                id: staff_id,
                roles,
            })),
            Principal::Citizen { .. } => None,
        })
        .await
    }
}

/// A role a handler requires ([`StaffWith`]).
pub trait RequiredRole: Send + Sync + 'static {
    /// The role.
    const ROLE: StaffRole;
}

/// The privacy officer (functionaris gegevensbescherming).
#[derive(Debug)]
pub struct PrivacyOfficer;

impl RequiredRole for PrivacyOfficer {
    const ROLE: StaffRole = StaffRole::PrivacyOfficer;
}

/// The administrator.
#[derive(Debug)]
pub struct Admin;

impl RequiredRole for Admin {
    const ROLE: StaffRole = StaffRole::Admin;
}

/// A logged-in staff member who holds role `R`.
#[derive(Debug)]
pub struct StaffWith<R: RequiredRole>(pub StaffActor, PhantomData<R>);

impl<S, R> FromRequestParts<S> for StaffWith<R>
where
    S: Send + Sync,
    AppState: FromRef<S>,
    R: RequiredRole,
{
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Staff(staff) = Staff::from_request_parts(parts, state).await?;
        if staff.roles.contains(&R::ROLE) {
            Ok(Self(staff, PhantomData))
        } else {
            Err(denied(
                parts,
                &AppState::from_ref(state),
                Found::StaffWithoutRole,
            ))
        }
    }
}

/// A download (PDF, JSON, CSV): refused like a form, not redirected like a page.
#[derive(Debug)]
pub struct Download<E>(pub E);

impl<S, E> FromRequestParts<S> for Download<E>
where
    S: Send + Sync,
    E: FromRequestParts<S, Rejection = Denied>,
{
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        E::from_request_parts(parts, state)
            .await
            .map(Self)
            .map_err(|denied| Denied {
                page: false,
                ..denied
            })
    }
}

/// A query string read leniently: a filter that does not parse is ignored (the page shows
/// what applied), never an error page.
pub struct Lenient<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Default> FromRequestParts<S> for Lenient<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default(),
        ))
    }
}
