//! Forms for rights requests: citizens file, message and withdraw; staff act in the back office.
//! Every form is a plain POST that redirects (works without JavaScript); problems come back as a
//! `melding` on the page, and a refused action changes nothing.

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use tower_sessions::Session;

use crate::{
    AppState,
    http::{
        pages::{citizen, principal},
        support::{failure, locale, not_logged_in},
    },
    identity::Principal,
    requests::{self, Command, ItemDecision, RequestError, StaffActor},
};
use app::models::NewRequestView;

/// Session key of the "Nieuw verzoek" form being filled in (kept between the form and its
/// review, so nothing typed is lost and no personal data travels in a URL).
pub const DRAFT_KEY: &str = "request_draft";
/// Session key of the reference whose BSN the staff member just asked to see, with a reason.
pub const REVEAL_KEY: &str = "reveal_bsn";

fn pairs(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Where a refused or failed action sends the browser: an unknown request to `unknown`, a store
/// failure to the plain "nothing changed" answer, any other refusal back to `page` with its
/// message.
fn refused(e: RequestError, page: &str, unknown: &str) -> Response {
    match e {
        RequestError::NotFound => Redirect::to(unknown).into_response(),
        RequestError::Database(_) | RequestError::Mail(_) => failure(e),
        e => Redirect::to(&format!("{page}?melding={}", e.message_key())).into_response(),
    }
}

fn to_request(reference: &str, message: &str) -> Response {
    Redirect::to(&format!("/verzoeken/{reference}?melding={message}")).into_response()
}

/// `POST /verzoeken/nieuw`: `stap=controleren` checks the form and shows the review,
/// `stap=wijzigen` goes back to the form, `stap=indienen` files the reviewed request.
pub async fn new_request(
    State(state): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let Some((citizen_id, visibility)) = citizen(&state, &session).await else {
        return not_logged_in();
    };
    let pairs = pairs(&body);
    let step = field(&pairs, "stap");
    let token = field(&pairs, "token").to_owned();
    let stored: Option<NewRequestView> = session.get(DRAFT_KEY).await.ok().flatten();
    match step {
        "wijzigen" => {
            if let Some(mut draft) = stored {
                draft.review = false;
                let _ = session.insert(DRAFT_KEY, draft).await;
            }
            Redirect::to("/verzoeken/nieuw").into_response()
        }
        "indienen" => {
            // The reviewed draft is the one in the session; the token ties it to this form.
            let Some(view) = stored.filter(|d| d.review && d.token == token) else {
                // Already filed (back and resubmit) or the session lost it: the token finds it.
                return match requests::submit_again(&state.db, citizen_id, &token).await {
                    Ok(Some(reference)) => to_request(&reference, "ontvangen"),
                    Ok(None) => Redirect::to("/verzoeken/nieuw?melding=opnieuw").into_response(),
                    Err(e) => failure(e),
                };
            };
            let (_, draft) = requests::read_form(&view_pairs(&view));
            let Ok(draft) = draft else {
                return Redirect::to("/verzoeken/nieuw").into_response();
            };
            match requests::submit(
                &state.db,
                &state.settings,
                citizen_id,
                visibility,
                &requests::Filing {
                    draft: &draft,
                    token: &token,
                    locale: locale(&headers).code(),
                },
                Utc::now(),
            )
            .await
            {
                Ok(done) => {
                    let _ = session.remove::<NewRequestView>(DRAFT_KEY).await;
                    to_request(&done.reference, "ontvangen")
                }
                Err(RequestError::Invalid(errors)) => {
                    let mut view = view;
                    view.review = false;
                    view.errors = errors.into_iter().map(str::to_owned).collect();
                    let _ = session.insert(DRAFT_KEY, view).await;
                    Redirect::to("/verzoeken/nieuw").into_response()
                }
                Err(e) => failure(e),
            }
        }
        _ => {
            let (mut view, draft) = requests::read_form(&pairs);
            view.token = if token.is_empty() {
                crate::crypto::random_hex(16)
            } else {
                token
            };
            match draft {
                Ok(_) => view.review = true,
                Err(errors) => view.errors = errors.into_iter().map(str::to_owned).collect(),
            }
            if session.insert(DRAFT_KEY, view).await.is_err() {
                return failure("storing the draft in the session failed");
            }
            Redirect::to("/verzoeken/nieuw").into_response()
        }
    }
}

/// The form fields a stored draft stands for (to check it once more at submission).
fn view_pairs(view: &NewRequestView) -> Vec<(String, String)> {
    let mut pairs = vec![
        ("soort".to_owned(), view.kind.clone().unwrap_or_default()),
        (
            "bereik".to_owned(),
            if view.all_data { "alles" } else { "gegevens" }.to_owned(),
        ),
        ("toelichting".to_owned(), view.explanation.clone()),
    ];
    if let Some(child) = view.for_child {
        pairs.push(("voor".to_owned(), child.to_string()));
    }
    for (id, proposal) in &view.chosen {
        pairs.push(("gegeven".to_owned(), id.to_string()));
        if let Some(p) = proposal {
            pairs.push((format!("voorstel-{id}"), p.clone()));
        }
    }
    pairs
}

/// `POST /verzoeken/{reference}/bericht`: a message from the citizen.
pub async fn citizen_message(
    State(state): State<AppState>,
    session: Session,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    let Some((citizen_id, _)) = citizen(&state, &session).await else {
        return not_logged_in();
    };
    let pairs = pairs(&body);
    match requests::citizen_message(
        &state.db,
        citizen_id,
        &reference,
        field(&pairs, "bericht"),
        Utc::now(),
    )
    .await
    {
        Ok(()) => to_request(&reference, "verstuurd"),
        Err(e) => refused(
            e,
            &format!("/verzoeken/{reference}"),
            "/verzoeken?melding=onbekend",
        ),
    }
}

/// `POST /verzoeken/{reference}/intrekken`: withdraws, when the citizen ticked the confirmation.
pub async fn withdraw(
    State(state): State<AppState>,
    session: Session,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    let Some((citizen_id, _)) = citizen(&state, &session).await else {
        return not_logged_in();
    };
    let pairs = pairs(&body);
    if field(&pairs, "zeker") != "ja" {
        return to_request(&reference, "bevestigen");
    }
    match requests::withdraw(&state.db, citizen_id, &reference, Utc::now()).await {
        Ok(()) => to_request(&reference, "ingetrokken"),
        Err(e) => refused(
            e,
            &format!("/verzoeken/{reference}"),
            "/verzoeken?melding=onbekend",
        ),
    }
}

async fn staff(session: &Session) -> Option<StaffActor> {
    match principal(session).await {
        Some(Principal::Staff {
            staff_id, roles, ..
        }) => Some(StaffActor {
            id: staff_id,
            roles,
        }),
        _ => None,
    }
}

fn to_staff_request(reference: &str, message: &str) -> Response {
    Redirect::to(&format!(
        "/backoffice/verzoeken/{reference}?melding={message}"
    ))
    .into_response()
}

/// Reads the decision form: `besluit-<item>` = `toekennen` | `weigeren`, `grond-<item>`,
/// `toelichting-<item>`.
fn decisions(pairs: &[(String, String)]) -> Vec<ItemDecision> {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("besluit-")?.parse::<i64>().ok()?;
            let ground = field(pairs, &format!("grond-{id}"));
            Some(ItemDecision {
                item_id: id,
                granted: v == "toekennen",
                ground: (!ground.is_empty()).then(|| ground.to_owned()),
                note: field(pairs, &format!("toelichting-{id}")).to_owned(),
            })
        })
        .collect()
}

/// `POST /backoffice/verzoeken/{reference}/actie`: one workflow action (`actie`), against the
/// version (`versie`) the form was built from.
pub async fn staff_action(
    State(state): State<AppState>,
    session: Session,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    let Some(staff) = staff(&session).await else {
        return not_logged_in();
    };
    let pairs = pairs(&body);
    let Ok(version) = field(&pairs, "versie").parse::<i32>() else {
        return to_staff_request(&reference, "gewijzigd");
    };
    let text = |name: &str| field(&pairs, name).to_owned();
    let command = match field(&pairs, "actie") {
        "claim" => Command::Claim,
        "ask_information" => Command::AskInformation(text("bericht")),
        "extend" => Command::Extend(text("reden")),
        "confirm_authority" => Command::ConfirmAuthority,
        "decide" => Command::Decide(decisions(&pairs), text("toelichting")),
        "approve" => Command::Approve,
        "send_back" => Command::SendBack(text("reden")),
        "execute" => Command::Execute,
        "send_answer" => Command::SendAnswer {
            left_out: pairs
                .iter()
                .filter(|(k, _)| k == "weglaten")
                .filter_map(|(_, v)| v.parse::<i64>().ok())
                .collect(),
            note: text("weglaten_toelichting"),
        },
        "message" => Command::Message(text("bericht")),
        "note" => Command::Note(text("bericht")),
        "finish_task" => {
            let Ok(task_id) = field(&pairs, "taak").parse::<i64>() else {
                return to_staff_request(&reference, "onbekend");
            };
            Command::FinishTask {
                task_id,
                done: field(&pairs, "uitkomst") == "gedaan",
                reason: text("reden"),
            }
        }
        _ => return to_staff_request(&reference, "onbekend"),
    };
    match requests::act(
        &state.db,
        &state.settings,
        &staff,
        &reference,
        version,
        command,
        Utc::now(),
    )
    .await
    {
        Ok(()) => to_staff_request(&reference, "opgeslagen"),
        Err(e) => refused(
            e,
            &format!("/backoffice/verzoeken/{reference}"),
            "/backoffice/verzoeken?melding=onbekend",
        ),
    }
}

/// `POST /backoffice/verzoeken/{reference}/bsn`: the full BSN, once, after giving a reason.
pub async fn reveal_bsn(
    State(state): State<AppState>,
    session: Session,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    let Some(staff) = staff(&session).await else {
        return not_logged_in();
    };
    let pairs = pairs(&body);
    match requests::reveal_bsn(&state.db, &staff, &reference, field(&pairs, "reden")).await {
        Ok(()) => {
            if session.insert(REVEAL_KEY, &reference).await.is_err() {
                return failure("storing the reveal in the session failed");
            }
            Redirect::to(&format!("/backoffice/verzoeken/{reference}")).into_response()
        }
        Err(e) => {
            let page = format!("/backoffice/verzoeken/{reference}");
            let unknown = format!("{page}?melding=onbekend");
            refused(e, &page, &unknown)
        }
    }
}
