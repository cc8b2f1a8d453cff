//! The privacy officer's oversight view: deadlines, handling times (as charts and tables),
//! data past retention, disclosures without a basis and staff views without a case. Each table
//! has its CSV export; the charts are drawn on the server as SVG, with the table as their text.

use leptos::prelude::*;
use types::{Kind, OversightTable};

use crate::{
    i18n::{Locale, tr, tr_with},
    layouts::Page,
    models::{AuditCheckpointView, MonthFigure, OversightView, PageData},
    shell::portal,
};

fn csv_link(l: Locale, table: OversightTable) -> impl IntoView + use<> {
    view! {
        <p class="text-sm"><a href=format!("/backoffice/toezicht/csv/{table}") data-testid=format!("csv-{table}")>{tr(l, "oversight.csv")}</a></p>
    }
}

/// Which way a chart's bars run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bars {
    /// One column per month, labels below.
    Vertical,
    /// One row per request type, long labels on the left.
    Horizontal,
}

/// A bar chart drawn as SVG on the server, one bar per `(label, value)`. The table below it holds
/// the same figures for screen readers and the export; the chart carries its title as its label.
/// Leptos escapes every label, as it does all text.
fn bar_chart(
    title: String,
    id: &'static str,
    bars: Vec<(String, u32)>,
    max: u32,
    suffix: &'static str,
    direction: Bars,
) -> impl IntoView {
    const WIDTH: u32 = 640;
    const INK: &str = "#1f2937";
    const BAR: &str = "#1d4ed8";
    let max = max.max(1);
    let count = u32::try_from(bars.len().max(1)).unwrap_or(u32::MAX);
    let (height, body) = match direction {
        Bars::Vertical => {
            let (height, left, bottom, top) = (220u32, 44u32, 30u32, 20u32);
            let plot_h = height - bottom - top;
            let slot = (WIDTH - left - 10) / count;
            let bar_w = (slot * 2 / 3).max(4);
            let base = height - bottom;
            let axis = view! {
                <line x1=left y1=base x2=WIDTH - 10 y2=base stroke="#4b5563"></line>
                <text x="0" y=top font-size="11" fill=INK>{format!("{max}{suffix}")}</text>
                <text x="0" y=base font-size="11" fill=INK>{format!("0{suffix}")}</text>
            };
            let columns = bars.into_iter().zip(0u32..).map(|((label, value), i)| {
                let h = value.min(max) * plot_h / max;
                let x = left + i * slot + (slot - bar_w) / 2;
                let y = base - h;
                let middle = x + bar_w / 2;
                view! {
                    <rect x=x y=y width=bar_w height=h fill=BAR></rect>
                    <text x=middle y=y.saturating_sub(4).max(10) font-size="11" text-anchor="middle" fill=INK>{format!("{value}{suffix}")}</text>
                    <text x=middle y=base + 16 font-size="11" text-anchor="middle" fill=INK>{label}</text>
                }
            }).collect_view();
            (height, view! { {axis}{columns} }.into_any())
        }
        Bars::Horizontal => {
            let (row, left) = (26u32, 250u32);
            let rows = bars.into_iter().zip(0u32..).map(|((label, value), i)| {
                let y = 5 + i * row;
                let w = value.min(max) * (WIDTH - left - 60) / max;
                view! {
                    <text x="0" y=y + 14 font-size="11" fill=INK>{label}</text>
                    <rect x=left y=y width=w height=row - 8 fill=BAR></rect>
                    <text x=left + w + 6 y=y + 14 font-size="11" fill=INK>{format!("{value}{suffix}")}</text>
                }
            }).collect_view();
            (row * count + 10, rows.into_any())
        }
    };
    view! {
        <figure class="my-4">
            <svg xmlns="http://www.w3.org/2000/svg" viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=title.clone() class="w-full max-w-2xl" data-testid=id>
                {body}
            </svg>
            <figcaption class="text-sm">{title}</figcaption>
        </figure>
    }
}

fn kind_label(l: Locale, kind: Option<Kind>) -> String {
    tr(l, kind.map_or("oversight.kind_all", Kind::key))
}

/// One table of the view as CSV rows (header first), in the words the page uses.
pub fn rows(view: &OversightView, table: OversightTable, l: Locale) -> Vec<Vec<String>> {
    let t = |key: &str| tr(l, key);
    let mut rows: Vec<Vec<String>> = Vec::new();
    match table {
        OversightTable::Requests => {
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
                    t(r.kind.key()),
                    t(r.status.key()),
                    r.due_on.clone(),
                    r.days_left.to_string(),
                    t(r.state.key()),
                ]
            }));
        }
        OversightTable::Months => {
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
                    kind_label(l, m.kind),
                    m.handled.to_string(),
                    m.on_time.to_string(),
                    m.on_time_percent.to_string(),
                    m.median_days.to_string(),
                ]
            }));
        }
        OversightTable::Retention => {
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
        OversightTable::Disclosures => {
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
                    t(d.problem.key()),
                ]
            }));
        }
        OversightTable::Views => {
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
        OversightTable::Restricted => {
            rows.push(vec![
                t("oversight.when"),
                t("oversight.restricted_what"),
                t("oversight.restricted_who"),
                t("oversight.activity"),
                t("oversight.source"),
                t("oversight.restricted_by"),
            ]);
            rows.extend(view.restricted.iter().map(|r| {
                vec![
                    r.at.clone(),
                    t(if r.staff_view {
                        "oversight.restricted_view"
                    } else {
                        "oversight.restricted_line"
                    }),
                    r.what.clone(),
                    r.activity.clone(),
                    r.source.clone(),
                    r.restricted_by.clone(),
                ]
            }));
        }
    }
    rows
}

/// One table exactly as its CSV export has it: the header row, then the rows.
fn table(l: Locale, name: OversightTable, rows: Vec<Vec<String>>) -> impl IntoView {
    let mut rows = rows.into_iter();
    let header = rows.next().unwrap_or_default();
    let body: Vec<Vec<String>> = rows.collect();
    view! {
        {if body.is_empty() {
            view! { <p data-testid=format!("none-{name}")>{tr(l, "oversight.none")}</p> }.into_any()
        } else {
            view! {
                // A table wider than a phone scrolls in its box, which keyboard users reach too.
                <div class="overflow-x-auto" tabindex="0" role="region" aria-labelledby=format!("t-{name}")>
                    <table class="w-full text-left text-sm" data-testid=format!("table-{name}")>
                        <thead><tr>{header.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {body.into_iter().map(|row| view! {
                                <tr>
                                    {row.into_iter().enumerate().map(|(i, cell)| {
                                        // A request's reference links to it.
                                        if name == OversightTable::Requests && i == 0 {
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
        .filter(|m| m.kind.is_none())
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
        .map(|k| (kind_label(l, k.kind), k.on_time_percent))
        .collect();
    let kind_median: Vec<(String, u32)> = v
        .per_kind
        .iter()
        .map(|k| (kind_label(l, k.kind), k.median_days))
        .collect();
    let max_kind_median = kind_median.iter().map(|(_, d)| *d).max().unwrap_or(0);
    let charts = if totals.is_empty() {
        view! { <p>{tr(l, "oversight.chart_empty")}</p> }.into_any()
    } else {
        view! {
            {bar_chart(tr(l, "oversight.chart_on_time"), "chart-on-time", rate, 100, "%", Bars::Vertical)}
            {bar_chart(tr(l, "oversight.chart_median"), "chart-median", median, max_median, "", Bars::Vertical)}
            {bar_chart(tr(l, "oversight.chart_kind_on_time"), "chart-kind-on-time", kind_rate, 100, "%", Bars::Horizontal)}
            {bar_chart(tr(l, "oversight.chart_kind_median"), "chart-kind-median", kind_median, max_kind_median, "", Bars::Horizontal)}
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
            {audit_section(l, v.audit.clone())}
            {OversightTable::ALL.iter().map(|&name| view! {
                <section aria-labelledby=format!("t-{name}") class="my-8">
                    <h2 id=format!("t-{name}")>{tr(l, name.key())}</h2>
                    {(name == OversightTable::Months).then(|| charts.take())}
                    {(name == OversightTable::Retention).then(|| v.retention_counted_at.clone()).flatten().map(|at| view! {
                        <p data-testid="retention-counted">{tr_with(l, "oversight.retention_counted", &[("at", &at)])}</p>
                    })}
                    {table(l, name, rows(&v, name, l))}
                </section>
            }).collect_view()}
        </Page>
    }
    .into_any()
}

/// The audit log's latest signed checkpoint, and the file to keep outside the portal.
fn audit_section(l: Locale, checkpoint: Option<AuditCheckpointView>) -> impl IntoView {
    view! {
        <section aria-labelledby="t-audit" class="my-8" data-testid="audit-checkpoint">
            <h2 id="t-audit">{tr(l, "oversight.audit_title")}</h2>
            {match checkpoint {
                None => view! { <p>{tr(l, "oversight.audit_none")}</p> }.into_any(),
                Some(c) => view! {
                    <p>{tr(l, "oversight.audit_intro")}</p>
                    <dl class="grid gap-x-4 sm:grid-cols-[max-content_1fr]">
                        <dt class="font-semibold">{tr(l, "oversight.audit_sequence")}</dt>
                        <dd data-testid="audit-sequence">{c.sequence}</dd>
                        <dt class="font-semibold">{tr(l, "oversight.audit_events")}</dt>
                        <dd data-testid="audit-events">{c.events}</dd>
                        <dt class="font-semibold">{tr(l, "oversight.audit_sealed_at")}</dt>
                        <dd>{c.sealed_at}</dd>
                        <dt class="font-semibold">{tr(l, "oversight.audit_head")}</dt>
                        <dd class="break-all font-mono text-sm">{c.head}</dd>
                        <dt class="font-semibold">{tr(l, "oversight.audit_key")}</dt>
                        <dd class="break-all font-mono text-sm">{c.key_id}" — "{c.public_key}</dd>
                    </dl>
                    <p>
                        <a href="/backoffice/toezicht/auditcheckpoint.json" class="nl-button nl-button--secondary" download="" data-testid="audit-download">
                            {tr(l, "oversight.audit_download")}
                        </a>
                    </p>
                    <p class="text-sm">{tr(l, "oversight.audit_keep")}</p>
                }.into_any(),
            }}
        </section>
    }
}
