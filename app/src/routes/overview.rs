//! The citizen's overview after login.

use leptos::prelude::*;

use crate::{
    i18n::{tr, tr_count, tr_with},
    layouts::Page,
    models::Viewer,
    shell::portal,
};

/// Name, masked BSN, level of assurance and session time of the logged-in citizen.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let Viewer::Citizen(citizen) = p.viewer.clone() else {
        // The server only renders this page for citizens; anything else sees the start.
        return view! { <Page title_key="overview.title"><p>{tr(l, "overview.not_logged_in")}</p></Page> }.into_any();
    };
    let greeting = match (&citizen.name, citizen.on_behalf) {
        (Some(name), true) => tr_with(l, "overview.on_behalf_name", &[("naam", name)]),
        (None, true) => tr(l, "overview.acting_for"),
        (Some(name), false) => tr_with(l, "overview.welcome_name", &[("naam", name)]),
        (None, false) => tr(l, "overview.welcome"),
    };
    let minutes = p
        .session
        .map(|c| c.seconds_left.div_ceil(60))
        .unwrap_or_default();
    view! {
        <Page title_key="overview.title">
            <h1>{greeting}</h1>
            <p class="lead">{tr(l, if citizen.on_behalf { "overview.intro_on_behalf" } else { "overview.intro" })}</p>
            <section aria-labelledby="ingelogd" class="card my-6">
                <h2 id="ingelogd">{tr(l, if citizen.on_behalf { "overview.acting_for" } else { "overview.you_are" })}</h2>
                <dl class="facts">
                    <dt>{tr(l, "overview.name")}</dt>
                    <dd data-testid="citizen-name">
                        {citizen.name.clone().unwrap_or_else(|| tr(l, "overview.name_unknown"))}
                    </dd>
                    <dt>{tr(l, "overview.bsn")}</dt>
                    <dd data-testid="masked-bsn">{citizen.masked_bsn.clone()}</dd>
                    <dt>{tr(l, "overview.level")}</dt>
                    <dd data-testid="level">{tr(l, citizen.level.key())}</dd>
                    <dt>{tr(l, "overview.session")}</dt>
                    <dd>{tr_with(l, "overview.session_text", &[("minuten", &minutes.to_string())])}</dd>
                </dl>
            </section>
            {match p.page.clone() {
                crate::models::PageData::Overview(o) => view! {
                    <section aria-labelledby="gegevens-kop" class="my-6">
                        <h2 id="gegevens-kop">{tr(l, "data.title")}</h2>
                        <p data-testid="held">{tr_count(l, "overview.held", o.records, &[("verdeeld", &tr_count(l, "overview.subjects", o.domains, &[]))])}</p>
                        {(o.withheld_for_level > 0).then(|| view! {
                            <div class="notice my-4" role="status" data-testid="step-up">
                                <p>{tr_count(l, "data.step_up", o.withheld_for_level, &[])}</p>
                            </div>
                        })}
                        <p><a href="/mijn-gegevens">{tr(l, "overview.see_data")}</a></p>
                    </section>
                    <section aria-labelledby="gedeeld-kop" class="my-6">
                        <h2 id="gedeeld-kop">{tr(l, "overview.recent")}</h2>
                        {o.recent.is_empty().then(|| view! { <p>{tr(l, "shared.none")}</p> })}
                        <ul>{o.recent.into_iter().map(|d| crate::routes::shared::disclosure_item(l, d, 3)).collect_view()}</ul>
                        <p><a href="/gedeeld">{tr(l, "overview.see_shared")}</a></p>
                    </section>
                }.into_any(),
                _ => ().into_any(),
            }}
        </Page>
    }
    .into_any()
}
