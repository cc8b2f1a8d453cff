//! "Instellingen": the citizen's contact address, used only once confirmed with a code.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use types::ContactNotice;

use crate::{
    i18n::{tr, tr_with},
    layouts::Page,
    models::PageData,
    shell::portal,
};

/// Contact address: add, confirm with a code, change, remove.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::Settings(contact) = p.page.clone() else {
        return view! { <Page title_key="settings.title"><p>{tr(l, "overview.not_logged_in")}</p></Page> }.into_any();
    };
    let (melding, code) = use_query_map().with_untracked(|q| {
        (
            q.get("melding").and_then(|m| ContactNotice::parse(&m)),
            q.get("code").unwrap_or_default(),
        )
    });
    let notice = melding.map(|n| (n.key(), n.is_error()));
    view! {
        <Page title_key="settings.title">
            <h1>{tr(l, "settings.title")}</h1>
            {notice.map(|(key, error)| view! {
                <div class=if error { "notice-error mb-6" } else { "notice mb-6" } role=if error { "alert" } else { "status" } data-testid="settings-notice">
                    <p>{tr(l, key)}</p>
                </div>
            })}
            <section aria-labelledby="email-kop" class="card my-6">
                <h2 id="email-kop">{tr(l, "settings.email_heading")}</h2>
                <p>{tr(l, "settings.email_why")}</p>
                {match contact.verified_email.clone() {
                    Some(email) => view! {
                        <p data-testid="verified-email">{tr_with(l, "settings.current", &[("adres", &email)])}</p>
                    }.into_any(),
                    None => view! { <p data-testid="no-email">{tr(l, "settings.none")}</p> }.into_any(),
                }}
                <form method="post" action="/instellingen/email" class="mt-4">
                    <div class="field">
                        <label for="email">{tr(l, "settings.email_label")}</label>
                        <input class="utrecht-textbox utrecht-textbox--html-input" id="email" name="email" type="email" autocomplete="email" required />
                    </div>
                    <button type="submit" class="nl-button nl-button--primary">{tr(l, "settings.email_submit")}</button>
                </form>
            </section>
            {contact.pending_email.clone().map(|pending| view! {
                <section aria-labelledby="code-kop" class="card my-6">
                    <h2 id="code-kop">{tr(l, "settings.code_heading")}</h2>
                    <p data-testid="pending-email">{tr_with(l, "settings.code_text", &[("adres", &pending)])}</p>
                    <form method="post" action="/instellingen/bevestigen">
                        <div class="field">
                            <label for="code">{tr(l, "settings.code_label")}</label>
                            <input class="utrecht-textbox utrecht-textbox--html-input" id="code" name="code" autocomplete="one-time-code" required value=code.clone() />
                        </div>
                        <button type="submit" class="nl-button nl-button--primary">{tr(l, "settings.code_submit")}</button>
                    </form>
                </section>
            })}
            {(contact.verified_email.is_some() || contact.pending_email.is_some()).then(|| view! {
                <form method="post" action="/instellingen/email/verwijderen" class="my-6">
                    <button type="submit" class="nl-button nl-button--secondary">{tr(l, "settings.remove")}</button>
                </form>
            })}
        </Page>
    }
    .into_any()
}
