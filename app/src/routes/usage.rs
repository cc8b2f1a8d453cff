//! "Wie gebruikte mijn gegevens": the processing log about the citizen, by period. Staff are
//! never named: the log holds organisation units only.

use leptos::prelude::*;

use crate::{
    i18n::{long_date, tr, tr_count},
    layouts::Page,
    models::PageData,
    shell::portal,
};

/// The page.
#[component]
pub fn UsagePage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::Usage(usage) = p.page.clone() else {
        return view! { <Page title_key="usage.title"><p>{tr(l, "overview.not_logged_in")}</p></Page> }.into_any();
    };
    view! {
        <Page title_key="usage.title">
            <h1>{tr(l, "usage.title")}</h1>
            <p class="lead">{tr(l, "usage.intro")}</p>
            {(usage.withheld_for_level > 0).then(|| view! {
                <div class="notice my-6" role="status" data-testid="step-up">
                    <p>{tr_count(l, "data.step_up", usage.withheld_for_level, &[])}</p>
                </div>
            })}
            <form method="get" action="/gebruik" class="card my-6">
                <fieldset>
                    <legend>{tr(l, "shared.filter")}</legend>
                    <div class="field">
                        <label for="van">{tr(l, "shared.from")}</label>
                        <input class="utrecht-textbox utrecht-textbox--html-input" id="van" name="van" type="date" value=usage.filter_from.clone().unwrap_or_default() />
                    </div>
                    <div class="field">
                        <label for="tot">{tr(l, "shared.to")}</label>
                        <input class="utrecht-textbox utrecht-textbox--html-input" id="tot" name="tot" type="date" value=usage.filter_to.clone().unwrap_or_default() />
                    </div>
                    <button type="submit" class="nl-button nl-button--secondary">{tr(l, "shared.apply")}</button>
                </fieldset>
            </form>
            {usage.lines.is_empty().then(|| view! { <p>{tr(l, "usage.none")}</p> })}
            <ul>
                {usage.lines.into_iter().map(|line| view! {
                    <li class="card my-3" data-testid="usage-line">
                        <h2 class="mt-0 text-lg font-semibold">{line.name.clone()}</h2>
                        <dl class="facts text-sm">
                            <dt>{tr(l, "shared.when")}</dt>
                            <dd>{format!("{} {}", long_date(l, &line.when), line.when.get(11..16).unwrap_or(""))}</dd>
                            <dt>{tr(l, "usage.by")}</dt>
                            <dd>{line.processor.clone()}</dd>
                            <dt>{tr(l, "data.why")}</dt>
                            <dd>{line.activity.clone()}</dd>
                        </dl>
                    </li>
                }).collect_view()}
            </ul>
        </Page>
    }
    .into_any()
}
