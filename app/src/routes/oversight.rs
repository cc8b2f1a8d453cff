//! The privacy officer's oversight view: deadlines, handling times (as charts and tables),
//! data past retention, disclosures without a basis and staff views without a case. Each table
//! has its CSV export; the charts are drawn on the server as SVG, with the table as their text.

use html_escape::encode_double_quoted_attribute as escape_attr;
use leptos::prelude::*;

use crate::{
    i18n::{Locale, tr},
    layouts::Page,
    models::{MonthFigure, OversightView, PageData},
    shell::portal,
};

fn csv_link(l: Locale, table: &str) -> impl IntoView + use<> {
    view! {
        <p class="text-sm"><a href=format!("/backoffice/toezicht/csv/{table}") data-testid=format!("csv-{table}")>{tr(l, "oversight.csv")}</a></p>
    }
}

/// A chart drawn as SVG markup (every label in it escaped), with its title as the caption.
fn figure(title: String, mut svg: String) -> impl IntoView {
    svg.push_str("</svg>");
    view! {
        <figure class="my-4">
            <div inner_html=svg></div>
            <figcaption class="text-sm">{title}</figcaption>
        </figure>
    }
}

/// A bar chart of one value per month, drawn as SVG on the server. The table below it holds the
/// same figures for screen readers and the export; the chart itself carries its title.
fn bar_chart(
    title: String,
    id: &'static str,
    bars: Vec<(String, u32)>,
    max: u32,
    suffix: &'static str,
) -> impl IntoView {
    let (width, height, left, bottom, top) = (640u32, 220u32, 44u32, 30u32, 20u32);
    let plot_h = height - bottom - top;
    let slot = (width - left - 10) / (bars.len().max(1) as u32);
    let bar_w = (slot * 2 / 3).max(4);
    let max = max.max(1);
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" class="w-full max-w-2xl" data-testid="{id}"><line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="#4b5563"/><text x="0" y="{top}" font-size="11" fill="#1f2937">{max}{suffix}</text><text x="0" y="{base}" font-size="11" fill="#1f2937">0{suffix}</text>"##,
        label = escape_attr(&title),
        base = height - bottom,
        right = width - 10,
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let h = value.min(&max) * plot_h / max;
        let x = left + i as u32 * slot + (slot - bar_w) / 2;
        let y = height - bottom - h;
        let middle = x + bar_w / 2;
        svg.push_str(&format!(
            r##"<rect x="{x}" y="{y}" width="{bar_w}" height="{h}" fill="#1d4ed8"/><text x="{middle}" y="{value_y}" font-size="11" text-anchor="middle" fill="#1f2937">{value}{suffix}</text><text x="{middle}" y="{label_y}" font-size="11" text-anchor="middle" fill="#1f2937">{label}</text>"##,
            value_y = y.saturating_sub(4).max(10),
            label_y = height - bottom + 16,
            label = escape_attr(label),
        ));
    }
    figure(title, svg)
}

/// A horizontal bar chart of one value per request type (long labels read better on the left).
fn kind_chart(
    title: String,
    id: &'static str,
    bars: Vec<(String, u32)>,
    max: u32,
    suffix: &'static str,
) -> impl IntoView {
    let (width, row, left) = (640u32, 26u32, 250u32);
    let height = row * bars.len().max(1) as u32 + 10;
    let max = max.max(1);
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" class="w-full max-w-2xl" data-testid="{id}">"##,
        label = escape_attr(&title),
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = 5 + i as u32 * row;
        let w = value.min(&max) * (width - left - 60) / max;
        svg.push_str(&format!(
            r##"<text x="0" y="{text_y}" font-size="11" fill="#1f2937">{label}</text><rect x="{left}" y="{y}" width="{w}" height="{bar_h}" fill="#1d4ed8"/><text x="{value_x}" y="{text_y}" font-size="11" fill="#1f2937">{value}{suffix}</text>"##,
            text_y = y + 14,
            bar_h = row - 8,
            value_x = left + w + 6,
            label = escape_attr(label),
        ));
    }
    figure(title, svg)
}

fn kind_label(l: Locale, kind: &str) -> String {
    if kind == "all" {
        tr(l, "oversight.kind_all")
    } else {
        tr(l, &format!("kind.{kind}"))
    }
}

/// The tables of the view and their export names, in the order the page shows them.
pub const TABLES: [&str; 5] = [
    "verzoeken",
    "doorlooptijden",
    "bewaartermijnen",
    "verstrekkingen",
    "inzage-zonder-zaak",
];

fn title_key(table: &str) -> &'static str {
    match table {
        "verzoeken" => "oversight.requests",
        "doorlooptijden" => "oversight.months",
        "bewaartermijnen" => "oversight.retention",
        "verstrekkingen" => "oversight.disclosures",
        _ => "oversight.views",
    }
}

/// One table of the view as CSV rows (header first), in the words the page uses.
pub fn rows(view: &OversightView, table: &str, l: Locale) -> Option<Vec<Vec<String>>> {
    let t = |key: &str| tr(l, key);
    let mut rows: Vec<Vec<String>> = Vec::new();
    match table {
        "verzoeken" => {
            rows.push(vec![
                t("request.reference"),
                t("request.kind"),
                t("request.status"),
                t("request.due"),
                t("oversight.days_left"),
                t("oversight.state"),
            ]);
            rows.extend(view.requests.iter().map(|r| {
                vec![
                    r.reference.clone(),
                    t(&format!("kind.{}", r.kind)),
                    t(&format!("status.{}", r.status)),
                    r.due_on.clone(),
                    r.days_left.to_string(),
                    t(&format!("oversight.state.{}", r.state)),
                ]
            }));
        }
        "doorlooptijden" => {
            rows.push(vec![
                t("oversight.month"),
                t("request.kind"),
                t("oversight.handled"),
                t("oversight.on_time"),
                t("oversight.on_time_percent"),
                t("oversight.median_days"),
            ]);
            rows.extend(view.months.iter().map(|m| {
                vec![
                    m.month.clone(),
                    kind_label(l, &m.kind),
                    m.handled.to_string(),
                    m.on_time.to_string(),
                    m.on_time_percent.to_string(),
                    m.median_days.to_string(),
                ]
            }));
        }
        "bewaartermijnen" => {
            rows.push(vec![
                t("oversight.source"),
                t("oversight.records"),
                t("oversight.oldest"),
            ]);
            rows.extend(
                view.retention
                    .iter()
                    .map(|r| vec![r.source.clone(), r.records.to_string(), r.oldest.clone()]),
            );
        }
        "verstrekkingen" => {
            rows.push(vec![
                t("oversight.date"),
                t("oversight.recipient"),
                t("oversight.activity"),
                t("oversight.source"),
                t("oversight.source_id"),
                t("oversight.problem"),
            ]);
            rows.extend(view.disclosures.iter().map(|d| {
                vec![
                    d.on.clone(),
                    d.recipient.clone(),
                    d.activity.clone(),
                    d.source.clone(),
                    d.source_id.clone(),
                    t(&format!("oversight.problem.{}", d.problem)),
                ]
            }));
        }
        "inzage-zonder-zaak" => {
            rows.push(vec![
                t("oversight.when"),
                t("oversight.staff"),
                t("oversight.activity"),
                t("oversight.source"),
            ]);
            rows.extend(view.unlinked_views.iter().map(|v| {
                vec![
                    v.at.clone(),
                    v.staff.clone(),
                    v.activity.clone(),
                    v.source.clone(),
                ]
            }));
        }
        _ => return None,
    }
    Some(rows)
}

/// One table exactly as its CSV export has it: the header row, then the rows.
fn table(l: Locale, name: &'static str, rows: Vec<Vec<String>>) -> impl IntoView {
    let mut rows = rows.into_iter();
    let header = rows.next().unwrap_or_default();
    let body: Vec<Vec<String>> = rows.collect();
    view! {
        {if body.is_empty() {
            view! { <p data-testid=format!("none-{name}")>{tr(l, "oversight.none")}</p> }.into_any()
        } else {
            view! {
                <div class="overflow-x-auto">
                    <table class="w-full text-left text-sm" data-testid=format!("table-{name}")>
                        <thead><tr>{header.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {body.into_iter().map(|row| view! {
                                <tr>
                                    {row.into_iter().enumerate().map(|(i, cell)| {
                                        // A request's reference links to it.
                                        if name == "verzoeken" && i == 0 {
                                            { let href = format!("/backoffice/verzoeken/{cell}"); view! { <td><a href=href>{cell}</a></td> }.into_any() }
                                        } else {
                                            view! { <td>{cell}</td> }.into_any()
                                        }
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {csv_link(l, name)}
    }
}

/// `/backoffice/toezicht`.
#[component]
pub fn OversightPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::Oversight(v) = p.page.clone() else {
        return view! { <Page title_key="oversight.title"><h1>{tr(l, "oversight.title")}</h1><p>{tr(l, "queue.no_access")}</p></Page> }.into_any();
    };
    let totals: Vec<MonthFigure> = v
        .months
        .iter()
        .filter(|m| m.kind == "all")
        .cloned()
        .collect();
    let rate: Vec<(String, u32)> = totals
        .iter()
        .map(|m| (m.month.clone(), m.on_time_percent))
        .collect();
    let median: Vec<(String, u32)> = totals
        .iter()
        .map(|m| (m.month.clone(), m.median_days))
        .collect();
    let max_median = median.iter().map(|(_, d)| *d).max().unwrap_or(0);
    let kind_rate: Vec<(String, u32)> = v
        .per_kind
        .iter()
        .map(|k| (kind_label(l, &k.kind), k.on_time_percent))
        .collect();
    let kind_median: Vec<(String, u32)> = v
        .per_kind
        .iter()
        .map(|k| (kind_label(l, &k.kind), k.median_days))
        .collect();
    let max_kind_median = kind_median.iter().map(|(_, d)| *d).max().unwrap_or(0);
    let charts = if totals.is_empty() {
        view! { <p>{tr(l, "oversight.chart_empty")}</p> }.into_any()
    } else {
        view! {
            {bar_chart(tr(l, "oversight.chart_on_time"), "chart-on-time", rate, 100, "%")}
            {bar_chart(tr(l, "oversight.chart_median"), "chart-median", median, max_median, "")}
            {kind_chart(tr(l, "oversight.chart_kind_on_time"), "chart-kind-on-time", kind_rate, 100, "%")}
            {kind_chart(tr(l, "oversight.chart_kind_median"), "chart-kind-median", kind_median, max_kind_median, "")}
        }
        .into_any()
    };
    let mut charts = Some(charts);
    view! {
        <Page title_key="oversight.title">
            <h1>{tr(l, "oversight.title")}</h1>
            <p class="lead">{tr(l, "oversight.intro")}</p>
            <ul class="my-6 grid gap-4 sm:grid-cols-3">
                <li class="card"><strong class="block text-2xl" data-testid="count-open">{v.open}</strong>{tr(l, "oversight.open")}</li>
                <li class="card"><strong class="block text-2xl" data-testid="count-at-risk">{v.at_risk}</strong>{tr(l, "oversight.at_risk")}</li>
                <li class="card"><strong class="block text-2xl" data-testid="count-overdue">{v.overdue}</strong>{tr(l, "oversight.overdue")}</li>
            </ul>
            {TABLES.into_iter().map(|name| view! {
                <section aria-labelledby=format!("t-{name}") class="my-8">
                    <h2 id=format!("t-{name}")>{tr(l, title_key(name))}</h2>
                    {(name == "doorlooptijden").then(|| charts.take())}
                    {table(l, name, rows(&v, name, l).unwrap_or_default())}
                </section>
            }).collect_view()}
        </Page>
    }
    .into_any()
}
