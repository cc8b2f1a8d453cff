//! "Gedeeld met": disclosures over time, filterable by period and recipient (a GET form, so it
//! works without JavaScript and the filter can be bookmarked).

use leptos::prelude::*;

use crate::{
    i18n::{Locale, long_date, tr, tr_count, tr_with},
    layouts::Page,
    models::{DisclosureView, PageData},
    routes::my_data::basis_words,
    shell::portal,
};

/// One disclosure, also used on the overview: the recipient is a heading at `heading_level`
/// (2 on its own page, 3 inside a section of the overview).
pub fn disclosure_item(l: Locale, d: DisclosureView, heading_level: u8) -> impl IntoView {
    let consent = d.consent.clone().map(|(recipient, withdrawn)| {
        let mut text = tr_with(l, "shared.consent", &[("ontvanger", &recipient)]);
        if let Some(date) = withdrawn {
            text.push(' ');
            text.push_str(&tr_with(
                l,
                "shared.consent_withdrawn",
                &[("datum", &long_date(l, &date))],
            ));
        }
        text
    });
    view! {
        <li class="card my-3" data-testid="disclosure">
            {if heading_level <= 2 {
                view! { <h2 class="mt-0 text-lg font-semibold">{d.recipient.clone()}</h2> }.into_any()
            } else {
                view! { <h3 class="mt-0 text-lg font-semibold">{d.recipient.clone()}</h3> }.into_any()
            }}
            <dl class="facts text-sm">
                <dt>{tr(l, "shared.when")}</dt>
                <dd>{long_date(l, &d.disclosed_at)}</dd>
                <dt>{tr(l, "shared.what")}</dt>
                <dd>{d.categories.join(", ")}</dd>
                <dt>{tr(l, "data.why")}</dt>
                <dd>{d.purpose.clone()}</dd>
                <dt>{tr(l, "data.basis")}</dt>
                <dd>{basis_words(l, d.legal_basis, d.legal_basis_text.as_deref())}</dd>
            </dl>
            {consent.map(|text| view! { <p class="mt-2 text-sm" data-testid="consent">{text}</p> })}
        </li>
    }
}

/// The page.
#[component]
pub fn SharedPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::Shared(shared) = p.page.clone() else {
        return view! { <Page title_key="shared.title"><p>{tr(l, "overview.not_logged_in")}</p></Page> }.into_any();
    };
    let selected = shared.filter_recipient.clone().unwrap_or_default();
    view! {
        <Page title_key="shared.title">
            <h1>{tr(l, "shared.title")}</h1>
            <p class="lead">{tr(l, "shared.intro")}</p>
            {(shared.withheld_for_level > 0).then(|| view! {
                <div class="notice my-6" role="status" data-testid="step-up">
                    <p>{tr_count(l, "data.step_up", shared.withheld_for_level, &[])}</p>
                </div>
            })}
            <form method="get" action="/gedeeld" class="card my-6">
                <fieldset>
                    <legend>{tr(l, "shared.filter")}</legend>
                    <div class="field">
                        <label for="ontvanger">{tr(l, "shared.recipient")}</label>
                        <select class="utrecht-select utrecht-select--html-select" id="ontvanger" name="ontvanger">
                            <option value="">{tr(l, "shared.all_recipients")}</option>
                            {shared.recipients.iter().map(|r| view! {
                                <option value=r.clone() selected=*r == selected>{r.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="van">{tr(l, "shared.from")}</label>
                        <input class="utrecht-textbox utrecht-textbox--html-input" id="van" name="van" type="date" value=shared.filter_from.clone().unwrap_or_default() />
                    </div>
                    <div class="field">
                        <label for="tot">{tr(l, "shared.to")}</label>
                        <input class="utrecht-textbox utrecht-textbox--html-input" id="tot" name="tot" type="date" value=shared.filter_to.clone().unwrap_or_default() />
                    </div>
                    <button type="submit" class="nl-button nl-button--secondary">{tr(l, "shared.apply")}</button>
                </fieldset>
            </form>
            {shared.disclosures.is_empty().then(|| view! { <p>{tr(l, "shared.none")}</p> })}
            <ul>
                {shared.disclosures.into_iter().map(|d| disclosure_item(l, d, 2)).collect_view()}
            </ul>
        </Page>
    }
    .into_any()
}
