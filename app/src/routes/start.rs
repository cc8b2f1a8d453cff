//! The start page: what Inzage is, the citizen's rights, and the DigiD button.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    i18n::{tr, tr_with},
    layouts::Page,
    shell::portal,
};

/// What this portal does, the rights, and "Inloggen met DigiD".
#[component]
pub fn StartPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let municipality = p.municipality_name.clone();
    let expired = use_query_map().with_untracked(|q| q.get("verlopen").is_some());
    let rights = [
        "start.right_access",
        "start.right_rectify",
        "start.right_erase",
        "start.right_restrict",
        "start.right_object",
    ];
    let can_do = [
        "start.can_see",
        "start.can_shared",
        "start.can_used",
        "start.can_request",
    ];
    view! {
        <Page title_key="start.title">
            {expired.then(|| view! {
                <div class="notice mb-6" role="status">{tr(l, "session.ended_notice")}</div>
            })}
            <h1>{tr_with(l, "start.heading", &[("gemeente", &municipality)])}</h1>
            <p class="lead">{tr_with(l, "start.intro", &[("gemeente", &municipality)])}</p>

            <section aria-labelledby="inloggen" class="card my-8">
                <h2 id="inloggen">{tr(l, "start.login_heading")}</h2>
                <p>{tr(l, "start.login_text")}</p>
                <div class="mt-4 flex flex-wrap items-center gap-4">
                    <a href="/inloggen" class="nl-button nl-button--primary" data-testid="digid-login">
                        {tr(l, "start.login_button")}
                    </a>
                    <span class="font-semibold">{municipality.clone()}</span>
                </div>
                {p.dev_idp.then(|| view! {
                    <p class="mt-4 text-sm">{tr(l, "start.dev_notice")}</p>
                })}
            </section>

            <h2>{tr(l, "start.can_heading")}</h2>
            <ul class="list">
                {can_do.into_iter().map(|k| view! { <li>{tr(l, k)}</li> }).collect_view()}
            </ul>

            <h2>{tr(l, "start.rights_heading")}</h2>
            <p>{tr(l, "start.rights_intro")}</p>
            <ul class="list">
                {rights.into_iter().map(|k| view! { <li>{tr(l, k)}</li> }).collect_view()}
            </ul>
            <p>{tr(l, "start.free")}</p>
            <p>{tr(l, "start.complaint")}</p>
        </Page>
    }
}
