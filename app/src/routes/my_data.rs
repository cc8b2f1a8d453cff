//! "Mijn gegevens": what the municipality holds, by domain and source, each item with why,
//! on what legal basis, how long it is kept, where it came from and who recorded it.

use leptos::prelude::*;
use types::LegalBasis;

use crate::{
    i18n::{Locale, long_date, tr, tr_count, tr_with},
    layouts::Page,
    models::{PageData, RecordView, SourceGroup, SourcePage},
    shell::portal,
};

/// The legal basis in plain words, then the article.
pub fn basis_words(l: Locale, basis: Option<LegalBasis>, text: Option<&str>) -> String {
    match basis {
        Some(basis) => {
            let words = tr(l, basis.key());
            match text {
                Some(t) if !t.is_empty() => format!("{words} ({t})"),
                _ => words,
            }
        }
        None => tr(l, "basis.none"),
    }
}

/// A register's retention rule in words: `P10Y` becomes "10 jaar"; text rules stay as they are.
pub fn retention_words(l: Locale, rule: &str) -> String {
    match rule.strip_prefix('P').and_then(|r| r.strip_suffix('Y')) {
        Some(years) if !years.is_empty() && years.chars().all(|c| c.is_ascii_digit()) => {
            tr_with(l, "data.rule_years", &[("jaren", years)])
        }
        _ => rule.to_owned(),
    }
}

fn record_item(l: Locale, r: RecordView) -> impl IntoView {
    let kept = match &r.retention_until {
        Some(date) => tr_with(l, "data.kept_until", &[("datum", &long_date(l, date))]),
        None => retention_words(l, &r.retention_rule),
    };
    let recorded = tr_with(
        l,
        "data.recorded_by",
        &[
            ("datum", &long_date(l, &r.recorded_at)),
            ("wie", &r.recorded_by),
        ],
    );
    view! {
        <li class="card my-3" data-testid="record">
            <h4 class="text-lg font-semibold">{r.label.clone()}</h4>
            <p class="mb-2">{r.value.clone()}</p>
            {r.special.then(|| view! { <p class="text-sm font-semibold" data-testid="special">{tr(l, "data.special")}</p> })}
            {r.restricted_by.clone().map(|by| view! {
                <p class="notice text-sm my-2" data-testid="restricted">{
                    if by.is_empty() { tr(l, "data.restricted") } else { tr_with(l, "data.restricted_by", &[("verzoek", &by)]) }
                }</p>
            })}
            <dl class="facts text-sm">
                <dt>{tr(l, "data.why")}</dt>
                <dd>{format!("{}: {}", r.activity, r.purpose)}</dd>
                <dt>{tr(l, "data.basis")}</dt>
                <dd>{basis_words(l, Some(r.legal_basis), Some(&r.legal_basis_text))}</dd>
                <dt>{tr(l, "data.kept")}</dt>
                <dd data-testid="kept">{kept}</dd>
                <dt>{tr(l, "data.recorded")}</dt>
                <dd>{recorded}</dd>
            </dl>
            <p class="mt-3 flex flex-wrap gap-4 text-sm">
                <a href=format!("/verzoeken/nieuw?soort=rectification&gegeven={}", r.id) data-testid="not-right">
                    {tr(l, "data.not_right")}<span class="sr-only">{format!(": {}", r.label)}</span>
                </a>
                <a href=format!("/verzoeken/nieuw?soort=erasure&gegeven={}", r.id) data-testid="ask-erasure">
                    {tr(l, "data.ask_erasure")}<span class="sr-only">{format!(": {}", r.label)}</span>
                </a>
            </p>
        </li>
    }
}

/// One source system's records: the newest few with a link to all of them, or one page of them
/// with links to the pages around it.
fn source_group(l: Locale, group: SourceGroup, focus: Option<SourcePage>) -> impl IntoView {
    let shown = group.records.len();
    let more = (focus.is_none() && group.total > shown).then(|| {
        let text = tr_with(
            l,
            "data.show_all",
            &[("aantal", &group.total.to_string()), ("bron", &group.source)],
        );
        view! {
            <p><a href=format!("/mijn-gegevens?bron={}", group.source_id) data-testid="show-all">{text}</a></p>
        }
    });
    let pager = focus.filter(|f| f.pages > 1).map(|f| {
        let link = |page: usize| format!("/mijn-gegevens?bron={}&pagina={page}", f.source_id);
        view! {
            <nav aria-label=tr(l, "data.pages") class="my-4 flex flex-wrap gap-6" data-testid="pager">
                {(f.page > 1).then(|| view! { <a href=link(f.page - 1) rel="prev">{tr(l, "data.previous")}</a> })}
                <span aria-current="page">{tr_with(l, "data.page_of", &[("pagina", &f.page.to_string()), ("van", &f.pages.to_string())])}</span>
                {(f.page < f.pages).then(|| view! { <a href=link(f.page + 1) rel="next">{tr(l, "data.next")}</a> })}
            </nav>
        }
    });
    view! {
        <h3 class="mt-4 text-xl font-semibold">{tr_with(l, "data.source", &[("bron", &group.source)])}</h3>
        <p class="text-sm" data-testid="source-count">{tr_with(l, "data.source_count", &[("aantal", &group.total.to_string())])}</p>
        <ul>
            {group.records.into_iter().map(|r| record_item(l, r)).collect_view()}
        </ul>
        {more}
        {pager}
    }
}

/// The page.
#[component]
pub fn MyDataPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::MyData(data) = p.page.clone() else {
        return view! { <Page title_key="data.title"><p>{tr(l, "overview.not_logged_in")}</p></Page> }.into_any();
    };
    let withheld = data.withheld_for_level;
    let focus = data.focus.clone();
    view! {
        <Page title_key="data.title">
            <h1>{tr(l, "data.title")}</h1>
            <p class="lead">{tr(l, "data.intro")}</p>
            {(withheld > 0).then(|| view! {
                <div class="notice my-6" role="status" data-testid="step-up">
                    <p>{tr_count(l, "data.step_up", withheld, &[])}</p>
                </div>
            })}
            <p class="my-4 flex flex-wrap gap-4">
                <a href="/mijn-gegevens/download.json" download>{tr(l, "data.download_json")}</a>
                <a href="/mijn-gegevens/download.csv" download>{tr(l, "data.download_csv")}</a>
            </p>
            {focus.as_ref().map(|_| view! {
                <p class="my-4"><a href="/mijn-gegevens" data-testid="all-sources">{tr(l, "data.back_to_all")}</a></p>
            })}
            {data.domains.is_empty().then(|| view! { <p>{tr(l, "data.none")}</p> })}
            {data.domains.into_iter().map(|domain| view! {
                <section aria-labelledby=format!("domein-{}", domain.domain) data-testid=format!("domain-{}", domain.domain)>
                    <h2 id=format!("domein-{}", domain.domain)>{tr(l, domain.domain.key())}</h2>
                    {domain.sources.into_iter().map(|group| source_group(l, group, focus.clone())).collect_view()}
                </section>
            }).collect_view()}
        </Page>
    }
    .into_any()
}
