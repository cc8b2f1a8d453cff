//! Rights requests: the citizen's list, form and request pages and their forms (file, message,
//! withdraw); the back office's queue and request pages and their forms (act, reveal the BSN).
//! Every form is a plain POST that redirects (works without JavaScript); problems come back as a
//! `melding` on the page, and a refused action changes nothing. Who may post is the extractor in
//! each signature.

use axum::{
    Form,
    body::Body,
    extract::{Path, Request, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use serde::Deserialize;
use types::{Action, DecisionChoice, Kind, Notice, RefusalGround, SEND_ANSWER, TaskOutcome};

use crate::{
    AppState,
    http::{
        errors::failure,
        extractors::{Citizen, Lenient, Staff},
        render,
        session::PortalSession,
        support::locale,
    },
    rights::requests::{self, Command, ItemDecision, LeaveOutDecision, RequestError},
};
use app::models::{NewRequestView, PageData, QueueFilter, StatusFilter};

/// A form whose field names are not fixed (`gegeven` repeats, `voorstel-<id>`,
/// `besluit-<item>`): its fields in order, parsed once.
type Fields = Vec<(String, String)>;

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// `GET /verzoeken`: the citizen's requests.
pub async fn requests_page(
    State(state): State<AppState>,
    citizen: Citizen,
    request: Request<Body>,
) -> Response {
    let page = requests::list_for_citizen(&state.db, citizen.requester(), Utc::now())
        .await
        .map(PageData::Requests);
    render::page(&state, request, page).await
}

/// `GET /verzoeken/nieuw?soort=…&voor=…&gegeven=…`: the form, the review, or a fresh form with
/// the kind, child and records preselected.
pub async fn new_request_page(
    State(state): State<AppState>,
    citizen: Citizen,
    session: PortalSession,
    Lenient(query): Lenient<Fields>,
    request: Request<Body>,
) -> Response {
    let preselect = requests::Preselect {
        kind: Kind::parse(field(&query, "soort")),
        for_child: field(&query, "voor").parse().ok(),
        records: query
            .iter()
            .filter(|(k, _)| k == "gegeven")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
    };
    let page = requests::new_request_form(
        &state.db,
        citizen.requester(),
        citizen.visibility,
        session.draft().await,
        preselect,
        Utc::now(),
    )
    .await
    .map(PageData::NewRequest);
    render::page(&state, request, page).await
}

/// `GET /verzoeken/{reference}`: one of the citizen's requests ("not found" for anyone else's).
pub async fn request_page(
    State(state): State<AppState>,
    citizen: Citizen,
    Path(reference): Path<String>,
    request: Request<Body>,
) -> Response {
    let page = requests::detail_for_citizen(
        &state.db,
        citizen.requester(),
        citizen.visibility,
        &reference,
        Utc::now(),
    )
    .await
    .map(|detail| detail.map(PageData::Request));
    render::found_or_404(&state, request, page).await
}

/// `GET /backoffice/verzoeken?soort=…&status=…&binnen=…&te_laat&van_mij&niet_toegewezen`.
pub async fn queue_page(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Lenient(query): Lenient<QueueQuery>,
    request: Request<Body>,
) -> Response {
    let page = match requests::queue(&state.db, &staff, &query.filter(), Utc::now()).await {
        Ok(view) => Ok(PageData::Queue(view)),
        Err(RequestError::Database(e)) => Err(e),
        Err(_) => Ok(PageData::None),
    };
    render::page(&state, request, page).await
}

/// The queue's filters as the form sends them; each that does not parse is left out.
#[derive(Deserialize, Default)]
pub struct QueueQuery {
    soort: Option<String>,
    status: Option<String>,
    binnen: Option<String>,
    te_laat: Option<String>,
    van_mij: Option<String>,
    niet_toegewezen: Option<String>,
    zoek: Option<String>,
    pagina: Option<String>,
}

impl QueueQuery {
    fn filter(&self) -> QueueFilter {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
        QueueFilter {
            kind: self.soort.as_deref().and_then(Kind::parse),
            status: self.status.as_deref().and_then(StatusFilter::parse),
            due_within: self.binnen.as_deref().and_then(|d| d.parse().ok()),
            overdue: set(&self.te_laat),
            mine: set(&self.van_mij),
            unassigned: set(&self.niet_toegewezen),
            // Only what a reference is made of: the search is a prefix match, never a pattern.
            search: self
                .zoek
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_uppercase()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .take(20)
                .collect(),
            page: self
                .pagina
                .as_deref()
                .and_then(|p| p.parse::<u64>().ok())
                .unwrap_or(1)
                .max(1),
        }
    }
}

/// `GET /backoffice/verzoeken/{reference}`: one request, with the actions the viewer may take;
/// the full BSN once, right after the reason for it was recorded.
pub async fn staff_request_page(
    State(state): State<AppState>,
    Staff(staff): Staff,
    session: PortalSession,
    Path(reference): Path<String>,
    request: Request<Body>,
) -> Response {
    // Opening a request is recorded as this staff member viewing the citizen's data: a link
    // on another site must not be able to write that in their name.
    if from_elsewhere(request.headers()) {
        return open_from_here(&state, &reference);
    }
    let reveal = session.take_reveal(&reference).await;
    let page = match requests::detail_for_staff(
        &state.db,
        &state.settings,
        &state.vault,
        &staff,
        &reference,
        reveal,
        Utc::now(),
    )
    .await
    {
        Ok(view) => Ok(Some(PageData::StaffRequest(view))),
        Err(RequestError::Database(e)) => Err(e),
        Err(_) => Ok(None),
    };
    render::found_or_404(&state, request, page).await
}

/// Whether the browser says this navigation started on another site (`Sec-Fetch-Site`). A
/// request without the header (an older browser, a script) is taken as it comes: the header is
/// what a forged link in a current browser cannot leave out.
fn from_elsewhere(headers: &HeaderMap) -> bool {
    matches!(
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        Some("cross-site" | "same-site")
    )
}

/// For a request opened from a link elsewhere: a page with nothing of the request but a link
/// that opens it from here, so that only the staff member's own click records a view.
fn open_from_here(state: &AppState, reference: &str) -> Response {
    use html_escape::{encode_double_quoted_attribute as attribute, encode_text as text};
    let Some(reference) = types::RequestReference::parse(reference) else {
        return Redirect::to("/backoffice/verzoeken").into_response();
    };
    let reference = reference.to_string();
    let html = format!(
        r#"<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Verzoek openen - Inzage</title>{stylesheets}</head>
<body class="{theme_class} bg-white text-ink"><main class="mx-auto max-w-3xl px-4 py-8" id="inhoud"><h1>Verzoek {reference_text} openen</h1>
<p class="lead" data-testid="open-from-here">U volgde een link van buiten Inzage. Inzage legt vast wie een verzoek bekijkt, en opent het daarom pas als u hier zelf verder gaat.</p>
<p><a class="nl-button nl-button--primary" href="/backoffice/verzoeken/{reference_attribute}">Verzoek {reference_text} openen</a></p>
<p><a href="/backoffice/verzoeken">Naar alle verzoeken</a></p></main></body></html>"#,
        stylesheets = crate::http::assets::stylesheet_links(state),
        theme_class = state.theme.class_name,
        reference_text = text(&reference),
        reference_attribute = attribute(&reference),
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

/// Where a refused or failed action sends the browser: an unknown request to `unknown`, a store
/// failure to the plain "nothing changed" answer, any other refusal back to `page` with its
/// message.
fn refused(e: RequestError, page: &str, unknown: &str) -> Response {
    match e {
        RequestError::NotFound => Redirect::to(unknown).into_response(),
        RequestError::Database(_) | RequestError::Mail(_) => failure(e),
        e => Redirect::to(&format!("{page}?melding={}", e.notice())).into_response(),
    }
}

fn to_request(reference: &str, notice: Notice) -> Response {
    Redirect::to(&format!("/verzoeken/{reference}?melding={notice}")).into_response()
}

/// `POST /verzoeken/nieuw`: `stap=controleren` checks the form and shows the review,
/// `stap=wijzigen` goes back to the form, `stap=indienen` files the reviewed request.
pub async fn new_request(
    State(state): State<AppState>,
    citizen: Citizen,
    session: PortalSession,
    headers: axum::http::HeaderMap,
    Form(pairs): Form<Fields>,
) -> Response {
    let step = field(&pairs, "stap");
    let token = field(&pairs, "token").to_owned();
    let stored = session.draft().await;
    match step {
        "wijzigen" => {
            if let Some(mut draft) = stored {
                draft.review = false;
                if let Err(e) = session.set_draft(&draft).await {
                    return failure(e);
                }
            }
            Redirect::to("/verzoeken/nieuw").into_response()
        }
        "indienen" => {
            // The reviewed draft is the one in the session; the token ties it to this form.
            let Some(view) = stored.filter(|d| d.review && d.token == token) else {
                // Already filed (back and resubmit) or the session lost it: the token finds it.
                return match requests::submit_again(&state.db, citizen.id, &token).await {
                    Ok(Some(reference)) => to_request(&reference, Notice::Received),
                    Ok(None) => {
                        Redirect::to(&format!("/verzoeken/nieuw?melding={}", Notice::Again))
                            .into_response()
                    }
                    Err(e) => failure(e),
                };
            };
            let (_, draft) = requests::read_form(&requests::NewRequestForm::from(&view));
            let Ok(draft) = draft else {
                return Redirect::to("/verzoeken/nieuw").into_response();
            };
            match requests::submit(
                &state.db,
                &state.settings,
                citizen.id,
                citizen.visibility,
                &requests::Filing {
                    draft: &draft,
                    token: &token,
                    locale: locale(&headers).code(),
                    acting: citizen.acting.as_ref(),
                },
                Utc::now(),
            )
            .await
            {
                Ok(done) => {
                    // Filed: a stale draft is harmless (its token finds the request again).
                    if let Err(e) = session.clear_draft().await {
                        tracing::warn!(error = %e, "clearing the draft failed");
                    }
                    to_request(&done.reference, Notice::Received)
                }
                Err(RequestError::Invalid(errors)) => {
                    let mut view: NewRequestView = view;
                    view.review = false;
                    view.errors = errors.into_iter().map(str::to_owned).collect();
                    if let Err(e) = session.set_draft(&view).await {
                        return failure(e);
                    }
                    Redirect::to("/verzoeken/nieuw").into_response()
                }
                Err(e) => failure(e),
            }
        }
        _ => {
            let (mut view, draft) =
                requests::read_form(&requests::NewRequestForm::from_fields(&pairs));
            view.token = if token.is_empty() {
                crate::platform::crypto::random_hex(16)
            } else {
                token
            };
            match draft {
                Ok(_) => view.review = true,
                Err(errors) => view.errors = errors.into_iter().map(str::to_owned).collect(),
            }
            if let Err(e) = session.set_draft(&view).await {
                return failure(e);
            }
            Redirect::to("/verzoeken/nieuw").into_response()
        }
    }
}

/// `POST /verzoeken/{reference}/bericht`: a message from the citizen.
pub async fn citizen_message(
    State(state): State<AppState>,
    citizen: Citizen,
    Path(reference): Path<String>,
    Form(form): Form<MessageForm>,
) -> Response {
    match requests::citizen_message(
        &state.db,
        citizen.requester(),
        &reference,
        &form.bericht,
        Utc::now(),
    )
    .await
    {
        Ok(()) => to_request(&reference, Notice::Sent),
        Err(e) => refused(
            e,
            &format!("/verzoeken/{reference}"),
            &format!("/verzoeken?melding={}", Notice::Unknown),
        ),
    }
}

/// `POST /verzoeken/{reference}/intrekken`: withdraws, when the citizen ticked the confirmation.
pub async fn withdraw(
    State(state): State<AppState>,
    citizen: Citizen,
    Path(reference): Path<String>,
    Form(form): Form<WithdrawForm>,
) -> Response {
    if form.zeker.as_deref() != Some("ja") {
        return to_request(&reference, Notice::Confirm);
    }
    match requests::withdraw(&state.db, citizen.requester(), &reference, Utc::now()).await {
        Ok(()) => to_request(&reference, Notice::Withdrawn),
        Err(e) => refused(
            e,
            &format!("/verzoeken/{reference}"),
            &format!("/verzoeken?melding={}", Notice::Unknown),
        ),
    }
}

/// The citizen's message form.
#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    bericht: String,
}

/// The withdrawal form: `zeker=ja` is the ticked confirmation.
#[derive(Deserialize)]
pub struct WithdrawForm {
    zeker: Option<String>,
}

/// The reason a staff member gives to see the full BSN.
#[derive(Deserialize)]
pub struct RevealForm {
    #[serde(default)]
    reden: String,
}

fn to_staff_request(reference: &str, notice: Notice) -> Response {
    Redirect::to(&format!(
        "/backoffice/verzoeken/{reference}?melding={notice}"
    ))
    .into_response()
}

/// Reads the decision form: `besluit-<item>` ([`DecisionChoice`]), `grond-<item>`,
/// `toelichting-<item>`; `None` when a choice is not one of the form's.
fn decisions(pairs: &[(String, String)]) -> Option<Vec<ItemDecision>> {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("besluit-")?.parse::<i64>().ok()?;
            Some((id, v))
        })
        .map(|(id, v)| {
            Some(ItemDecision {
                item_id: id,
                granted: DecisionChoice::parse(v)? == DecisionChoice::Grant,
                ground: RefusalGround::parse(field(pairs, &format!("grond-{id}"))),
                note: field(pairs, &format!("toelichting-{id}")).to_owned(),
            })
        })
        .collect()
}

/// `POST /backoffice/verzoeken/{reference}/actie`: one workflow action (`actie`), against the
/// version (`versie`) the form was built from.
pub async fn staff_action(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(reference): Path<String>,
    Form(pairs): Form<Fields>,
) -> Response {
    let Ok(version) = field(&pairs, "versie").parse::<i32>() else {
        return to_staff_request(&reference, Notice::Stale);
    };
    let text = |name: &str| field(&pairs, name).to_owned();
    let actie = field(&pairs, "actie");
    // The records ticked to leave out of an access answer (`weglaten`): on the decision form,
    // and repeated on the send form, which may send exactly the approved ones.
    let Some(left_out) = pairs
        .iter()
        .filter(|(k, _)| k == "weglaten")
        .map(|(_, v)| v.parse::<i64>().ok())
        .collect::<Option<Vec<i64>>>()
    else {
        return to_staff_request(&reference, Notice::Invalid);
    };
    // Carrying out a granted access request is sending its answer: a command of its own.
    if actie == SEND_ANSWER {
        let command = Command::SendAnswer { left_out };
        return act(&state, &staff, &reference, version, command).await;
    }
    let command = match Action::parse(actie) {
        Some(Action::Claim) => Command::Claim,
        Some(Action::AskInformation) => Command::AskInformation(text("bericht")),
        Some(Action::Extend) => Command::Extend(text("reden")),
        Some(Action::ConfirmAuthority) => Command::ConfirmAuthority,
        Some(Action::Decide) => {
            let Some(decisions) = decisions(&pairs) else {
                return to_staff_request(&reference, Notice::Invalid);
            };
            let leave_out = LeaveOutDecision {
                records: left_out,
                ground: RefusalGround::parse(field(&pairs, "weglaten_grond")),
                note: text("weglaten_toelichting"),
            };
            Command::Decide(decisions, text("toelichting"), leave_out)
        }
        Some(Action::Approve) => Command::Approve,
        Some(Action::SendBack) => Command::SendBack(text("reden")),
        Some(Action::Execute) => Command::Execute,
        Some(Action::Message) => Command::Message(text("bericht")),
        Some(Action::Note) => Command::Note(text("bericht")),
        Some(Action::LiftRestriction) => Command::LiftRestriction(text("reden")),
        Some(Action::FinishTask) => {
            let Ok(task_id) = field(&pairs, "taak").parse::<i64>() else {
                return to_staff_request(&reference, Notice::Unknown);
            };
            let Some(outcome) = TaskOutcome::parse(field(&pairs, "uitkomst")) else {
                return to_staff_request(&reference, Notice::Invalid);
            };
            Command::FinishTask {
                task_id,
                done: outcome == TaskOutcome::Done,
                reason: text("reden"),
            }
        }
        // Not a staff form: the citizen's own steps and what the workflow does by itself.
        Some(Action::Submit | Action::CitizenReplies | Action::Withdraw | Action::FinishTasks)
        | None => return to_staff_request(&reference, Notice::Unknown),
    };
    act(&state, &staff, &reference, version, command).await
}

async fn act(
    state: &AppState,
    staff: &requests::StaffActor,
    reference: &str,
    version: i32,
    command: Command,
) -> Response {
    match requests::act(
        &state.db,
        &state.settings,
        staff,
        reference,
        version,
        command,
        Utc::now(),
    )
    .await
    {
        Ok(()) => to_staff_request(reference, Notice::Saved),
        Err(e) => refused(
            e,
            &format!("/backoffice/verzoeken/{reference}"),
            &format!("/backoffice/verzoeken?melding={}", Notice::Unknown),
        ),
    }
}

/// `POST /backoffice/verzoeken/{reference}/bsn`: the full BSN, once, after giving a reason.
pub async fn reveal_bsn(
    State(state): State<AppState>,
    Staff(staff): Staff,
    session: PortalSession,
    Path(reference): Path<String>,
    Form(form): Form<RevealForm>,
) -> Response {
    match requests::reveal_bsn(&state.db, &staff, &reference, &form.reden).await {
        Ok(()) => {
            if let Err(e) = session.set_reveal(&reference).await {
                return failure(e);
            }
            Redirect::to(&format!("/backoffice/verzoeken/{reference}")).into_response()
        }
        Err(e) => {
            let page = format!("/backoffice/verzoeken/{reference}");
            let unknown = format!("{page}?melding={}", Notice::Unknown);
            refused(e, &page, &unknown)
        }
    }
}
