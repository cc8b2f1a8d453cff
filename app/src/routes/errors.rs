//! Pages for failed logins, after logout, and for addresses that do not exist.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    i18n::{tr, tr_with},
    layouts::Page,
    shell::portal,
};

/// Why a login did not succeed, as the `reden` query parameter names it.
fn reason_keys(reason: &str) -> (&'static str, &'static str) {
    match reason {
        "geannuleerd" => ("login_failed.cancelled_title", "login_failed.cancelled"),
        "niveau" => ("login_failed.level_title", "login_failed.level"),
        "verlopen" => ("login_failed.expired_title", "login_failed.expired"),
        "geen-toegang" => ("login_failed.no_role_title", "login_failed.no_role"),
        "medewerker" => ("login_failed.staff_title", "login_failed.staff"),
        "tweede-factor" => (
            "login_failed.second_factor_title",
            "login_failed.second_factor",
        ),
        _ => ("login_failed.title", "login_failed.communication"),
    }
}

/// A login that ended without a session, in Logius' wording where DigiD is concerned.
#[component]
pub fn LoginFailedPage() -> impl IntoView {
    let l = portal().locale;
    let reason = use_query_map().with_untracked(|q| q.get("reden").unwrap_or_default());
    let staff = matches!(
        reason.as_str(),
        "geen-toegang" | "medewerker" | "tweede-factor"
    );
    let (title, text) = reason_keys(&reason);
    let retry = if staff {
        "/backoffice/inloggen"
    } else {
        "/inloggen"
    };
    view! {
        <Page title_key=title>
            <h1>{tr(l, title)}</h1>
            <div class="notice-error my-6" role="alert" data-testid="login-error">
                <p>{tr(l, text)}</p>
            </div>
            <div class="flex flex-wrap gap-4">
                <a href=retry class="nl-button nl-button--primary">{tr(l, "login_failed.retry")}</a>
                <a href="/" class="nl-button nl-button--secondary">{tr(l, "login_failed.home")}</a>
            </div>
        </Page>
    }
}

/// Shown after logout: at the provider too, or (`digid=mogelijk-open`) only here because the
/// provider could not be reached.
#[component]
pub fn LoggedOutPage() -> impl IntoView {
    let l = portal().locale;
    let provider_open =
        use_query_map().with_untracked(|q| q.get("digid").is_some_and(|v| v == "mogelijk-open"));
    view! {
        <Page title_key="logged_out.title">
            <h1>{tr(l, "logged_out.title")}</h1>
            {if provider_open {
                view! {
                    <div class="notice-error my-6" role="alert" data-testid="logged-out">
                        <p>{tr(l, "logged_out.provider_unreachable")}</p>
                    </div>
                }.into_any()
            } else {
                view! { <p class="lead" data-testid="logged-out">{tr(l, "logged_out.text")}</p> }.into_any()
            }}
            <p>{tr(l, "logged_out.shared_computer")}</p>
            <a href="/" class="nl-button nl-button--primary">{tr(l, "login_failed.home")}</a>
        </Page>
    }
}

/// A rate limit was hit (the server answers 429 with `Retry-After`); `wacht` is the number of
/// seconds to wait.
#[component]
pub fn TooOftenPage() -> impl IntoView {
    let l = portal().locale;
    let wait = use_query_map()
        .with_untracked(|q| q.get("wacht").and_then(|v| v.parse::<u32>().ok()))
        .unwrap_or(60);
    let home = match portal().viewer {
        crate::models::Viewer::Staff(_) => "/backoffice",
        crate::models::Viewer::Citizen(_) => "/overzicht",
        crate::models::Viewer::Anonymous => "/",
    };
    view! {
        <Page title_key="too_often.title">
            <h1>{tr(l, "too_often.title")}</h1>
            <div class="notice-error my-6" role="alert" data-testid="too-often">
                <p>{tr_with(l, "too_often.text", &[("seconden", &wait.to_string())])}</p>
            </div>
            <p>{tr(l, "too_often.nothing_lost")}</p>
            <a href=home class="nl-button nl-button--primary">{tr(l, "too_often.back")}</a>
        </Page>
    }
}

/// 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let l = portal().locale;
    view! {
        <Page title_key="not_found.title">
            <h1>{tr(l, "not_found.title")}</h1>
            <p>{tr(l, "not_found.text")}</p>
            <a href="/" class="nl-button nl-button--primary">{tr(l, "login_failed.home")}</a>
        </Page>
    }
}
