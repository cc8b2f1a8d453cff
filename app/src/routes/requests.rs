//! "Mijn verzoeken", "Nieuw verzoek" and one request with its steps, timeline and messages.
//! Every form is a plain POST, so each works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use types::{Kind, Notice, Status};

use crate::{
    i18n::{Locale, long_date, tr, tr_with},
    layouts::Page,
    models::{
        Author, NewRequestView, PageData, RequestDetailView, RequestEventView, RequestItemView,
        RequestMessageView, RequestSummaryView,
    },
    shell::portal,
};

/// A notice from `?melding=`, as an alert for a problem or a status for a confirmation.
pub fn notice_view(l: Locale, notice: Option<Notice>) -> impl IntoView + use<> {
    let Some(notice) = notice else {
        return ().into_any();
    };
    if notice.is_error() {
        view! { <div class="notice-error my-6" role="alert" data-testid="request-notice"><p>{tr(l, notice.key())}</p></div> }.into_any()
    } else {
        view! { <div class="notice my-6" role="status" data-testid="request-notice"><p>{tr(l, notice.key())}</p></div> }.into_any()
    }
}

/// The `melding` of this page's URL; an unknown one is no notice.
pub fn notice_key() -> Option<Notice> {
    use_query_map().with_untracked(|q| q.get("melding").and_then(|m| Notice::parse(&m)))
}

/// A table of requests; `href` makes the link for a reference.
pub fn request_table(
    l: Locale,
    rows: Vec<RequestSummaryView>,
    href: impl Fn(&str) -> String + 'static,
    staff: bool,
) -> impl IntoView {
    // On a phone the table scrolls sideways inside its box instead of widening the page.
    view! {
        <div class="overflow-x-auto" tabindex="0" role="region" aria-label=tr(l, "request.table")>
        <table class="w-full text-left" data-testid="request-table">
            <thead>
                <tr>
                    <th scope="col">{tr(l, "request.reference")}</th>
                    <th scope="col">{tr(l, "request.kind")}</th>
                    <th scope="col">{tr(l, "request.status")}</th>
                    <th scope="col">{tr(l, "request.received")}</th>
                    <th scope="col">{tr(l, "request.due")}</th>
                    {staff.then(|| view! { <th scope="col">{tr(l, "request.assignee")}</th> })}
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr data-testid="request-row">
                        <td><a href=href(&r.reference)>{r.reference.clone()}</a></td>
                        <td>{tr(l, r.kind.key())}</td>
                        <td>{tr(l, r.status.key())}</td>
                        <td>{long_date(l, &r.received_on)}</td>
                        <td>
                            {long_date(l, &r.due_on)}
                            {r.overdue.then(|| view! { <strong class="text-error" data-testid="overdue">" "{tr(l, "request.overdue")}</strong> })}
                        </td>
                        {staff.then(|| view! { <td>{r.assignee.clone().unwrap_or_else(|| tr(l, "request.unassigned"))}</td> })}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

/// "Mijn verzoeken".
#[component]
pub fn RequestsPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::Requests(rows) = p.page.clone() else {
        return view! { <Page title_key="requests.title"><p>{tr(l, "overview.not_logged_in")}</p></Page> }.into_any();
    };
    view! {
        <Page title_key="requests.title">
            <h1>{tr(l, "requests.title")}</h1>
            <p class="lead">{tr(l, "requests.intro")}</p>
            {notice_view(l, notice_key())}
            <p class="my-6"><a href="/verzoeken/nieuw" class="nl-button nl-button--primary">{tr(l, "new_request.title")}</a></p>
            {if rows.is_empty() {
                view! { <p>{tr(l, "requests.none")}</p> }.into_any()
            } else {
                request_table(l, rows, |r| format!("/verzoeken/{r}"), false).into_any()
            }}
        </Page>
    }
    .into_any()
}

/// "Nieuw verzoek": the form, or the review before filing.
#[component]
pub fn NewRequestPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::NewRequest(v) = p.page.clone() else {
        return view! { <Page title_key="new_request.title"><p>{tr(l, "overview.not_logged_in")}</p></Page> }.into_any();
    };
    let body = if v.review {
        review(l, v).into_any()
    } else {
        form(l, v).into_any()
    };
    view! {
        <Page title_key="new_request.title">
            <h1>{tr(l, "new_request.title")}</h1>
            {notice_view(l, notice_key())}
            {body}
        </Page>
    }
    .into_any()
}

fn form(l: Locale, v: NewRequestView) -> impl IntoView {
    let chosen = v.chosen.clone();
    let proposal = move |id: i64| {
        chosen
            .iter()
            .find(|(c, _)| *c == id)
            .and_then(|(_, p)| p.clone())
            .unwrap_or_default()
    };
    let is_chosen = {
        let chosen = v.chosen.clone();
        move |id: i64| chosen.iter().any(|(c, _)| *c == id)
    };
    let kind = v.kind;
    let for_child = v.for_child;
    let children = v.children.clone();
    view! {
        <p class="lead">{tr(l, "new_request.intro")}</p>
        {(!children.is_empty()).then(|| view! {
            <nav aria-label=tr(l, "new_request.for_whom") class="card my-6" data-testid="for-whom">
                <h2 class="mt-0 text-lg">{tr(l, "new_request.for_whom")}</h2>
                <ul class="list">
                    <li><a href="/verzoeken/nieuw" aria-current=for_child.is_none().then_some("page")>{tr(l, "new_request.for_me")}</a></li>
                    {children.into_iter().map(|(id, name)| view! {
                        <li><a href=format!("/verzoeken/nieuw?voor={id}") aria-current=(for_child == Some(id)).then_some("page")>{tr_with(l, "new_request.for_child", &[("kind", &name)])}</a></li>
                    }).collect_view()}
                </ul>
                <p class="text-sm">{tr(l, "new_request.child_rule")}</p>
            </nav>
        })}
        {for_child.and_then(|id| v.children.iter().find(|(c, _)| *c == id).cloned()).map(|(_, name)| view! {
            <p class="notice my-4" data-testid="filing-for">{tr_with(l, "new_request.filing_for", &[("kind", &name)])}</p>
        })}
        {(!v.errors.is_empty()).then(|| view! {
            <div class="notice-error my-6" role="alert" data-testid="form-errors">
                <h2 class="mt-0 text-lg">{tr(l, "new_request.errors")}</h2>
                <ul class="list">{v.errors.iter().map(|e| view! { <li>{tr(l, e)}</li> }).collect_view()}</ul>
            </div>
        })}
        <form method="post" action="/verzoeken/nieuw" class="space-y-8">
            <input type="hidden" name="token" value=v.token.clone() />
            {for_child.map(|id| view! { <input type="hidden" name="voor" value=id.to_string() /> })}
            <fieldset>
                <legend class="text-xl font-semibold">{tr(l, "new_request.kind")}</legend>
                {Kind::ALL.iter().map(|&k| {
                    let id = format!("soort-{k}");
                    view! {
                        <div class="choice my-3">
                            <input class="utrecht-radio-button utrecht-radio-button--html-input" type="radio" name="soort" id=id.clone() value=k.as_str() checked=kind == Some(k) />
                            <div>
                                <label for=id><strong>{tr(l, k.key())}</strong></label>
                                <p class="mb-0 text-sm">{tr(l, k.explained_key())}</p>
                            </div>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset>
                <legend class="text-xl font-semibold">{tr(l, "new_request.scope")}</legend>
                <div class="choice my-3">
                    <input class="utrecht-radio-button utrecht-radio-button--html-input" type="radio" name="bereik" id="bereik-alles" value="alles" checked=v.all_data />
                    <label for="bereik-alles">{tr(l, "new_request.scope_all")}</label>
                </div>
                <div class="choice my-3">
                    <input class="utrecht-radio-button utrecht-radio-button--html-input" type="radio" name="bereik" id="bereik-gegevens" value="gegevens" checked=!v.all_data />
                    <label for="bereik-gegevens">{tr(l, "new_request.scope_items")}</label>
                </div>
                <ul class="ml-6" data-testid="pickable">
                    {v.records.into_iter().map(|r| {
                        let box_id = format!("gegeven-{}", r.id);
                        let proposal_id = format!("voorstel-{}", r.id);
                        view! {
                            <li class="card my-3">
                                <div class="choice mt-0">
                                    <input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" name="gegeven" id=box_id.clone() value=r.id.to_string() checked=is_chosen(r.id) />
                                    <div>
                                        <label for=box_id><strong>{r.label.clone()}</strong>": "{r.value.clone()}</label>
                                        <p class="text-sm">{tr(l, r.domain.key())}</p>
                                    </div>
                                </div>
                                <label for=proposal_id.clone() class="mt-2 block text-sm">{tr_with(l, "new_request.proposal", &[("gegeven", &r.label)])}</label>
                                <input type="text" name=proposal_id.clone() id=proposal_id maxlength="1000" class="utrecht-textbox utrecht-textbox--html-input w-full" value=proposal(r.id) />
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </fieldset>
            <div>
                <label for="toelichting" class="text-xl font-semibold">{tr(l, "new_request.explanation")}</label>
                <p class="text-sm" id="toelichting-hint">{tr(l, "new_request.explanation_hint")}</p>
                <textarea name="toelichting" id="toelichting" rows="5" maxlength="4000" class="utrecht-textarea utrecht-textarea--html-textarea w-full" aria-describedby="toelichting-hint">{v.explanation.clone()}</textarea>
            </div>
            <button type="submit" name="stap" value="controleren" class="nl-button nl-button--primary">{tr(l, "new_request.to_review")}</button>
        </form>
        <p class="mt-6 text-sm">{tr(l, "new_request.free")}</p>
    }
}

fn review(l: Locale, v: NewRequestView) -> impl IntoView {
    let kind = v.kind.map(Kind::key).unwrap_or("new_request.kind");
    let chosen: Vec<(String, Option<String>)> = v
        .chosen
        .iter()
        .filter_map(|(id, proposal)| {
            v.records
                .iter()
                .find(|r| r.id == *id)
                .map(|r| (format!("{}: {}", r.label, r.value), proposal.clone()))
        })
        .collect();
    view! {
        <p class="lead">{tr(l, "new_request.review_intro")}</p>
        <dl class="facts card my-6" data-testid="review">
            {v.for_child.and_then(|id| v.children.iter().find(|(c, _)| *c == id).cloned()).map(|(_, name)| view! {
                <dt>{tr(l, "request.for")}</dt><dd>{name}</dd>
            })}
            <dt>{tr(l, "request.kind")}</dt>
            <dd>{tr(l, kind)}</dd>
            <dt>{tr(l, "new_request.scope")}</dt>
            <dd>
                {if v.all_data || chosen.is_empty() {
                    tr(l, "new_request.scope_all").into_any()
                } else {
                    view! {
                        <ul class="list">{chosen.into_iter().map(|(what, proposal)| view! {
                            <li>{what}{proposal.map(|p| view! { " → "<strong>{p}</strong> })}</li>
                        }).collect_view()}</ul>
                    }.into_any()
                }}
            </dd>
            <dt>{tr(l, "new_request.explanation")}</dt>
            <dd>{if v.explanation.is_empty() { "—".to_owned() } else { v.explanation.clone() }}</dd>
        </dl>
        <form method="post" action="/verzoeken/nieuw" class="flex flex-wrap gap-4">
            <input type="hidden" name="token" value=v.token.clone() />
            <button type="submit" name="stap" value="indienen" class="nl-button nl-button--primary">{tr(l, "new_request.submit")}</button>
            <button type="submit" name="stap" value="wijzigen" class="nl-button nl-button--secondary">{tr(l, "new_request.change")}</button>
        </form>
    }
}

/// The steps a request goes through, with the current one marked.
fn stepper(l: Locale, status: Status) -> impl IntoView + use<> {
    let steps = [
        "step.submitted",
        "step.in_review",
        "step.decided",
        "step.completed",
    ];
    let current = match status {
        Status::Submitted => 0,
        Status::InReview | Status::AwaitingCitizen | Status::AwaitingApproval => 1,
        Status::Decided | Status::Executing => 2,
        Status::Completed | Status::Withdrawn | Status::Rejected => 3,
    };
    let ended_other = matches!(status, Status::Withdrawn | Status::Rejected);
    view! {
        <ol class="my-6 flex flex-wrap gap-2" data-testid="stepper" aria-label=tr(l, "request.steps")>
            {steps.iter().enumerate().map(|(i, step)| {
                let label = if i == 3 && ended_other { tr(l, status.key()) } else { tr(l, step) };
                let class = if i <= current { "rounded bg-brand px-3 py-1 text-white" } else { "rounded border border-line px-3 py-1" };
                view! {
                    <li class=class aria-current=(i == current).then_some("step")>
                        {format!("{}. ", i + 1)}{label}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// The items and what was decided and done for each.
pub fn items_list(l: Locale, items: Vec<RequestItemView>) -> impl IntoView {
    view! {
        <ul data-testid="items">
            {items.into_iter().map(|i| view! {
                <li class="card my-3" data-testid="item">
                    <h3 class="mt-0 text-lg font-semibold">{if i.withheld { tr(l, "request.item_withheld") } else { i.label.clone() }}</h3>
                    <dl class="facts text-sm">
                        {i.current_value.clone().map(|v| view! { <dt>{tr(l, "request.item_value")}</dt><dd data-testid="item-value">{v}</dd> })}
                        {i.proposed_value.clone().map(|v| view! { <dt>{tr(l, "request.item_proposed")}</dt><dd>{v}</dd> })}
                        {i.decision.map(|d| view! { <dt>{tr(l, "request.item_decision")}</dt><dd data-testid="item-decision">{tr(l, d.key())}</dd> })}
                        {i.ground.map(|g| view! { <dt>{tr(l, "request.item_ground")}</dt><dd data-testid="item-ground">{tr(l, g.key())}</dd> })}
                        {i.decision_note.clone().map(|n| view! { <dt>{tr(l, "request.item_note")}</dt><dd>{n}</dd> })}
                        {i.outcome.map(|o| view! {
                            <dt>{tr(l, "request.item_outcome")}</dt>
                            <dd data-testid="item-outcome">
                                {tr(l, o.key())}
                                {i.executed_on.clone().map(|d| format!(" ({})", long_date(l, &d)))}
                            </dd>
                        })}
                    </dl>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// Who reads a timeline or a thread: the citizen is "u" to themselves, "de burger" to staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// The citizen (or their representative) in the portal.
    Citizen,
    /// A member of staff in the back office.
    Staff,
}

fn who(l: Locale, reader: Reader, author: &Author) -> String {
    match (author, reader) {
        (Author::Citizen, Reader::Citizen) => tr(l, "request.actor_citizen"),
        (Author::Citizen, Reader::Staff) => tr(l, "request.actor_the_citizen"),
        (Author::Municipality, _) => tr(l, "request.actor_municipality"),
        (Author::Staff(name), _) => name.clone(),
    }
}

/// The timeline, oldest first.
pub fn timeline(l: Locale, reader: Reader, events: Vec<RequestEventView>) -> impl IntoView {
    view! {
        <ol class="my-4 space-y-2" data-testid="timeline">
            {events.into_iter().map(|e| view! {
                <li>
                    <time datetime=e.at.clone()>{long_date(l, &e.at)}" "{e.at.get(11..).unwrap_or("").to_owned()}</time>
                    " — "<strong>{tr(l, e.action.key())}</strong>
                    " ("{who(l, reader, &e.actor)}")"
                    {e.note.clone().map(|n| view! { <p class="ml-6">{n}</p> })}
                </li>
            }).collect_view()}
        </ol>
    }
}

/// The message thread.
pub fn messages(l: Locale, reader: Reader, messages: Vec<RequestMessageView>) -> impl IntoView {
    view! {
        <ul data-testid="messages">
            {messages.into_iter().map(|m| view! {
                <li class="card my-3" data-testid=if m.internal { "note" } else { "message" }>
                    <p class="text-sm">
                        <strong>{who(l, reader, &m.author)}</strong>", "{long_date(l, &m.at)}" "{m.at.get(11..).unwrap_or("").to_owned()}
                        {m.internal.then(|| view! { " — "<strong>{tr(l, "request.internal")}</strong> })}
                    </p>
                    <p class="whitespace-pre-line">{m.body.clone()}</p>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// The summary facts of a request.
pub fn facts(l: Locale, d: &RequestDetailView) -> impl IntoView + use<> {
    let s = d.summary.clone();
    view! {
        <dl class="facts card my-6" data-testid="request-facts">
            <dt>{tr(l, "request.reference")}</dt><dd data-testid="reference">{s.reference.clone()}</dd>
            {d.on_behalf_of.clone().map(|name| view! { <dt>{tr(l, "request.for")}</dt><dd data-testid="on-behalf-of">{name}</dd> })}
            {d.filed_under_mandate.clone().map(|mandate| view! {
                <dt>{tr(l, "request.filed_by")}</dt>
                <dd data-testid="filed-by-representative">
                    {tr(l, "request.filed_by_representative")}
                    {(!mandate.is_empty()).then(|| view! { <span class="block text-sm">{tr(l, "request.mandate")}" "{mandate}</span> })}
                </dd>
            })}
            <dt>{tr(l, "request.kind")}</dt><dd>{tr(l, s.kind.key())}</dd>
            <dt>{tr(l, "request.status")}</dt><dd data-testid="status">{tr(l, s.status.key())}</dd>
            <dt>{tr(l, "request.received")}</dt><dd>{long_date(l, &s.received_on)}</dd>
            <dt>{tr(l, "request.due")}</dt>
            <dd data-testid="due">
                {long_date(l, &s.due_on)}
                {s.overdue.then(|| view! { <strong class="text-error">" "{tr(l, "request.overdue")}</strong> })}
            </dd>
            {d.extension_reason.clone().map(|r| view! { <dt>{tr(l, "request.extended")}</dt><dd data-testid="extension">{r}</dd> })}
            <dt>{tr(l, "new_request.explanation")}</dt>
            <dd>{if d.explanation.is_empty() { "—".to_owned() } else { d.explanation.clone() }}</dd>
            {d.decision_note.clone().map(|n| view! { <dt>{tr(l, "request.decision_note")}</dt><dd>{n}</dd> })}
        </dl>
    }
}

/// One request of the citizen's.
#[component]
pub fn RequestPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::Request(d) = p.page.clone() else {
        return view! {
            <Page title_key="request.title">
                <h1>{tr(l, "request.title")}</h1>
                <p>{tr(l, "request.not_found")}</p>
                <p><a href="/verzoeken">{tr(l, "requests.title")}</a></p>
            </Page>
        }
        .into_any();
    };
    let key = notice_key();
    let reference = d.summary.reference.clone();
    let receipt = (key == Some(Notice::Received)).then(|| {
        view! {
            <div class="notice my-6" role="status" data-testid="receipt">
                <h2 class="mt-0">{tr(l, "request.receipt_title")}</h2>
                <p>{tr_with(l, "request.receipt", &[("kenmerk", &reference), ("datum", &long_date(l, &d.summary.due_on))])}</p>
            </div>
        }
    });
    view! {
        <Page title_key="request.title">
            <h1>{tr_with(l, "request.heading", &[("kenmerk", &reference)])}</h1>
            {receipt}
            {(key != Some(Notice::Received)).then(|| notice_view(l, key))}
            {stepper(l, d.summary.status)}
            {facts(l, &d)}
            {crate::routes::documents::documents(l, format!("/verzoeken/{reference}"), d.answer_sent, d.letters.clone(), false)}
            <h2>{tr(l, "request.items")}</h2>
            {items_list(l, d.items.clone())}
            <h2>{tr(l, "request.timeline")}</h2>
            {timeline(l, Reader::Citizen, d.timeline.clone())}
            <h2>{tr(l, "request.messages")}</h2>
            {d.awaiting_citizen.then(|| view! { <p class="notice" data-testid="awaiting">{tr(l, "request.awaiting_you")}</p> })}
            {messages(l, Reader::Citizen, d.messages.clone())}
            {(!d.summary.status.is_final()).then(|| view! {
                <form method="post" action=format!("/verzoeken/{reference}/bericht") class="my-4">
                    <label for="bericht" class="block font-semibold">{tr(l, "request.your_message")}</label>
                    <textarea name="bericht" id="bericht" rows="4" maxlength="4000" class="utrecht-textarea utrecht-textarea--html-textarea w-full" required></textarea>
                    <button type="submit" class="nl-button nl-button--primary mt-2">{tr(l, "request.send")}</button>
                </form>
            })}
            {d.can_withdraw.then(|| view! {
                <section class="card my-8" aria-labelledby="intrekken">
                    <h2 id="intrekken">{tr(l, "request.withdraw_title")}</h2>
                    <p>{tr(l, "request.withdraw_text")}</p>
                    <form method="post" action=format!("/verzoeken/{reference}/intrekken")>
                        <div class="choice">
                            <input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" name="zeker" id="zeker" value="ja" />
                            <label for="zeker">{tr(l, "request.withdraw_confirm")}</label>
                        </div>
                        <div><button type="submit" class="nl-button nl-button--secondary mt-2">{tr(l, "request.withdraw_button")}</button></div>
                    </form>
                </section>
            })}
        </Page>
    }
    .into_any()
}
