//! Documents about a request: the Art. 15 answer (page, PDF, JSON), the decision and extension
//! letters (page, PDF in Dutch and English), and the privacy officer's CSV exports.
//!
//! A citizen reads only the requests they filed; a parent only while the child is still in
//! their authority; health data only at the login level it needs (DESIGN §4, §6).

use axum::{
    body::Body,
    extract::{FromRequestParts, Path, Query, Request, State},
    http::StatusCode,
    http::request::Parts,
    response::{IntoResponse, Response},
};
use types::{LetterKind, OversightTable};

use crate::{
    AppState,
    entities::rights_requests,
    http::{
        citizen::csv_line,
        errors::failure,
        extractors::{Citizen, Download, PrivacyOfficer, Staff, StaffWith},
        render,
        support::attachment,
    },
    oversight::toezicht,
    platform::pdf,
    rights::answers,
    rights::letters,
    rights::requests,
    sources::register::Domain,
    transparency::Visibility,
};
use app::{
    i18n::Locale,
    models::{AccessAnswerView, LetterView, PageData},
};

/// `?taal=nl|en` on a letter's PDF.
#[derive(serde::Deserialize, Default)]
pub struct Language {
    taal: Option<String>,
}

impl Language {
    /// The language asked for; Dutch when none or an unknown one.
    fn locale(&self) -> Locale {
        Locale::parse(self.taal.as_deref().unwrap_or("nl"))
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Niet gevonden / Not found").into_response()
}

/// The answer the request was sent, if this login may read it (health data needs the level).
pub async fn answer_for_citizen(
    state: &AppState,
    who: requests::Requester,
    visibility: Visibility,
    reference: &str,
) -> Result<Option<AccessAnswerView>, sea_orm::DbErr> {
    let Some(request) =
        requests::for_citizen_documents(&state.db, who, reference, chrono::Utc::now()).await?
    else {
        return Ok(None);
    };
    let Some(answer) = answers::sent(&state.db, request.id).await? else {
        return Ok(None);
    };
    // As everywhere in the portal: health domains and special-category items need the level,
    // the items the answer names as left out too.
    let health = answer.domains.iter().any(|d| {
        Domain::parse(&d.domain).is_none_or(Domain::is_health)
            || d.activities
                .iter()
                .any(|a| a.data.iter().any(|i| i.special))
    }) || answer
        .left_out_items
        .iter()
        .any(|i| i.special || Domain::parse(&i.domain).is_none_or(Domain::is_health));
    Ok((!health || visibility.health).then_some(answer))
}

/// The letter `kind` of a request this citizen may read, in `l`.
pub async fn letter_for_citizen(
    state: &AppState,
    citizen: &Citizen,
    reference: &str,
    kind: LetterKind,
    l: Locale,
) -> Result<Option<LetterView>, sea_orm::DbErr> {
    let Some(request) = requests::for_citizen_documents(
        &state.db,
        citizen.requester(),
        reference,
        chrono::Utc::now(),
    )
    .await?
    else {
        return Ok(None);
    };
    letter_of(state, &request, kind, l, citizen.visibility.health).await
}

/// `GET /verzoeken/{reference}/antwoord`: the Art. 15 answer as a page.
pub async fn answer_page(
    State(state): State<AppState>,
    citizen: Citizen,
    Path(reference): Path<String>,
    request: Request<Body>,
) -> Response {
    let page = answer_for_citizen(&state, citizen.requester(), citizen.visibility, &reference)
        .await
        .map(|answer| answer.map_or(PageData::None, PageData::AccessAnswer));
    render::page(&state, request, page).await
}

/// `GET /verzoeken/{reference}/besluit`: the decision letter as a page.
pub async fn decision_letter_page(
    State(state): State<AppState>,
    citizen: Citizen,
    Path(reference): Path<String>,
    request: Request<Body>,
) -> Response {
    letter_page(state, citizen, reference, LetterKind::Decision, request).await
}

/// `GET /verzoeken/{reference}/verlenging`: the extension letter as a page.
pub async fn extension_letter_page(
    State(state): State<AppState>,
    citizen: Citizen,
    Path(reference): Path<String>,
    request: Request<Body>,
) -> Response {
    letter_page(state, citizen, reference, LetterKind::Extension, request).await
}

async fn letter_page(
    state: AppState,
    citizen: Citizen,
    reference: String,
    kind: LetterKind,
    request: Request<Body>,
) -> Response {
    let l = crate::http::support::locale(request.headers());
    let page = letter_for_citizen(&state, &citizen, &reference, kind, l)
        .await
        .map(|letter| letter.map_or(PageData::None, PageData::Letter));
    render::page(&state, request, page).await
}

/// The letter `kind` of `request` in `l`, if the request has one; a health item's details only
/// for a viewer who `sees_health` (staff do).
async fn letter_of(
    state: &AppState,
    request: &rights_requests::Model,
    kind: LetterKind,
    l: Locale,
    sees_health: bool,
) -> Result<Option<LetterView>, sea_orm::DbErr> {
    let mut facts = letters::facts(&state.db, request).await?;
    // As everywhere in the portal: health items need the level.
    if !sees_health {
        facts = facts.without_health_details(l);
    }
    Ok(letters::letter(
        l,
        &state.settings.municipality_name,
        &facts,
        kind,
    ))
}

/// A letter as PDF, or 404 when the request has no such letter (or is not the viewer's).
async fn letter_pdf(letter: Result<Option<LetterView>, sea_orm::DbErr>) -> Response {
    let letter = match letter {
        Ok(Some(letter)) => letter,
        Ok(None) => return not_found(),
        Err(e) => return failure(e),
    };
    let name = format!("{}-{}-{}.pdf", letter.reference, letter.kind, letter.lang);
    match pdf::off_thread(move || pdf::letter(&letter)).await {
        Ok(bytes) => attachment("application/pdf", &name, bytes),
        Err(e) => failure(e),
    }
}

/// `…/{reference}/brief/{besluit|verlenging}.pdf`: which request and which letter; any other
/// file name is 404.
pub struct LetterFile {
    reference: String,
    kind: LetterKind,
}

impl<S: Send + Sync> FromRequestParts<S> for LetterFile {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((reference, file)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found())?;
        match file.strip_suffix(".pdf").and_then(LetterKind::parse) {
            Some(kind) => Ok(Self { reference, kind }),
            None => Err(not_found()),
        }
    }
}

/// `GET /verzoeken/{reference}/antwoord.json`: the answer, for reuse.
pub async fn answer_json(
    State(state): State<AppState>,
    Download(citizen): Download<Citizen>,
    Path(reference): Path<String>,
) -> Response {
    let who = citizen.requester();
    let visibility = citizen.visibility;
    match answer_for_citizen(&state, who, visibility, &reference).await {
        Ok(Some(answer)) => match serde_json::to_vec_pretty(&answer) {
            Ok(json) => attachment(
                "application/json",
                &format!("{reference}-antwoord.json"),
                json,
            ),
            Err(e) => failure(e),
        },
        Ok(None) => not_found(),
        Err(e) => failure(e),
    }
}

/// `GET /verzoeken/{reference}/antwoord.pdf?taal=`: the answer as PDF.
pub async fn answer_pdf(
    State(state): State<AppState>,
    Download(citizen): Download<Citizen>,
    Path(reference): Path<String>,
    Query(language): Query<Language>,
) -> Response {
    let who = citizen.requester();
    let visibility = citizen.visibility;
    let l = language.locale();
    match answer_for_citizen(&state, who, visibility, &reference).await {
        Ok(Some(answer)) => match pdf::off_thread(move || pdf::answer(&answer, l)).await {
            Ok(bytes) => attachment(
                "application/pdf",
                &format!("{reference}-antwoord.pdf"),
                bytes,
            ),
            Err(e) => failure(e),
        },
        Ok(None) => not_found(),
        Err(e) => failure(e),
    }
}

/// `GET /verzoeken/{reference}/brief/{besluit|verlenging}.pdf?taal=`: a letter as PDF, for the
/// citizen who filed the request.
pub async fn letter_download(
    State(state): State<AppState>,
    Download(citizen): Download<Citizen>,
    letter: LetterFile,
    Query(language): Query<Language>,
) -> Response {
    let l = language.locale();
    letter_pdf(letter_for_citizen(&state, &citizen, &letter.reference, letter.kind, l).await).await
}

/// `GET /backoffice/verzoeken/{reference}/brief/{besluit|verlenging}.pdf?taal=`: the same letter,
/// for staff who may read requests (the download is in the citizen's "who used my data").
pub async fn staff_letter_download(
    State(state): State<AppState>,
    Download(Staff(staff)): Download<Staff>,
    letter: LetterFile,
    Query(language): Query<Language>,
) -> Response {
    let l = language.locale();
    let found = async {
        let now = chrono::Utc::now();
        match requests::for_staff_documents(
            &state.db,
            &state.settings,
            &staff,
            &letter.reference,
            now,
        )
        .await?
        {
            Some(request) => letter_of(&state, &request, letter.kind, l, true).await,
            None => Ok(None),
        }
    }
    .await;
    letter_pdf(found).await
}

/// `GET /backoffice/toezicht/auditcheckpoint.json`: the latest signed checkpoint of the audit
/// log as a file to keep outside the portal (`inzage audit verify --checkpoint` checks it).
pub async fn audit_checkpoint(
    State(state): State<AppState>,
    _officer: Download<StaffWith<PrivacyOfficer>>,
) -> Response {
    match crate::platform::audit::latest_checkpoint(&state.db).await {
        Ok(Some(checkpoint)) => {
            let file = crate::platform::audit::CheckpointFile::new(&checkpoint, &state.audit_key);
            match serde_json::to_string_pretty(&file) {
                Ok(json) => attachment(
                    "application/json",
                    &format!("inzage-auditcheckpoint-{}.json", checkpoint.id),
                    json,
                ),
                Err(e) => failure(e),
            }
        }
        Ok(None) => not_found(),
        Err(e) => failure(e),
    }
}

/// `GET /backoffice/toezicht/csv/{table}`: one table of the oversight view, as on screen.
pub async fn oversight_csv(
    State(state): State<AppState>,
    _officer: Download<StaffWith<PrivacyOfficer>>,
    Path(table): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(table) = OversightTable::parse(&table) else {
        return not_found();
    };
    let l = crate::http::support::locale(&headers);
    match toezicht::view(&state.db, chrono::Utc::now()).await {
        Ok(view) => {
            let out: String = toezicht::rows(&view, table, l)
                .iter()
                .map(|row| csv_line(row.iter().map(String::as_str)))
                .collect();
            attachment("text/csv; charset=utf-8", &format!("{table}.csv"), out)
        }
        Err(e) => failure(e),
    }
}
