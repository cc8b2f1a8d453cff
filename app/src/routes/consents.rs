//! "Toestemmingen": consents in force and withdrawn. Withdrawing goes through a confirmation
//! page, a plain link and a plain form, so it works the same with and without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use types::Notice;

use crate::{
    i18n::{Locale, long_date, tr, tr_with},
    layouts::Page,
    models::{ConsentView, PageData},
    shell::portal,
};

fn consent_item(l: Locale, c: ConsentView) -> impl IntoView {
    let withdraw_href = format!("/toestemmingen/intrekken?id={}", c.id);
    view! {
        <li class="card my-3" data-testid="consent">
            <h3 class="mt-0 text-lg font-semibold">{c.recipient.clone()}</h3>
            <p>{c.purpose.clone()}</p>
            <dl class="facts text-sm">
                <dt>{tr(l, "consents.given")}</dt>
                <dd>{format!("{} ({})", long_date(l, &c.given_at), c.channel)}</dd>
                {c.withdrawn_at.clone().map(|date| view! {
                    <dt>{tr(l, "consents.withdrawn_on")}</dt>
                    <dd>{long_date(l, &date)}</dd>
                })}
            </dl>
            {c.withdrawn_at.is_none().then(|| view! {
                <p class="mt-3"><a href=withdraw_href class="nl-button nl-button--secondary">{tr_with(l, "consents.withdraw_link", &[("ontvanger", &c.recipient)])}</a></p>
            })}
        </li>
    }
}

/// The page, or the confirmation step when `?id=` names a consent in force.
#[component]
pub fn ConsentsPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::Consents(consents) = p.page.clone() else {
        return view! { <Page title_key="consents.title"><p>{tr(l, "overview.not_logged_in")}</p></Page> }.into_any();
    };
    let notice =
        use_query_map().with_untracked(|q| q.get("melding").and_then(|m| Notice::parse(&m)));
    if let Some(c) = consents.confirm.clone() {
        return view! {
            <Page title_key="consents.confirm_title">
                <h1>{tr(l, "consents.confirm_title")}</h1>
                <p class="lead">{tr_with(l, "consents.confirm_text", &[("ontvanger", &c.recipient), ("doel", &c.purpose)])}</p>
                <p>{tr(l, "consents.confirm_effect")}</p>
                <form method="post" action="/toestemmingen/intrekken" class="mt-6 flex flex-wrap gap-4">
                    <input type="hidden" name="id" value=c.id.to_string() />
                    <button type="submit" class="nl-button nl-button--primary">{tr(l, "consents.confirm_button")}</button>
                    <a href="/toestemmingen" class="nl-button nl-button--secondary">{tr(l, "consents.cancel")}</a>
                </form>
            </Page>
        }
        .into_any();
    }
    view! {
        <Page title_key="consents.title">
            <h1>{tr(l, "consents.title")}</h1>
            <p class="lead">{tr(l, "consents.intro")}</p>
            {match notice {
                Some(Notice::Withdrawn) => view! { <div class="notice my-6" role="status" data-testid="consent-notice"><p>{tr(l, "consents.done")}</p></div> }.into_any(),
                Some(Notice::Unknown) => view! { <div class="notice-error my-6" role="alert" data-testid="consent-notice"><p>{tr(l, "consents.unknown")}</p></div> }.into_any(),
                _ => ().into_any(),
            }}
            <h2>{tr(l, "consents.active")}</h2>
            {consents.active.is_empty().then(|| view! { <p>{tr(l, "consents.none")}</p> })}
            <ul data-testid="active-consents">{consents.active.into_iter().map(|c| consent_item(l, c)).collect_view()}</ul>
            <h2>{tr(l, "consents.withdrawn")}</h2>
            {consents.withdrawn.is_empty().then(|| view! { <p>{tr(l, "consents.none")}</p> })}
            <ul data-testid="withdrawn-consents">{consents.withdrawn.into_iter().map(|c| consent_item(l, c)).collect_view()}</ul>
        </Page>
    }
    .into_any()
}
