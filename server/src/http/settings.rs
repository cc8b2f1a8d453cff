//! "Instellingen": the page, and the forms that set, confirm and remove the contact address. Every form answers
//! with a redirect to `/instellingen` and a notice; bad input changes nothing.

use axum::{
    Form,
    body::Body,
    extract::{FromRequest, Request, State},
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
};
use types::ContactNotice;

use crate::{
    AppState,
    http::{errors::failure, extractors::Citizen, render, support},
    identity::contacts::{self, Confirmation, EmailAddress},
};

fn back(notice: ContactNotice) -> Response {
    Redirect::to(&format!("/instellingen?melding={notice}")).into_response()
}

/// A code refused by its limits: the page `/instellingen?melding=…` shows, as
/// `429 Too Many Requests` with `Retry-After` ([`render::too_many`]).
async fn limited(
    state: &AppState,
    parts: Parts,
    citizen_id: i64,
    notice: ContactNotice,
    retry_after_seconds: u32,
) -> Response {
    let page = contacts::view(&state.db, citizen_id)
        .await
        .map(app::models::PageData::Settings);
    render::too_many(
        state,
        parts,
        &format!("/instellingen?melding={notice}"),
        page,
        u64::from(retry_after_seconds),
    )
    .await
}

/// `GET /instellingen`: the contact address, pending or confirmed.
pub async fn settings_page(
    State(state): State<AppState>,
    citizen: Citizen,
    request: Request<Body>,
) -> Response {
    let page = contacts::view(&state.db, citizen.id)
        .await
        .map(app::models::PageData::Settings);
    render::page(&state, request, page).await
}

/// The address form.
#[derive(serde::Deserialize)]
pub struct EmailForm {
    email: String,
}

/// `POST /instellingen/email`: stores the address as pending and mails it a code.
pub async fn set_email(
    State(state): State<AppState>,
    citizen: Citizen,
    request: Request<Body>,
) -> Response {
    // The request's head is kept: a refusal answers with the page this browser would see.
    let (parts, body) = request.into_parts();
    let Ok(Form(form)) =
        Form::<EmailForm>::from_request(Request::from_parts(parts.clone(), body), &state).await
    else {
        return back(ContactNotice::Invalid);
    };
    let citizen_id = citizen.id;
    let Some(email) = EmailAddress::parse(&form.email) else {
        return back(ContactNotice::Invalid);
    };
    let locale = support::locale(&parts.headers);
    match contacts::request_verification(&state.db, &state.settings, citizen_id, &email, locale)
        .await
    {
        Ok(()) => back(ContactNotice::Sent),
        // Asked again too soon, or too often today: said plainly, nothing sent.
        Err(contacts::RequestError::TooSoon) => {
            limited(&state, parts, citizen_id, ContactNotice::TooSoon, 60).await
        }
        Err(contacts::RequestError::TooMany) => {
            limited(
                &state,
                parts,
                citizen_id,
                ContactNotice::TooMany,
                24 * 60 * 60,
            )
            .await
        }
        Err(e) => failure(e),
    }
}

/// The code form.
#[derive(serde::Deserialize)]
pub struct CodeForm {
    code: String,
}

/// `POST /instellingen/bevestigen`.
pub async fn confirm_email(
    State(state): State<AppState>,
    citizen: Citizen,
    Form(form): Form<CodeForm>,
) -> Response {
    let citizen_id = citizen.id;
    match contacts::confirm(&state.db, citizen_id, &form.code).await {
        Ok(Confirmation::Confirmed) => back(ContactNotice::Confirmed),
        Ok(Confirmation::WrongCode) => back(ContactNotice::WrongCode),
        Ok(Confirmation::NoValidCode) => back(ContactNotice::NoCode),
        Err(e) => failure(e),
    }
}

/// `POST /instellingen/email/verwijderen`.
pub async fn remove_email(State(state): State<AppState>, citizen: Citizen) -> Response {
    let citizen_id = citizen.id;
    match contacts::remove(&state.db, citizen_id).await {
        Ok(()) => back(ContactNotice::Removed),
        Err(e) => failure(e),
    }
}
