//! The frame around every page: skip link, header with language switch and logout, footer.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::SessionTimer,
    i18n::tr,
    models::{StaffRole, Viewer},
    shell::portal,
};

/// A page with the portal's frame. `title_key` names the page in the tab and the `<h1>`.
#[component]
pub fn Page(title_key: &'static str, children: Children) -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let title = format!("{} — Inzage {}", tr(l, title_key), p.municipality_name);
    let other = l.other();
    let logged_in = !matches!(p.viewer, Viewer::Anonymous);
    let home = match p.viewer {
        Viewer::Anonymous => "/",
        Viewer::Citizen(_) => "/overzicht",
        Viewer::Staff(_) => "/backoffice",
    };
    view! {
        <Title text=title />
        <a href="#inhoud" class="skip-link">{tr(l, "layout.skip")}</a>
        <header class="border-b-4 border-brand bg-white">
            <div class="mx-auto flex max-w-4xl flex-wrap items-center justify-between gap-4 px-4 py-4">
                <a href=home class="text-xl font-bold text-brand no-underline">
                    <span class="block text-sm font-normal text-ink">{p.municipality_name.clone()}</span>
                    "Inzage"
                </a>
                <nav aria-label=tr(l, "layout.nav_label") class="flex flex-wrap items-center gap-3">
                    {match &p.viewer {
                        Viewer::Citizen(_) => view! {
                            <a href="/overzicht">{tr(l, "overview.title")}</a>
                            <a href="/mijn-gegevens">{tr(l, "data.title")}</a>
                            <a href="/gedeeld">{tr(l, "shared.title")}</a>
                            <a href="/gebruik">{tr(l, "usage.title")}</a>
                            <a href="/toestemmingen">{tr(l, "consents.title")}</a>
                            <a href="/verzoeken">{tr(l, "requests.title")}</a>
                            <a href="/instellingen">{tr(l, "settings.title")}</a>
                        }.into_any(),
                        Viewer::Staff(staff) => {
                            let works_requests = staff.roles.iter().any(|r| *r != StaffRole::Admin);
                            let admin = staff.roles.contains(&StaffRole::Admin);
                            let officer = staff.roles.contains(&StaffRole::PrivacyOfficer);
                            view! {
                                <a href="/backoffice">{tr(l, "backoffice.title")}</a>
                                {works_requests.then(|| view! { <a href="/backoffice/verzoeken">{tr(l, "queue.title")}</a> })}
                                {admin.then(|| view! { <a href="/backoffice/post">{tr(l, "outbox.title")}</a> })}
                                {officer.then(|| view! { <a href="/backoffice/toezicht">{tr(l, "oversight.title")}</a> })}
                            }.into_any()
                        }
                        _ => ().into_any(),
                    }}
                    <form method="post" action="/taal">
                        <input type="hidden" name="taal" value=other.code() />
                        <input type="hidden" name="terug" value=p.current_path.clone() />
                        <button type="submit" class="nl-button nl-button--secondary" lang=other.code()>
                            {tr(l, "layout.switch_language")}
                        </button>
                    </form>
                    {logged_in.then(|| view! {
                        <form method="post" action="/uitloggen">
                            <button type="submit" class="nl-button nl-button--secondary">{tr(l, "layout.logout")}</button>
                        </form>
                    })}
                </nav>
            </div>
            {match &p.viewer {
                Viewer::Citizen(c) if c.on_behalf => Some(view! {
                    <div class="border-t border-line bg-surface">
                        <div class="mx-auto max-w-4xl px-4 py-2">
                            <p class="notice" role="status" data-testid="on-behalf">
                                {match &c.name {
                                    Some(name) => crate::i18n::tr_with(l, "layout.on_behalf_name", &[("naam", name)]),
                                    None => tr(l, "layout.on_behalf"),
                                }}
                            </p>
                        </div>
                    </div>
                }),
                _ => None,
            }}
            {p.session.map(|clock| {
                let return_to = p.current_path.clone();
                view! {
                    <div class="border-t border-line bg-surface">
                        <div class="mx-auto max-w-4xl px-4 py-2">
                            <SessionTimer
                                seconds_left=clock.seconds_left
                                warning_seconds=clock.warning_seconds
                                script_href=clock.script_href
                                label=tr(l, "session.time_left")
                                warning=tr(l, "session.warning")
                                expired=tr(l, "session.expired")
                                stay=tr(l, "session.stay")
                                login_again=tr(l, "session.login_again")
                                return_to=return_to
                            />
                        </div>
                    </div>
                }
            })}
        </header>
        <main id="inhoud" tabindex="-1" class="mx-auto max-w-4xl px-4 py-8">
            {children()}
        </main>
        <footer class="mt-12 border-t border-line bg-surface">
            <div class="mx-auto flex max-w-4xl flex-wrap gap-6 px-4 py-6 text-sm">
                <a href="/toegankelijkheid">{tr(l, "accessibility.title")}</a>
                <a href="/privacy">{tr(l, "privacy.title")}</a>
                {(!logged_in).then(|| view! {
                    <a href="/backoffice/inloggen">{tr(l, "layout.staff_login")}</a>
                })}
            </div>
        </footer>
    }
}
