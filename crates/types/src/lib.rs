//! The vocabulary of Inzage: every domain word that is stored, sent in a form or shown through a
//! translation, typed once. The pages (WASM) and the server both use these enums; the server's
//! entities store them through sea-orm (`db` feature), so a stored value that is not one of
//! them is a load error, never a silent default.
//!
//! Each word has three faces, all defined in one table per enum:
//! - `as_str()`: the stored value, form value and URL value (stable, never translated);
//! - `key()`: the translation key of its display text (`app/locales/*.yml`);
//! - `ALL`: every variant, in the order forms and filters offer them.

mod macros;

mod letters;
mod logbook;
mod oversight;
mod people;
mod reference;
mod register;
mod requests;

pub use letters::{LetterKind, LetterOutcome};
pub use logbook::{MailStatus, SpanStatus};
pub use oversight::{DeadlineState, DisclosureProblem, OversightTable};
pub use people::{AssuranceLevel, StaffRole};
pub use reference::RequestReference;
pub use register::{Confidentiality, Domain, LegalBasis, SourceMode};
pub use requests::{
    Action, ActorKind, ContactNotice, Decision, DecisionChoice, Kind, Notice, Outcome,
    RefusalGround, SEND_ANSWER, Status, StatusFilter, TaskAction, TaskKind, TaskOutcome,
    TaskStatus,
};

/// A value that is not one of the vocabulary's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownWord {
    /// Which vocabulary (`Kind`, `Status`, …).
    pub vocabulary: &'static str,
    /// The value that was given.
    pub value: String,
}

impl std::fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} {:?}", self.vocabulary, self.value)
    }
}

impl std::error::Error for UnknownWord {}
