//! The Art. 15 access answer and the decision and extension letters.

use serde::{Deserialize, Serialize};
use types::{LetterKind, LetterOutcome, RefusalGround};

/// One piece of data in an access answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerItem {
    /// Record id (the handler leaves third parties' data out by id).
    pub id: i64,
    /// What it is.
    pub label: String,
    /// The category of personal data.
    pub category: String,
    /// The value.
    pub value: String,
    /// Recorded on (ISO date).
    pub recorded_on: String,
    /// Recorded by (role and organisation).
    pub recorded_by: String,
    /// The source system that holds it.
    pub source_system: String,
    /// Special-category data (health): shown only at the login level health data needs. An
    /// answer stored before this was recorded counts as special, so nothing shows too early.
    #[serde(default = "special_unless_known")]
    pub special: bool,
    /// Processing is restricted: the request that restricted it (`Some("")` when not recorded).
    #[serde(default)]
    pub restricted_by: Option<String>,
}

fn special_unless_known() -> bool {
    true
}

/// One disclosure in an access answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerDisclosure {
    /// The recipient organisation.
    pub recipient: String,
    /// On (ISO date).
    pub on: String,
    /// The categories it received.
    pub categories: Vec<String>,
    /// Why.
    pub purpose: String,
}

/// A record the answer leaves out, with why: what kind of record it is, never its content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerLeftOut {
    /// Record id (the send form repeats the approved ids).
    pub id: i64,
    /// What it is.
    pub label: String,
    /// The category of personal data.
    pub category: String,
    /// The domain key of its activity (a health domain needs the login level health data needs).
    pub domain: String,
    /// Special-category (health) data.
    pub special: bool,
    /// The ground it is left out on.
    pub ground: RefusalGround,
    /// The ground in words, in the answer's language.
    pub ground_text: String,
    /// The handler's explanation, approved with the decision.
    pub note: String,
}

/// One processing activity in an access answer, with (a)–(d), (g) and (h) of Art. 15.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerActivity {
    /// The activity's name in the register.
    pub name: String,
    /// (a) The purpose.
    pub purpose: String,
    /// The legal basis, in words.
    pub legal_basis: String,
    /// (b) The categories of personal data.
    pub categories: Vec<String>,
    /// (c) The categories of recipients, from the register.
    pub recipient_categories: Vec<String>,
    /// (c) The recipients that did receive data, from the disclosure log.
    pub disclosures: Vec<AnswerDisclosure>,
    /// (d) How long the data is kept.
    pub retention: String,
    /// (g) Where the data came from.
    pub source: String,
    /// (h) Automated decision-making.
    pub automated_decision: String,
    /// The data itself.
    pub data: Vec<AnswerItem>,
}

/// The activities of one domain in an access answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerDomain {
    /// Domain key.
    pub domain: String,
    /// The activities that hold data on the citizen.
    pub activities: Vec<AnswerActivity>,
}

/// The answer to an access request (Art. 15 AVG): the same facts for the page, the PDF and the
/// JSON download.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessAnswerView {
    /// The request it answers.
    pub reference: String,
    /// The controller.
    pub municipality: String,
    /// The day it was sent (ISO date).
    pub sent_on: String,
    /// Per domain.
    pub domains: Vec<AnswerDomain>,
    /// (e) The rights to rectification, erasure, restriction and objection.
    pub rights: String,
    /// (f) The right to complain to the Autoriteit Persoonsgegevens.
    pub complaint: String,
    /// That the answer costs nothing.
    pub fee: String,
    /// How many items were left out.
    pub left_out: usize,
    /// Why they were left out, in an answer sent before each left-out item carried its own
    /// ground (`left_out_items`); `None` in answers sent since.
    pub left_out_note: Option<String>,
    /// Each item left out, with its ground and note (empty in answers sent before).
    #[serde(default)]
    pub left_out_items: Vec<AnswerLeftOut>,
}

/// What the handler sees before sending an access answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerDraftView {
    /// The answer as it would go out now.
    pub answer: AccessAnswerView,
    /// What the completeness check misses: the Art. 15 item (`a`–`h`) and the activity it is
    /// missing for (empty: the answer as a whole).
    pub missing: Vec<(String, String)>,
}

/// One decided item in a decision letter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterItem {
    /// What it is about.
    pub label: String,
    /// The decision, in words.
    pub decision: String,
    /// The legal ground and reasons, in words.
    pub reasons: String,
}

/// A decision letter (besluit) or the letter that extends the deadline, in one language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterView {
    /// Which letter.
    pub kind: LetterKind,
    /// What it tells.
    pub outcome: LetterOutcome,
    /// `nl` or `en`.
    pub lang: String,
    /// The sender.
    pub municipality: String,
    /// The request's reference.
    pub reference: String,
    /// Letter date (ISO).
    pub date: String,
    /// The letter date, written out in the letter's language.
    pub date_text: String,
    /// The subject line.
    pub subject: String,
    /// The opening and the decision, paragraph by paragraph.
    pub paragraphs: Vec<String>,
    /// The decision per item.
    pub items: Vec<LetterItem>,
    /// The legal ground of the decision as a whole.
    pub legal_ground: String,
    /// How to object (bezwaar, within six weeks).
    pub objection: String,
    /// How to complain to the Autoriteit Persoonsgegevens.
    pub complaint: String,
    /// The closing line and signature.
    pub closing: String,
}
