//! Decision letters (besluiten) and the letter that extends the deadline, in plain Dutch and
//! English. Each names its legal ground in words and the two routes the citizen has: bezwaar
//! within six weeks, and a complaint to the Autoriteit Persoonsgegevens.
//!
//! [`decision`] and [`extension`] are plain functions of the request's facts; the page and the
//! PDF render the one [`LetterView`] they return.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    entities::{
        personal_data_records, request_events, request_items, request_leave_outs, rights_requests,
    },
    rights::deadlines,
    rights::workflow::{Action, Status},
};
use app::{
    i18n::{Locale, long_date, tr, tr_with},
    models::{LetterItem, LetterView},
};
use types::{Decision, Kind, LetterKind, LetterOutcome, RefusalGround};

/// One decided item.
#[derive(Clone, Debug)]
pub struct DecidedItem {
    /// What it is about.
    pub label: String,
    /// About special-category (health) data.
    pub special: bool,
    /// Granted or refused.
    pub granted: bool,
    /// The refusal ground.
    pub ground: Option<RefusalGround>,
    /// The handler's explanation.
    pub note: Option<String>,
}

/// What a letter is written from.
#[derive(Clone, Debug)]
pub struct LetterFacts {
    /// `AVG-YYYY-NNNNNN`.
    pub reference: String,
    /// What was asked.
    pub kind: Kind,
    /// Received on (Dutch date).
    pub received_on: NaiveDate,
    /// The extended due date, if extended.
    pub extended_to: Option<NaiveDate>,
    /// Why it was extended.
    pub extension_reason: Option<String>,
    /// The day it was extended.
    pub extended_on: Option<NaiveDate>,
    /// The day the decision took effect, if it has.
    pub decided_on: Option<NaiveDate>,
    /// The decision per item.
    pub items: Vec<DecidedItem>,
    /// The general explanation of the decision.
    pub decision_note: Option<String>,
    /// Records the decision leaves out of an access answer (Art. 15(4) and the like).
    pub left_out: Vec<LeftOutRecord>,
}

/// A record the decision leaves out of the access answer: what kind of record, and why.
#[derive(Clone, Debug)]
pub struct LeftOutRecord {
    /// The record's label (never its value).
    pub label: String,
    /// About special-category (health) data.
    pub special: bool,
    /// The ground.
    pub ground: RefusalGround,
    /// The handler's note.
    pub note: String,
}

impl LetterFacts {
    /// The facts as a login below the health-data level may read them: a health item's label
    /// and the handler's note on it give way to a sentence that says so.
    pub fn without_health_details(mut self, l: Locale) -> Self {
        for item in self.items.iter_mut().filter(|i| i.special) {
            item.label = tr(l, "letter.item_withheld");
            item.note = None;
        }
        for record in self.left_out.iter_mut().filter(|r| r.special) {
            record.label = tr(l, "letter.item_withheld");
            record.note = String::new();
        }
        self
    }
}

/// The article of the AVG (or other law) a request type rests on.
fn article(kind: Kind) -> &'static str {
    match kind {
        Kind::Access => "letter.article.access",
        Kind::Rectification => "letter.article.rectification",
        Kind::Erasure => "letter.article.erasure",
        Kind::Restriction => "letter.article.restriction",
        Kind::Objection => "letter.article.objection",
        Kind::BrpProtocol => "letter.article.brp_protocol",
    }
}

fn common(
    l: Locale,
    municipality: &str,
    facts: &LetterFacts,
    kind: LetterKind,
    outcome: LetterOutcome,
    date: NaiveDate,
) -> LetterView {
    let iso = date.to_string();
    LetterView {
        kind,
        outcome,
        lang: l.code().to_owned(),
        municipality: municipality.to_owned(),
        reference: facts.reference.clone(),
        date_text: long_date(l, &iso),
        date: iso,
        subject: String::new(),
        paragraphs: Vec::new(),
        items: Vec::new(),
        legal_ground: String::new(),
        objection: tr_with(
            l,
            "letter.objection",
            &[("gemeente", municipality), ("kenmerk", &facts.reference)],
        ),
        complaint: tr(l, "letter.complaint"),
        closing: tr_with(l, "letter.closing", &[("gemeente", municipality)]),
    }
}

/// The decision letter, once the decision has taken effect.
pub fn decision(l: Locale, municipality: &str, facts: &LetterFacts) -> Option<LetterView> {
    let date = facts.decided_on?;
    if facts.items.is_empty() {
        return None;
    }
    let granted = facts.items.iter().filter(|i| i.granted).count();
    // Leaving records out of an answer refuses access to them: a partial grant.
    let outcome = match granted {
        0 => LetterOutcome::Refused,
        n if n == facts.items.len() && facts.left_out.is_empty() => LetterOutcome::Granted,
        _ => LetterOutcome::PartlyGranted,
    };
    let mut letter = common(l, municipality, facts, LetterKind::Decision, outcome, date);
    letter.subject = tr_with(
        l,
        "letter.decision_subject",
        &[("kenmerk", &facts.reference)],
    );
    letter.paragraphs.push(tr_with(
        l,
        "letter.received",
        &[
            ("datum", &long_date(l, &facts.received_on.to_string())),
            ("verzoek", &tr(l, &format!("letter.asked.{}", facts.kind))),
        ],
    ));
    letter.paragraphs.push(tr(l, outcome.key()));
    if facts.kind == Kind::Access && outcome != LetterOutcome::Refused {
        letter.paragraphs.push(tr(l, "letter.access_answer"));
    }
    if let Some(note) = facts.decision_note.as_deref().filter(|n| !n.is_empty()) {
        letter.paragraphs.push(note.to_owned());
    }
    letter.items = facts
        .items
        .iter()
        .map(|i| {
            let mut reasons: Vec<String> = Vec::new();
            if i.granted {
                reasons.push(tr(l, &format!("letter.granted.{}", facts.kind)));
            } else if let Some(ground) = i.ground {
                reasons.push(format!("{}.", tr(l, ground.key())));
            }
            if let Some(note) = i.note.as_deref().filter(|n| !n.is_empty()) {
                reasons.push(note.to_owned());
            }
            LetterItem {
                label: i.label.clone(),
                decision: tr(
                    l,
                    if i.granted {
                        Decision::Granted.key()
                    } else {
                        Decision::Refused.key()
                    },
                ),
                reasons: reasons.join(" "),
            }
        })
        .collect();
    if !facts.left_out.is_empty() {
        letter.paragraphs.push(tr(l, "letter.left_out"));
        letter.items.extend(facts.left_out.iter().map(|r| {
            let mut reasons = format!("{}.", tr(l, r.ground.key()));
            if !r.note.is_empty() {
                reasons.push(' ');
                reasons.push_str(&r.note);
            }
            LetterItem {
                label: r.label.clone(),
                decision: tr(l, "letter.left_out_decision"),
                reasons,
            }
        }));
    }
    letter.legal_ground = tr_with(
        l,
        "letter.ground_decision",
        &[("artikel", &tr(l, article(facts.kind)))],
    );
    if outcome != LetterOutcome::Granted {
        letter.legal_ground.push(' ');
        letter
            .legal_ground
            .push_str(&tr(l, "letter.ground_refusal"));
    }
    Some(letter)
}

/// The letter telling the citizen the deadline was extended, and why.
pub fn extension(l: Locale, municipality: &str, facts: &LetterFacts) -> Option<LetterView> {
    let date = facts.extended_on?;
    let new_due = facts.extended_to?;
    let mut letter = common(
        l,
        municipality,
        facts,
        LetterKind::Extension,
        LetterOutcome::Extended,
        date,
    );
    letter.subject = tr_with(
        l,
        "letter.extension_subject",
        &[("kenmerk", &facts.reference)],
    );
    letter.paragraphs.push(tr_with(
        l,
        "letter.received",
        &[
            ("datum", &long_date(l, &facts.received_on.to_string())),
            ("verzoek", &tr(l, &format!("letter.asked.{}", facts.kind))),
        ],
    ));
    letter.paragraphs.push(tr_with(
        l,
        "letter.extended",
        &[("datum", &long_date(l, &new_due.to_string()))],
    ));
    if let Some(reason) = facts.extension_reason.as_deref() {
        letter
            .paragraphs
            .push(tr_with(l, "letter.extension_reason", &[("reden", reason)]));
    }
    letter.legal_ground = tr(l, "letter.ground_extension");
    Some(letter)
}

/// Which letters a request has: the decision once it took effect, the extension once the
/// deadline was extended.
pub fn available(request: &rights_requests::Model) -> Vec<LetterKind> {
    let mut letters = Vec::new();
    if request.status.decision_in_effect() {
        letters.push(LetterKind::Decision);
    }
    if request.extended_to.is_some() {
        letters.push(LetterKind::Extension);
    }
    letters
}

/// Reads the facts a letter needs from the request, its items and its timeline.
pub async fn facts<C: ConnectionTrait>(
    db: &C,
    request: &rights_requests::Model,
) -> Result<LetterFacts, DbErr> {
    let items = request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .order_by_asc(request_items::Column::Id)
        .all(db)
        .await?;
    let events = request_events::Entity::find()
        .filter(request_events::Column::RequestId.eq(request.id))
        .order_by_asc(request_events::Column::Id)
        .all(db)
        .await?;
    // The decision takes effect when the request reaches `decided` or `rejected`: directly, or
    // through the approver.
    let decided_on = events
        .iter()
        .rev()
        .find(|e| matches!(e.to_status, Status::Decided | Status::Rejected))
        .map(|e| deadlines::received_on(e.at));
    let extended_on = events
        .iter()
        .rev()
        .find(|e| e.action == Action::Extend)
        .map(|e| deadlines::received_on(e.at));
    let decided = request.status.decision_in_effect();
    let leave_outs = request_leave_outs::Entity::find()
        .filter(request_leave_outs::Column::RequestId.eq(request.id))
        .order_by_asc(request_leave_outs::Column::RecordId)
        .all(db)
        .await?;
    let records: std::collections::HashMap<i64, personal_data_records::Model> =
        personal_data_records::Entity::find()
            .filter(personal_data_records::Column::Id.is_in(leave_outs.iter().map(|l| l.record_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    let left_out = leave_outs
        .into_iter()
        .map(|l| {
            let record = records.get(&l.record_id);
            LeftOutRecord {
                // A record erased since: the decision about it stays, its label is gone.
                label: record.map_or_else(|| format!("#{}", l.record_id), |r| r.label.clone()),
                special: record.is_some_and(|r| r.special_category),
                ground: l.ground,
                note: l.note,
            }
        })
        .collect();
    Ok(LetterFacts {
        left_out,
        reference: request.reference.clone(),
        kind: request.kind,
        received_on: deadlines::received_on(request.received_at),
        extended_to: request.extended_to,
        extension_reason: request.extension_reason.clone(),
        extended_on,
        decided_on: decided_on.filter(|_| decided),
        items: items
            .into_iter()
            .filter_map(|i| {
                Some(DecidedItem {
                    granted: i.decision? == Decision::Granted,
                    special: i.special_category,
                    label: i.label,
                    ground: i.ground,
                    note: i.decision_note,
                })
            })
            .collect(),
        decision_note: request.decision_note.clone(),
    })
}

/// The letter of `kind` in `l`, if the request has it.
pub fn letter(
    l: Locale,
    municipality: &str,
    facts: &LetterFacts,
    kind: LetterKind,
) -> Option<LetterView> {
    match kind {
        LetterKind::Decision => decision(l, municipality, facts),
        LetterKind::Extension => extension(l, municipality, facts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: Kind, items: &[(bool, Option<RefusalGround>)]) -> LetterFacts {
        LetterFacts {
            reference: "AVG-2026-000042".to_owned(),
            kind,
            received_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            extended_to: NaiveDate::from_ymd_opt(2026, 6, 2),
            extension_reason: Some("Veel gegevens in vier systemen".to_owned()),
            extended_on: NaiveDate::from_ymd_opt(2026, 3, 20),
            decided_on: NaiveDate::from_ymd_opt(2026, 4, 1),
            items: items
                .iter()
                .enumerate()
                .map(|(n, (granted, ground))| DecidedItem {
                    special: false,
                    label: format!("Gegeven {n}"),
                    granted: *granted,
                    ground: *ground,
                    note: (!granted).then(|| "De Jeugdwet schrijft 20 jaar voor.".to_owned()),
                })
                .collect(),
            decision_note: None,
            left_out: Vec::new(),
        }
    }

    fn whole(letter: &LetterView) -> String {
        let items: Vec<String> = letter
            .items
            .iter()
            .map(|i| format!("{} {} {}", i.label, i.decision, i.reasons))
            .collect();
        [
            letter.subject.clone(),
            letter.paragraphs.join(" "),
            items.join(" "),
            letter.legal_ground.clone(),
            letter.objection.clone(),
            letter.complaint.clone(),
        ]
        .join(" ")
    }

    #[test]
    fn every_outcome_in_both_languages_names_its_ground_and_both_routes() {
        let cases = [
            (Kind::Access, vec![(true, None)], LetterOutcome::Granted),
            (
                Kind::Erasure,
                vec![(true, None), (false, Some(RefusalGround::Archiving))],
                LetterOutcome::PartlyGranted,
            ),
            (
                Kind::Rectification,
                vec![(false, Some(RefusalGround::Excessive))],
                LetterOutcome::Refused,
            ),
        ];
        for (kind, items, outcome) in cases {
            let f = facts(kind, &items);
            for (l, objection, complaint, six_weeks) in [
                (
                    Locale::Nl,
                    "bezwaar",
                    "Autoriteit Persoonsgegevens",
                    "zes weken",
                ),
                (
                    Locale::En,
                    "objection",
                    "Autoriteit Persoonsgegevens",
                    "six weeks",
                ),
            ] {
                let letter = decision(l, "Voorbeeldstad", &f).unwrap();
                assert_eq!(letter.outcome, outcome);
                let text = whole(&letter);
                assert!(text.contains(objection), "{l:?} {kind}: {text}");
                assert!(text.contains(six_weeks), "{l:?} {kind}: {text}");
                assert!(text.contains(complaint), "{l:?} {kind}: {text}");
                assert!(text.contains("AVG-2026-000042"), "{text}");
                let article = if l == Locale::Nl {
                    "artikel"
                } else {
                    "Article"
                };
                assert!(letter.legal_ground.contains(article), "{letter:?}");
                if outcome != LetterOutcome::Granted {
                    let ground = if kind == Kind::Erasure { "17" } else { "12" };
                    assert!(
                        letter.items.iter().any(|i| i.reasons.contains(ground)),
                        "{letter:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_extension_letter_gives_the_new_date_the_reason_and_article_12() {
        let f = facts(Kind::Access, &[]);
        let nl = extension(Locale::Nl, "Voorbeeldstad", &f).unwrap();
        let text = whole(&nl);
        assert!(text.contains("2 juni 2026"), "{text}");
        assert!(text.contains("Veel gegevens in vier systemen"), "{text}");
        assert!(nl.legal_ground.contains("12"), "{text}");
        assert!(text.contains("bezwaar") && text.contains("Autoriteit Persoonsgegevens"));
        let en = extension(Locale::En, "Voorbeeldstad", &f).unwrap();
        assert!(whole(&en).contains("2 June 2026"), "{}", whole(&en));
    }

    #[test]
    fn no_letter_before_the_decision_takes_effect() {
        let mut f = facts(Kind::Erasure, &[(true, None)]);
        f.decided_on = None;
        assert_eq!(decision(Locale::Nl, "Voorbeeldstad", &f), None);
        f.extended_on = None;
        assert_eq!(extension(Locale::Nl, "Voorbeeldstad", &f), None);
    }
}
