//! The answer to an access request and the decision letters, as pages; and the links to them
//! (with their PDF and JSON downloads) on a request's page.

use leptos::prelude::*;
use types::LetterKind;

use crate::{
    i18n::{Locale, long_date, tr, tr_with},
    layouts::Page,
    models::{AccessAnswerView, AnswerActivity, AnswerLeftOut, PageData},
    shell::portal,
};

/// Links to a request's answer and letters; `base` is `/verzoeken/{ref}` for the citizen or
/// `/backoffice/verzoeken/{ref}` for staff (who get the PDFs only).
pub fn documents(
    l: Locale,
    base: String,
    answer_sent: bool,
    letters: Vec<LetterKind>,
    staff: bool,
) -> impl IntoView {
    (answer_sent || !letters.is_empty()).then(|| {
        view! {
            <section class="card my-6" aria-labelledby="documenten" data-testid="documents">
                <h2 id="documenten" class="mt-0">{tr(l, "letter.letters")}</h2>
                <ul class="list">
                    {(answer_sent && !staff).then(|| view! {
                        <li data-testid="answer-links">
                            <a href=format!("{base}/antwoord")>{tr(l, "answer.read")}</a>
                            " · "<a href=format!("{base}/antwoord.pdf?taal={}", l.code())>{tr(l, "answer.pdf")}</a>
                            " · "<a href=format!("{base}/antwoord.json")>{tr(l, "answer.json")}</a>
                        </li>
                    })}
                    {letters.into_iter().map(|kind| {
                        let base = base.clone();
                        view! {
                            <li data-testid=format!("letter-{kind}")>
                                <strong>{tr(l, kind.key())}</strong>": "
                                {(!staff).then(|| view! { <a href=format!("{base}/{kind}")>{tr(l, "letter.read")}</a>" · " })}
                                <a href=format!("{base}/brief/{kind}.pdf?taal=nl") hreflang="nl">{tr(l, "letter.pdf_nl")}</a>
                                " · "
                                <a href=format!("{base}/brief/{kind}.pdf?taal=en") hreflang="en">{tr(l, "letter.pdf_en")}</a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

fn fact(label: String, body: impl IntoView) -> impl IntoView {
    view! { <dt>{label}</dt><dd>{body}</dd> }
}

/// One activity of the answer: (a)–(h) and the data itself; with `leave_out`, a checkbox per
/// item for the handler's decision form (`weglaten`, on `form-decide`).
pub fn answer_activity(l: Locale, a: AnswerActivity, leave_out: bool) -> impl IntoView {
    let disclosures = if a.disclosures.is_empty() {
        tr(l, "answer.c_none").into_any()
    } else {
        view! {
            <ul class="list">
                {a.disclosures.iter().map(|d| view! {
                    <li>{format!("{}: {} ({}). {}", long_date(l, &d.on), d.recipient, d.categories.join(", "), d.purpose)}</li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card my-4" data-testid="answer-activity">
            <h3 class="mt-0">{a.name.clone()}</h3>
            <dl class="facts text-sm">
                {fact(tr(l, "answer.a"), a.purpose.clone())}
                {fact(tr(l, "answer.basis"), a.legal_basis.clone())}
                {fact(tr(l, "answer.b"), a.categories.join(", "))}
                {fact(tr(l, "answer.c"), a.recipient_categories.join(", "))}
                {fact(tr(l, "answer.c_received"), disclosures)}
                {fact(tr(l, "answer.d"), a.retention.clone())}
                {fact(tr(l, "answer.g"), a.source.clone())}
                {fact(tr(l, "answer.h"), a.automated_decision.clone())}
            </dl>
            <h4 class="font-semibold mt-4">{tr(l, "answer.data")}</h4>
            {if a.data.is_empty() {
                view! { <p>{tr(l, "answer.no_data")}</p> }.into_any()
            } else {
                view! {
                    <table class="w-full text-left text-sm">
                        <thead>
                            <tr>
                                <th scope="col">{tr(l, "answer.item")}</th>
                                <th scope="col">{tr(l, "answer.value")}</th>
                                <th scope="col">{tr(l, "answer.category")}</th>
                                <th scope="col">{tr(l, "answer.recorded")}</th>
                                {leave_out.then(|| view! { <th scope="col">{tr(l, "answer.leave_out")}</th> })}
                            </tr>
                        </thead>
                        <tbody>
                            {a.data.iter().map(|i| {
                                let id = format!("weglaten-{}", i.id);
                                view! {
                                    <tr data-testid="answer-item">
                                        <td>{i.label.clone()}</td>
                                        <td>
                                            {i.value.clone()}
                                            {i.restricted_by.as_deref().map(|by| view! {
                                                <br /><span class="text-sm" data-testid="answer-restricted">{restricted_words(l, by)}</span>
                                            })}
                                        </td>
                                        <td>{i.category.clone()}</td>
                                        <td>{format!("{}, {}, {}", long_date(l, &i.recorded_on), i.recorded_by, i.source_system)}</td>
                                        {leave_out.then(|| view! {
                                            <td>
                                                <input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" name="weglaten" id=id.clone() value=i.id.to_string() form="form-decide" />
                                                <label for=id class="sr-only">{format!("{}: {}", tr(l, "answer.leave_out"), i.label)}</label>
                                            </td>
                                        })}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// The records an answer leaves out: what kind of record each is (never what it says), the
/// ground and the note.
pub fn left_out_list(l: Locale, items: Vec<AnswerLeftOut>) -> impl IntoView {
    view! {
        <ul class="list" data-testid="left-out-items">
            {items.into_iter().map(|i| view! {
                <li data-testid="left-out-item">
                    <strong>{i.label}</strong>{format!(" ({})", i.category)}<br />
                    {format!("{}: {}. ", tr(l, "answer.left_out_why"), tr(l, i.ground.key()))}{i.note}
                </li>
            }).collect_view()}
        </ul>
    }
}

/// The whole answer, for the citizen's page and the handler's preview (`leave_out`: with the
/// checkboxes of the decision form).
pub fn answer_body(l: Locale, a: AccessAnswerView, leave_out: bool) -> impl IntoView {
    let left_out = if !a.left_out_items.is_empty() {
        Some(view! {
            <section class="notice my-4" aria-labelledby="weggelaten" data-testid="answer-left-out">
                <h2 id="weggelaten" class="mt-0">{tr(l, "answer.left_out_title")}</h2>
                <p>{tr_with(l, "answer.left_out_intro", &[("aantal", &a.left_out_items.len().to_string())])}</p>
                {left_out_list(l, a.left_out_items.clone())}
            </section>
        }.into_any())
    } else if a.left_out > 0 {
        // An answer sent before each left-out item carried its own ground: as it was sent.
        Some(view! {
            <p class="notice my-4" data-testid="answer-left-out">{tr_with(l, "answer.left_out", &[("aantal", &a.left_out.to_string()), ("reden", a.left_out_note.as_deref().unwrap_or(""))])}</p>
        }.into_any())
    } else {
        None
    };
    view! {
        <p class="lead">{tr_with(l, "answer.intro", &[("gemeente", &a.municipality), ("datum", &long_date(l, &a.sent_on))])}</p>
        {left_out}
        {a.domains.is_empty().then(|| view! { <p>{tr(l, "answer.nothing")}</p> })}
        {a.domains.into_iter().map(|d| view! {
            <h2>{tr(l, &format!("domain.{}", d.domain))}</h2>
            {d.activities.into_iter().map(|x| answer_activity(l, x, leave_out)).collect_view()}
        }).collect_view()}
        <h2>{tr(l, "answer.e")}</h2>
        <p data-testid="answer-rights">{a.rights.clone()}</p>
        <h2>{tr(l, "answer.f")}</h2>
        <p data-testid="answer-complaint">{a.complaint.clone()}</p>
        <h2>{tr(l, "answer.fee")}</h2>
        <p data-testid="answer-fee">{a.fee.clone()}</p>
    }
}

/// `/verzoeken/{reference}/antwoord`: the answer to an access request.
#[component]
pub fn AnswerPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::AccessAnswer(a) = p.page.clone() else {
        return view! {
            <Page title_key="answer.title">
                <h1>{tr(l, "answer.title")}</h1>
                <p data-testid="answer-unavailable">{tr(l, "answer.not_available")}</p>
                <p><a href="/verzoeken">{tr(l, "requests.title")}</a></p>
            </Page>
        }
        .into_any();
    };
    let reference = a.reference.clone();
    view! {
        <Page title_key="answer.title">
            <p><a href=format!("/verzoeken/{reference}")>{tr_with(l, "request.heading", &[("kenmerk", &reference)])}</a></p>
            <h1>{tr_with(l, "answer.heading", &[("kenmerk", &reference)])}</h1>
            <nav aria-label=tr(l, "answer.downloads") class="my-4">
                <a href=format!("/verzoeken/{reference}/antwoord.pdf?taal={}", l.code())>{tr(l, "answer.pdf")}</a>
                " · "
                <a href=format!("/verzoeken/{reference}/antwoord.json")>{tr(l, "answer.json")}</a>
            </nav>
            <div data-testid="answer">{answer_body(l, a, false)}</div>
        </Page>
    }
    .into_any()
}

/// `/verzoeken/{reference}/besluit` and `/verlenging`: a letter, as the PDF has it.
#[component]
pub fn LetterPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::Letter(letter) = p.page.clone() else {
        return view! {
            <Page title_key="letter.title">
                <h1>{tr(l, "letter.title")}</h1>
                <p>{tr(l, "letter.not_available")}</p>
                <p><a href="/verzoeken">{tr(l, "requests.title")}</a></p>
            </Page>
        }
        .into_any();
    };
    let reference = letter.reference.clone();
    let kind = letter.kind;
    view! {
        <Page title_key="letter.title">
            <p><a href=format!("/verzoeken/{reference}")>{tr_with(l, "request.heading", &[("kenmerk", &reference)])}</a></p>
            <article class="card my-6" data-testid="letter" data-outcome=letter.outcome.as_str()>
                <p class="font-bold">{tr_with(l, "letter.sender", &[("gemeente", &letter.municipality)])}</p>
                <dl class="facts text-sm">
                    <dt>{tr(l, "letter.date")}</dt><dd>{letter.date_text.clone()}</dd>
                    <dt>{tr(l, "letter.reference")}</dt><dd>{reference.clone()}</dd>
                </dl>
                <h1 class="text-2xl">{letter.subject.clone()}</h1>
                <p>{tr(l, "letter.salutation")}</p>
                {letter.paragraphs.iter().map(|p| view! { <p>{p.clone()}</p> }).collect_view()}
                {(!letter.items.is_empty()).then(|| view! {
                    <h2>{tr(l, "letter.per_item")}</h2>
                    <table class="w-full text-left">
                        <thead><tr>
                            <th scope="col">{tr(l, "letter.item")}</th>
                            <th scope="col">{tr(l, "letter.decision")}</th>
                            <th scope="col">{tr(l, "letter.reasons")}</th>
                        </tr></thead>
                        <tbody>
                            {letter.items.iter().map(|i| view! {
                                <tr><td>{i.label.clone()}</td><td>{i.decision.clone()}</td><td>{i.reasons.clone()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
                <h2>{tr(l, "letter.legal_ground")}</h2>
                <p data-testid="letter-ground">{letter.legal_ground.clone()}</p>
                <h2>{tr(l, "letter.objection_title")}</h2>
                <p data-testid="letter-objection">{letter.objection.clone()}</p>
                <h2>{tr(l, "letter.complaint_title")}</h2>
                <p data-testid="letter-complaint">{letter.complaint.clone()}</p>
                <p>{letter.closing.clone()}</p>
            </article>
            <p>
                <a href=format!("/verzoeken/{reference}/brief/{kind}.pdf?taal=nl") hreflang="nl">{tr(l, "letter.pdf_nl")}</a>
                " · "
                <a href=format!("/verzoeken/{reference}/brief/{kind}.pdf?taal=en") hreflang="en">{tr(l, "letter.pdf_en")}</a>
            </p>
        </Page>
    }
    .into_any()
}

/// What an access answer says of a record whose processing is restricted.
pub fn restricted_words(l: Locale, by: &str) -> String {
    if by.is_empty() {
        tr(l, "answer.restricted")
    } else {
        tr_with(l, "answer.restricted_by", &[("verzoek", by)])
    }
}
