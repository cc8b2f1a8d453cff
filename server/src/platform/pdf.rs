//! PDFs of the access answer and the decision letters, typeset by the Typst compiler.
//!
//! Typst (through `typst-as-lib`) was chosen over drawing pages by hand (`printpdf`,
//! `pdf-writer`): it breaks lines and pages, draws tables, embeds and subsets its own fonts
//! (nothing read from the machine) and writes tagged PDF, which screen readers need. The
//! templates live in `server/templates/`; all content goes in as JSON data through
//! `sys.inputs`, never spliced into the markup, so a value like `#eval(...)` prints as text.

use std::sync::LazyLock;

use typst::foundations::{Dict, IntoValue};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;

use app::{
    i18n::{Locale, tr, tr_with},
    models::{AccessAnswerView, LetterView},
};

/// Why a PDF could not be made (a defect in a template, never the citizen's input).
#[derive(Debug, thiserror::Error)]
#[error("typesetting failed: {0}")]
pub struct PdfError(String);

fn engine(template: &'static str) -> TypstEngine<TypstTemplateMainFile> {
    TypstEngine::builder()
        .main_file(template)
        .fonts(typst_assets::fonts())
        .build()
}

static LETTER: LazyLock<TypstEngine<TypstTemplateMainFile>> =
    LazyLock::new(|| engine(include_str!("../../templates/letter.typ")));
static ANSWER: LazyLock<TypstEngine<TypstTemplateMainFile>> =
    LazyLock::new(|| engine(include_str!("../../templates/answer.typ")));

fn render(
    engine: &TypstEngine<TypstTemplateMainFile>,
    data: &impl serde::Serialize,
    labels: &serde_json::Value,
) -> Result<Vec<u8>, PdfError> {
    let json = |value: serde_json::Result<String>| value.map_err(|e| PdfError(e.to_string()));
    let mut inputs = Dict::new();
    inputs.insert(
        "data".into(),
        json(serde_json::to_string(data))?.into_value(),
    );
    inputs.insert(
        "labels".into(),
        json(serde_json::to_string(labels))?.into_value(),
    );
    let compiled = engine.compile_with_input(inputs);
    for warning in &compiled.warnings {
        tracing::warn!(message = %warning.message, "typst warning");
    }
    let document = compiled.output.map_err(|e| PdfError(format!("{e:?}")));
    // Typst memoizes what it laid out; clear it so no citizen's data stays in memory after
    // their document is made, and the cache cannot grow with every download.
    comemo::evict(0);
    let document: PagedDocument = document?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|diagnostics| {
        PdfError(
            diagnostics
                .iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// A decision or extension letter as PDF, in the letter's own language.
pub fn letter(letter: &LetterView) -> Result<Vec<u8>, PdfError> {
    let l = Locale::parse(&letter.lang);
    let labels = serde_json::json!({
        "sender": tr_with(l, "letter.sender", &[("gemeente", &letter.municipality)]),
        "date": tr(l, "letter.date"),
        "reference": tr(l, "letter.reference"),
        "subject": tr(l, "letter.subject"),
        "salutation": tr(l, "letter.salutation"),
        "per_item": tr(l, "letter.per_item"),
        "item": tr(l, "letter.item"),
        "decision": tr(l, "letter.decision"),
        "reasons": tr(l, "letter.reasons"),
        "legal_ground": tr(l, "letter.legal_ground"),
        "objection_title": tr(l, "letter.objection_title"),
        "complaint_title": tr(l, "letter.complaint_title"),
    });
    render(&LETTER, letter, &labels)
}

/// The access answer as PDF, with headings in `l` (the facts are the answer's own).
pub fn answer(answer: &AccessAnswerView, l: Locale) -> Result<Vec<u8>, PdfError> {
    let domains: serde_json::Map<String, serde_json::Value> = answer
        .domains
        .iter()
        .map(|d| {
            (
                d.domain.clone(),
                serde_json::Value::String(tr(l, &format!("domain.{}", d.domain))),
            )
        })
        .collect();
    let labels = serde_json::json!({
        "lang": l.code(),
        "sender": tr_with(l, "letter.sender", &[("gemeente", &answer.municipality)]),
        "title": tr_with(l, "answer.heading", &[("kenmerk", &answer.reference)]),
        "intro": tr_with(l, "answer.intro", &[
            ("gemeente", &answer.municipality),
            ("datum", &app::i18n::long_date(l, &answer.sent_on)),
        ]),
        // An answer sent before each left-out item carried its own ground says it in one line.
        "left_out": tr_with(l, "answer.left_out", &[
            ("aantal", &answer.left_out.to_string()),
            ("reden", answer.left_out_note.as_deref().unwrap_or("")),
        ]),
        "left_out_title": tr(l, "answer.left_out_title"),
        "left_out_intro": tr_with(l, "answer.left_out_intro", &[
            ("aantal", &answer.left_out_items.len().to_string()),
        ]),
        "left_out_why": tr(l, "answer.left_out_why"),
        "nothing": tr(l, "answer.nothing"),
        "domains": domains,
        "a": tr(l, "answer.a"),
        "basis": tr(l, "answer.basis"),
        "b": tr(l, "answer.b"),
        "c": tr(l, "answer.c"),
        "c_received": tr(l, "answer.c_received"),
        "c_none": tr(l, "answer.c_none"),
        "d": tr(l, "answer.d"),
        "e": tr(l, "answer.e"),
        "f": tr(l, "answer.f"),
        "g": tr(l, "answer.g"),
        "h": tr(l, "answer.h"),
        "fee": tr(l, "answer.fee"),
        "no_data": tr(l, "answer.no_data"),
        "item": tr(l, "answer.item"),
        "value": tr(l, "answer.value"),
        "category": tr(l, "answer.category"),
        "recorded": tr(l, "answer.recorded"),
    });
    // Dates written out as on the page, so the two read the same.
    let mut shown = answer.clone();
    // The grounds in the headings' language, as on the page.
    for item in &mut shown.left_out_items {
        item.ground_text = tr(l, item.ground.key());
    }
    for activity in shown.domains.iter_mut().flat_map(|d| &mut d.activities) {
        for d in &mut activity.disclosures {
            d.on = app::i18n::long_date(l, &d.on);
        }
        for item in &mut activity.data {
            item.recorded_on = app::i18n::long_date(l, &item.recorded_on);
            if let Some(by) = &item.restricted_by {
                let words = app::routes::documents::restricted_words(l, by);
                item.value = format!("{} ({words})", item.value);
            }
        }
    }
    render(&ANSWER, &shown, &labels)
}

/// Runs a render off the async threads, at most two at a time: a burst of downloads waits its
/// turn instead of taking every core from the rest of the portal.
pub async fn off_thread(
    job: impl FnOnce() -> Result<Vec<u8>, PdfError> + Send + 'static,
) -> Result<Vec<u8>, PdfError> {
    static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    let _slot = SLOTS.acquire().await.map_err(|e| PdfError(e.to_string()))?;
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| PdfError(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::models::LetterItem;

    #[test]
    fn markup_in_the_data_is_printed_as_text_not_run() {
        let letter = LetterView {
            kind: types::LetterKind::Decision,
            outcome: types::LetterOutcome::Refused,
            lang: "nl".into(),
            municipality: "Voorbeeldstad".into(),
            reference: "AVG-2026-000001".into(),
            date: "2026-03-01".into(),
            date_text: "1 maart 2026".into(),
            subject: "Besluit".into(),
            paragraphs: vec!["#panic(\"boem\") *vet* $x$ ]".into()],
            items: vec![LetterItem {
                label: "#eval(\"1\")".into(),
                decision: "Geweigerd".into(),
                reasons: "[".into(),
            }],
            legal_ground: "artikel 17".into(),
            objection: "bezwaar".into(),
            complaint: "AP".into(),
            closing: "groet".into(),
        };
        let pdf = super::letter(&letter).expect("typesets");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
