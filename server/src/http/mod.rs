//! The HTTP application: routes, the security middleware around them, and the session layer.

pub mod assets;
mod backoffice;
mod citizen;
pub(crate) mod documents;
pub mod errors;
pub mod extractors;
pub mod limits;
mod login;
mod render;
pub mod requests;
mod security;
pub mod session;
mod settings;
mod support;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    middleware,
    routing::{get, post},
};
use tower_http::{
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{AppState, identity::sessions::DbSessionStore};

pub use security::{CspNonce, SecurityPolicy};

/// Largest request body any form may send.
const BODY_LIMIT: usize = 64 * 1024;

/// Builds the whole application for this state.
pub fn router(state: AppState) -> Router {
    // Leptos renders on the tokio runtime; without this its async rendering has nowhere to run.
    let _ = any_spawner::Executor::init_tokio();
    // The metrics recorder, before the first request is timed (not at the first scrape).
    crate::platform::metrics::handle();
    let settings = &state.settings;
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(settings.session_cookie_name())
        .with_secure(settings.session.cookie_secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_always_save(true)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(i64::from(
            settings.session.idle_timeout_minutes,
        ))));

    // Routes that never touch a session stay outside the session layer: no session look-up or
    // write for assets, health checks and security.txt.
    let fixed = Router::new()
        .route("/healthz", get(support::healthz))
        .route("/readyz", get(support::readyz))
        .route("/.well-known/security.txt", get(support::security_txt))
        .route("/assets/{file}", get(assets::hashed))
        .route("/theme/{file}", get(assets::theme))
        .route("/favicon.svg", get(assets::favicon))
        .nest("/api/v1", crate::sources::api::router(state.clone()))
        .merge(crate::sources::otlp::router(state.clone()));

    // Every page has its GET handler here, beside its forms; the handler's extractor says who may
    // see it. The Leptos routes (app/src/shell.rs) pick what renders for the path.
    let mut app = Router::new()
        // Anyone.
        .route("/", get(render::plain))
        .route("/toegankelijkheid", get(render::plain))
        .route("/privacy", get(render::plain))
        .route("/uitgelogd", get(render::plain))
        .route("/inloggen/mislukt", get(render::plain))
        .route(
            "/inloggen",
            get(login::start_citizen)
                .layer(middleware::from_fn_with_state(state.clone(), limits::login)),
        )
        .route("/inloggen/terug", get(login::callback_citizen))
        .route(
            "/backoffice/inloggen",
            get(login::start_staff)
                .layer(middleware::from_fn_with_state(state.clone(), limits::login)),
        )
        .route("/backoffice/inloggen/terug", get(login::callback_staff))
        .route("/uitloggen", post(login::logout))
        .route("/sessie/verlengen", post(login::extend))
        .route("/taal", post(support::set_language))
        // The citizen's own data.
        .route("/overzicht", get(citizen::overview_page))
        .route("/mijn-gegevens", get(citizen::my_data_page))
        .route("/mijn-gegevens/download.json", get(citizen::download_json))
        .route("/mijn-gegevens/download.csv", get(citizen::download_csv))
        .route("/gedeeld", get(citizen::shared_page))
        .route("/gebruik", get(citizen::usage_page))
        .route("/toestemmingen", get(citizen::consents_page))
        .route(
            "/toestemmingen/intrekken",
            get(citizen::confirm_withdrawal_page).post(citizen::withdraw_consent),
        )
        .route("/instellingen", get(settings::settings_page))
        .route(
            "/instellingen/email",
            post(settings::set_email).layer(middleware::from_fn_with_state(
                state.clone(),
                limits::email_code,
            )),
        )
        .route(
            "/instellingen/bevestigen",
            post(settings::confirm_email).layer(middleware::from_fn_with_state(
                state.clone(),
                limits::email_code,
            )),
        )
        .route(
            "/instellingen/email/verwijderen",
            post(settings::remove_email).layer(middleware::from_fn_with_state(
                state.clone(),
                limits::email_code,
            )),
        )
        // The citizen's requests and their documents.
        .route("/verzoeken", get(requests::requests_page))
        .route(
            "/verzoeken/nieuw",
            get(requests::new_request_page).post(requests::new_request),
        )
        .route("/verzoeken/{reference}", get(requests::request_page))
        .route(
            "/verzoeken/{reference}/bericht",
            post(requests::citizen_message),
        )
        .route("/verzoeken/{reference}/intrekken", post(requests::withdraw))
        .route(
            "/verzoeken/{reference}/antwoord",
            get(documents::answer_page),
        )
        .route(
            "/verzoeken/{reference}/antwoord.json",
            get(documents::answer_json),
        )
        .route(
            "/verzoeken/{reference}/antwoord.pdf",
            get(documents::answer_pdf)
                .layer(middleware::from_fn_with_state(state.clone(), limits::pdf)),
        )
        .route(
            "/verzoeken/{reference}/besluit",
            get(documents::decision_letter_page),
        )
        .route(
            "/verzoeken/{reference}/verlenging",
            get(documents::extension_letter_page),
        )
        .route(
            "/verzoeken/{reference}/brief/{file}",
            get(documents::letter_download)
                .layer(middleware::from_fn_with_state(state.clone(), limits::pdf)),
        )
        // The back office.
        .route("/backoffice", get(backoffice::start_page))
        .route("/backoffice/verzoeken", get(requests::queue_page))
        .route(
            "/backoffice/verzoeken/{reference}",
            get(requests::staff_request_page),
        )
        .route(
            "/backoffice/verzoeken/{reference}/actie",
            post(requests::staff_action),
        )
        .route(
            "/backoffice/verzoeken/{reference}/bsn",
            post(requests::reveal_bsn),
        )
        .route(
            "/backoffice/verzoeken/{reference}/brief/{file}",
            get(documents::staff_letter_download)
                .layer(middleware::from_fn_with_state(state.clone(), limits::pdf)),
        )
        .route("/backoffice/post", get(backoffice::outbox_page))
        .route("/backoffice/toezicht", get(backoffice::oversight_page))
        .route(
            "/backoffice/toezicht/auditcheckpoint.json",
            get(documents::audit_checkpoint),
        )
        .route(
            "/backoffice/toezicht/csv/{table}",
            get(documents::oversight_csv),
        )
        // Anything else: the Leptos "not found" page.
        .fallback(render::plain);
    if state.settings.dev_idp_enabled() {
        app = app.nest("/dev/digid", crate::dev::digid::router());
    }
    if state.settings.dev_tools_allowed()
        && state.settings.mail.transport == crate::config::MailTransportKind::File
    {
        app = app.route("/dev/mail", get(crate::dev::mailbox::mailbox));
    }
    app.layer(sessions)
        .merge(fixed)
        // After routing, so each request is timed under its route's pattern.
        .route_layer(middleware::from_fn(crate::platform::metrics::track))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::origin_check,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(security::span_without_query))
        // Outermost: every log line of a request carries its id, and the answer returns it
        // (`X-Request-Id`; a proxy's own id is kept).
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
