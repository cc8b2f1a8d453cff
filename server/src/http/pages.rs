//! Renders the Leptos pages, after deciding who may see them.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{Method, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use leptos::{nonce::Nonce, prelude::provide_context};

use crate::{
    AppState, http,
    http::session::PortalSession,
    http::{security::CspNonce, support},
    identity::contacts,
    identity::people,
    identity::{Principal, StaffRole},
    mail,
    rights::requests,
    transparency,
};
use app::models::{PageData, PortalContext, SessionClock, Viewer};

/// Who may see a page.
enum Access {
    Anyone,
    Citizens,
    Staff,
    StaffWith(StaffRole),
}

fn access_for(path: &str) -> Access {
    match path {
        "/overzicht"
        | "/mijn-gegevens"
        | "/gedeeld"
        | "/gebruik"
        | "/toestemmingen"
        | "/toestemmingen/intrekken"
        | "/instellingen" => Access::Citizens,
        "/verzoeken" => Access::Citizens,
        p if p.starts_with("/verzoeken/") => Access::Citizens,
        "/backoffice/post" => Access::StaffWith(StaffRole::Admin),
        "/backoffice/toezicht" => Access::StaffWith(StaffRole::PrivacyOfficer),
        p if p == "/backoffice" || p.starts_with("/backoffice/") => Access::Staff,
        _ => Access::Anyone,
    }
}

/// Loads what this page shows, for this principal only.
async fn page_data(
    state: &AppState,
    session: &PortalSession,
    path: &str,
    query: Option<&str>,
    principal: Option<&Principal>,
    locale: app::i18n::Locale,
) -> Result<PageData, sea_orm::DbErr> {
    let now = chrono::Utc::now();
    if let Some(Principal::Citizen {
        citizen_id, level, ..
    }) = principal
    {
        let visibility = transparency::Visibility::at(&state.settings, *level);
        // `/verzoeken/{reference}/{antwoord|besluit|verlenging}`: a request's documents.
        if let Some((reference, document)) = path
            .strip_prefix("/verzoeken/")
            .and_then(|rest| rest.rsplit_once('/'))
        {
            let page = match document {
                "antwoord" => {
                    http::documents::answer_for_citizen(state, *citizen_id, visibility, reference)
                        .await?
                        .map(PageData::AccessAnswer)
                }
                other => match types::LetterKind::parse(other) {
                    Some(kind) => http::documents::letter_for_citizen(
                        state,
                        *citizen_id,
                        reference,
                        kind,
                        locale,
                    )
                    .await?
                    .map(PageData::Letter),
                    None => None,
                },
            };
            return Ok(page.unwrap_or(PageData::None));
        }
        match path {
            "/overzicht" => {
                return Ok(PageData::Overview(
                    transparency::overview(&state.db, *citizen_id, visibility).await?,
                ));
            }
            "/mijn-gegevens" => {
                let params: transparency::MyDataParams =
                    serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
                return Ok(PageData::MyData(
                    transparency::my_data_page(&state.db, *citizen_id, visibility, &params).await?,
                ));
            }
            "/gedeeld" => {
                // Bad filter input is ignored rather than refused: the page shows what applied.
                let filter: transparency::SharedFilter =
                    serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
                return Ok(PageData::Shared(
                    transparency::shared(&state.db, *citizen_id, visibility, &filter).await?,
                ));
            }
            "/gebruik" => {
                let filter: transparency::SharedFilter =
                    serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
                let processor = format!("Inzage, {}", state.settings.municipality_name);
                return Ok(PageData::Usage(
                    transparency::usage(&state.db, *citizen_id, visibility, &filter, &processor)
                        .await?,
                ));
            }
            "/toestemmingen" | "/toestemmingen/intrekken" => {
                #[derive(serde::Deserialize, Default)]
                struct Confirm {
                    id: Option<i64>,
                }
                let confirm: Confirm =
                    serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
                let confirm = if path == "/toestemmingen/intrekken" {
                    confirm.id
                } else {
                    None
                };
                return Ok(PageData::Consents(
                    transparency::consents_view(&state.db, *citizen_id, confirm).await?,
                ));
            }
            "/verzoeken" => {
                return Ok(PageData::Requests(
                    requests::list_for_citizen(&state.db, *citizen_id, now).await?,
                ));
            }
            "/verzoeken/nieuw" => {
                return Ok(PageData::NewRequest(
                    new_request_view(state, session, query, *citizen_id, visibility).await?,
                ));
            }
            p if p.starts_with("/verzoeken/") => {
                let reference = &p["/verzoeken/".len()..];
                return Ok(
                    match requests::detail_for_citizen(
                        &state.db,
                        *citizen_id,
                        visibility,
                        reference,
                        now,
                    )
                    .await?
                    {
                        Some(detail) => PageData::Request(detail),
                        None => PageData::None,
                    },
                );
            }
            _ => {}
        }
    }
    if let Some(Principal::Staff {
        staff_id, roles, ..
    }) = principal
    {
        let staff = requests::StaffActor {
            id: *staff_id,
            roles: roles.clone(),
        };
        if path == "/backoffice/toezicht" && roles.contains(&StaffRole::PrivacyOfficer) {
            return Ok(PageData::Oversight(
                crate::oversight::toezicht::view(&state.db, now).await?,
            ));
        }
        if path == "/backoffice/verzoeken" {
            let filter = queue_filter(query);
            return match requests::queue(&state.db, &staff, &filter, now).await {
                Ok(view) => Ok(PageData::Queue(view)),
                Err(requests::RequestError::Database(e)) => Err(e),
                Err(_) => Ok(PageData::None),
            };
        }
        if let Some(reference) = path.strip_prefix("/backoffice/verzoeken/") {
            // The full BSN shows once, right after the reason was recorded.
            let reveal = session.take_reveal(reference).await;
            return match requests::detail_for_staff(
                &state.db,
                &state.settings,
                &state.vault,
                &staff,
                reference,
                reveal,
                now,
            )
            .await
            {
                Ok(view) => Ok(PageData::StaffRequest(view)),
                Err(requests::RequestError::Database(e)) => Err(e),
                Err(_) => Ok(PageData::None),
            };
        }
    }
    Ok(match (path, principal) {
        ("/instellingen", Some(Principal::Citizen { citizen_id, .. })) => {
            PageData::Settings(contacts::view(&state.db, *citizen_id).await?)
        }
        ("/backoffice/post", Some(Principal::Staff { .. })) => {
            PageData::Outbox(mail::worker::outbox_view(&state.db).await?)
        }
        _ => PageData::None,
    })
}

/// The queue's filters from the query string; anything that does not parse is left out.
fn queue_filter(query: Option<&str>) -> app::models::QueueFilter {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    app::models::QueueFilter {
        kind: get("soort").and_then(|k| requests::Kind::parse(&k)),
        status: get("status").and_then(|s| app::models::StatusFilter::parse(&s)),
        due_within: get("binnen").and_then(|d| d.parse().ok()),
        overdue: get("te_laat").is_some(),
        mine: get("van_mij").is_some(),
        unassigned: get("niet_toegewezen").is_some(),
    }
}

/// "Nieuw verzoek": the draft being filled in, or a fresh form (with the kind and record from
/// "Klopt dit niet?" / "Verwijderen aanvragen" preselected).
async fn new_request_view(
    state: &AppState,
    session: &PortalSession,
    query: Option<&str>,
    citizen_id: i64,
    visibility: transparency::Visibility,
) -> Result<app::models::NewRequestView, sea_orm::DbErr> {
    let today = crate::rights::deadlines::received_on(chrono::Utc::now());
    let children = requests::children_of(&state.db, citizen_id, today).await?;
    let stored: Option<app::models::NewRequestView> = session.draft().await;
    let mut view = match stored {
        Some(view) => view,
        None => {
            let pairs: Vec<(String, String)> =
                url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
                    .into_owned()
                    .collect();
            let kind = pairs
                .iter()
                .find(|(k, _)| k == "soort")
                .and_then(|(_, v)| requests::Kind::parse(v));
            // Only a child in the citizen's authority; anything else is the citizen themselves.
            let for_child = pairs
                .iter()
                .find(|(k, _)| k == "voor")
                .and_then(|(_, v)| v.parse::<i64>().ok())
                .filter(|id| children.iter().any(|(c, _)| c == id));
            let subject = for_child.unwrap_or(citizen_id);
            let records = requests::pickable_records(&state.db, subject, visibility).await?;
            let chosen: Vec<(i64, Option<String>)> = pairs
                .iter()
                .filter(|(k, _)| k == "gegeven")
                .filter_map(|(_, v)| v.parse::<i64>().ok())
                .filter(|id| records.iter().any(|r| r.id == *id))
                .map(|id| (id, None))
                .collect();
            app::models::NewRequestView {
                kind,
                all_data: chosen.is_empty(),
                chosen,
                token: crate::platform::crypto::random_hex(16),
                for_child,
                ..Default::default()
            }
        }
    };
    if view
        .for_child
        .is_some_and(|id| !children.iter().any(|(c, _)| *c == id))
    {
        view.for_child = None;
    }
    let subject = view.for_child.unwrap_or(citizen_id);
    view.records = requests::pickable_records(&state.db, subject, visibility).await?;
    view.children = children;
    Ok(view)
}

/// Renders any page route; logged-in pages only for the right principal.
pub async fn render(
    State(state): State<AppState>,
    session: PortalSession,
    request: Request<Body>,
) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = request.uri().path().to_owned();
    let had_session_cookie =
        support::cookie(request.headers(), state.settings.session_cookie_name()).is_some();
    let principal = session.principal().await;
    let viewer = match viewer(&state, principal.as_ref()).await {
        Ok(viewer) => viewer,
        Err(e) => {
            tracing::error!(error = %e, "loading the viewer failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let allowed = match (access_for(&path), &viewer) {
        (Access::Anyone, _)
        | (Access::Citizens, Viewer::Citizen(_))
        | (Access::Staff, Viewer::Staff(_)) => true,
        (Access::StaffWith(role), Viewer::Staff(staff)) => staff.roles.contains(&role),
        _ => false,
    };
    if !allowed {
        return match viewer {
            Viewer::Citizen(_) => Redirect::to("/overzicht").into_response(),
            Viewer::Staff(_) => Redirect::to("/backoffice").into_response(),
            Viewer::Anonymous if had_session_cookie => Redirect::to("/?verlopen=1").into_response(),
            Viewer::Anonymous => Redirect::to("/").into_response(),
        };
    }

    let query = request.uri().query().map(str::to_owned);
    let locale = support::locale(request.headers());
    let page = match page_data(
        &state,
        &session,
        &path,
        query.as_deref(),
        principal.as_ref(),
        locale,
    )
    .await
    {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "loading page data failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let idle = state.settings.session.idle_timeout_minutes * 60;
    let context = PortalContext {
        municipality_name: state.settings.municipality_name.clone(),
        stylesheet_href: state.stylesheet_href.clone(),
        locale,
        session: (!matches!(viewer, Viewer::Anonymous)).then_some(SessionClock {
            seconds_left: idle,
            warning_seconds: state.settings.session.warning_minutes * 60,
        }),
        viewer,
        current_path: request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned()),
        dev_idp: state.settings.dev_idp_enabled(),
        page,
    };
    let nonce = request
        .extensions()
        .get::<CspNonce>()
        .map(|n| Nonce::from_value(n.0.clone()));
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_context(context.clone());
            if let Some(nonce) = nonce.clone() {
                provide_context(nonce);
            }
        },
        move || app::shell(options.clone()),
    );
    let mut response = handler(request).await.into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

async fn viewer(state: &AppState, principal: Option<&Principal>) -> Result<Viewer, sea_orm::DbErr> {
    Ok(match principal {
        None => Viewer::Anonymous,
        Some(Principal::Citizen {
            citizen_id, level, ..
        }) => people::citizen_summary(&state.db, &state.vault, *citizen_id, *level)
            .await?
            .map(Viewer::Citizen)
            .unwrap_or(Viewer::Anonymous),
        Some(Principal::Staff {
            staff_id, roles, ..
        }) => people::staff_summary(&state.db, *staff_id, roles)
            .await?
            .map(Viewer::Staff)
            .unwrap_or(Viewer::Anonymous),
    })
}
