//! The back office: the request queue and one request with the actions the viewer may take.

use leptos::prelude::*;
use types::{Action, Kind, RefusalGround, Status, TaskKind, TaskOutcome, TaskStatus};

use crate::{
    i18n::{Locale, tr, tr_with},
    layouts::Page,
    models::{PageData, QueueFilter, StaffRequestView, StatusFilter},
    routes::requests::{Reader, facts, items_list, messages, notice_key, request_table, timeline},
    shell::portal,
};

/// The queue, filtered and sorted by due date.
#[component]
pub fn QueuePage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::Queue(q) = p.page.clone() else {
        return view! { <Page title_key="queue.title"><h1>{tr(l, "queue.title")}</h1><p>{tr(l, "queue.no_access")}</p></Page> }.into_any();
    };
    let f = q.filter.clone();
    let kind = f.kind;
    let status = f.status;
    view! {
        <Page title_key="queue.title">
            <h1>{tr(l, "queue.title")}</h1>
            <ul class="my-6 grid gap-4 sm:grid-cols-4" data-testid="queue-counts">
                <li class="card"><strong class="block text-2xl" data-testid="count-open">{q.open}</strong>{tr(l, "queue.open")}</li>
                <li class="card"><strong class="block text-2xl" data-testid="count-overdue">{q.overdue}</strong>{tr(l, "queue.overdue")}</li>
                <li class="card"><strong class="block text-2xl" data-testid="count-soon">{q.due_soon}</strong>{tr(l, "queue.due_soon")}</li>
                <li class="card"><strong class="block text-2xl" data-testid="count-unassigned">{q.unassigned}</strong>{tr(l, "queue.unassigned")}</li>
            </ul>
            <form method="get" action="/backoffice/verzoeken" class="card my-6 flex flex-wrap items-end gap-4" aria-label=tr(l, "queue.filters")>
                <div>
                    <label for="soort" class="block font-semibold">{tr(l, "request.kind")}</label>
                    <select class="utrecht-select utrecht-select--html-select" name="soort" id="soort">
                        <option value="">{tr(l, "queue.any")}</option>
                        {Kind::ALL.iter().map(|&k| view! { <option value=k.as_str() selected=kind == Some(k)>{tr(l, k.key())}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="status" class="block font-semibold">{tr(l, "request.status")}</label>
                    <select class="utrecht-select utrecht-select--html-select" name="status" id="status">
                        <option value="">{tr(l, "queue.any")}</option>
                        <option value=StatusFilter::Open.as_str() selected=status == Some(StatusFilter::Open)>{tr(l, "queue.all_open")}</option>
                        {Status::ALL.iter().map(|&s| view! { <option value=s.as_str() selected=status == Some(StatusFilter::Is(s))>{tr(l, s.key())}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="binnen" class="block font-semibold">{tr(l, "queue.due_within")}</label>
                    <input type="number" min="0" max="366" name="binnen" id="binnen" class="utrecht-textbox utrecht-textbox--html-input w-24" value=f.due_within.map(|d| d.to_string()).unwrap_or_default() />
                </div>
                <div class="choice"><input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" name="te_laat" id="te_laat" value="1" checked=f.overdue /><label for="te_laat">{tr(l, "queue.only_overdue")}</label></div>
                <div class="choice"><input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" name="van_mij" id="van_mij" value="1" checked=f.mine /><label for="van_mij">{tr(l, "queue.only_mine")}</label></div>
                <div class="choice"><input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" name="niet_toegewezen" id="niet_toegewezen" value="1" checked=f.unassigned /><label for="niet_toegewezen">{tr(l, "queue.only_unassigned")}</label></div>
                <div>
                    <label for="zoek" class="block font-semibold">{tr(l, "queue.search")}</label>
                    <input type="search" name="zoek" id="zoek" class="utrecht-textbox utrecht-textbox--html-input w-48" maxlength="20" placeholder="AVG-2026-" value=f.search.clone() />
                </div>
                <button type="submit" class="nl-button nl-button--primary">{tr(l, "queue.apply")}</button>
            </form>
            <p data-testid="queue-shown">{tr_with(l, "queue.shown", &[("aantal", &q.total.to_string())])}</p>
            {request_table(l, q.rows, |r| format!("/backoffice/verzoeken/{r}"), true)}
            {pages(l, &f, q.pages)}
        </Page>
    }
    .into_any()
}

/// Links to the queue's other pages, keeping the filter: previous, the pages around this one,
/// next. Plain links, so they work without JavaScript.
fn pages(l: Locale, f: &QueueFilter, pages: u64) -> impl IntoView + use<> {
    let current = f.page.max(1);
    let f = f.clone();
    let link = move |page: u64| format!("/backoffice/verzoeken?{}", f.query(page));
    let shown: Vec<u64> = (1..=pages)
        .filter(|&p| p == 1 || p == pages || p.abs_diff(current) <= 2)
        .collect();
    (pages > 1).then(|| view! {
        <nav aria-label=tr(l, "queue.pages") class="my-6" data-testid="queue-pages">
            <p>{tr_with(l, "queue.page_of", &[("pagina", &current.to_string()), ("van", &pages.to_string())])}</p>
            <ul class="flex flex-wrap gap-3">
                {(current > 1).then(|| view! { <li><a href=link(current - 1) rel="prev">{tr(l, "queue.previous")}</a></li> })}
                {shown.into_iter().map(|p| if p == current {
                    view! { <li><span aria-current="page" class="font-semibold">{p}</span></li> }.into_any()
                } else {
                    view! { <li><a href=link(p)>{p}</a></li> }.into_any()
                }).collect_view()}
                {(current < pages).then(|| view! { <li><a href=link(current + 1) rel="next">{tr(l, "queue.next")}</a></li> })}
            </ul>
        </nav>
    })
}

fn action_form(
    reference: &str,
    version: i32,
    action: &'static str,
    children: impl IntoView,
) -> impl IntoView {
    // `action` is a workflow action's stored value, or `types::SEND_ANSWER` (see `actions`).
    view! {
        <form method="post" action=format!("/backoffice/verzoeken/{reference}/actie") class="card my-4" id=format!("form-{action}") data-testid=format!("form-{action}")>
            <input type="hidden" name="actie" value=action />
            <input type="hidden" name="versie" value=version.to_string() />
            {children}
        </form>
    }
}

fn text_field(l: Locale, name: &'static str, id: String, label_key: &str) -> impl IntoView {
    view! {
        <label for=id.clone() class="block font-semibold">{tr(l, label_key)}</label>
        <textarea name=name id=id rows="3" maxlength="4000" class="utrecht-textarea utrecht-textarea--html-textarea w-full" required></textarea>
    }
}

fn actions(l: Locale, v: &StaffRequestView) -> impl IntoView + use<> {
    let reference = v.detail.summary.reference.clone();
    let version = v.version;
    let has = |a: Action| v.actions.contains(&a);
    let mut forms: Vec<AnyView> = Vec::new();
    let button = |key: &str| view! { <button type="submit" class="nl-button nl-button--primary mt-2">{tr(l, key)}</button> };
    if has(Action::Claim) {
        forms.push(
            action_form(
                &reference,
                version,
                Action::Claim.as_str(),
                button(if v.mine {
                    "staff.claimed"
                } else {
                    "staff.claim"
                }),
            )
            .into_any(),
        );
    }
    if has(Action::ConfirmAuthority) {
        forms.push(
            action_form(
                &reference,
                version,
                Action::ConfirmAuthority.as_str(),
                view! { <p>{tr(l, "staff.authority_text")}</p>{button("staff.confirm_authority")} },
            )
            .into_any(),
        );
    }
    if has(Action::AskInformation) {
        forms.push(action_form(&reference, version, Action::AskInformation.as_str(), view! { {text_field(l, "bericht", "vraag".into(), "staff.ask_information")}{button("staff.ask_button")} }).into_any());
    }
    if has(Action::Extend) {
        forms.push(action_form(&reference, version, Action::Extend.as_str(), view! { <p class="text-sm">{tr(l, "staff.extend_text")}</p>{text_field(l, "reden", "verlengen".into(), "staff.extend")}{button("staff.extend_button")} }).into_any());
    }
    // An access request's answer: the handler picks what to leave out while deciding, the
    // approver sees it, the send form repeats exactly what was approved.
    let access = v.detail.summary.kind == Kind::Access;
    let draft = v.answer_draft.clone().filter(|_| access);
    if has(Action::Decide) {
        let items = v.detail.items.clone();
        let leave_out = draft.is_some().then(|| view! {
            <fieldset class="my-4 border-t border-line pt-4" data-testid="leave-out">
                <legend class="font-semibold">{tr(l, "answer.leave_out_title")}</legend>
                <p class="text-sm">{tr(l, "answer.leave_out_text")}</p>
                <label for="weglaten-grond" class="block text-sm">{tr(l, "answer.leave_out_ground")}</label>
                <select class="utrecht-select utrecht-select--html-select" name="weglaten_grond" id="weglaten-grond">
                    <option value="">{tr(l, "answer.leave_out_no_ground")}</option>
                    {RefusalGround::LEAVE_OUT.iter().map(|&g| view! { <option value=g.as_str()>{tr(l, g.key())}</option> }).collect_view()}
                </select>
                <label for="weglaten-toelichting" class="block text-sm">{tr(l, "answer.leave_out_note")}</label>
                <textarea name="weglaten_toelichting" id="weglaten-toelichting" rows="2" maxlength="4000" class="utrecht-textarea utrecht-textarea--html-textarea w-full"></textarea>
            </fieldset>
        });
        forms.push(action_form(&reference, version, Action::Decide.as_str(), view! {
            <h3 class="mt-0">{tr(l, "staff.decide")}</h3>
            {items.into_iter().map(|i| {
                let yes = format!("toekennen-{}", i.id);
                let no = format!("weigeren-{}", i.id);
                let ground = format!("grond-{}", i.id);
                let note = format!("toelichting-{}", i.id);
                view! {
                    <fieldset class="my-4 border-t border-line pt-4" data-testid="decide-item">
                        <legend class="font-semibold">{i.label.clone()}</legend>
                        <div class="choice"><input class="utrecht-radio-button utrecht-radio-button--html-input" type="radio" name=format!("besluit-{}", i.id) id=yes.clone() value=types::DecisionChoice::Grant.as_str() checked=true /><label for=yes>{tr(l, types::Decision::Granted.key())}</label></div>
                        <div class="choice"><input class="utrecht-radio-button utrecht-radio-button--html-input" type="radio" name=format!("besluit-{}", i.id) id=no.clone() value=types::DecisionChoice::Refuse.as_str() /><label for=no>{tr(l, types::Decision::Refused.key())}</label></div>
                        <label for=ground.clone() class="block text-sm">{tr(l, "staff.ground")}</label>
                        <select class="utrecht-select utrecht-select--html-select" name=ground.clone() id=ground>
                            <option value="">{tr(l, "staff.no_ground")}</option>
                            {RefusalGround::ALL.iter().map(|&g| view! { <option value=g.as_str()>{tr(l, g.key())}</option> }).collect_view()}
                        </select>
                        <label for=note.clone() class="block text-sm">{tr(l, "staff.item_note")}</label>
                        <textarea name=note.clone() id=note rows="2" maxlength="4000" class="utrecht-textarea utrecht-textarea--html-textarea w-full"></textarea>
                    </fieldset>
                }
            }).collect_view()}
            {leave_out}
            <label for="besluit-toelichting" class="block font-semibold">{tr(l, "staff.decision_note")}</label>
            <textarea name="toelichting" id="besluit-toelichting" rows="3" maxlength="4000" class="utrecht-textarea utrecht-textarea--html-textarea w-full"></textarea>
            {button("staff.decide_button")}
        }).into_any());
        if let Some(draft) = draft.clone() {
            // The checkboxes belong to the decision form above (`form="form-decide"`).
            forms.push(
                view! {
                    <section aria-labelledby="antwoord-kiezen" data-testid="answer-pick">
                        <h3 id="antwoord-kiezen">{tr(l, "answer.title")}</h3>
                        <p>{tr(l, "answer.staff_pick_intro")}</p>
                        {crate::routes::documents::answer_body(l, draft.answer, true)}
                    </section>
                }
                .into_any(),
            );
        }
    }
    if has(Action::Approve) {
        let left_out = draft
            .as_ref()
            .map(|d| d.answer.left_out_items.clone())
            .filter(|items| !items.is_empty())
            .map(|items| {
                view! {
                    <div data-testid="approve-leave-outs">
                        <p>{tr(l, "staff.approve_leave_outs")}</p>
                        {crate::routes::documents::left_out_list(l, items)}
                    </div>
                }
            });
        forms.push(action_form(&reference, version, Action::Approve.as_str(), view! { <p>{tr_with(l, "staff.approve_text", &[("wie", &v.decided_by.clone().unwrap_or_default())])}</p>{left_out}{button("staff.approve")} }).into_any());
    }
    if has(Action::SendBack) {
        forms.push(action_form(&reference, version, Action::SendBack.as_str(), view! { {text_field(l, "reden", "terugsturen".into(), "staff.send_back")}{button("staff.send_back_button")} }).into_any());
    }
    if let (Status::AwaitingApproval, Some(draft)) = (v.detail.summary.status, draft.clone()) {
        forms.push(
            view! {
                <section aria-labelledby="antwoord-voorbeeld" data-testid="answer-preview">
                    <h3 id="antwoord-voorbeeld">{tr(l, "answer.title")}</h3>
                    <p>{tr(l, "answer.staff_intro")}</p>
                    {crate::routes::documents::answer_body(l, draft.answer, false)}
                </section>
            }
            .into_any(),
        );
    }
    if let (true, Some(draft)) = (has(Action::Execute), draft.clone()) {
        // A granted access request is carried out by sending its answer, which leaves out
        // exactly what was approved with the decision: the form repeats those ids.
        let blocked = !draft.missing.is_empty();
        let left_out = draft.answer.left_out_items.clone();
        forms.push(view! {
            <form method="post" action=format!("/backoffice/verzoeken/{reference}/actie") class="card my-4" id="form-send-answer" data-testid="form-send_answer">
                <input type="hidden" name="actie" value=types::SEND_ANSWER />
                <input type="hidden" name="versie" value=version.to_string() />
                <h3 class="mt-0">{tr(l, "answer.staff_title")}</h3>
                {if blocked {
                    view! {
                        <div class="notice-error" role="alert" data-testid="answer-missing">
                            <p class="font-semibold">{tr(l, "answer.missing_title")}</p>
                            <ul class="list">
                                {draft.missing.iter().map(|(item, activity)| view! {
                                    <li>{tr_with(l, "answer.missing_item", &[
                                        ("punt", &tr(l, &format!("answer.{item}"))),
                                        ("activiteit", &if activity.is_empty() { tr(l, "answer.missing_whole") } else { activity.clone() }),
                                    ])}</li>
                                }).collect_view()}
                            </ul>
                        </div>
                    }.into_any()
                } else {
                    view! { <p data-testid="answer-complete">{tr(l, "answer.complete")}</p> }.into_any()
                }}
                {left_out.iter().map(|i| view! { <input type="hidden" name="weglaten" value=i.id.to_string() /> }).collect_view()}
                {(!left_out.is_empty()).then(|| view! {
                    <div class="mt-4" data-testid="send-leave-outs">
                        <p>{tr(l, "answer.leave_out_approved")}</p>
                        {crate::routes::documents::left_out_list(l, left_out.clone())}
                    </div>
                })}
                <button type="submit" class="nl-button nl-button--primary mt-2">{tr(l, "answer.send")}</button>
            </form>
            <section aria-labelledby="antwoord-voorbeeld" data-testid="answer-preview">
                <h3 id="antwoord-voorbeeld">{tr(l, "answer.title")}</h3>
                <p>{tr(l, "answer.staff_intro")}</p>
                {crate::routes::documents::answer_body(l, draft.answer, false)}
            </section>
        }.into_any());
    } else if has(Action::Execute) {
        forms.push(
            action_form(
                &reference,
                version,
                Action::Execute.as_str(),
                view! { <p>{tr(l, "staff.execute_text")}</p>{button("staff.execute")} },
            )
            .into_any(),
        );
    }
    if has(Action::Message) {
        forms.push(action_form(&reference, version, Action::Message.as_str(), view! { {text_field(l, "bericht", "bericht".into(), "staff.message")}{button("staff.message_button")} }).into_any());
    }
    if has(Action::Note) {
        forms.push(action_form(&reference, version, Action::Note.as_str(), view! { {text_field(l, "bericht", "notitie".into(), "staff.note")}{button("staff.note_button")} }).into_any());
    }
    if has(Action::LiftRestriction) {
        forms.push(action_form(&reference, version, Action::LiftRestriction.as_str(), view! { <p>{tr(l, "staff.lift_restriction_text")}</p>{text_field(l, "reden", "opheffen".into(), "staff.lift_restriction")}{button("staff.lift_restriction_button")} }).into_any());
    }
    view! {
        {forms.is_empty().then(|| view! { <p data-testid="no-actions">{tr(l, "staff.no_actions")}</p> })}
        {forms}
    }
}

fn tasks(l: Locale, v: &StaffRequestView) -> impl IntoView + use<> {
    let reference = v.detail.summary.reference.clone();
    let version = v.version;
    let can_finish = v.actions.contains(&Action::FinishTask);
    let tasks = v.tasks.clone();
    (!tasks.is_empty()).then(|| view! {
        <h2>{tr(l, "staff.tasks")}</h2>
        <ul data-testid="tasks">
            {tasks.into_iter().map(|t| {
                let reference = reference.clone();
                let open = t.status == TaskStatus::Open;
                view! {
                    <li class="card my-3" data-testid="task">
                        <p><strong>{tr(l, t.kind.key())}</strong>": "{t.target.clone()}" — "{tr(l, t.action.key())}</p>
                        <p data-testid="task-status">{tr(l, t.status.key())}{t.reason.clone().map(|r| format!(" ({r})"))}</p>
                        {(open && can_finish && t.kind == TaskKind::Art19).then(|| {
                            let reason_id = format!("reden-{}", t.id);
                            view! {
                                <form method="post" action=format!("/backoffice/verzoeken/{reference}/actie")>
                                    <input type="hidden" name="actie" value=Action::FinishTask.as_str() />
                                    <input type="hidden" name="versie" value=version.to_string() />
                                    <input type="hidden" name="taak" value=t.id.to_string() />
                                    <label for=reason_id.clone() class="block text-sm">{tr(l, "staff.task_reason")}</label>
                                    <input type="text" name="reden" id=reason_id class="utrecht-textbox utrecht-textbox--html-input w-full" maxlength="4000" />
                                    <div class="mt-2 flex gap-4">
                                        <button type="submit" name="uitkomst" value=TaskOutcome::Done.as_str() class="nl-button nl-button--primary">{tr(l, TaskOutcome::Done.key())}</button>
                                        <button type="submit" name="uitkomst" value=TaskOutcome::Impossible.as_str() class="nl-button nl-button--secondary">{tr(l, TaskOutcome::Impossible.key())}</button>
                                    </div>
                                </form>
                            }
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    })
}

/// One request in the back office.
#[component]
pub fn StaffRequestPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::StaffRequest(v) = p.page.clone() else {
        return view! {
            <Page title_key="request.title">
                <h1>{tr(l, "request.title")}</h1>
                <p>{tr(l, "staff.not_found")}</p>
                <p><a href="/backoffice/verzoeken">{tr(l, "queue.title")}</a></p>
            </Page>
        }
        .into_any();
    };
    let reference = v.detail.summary.reference.clone();
    let key = notice_key();
    view! {
        <Page title_key="request.title">
            <p><a href="/backoffice/verzoeken">{tr(l, "queue.back")}</a></p>
            <h1>{tr_with(l, "request.heading", &[("kenmerk", &reference)])}</h1>
            {crate::routes::requests::notice_view(l, key)}
            <section class="card my-6" aria-labelledby="burger">
                <h2 id="burger">{tr(l, "staff.citizen")}</h2>
                <p>{v.citizen_name.clone().unwrap_or_default()}</p>
                <p>{tr(l, "staff.bsn")}": "<span data-testid="bsn">{v.bsn.clone()}</span></p>
                {(!v.bsn_revealed).then(|| view! {
                    <form method="post" action=format!("/backoffice/verzoeken/{reference}/bsn") class="mt-2">
                        <label for="bsn-reden" class="block text-sm">{tr(l, "staff.bsn_reason")}</label>
                        <input type="text" name="reden" id="bsn-reden" class="utrecht-textbox utrecht-textbox--html-input w-full" maxlength="4000" required />
                        <button type="submit" class="nl-button nl-button--secondary mt-2">{tr(l, "staff.bsn_show")}</button>
                    </form>
                })}
                {v.authority_unconfirmed.then(|| view! { <p class="notice-error mt-2">{tr(l, "staff.authority_unconfirmed")}</p> })}
            </section>
            {facts(l, &v.detail)}
            {crate::routes::documents::documents(l, format!("/backoffice/verzoeken/{reference}"), false, v.detail.letters.clone(), true)}
            <h2>{tr(l, "request.items")}</h2>
            {items_list(l, v.detail.items.clone())}
            {tasks(l, &v)}
            <h2>{tr(l, "staff.actions")}</h2>
            {actions(l, &v)}
            <h2>{tr(l, "request.timeline")}</h2>
            {timeline(l, Reader::Staff, v.detail.timeline.clone())}
            <h2>{tr(l, "request.messages")}</h2>
            {messages(l, Reader::Staff, v.detail.messages.clone())}
        </Page>
    }
    .into_any()
}
