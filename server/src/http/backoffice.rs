//! The back office's own pages: its start page, the outbox (administrators) and Toezicht
//! (the privacy officer). The request queue and requests are in `requests`.

use axum::{
    body::Body,
    extract::{Request, State},
    response::Response,
};

use crate::{
    AppState,
    http::{
        extractors::{Admin, PrivacyOfficer, Staff, StaffWith},
        render,
    },
    mail,
    oversight::toezicht,
};
use app::models::PageData;

/// `GET /backoffice`: what each of the viewer's roles may do.
pub async fn start_page(
    State(state): State<AppState>,
    _staff: Staff,
    request: Request<Body>,
) -> Response {
    render::page(&state, request, Ok(PageData::None)).await
}

/// `GET /backoffice/post`: waiting, retrying, sent and failed mail.
pub async fn outbox_page(
    State(state): State<AppState>,
    _admin: StaffWith<Admin>,
    request: Request<Body>,
) -> Response {
    let page = mail::worker::outbox_view(&state.db)
        .await
        .map(PageData::Outbox);
    render::page(&state, request, page).await
}

/// `GET /backoffice/toezicht`: the privacy officer's view, read-only.
pub async fn oversight_page(
    State(state): State<AppState>,
    _officer: StaffWith<PrivacyOfficer>,
    request: Request<Body>,
) -> Response {
    let page = match toezicht::view(&state.db, chrono::Utc::now()).await {
        Ok(mut view) => toezicht::audit_checkpoint(&state.db, &state.audit_key)
            .await
            .map(|checkpoint| {
                view.audit = checkpoint;
                PageData::Oversight(view)
            }),
        Err(e) => Err(e),
    };
    render::page(&state, request, page).await
}
