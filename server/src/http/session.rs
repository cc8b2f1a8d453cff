//! The portal's session, typed: who is logged in (never their ID token, which carries the BSN),
//! the "Nieuw verzoek" draft and a one-time BSN reveal. The keys live here and nowhere else.
//!
//! Error policy: a session store that fails to *read* is logged and treated as "nothing
//! there" (the visitor is asked to log in again, nothing changes); a store that fails to
//! *write* is returned as [`SessionError`], so the form that needed it answers "nothing
//! changed" instead of pretending it was kept.

use axum::{extract::FromRequestParts, http::request::Parts};
use tower_sessions::Session;

use crate::identity::Principal;
use app::models::NewRequestView;

const PRINCIPAL: &str = "principal";
const DRAFT: &str = "request_draft";
const REVEAL: &str = "reveal_bsn";

/// Writing to the session store failed; the caller's change did not happen.
#[derive(Debug, thiserror::Error)]
#[error("session store: {0}")]
pub struct SessionError(#[from] tower_sessions::session::Error);

/// The session of this request (extractor).
#[derive(Clone, Debug)]
pub struct PortalSession(Session);

impl<S: Send + Sync> FromRequestParts<S> for PortalSession {
    type Rejection = <Session as FromRequestParts<S>>::Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Session::from_request_parts(parts, state).await.map(Self)
    }
}

impl PortalSession {
    /// Wraps a session taken by another extractor.
    pub fn new(session: Session) -> Self {
        Self(session)
    }

    async fn read<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        match self.0.get::<T>(key).await {
            Ok(value) => value,
            Err(e) => {
                tracing::warn!(error = %e, key, "reading the session failed");
                None
            }
        }
    }

    /// The logged-in principal; a session past its absolute lifetime is ended here.
    pub async fn principal(&self) -> Option<Principal> {
        let principal: Principal = self.read(PRINCIPAL).await?;
        if principal.is_too_old(chrono::Utc::now()) {
            if let Err(e) = self.0.flush().await {
                tracing::warn!(error = %e, "ending an expired session failed");
            }
            return None;
        }
        Some(principal)
    }

    /// Starts a fresh session for `principal`: a new id (against fixation) and nothing of before.
    pub async fn log_in(&self, principal: Principal) -> Result<(), SessionError> {
        self.0.cycle_id().await?;
        self.0.clear().await;
        self.0.insert(PRINCIPAL, principal).await?;
        Ok(())
    }

    /// Ends the session (logout).
    pub async fn end(&self) -> Result<(), SessionError> {
        Ok(self.0.flush().await?)
    }

    /// The "Nieuw verzoek" form being filled in, if any.
    pub async fn draft(&self) -> Option<NewRequestView> {
        self.read(DRAFT).await
    }

    /// Keeps the form being filled in between the form and its review, so nothing typed is
    /// lost and no personal data travels in a URL.
    pub async fn set_draft(&self, draft: &NewRequestView) -> Result<(), SessionError> {
        Ok(self.0.insert(DRAFT, draft).await?)
    }

    /// Drops the draft once the request is filed.
    pub async fn clear_draft(&self) -> Result<(), SessionError> {
        self.0.remove::<NewRequestView>(DRAFT).await?;
        Ok(())
    }

    /// Remembers that the staff member gave a reason to see this request's full BSN.
    pub async fn set_reveal(&self, reference: &str) -> Result<(), SessionError> {
        Ok(self.0.insert(REVEAL, reference).await?)
    }

    /// Whether the full BSN of `reference` is to be shown now; shown once, then forgotten.
    pub async fn take_reveal(&self, reference: &str) -> bool {
        match self.0.remove::<String>(REVEAL).await {
            Ok(revealed) => revealed.as_deref() == Some(reference),
            Err(e) => {
                tracing::warn!(error = %e, "reading the session failed");
                false
            }
        }
    }
}
