//! The municipality's letters: the decision (besluit) and the extension.

use crate::macros::vocabulary;

vocabulary! {
    /// Which letter; the stored value is also its path (`/verzoeken/{ref}/besluit`).
    LetterKind, "letter" {
        /// The decision on the request (besluit).
        Decision => "besluit",
        /// The extension of the deadline.
        Extension => "verlenging",
    }
}

vocabulary! {
    /// What a letter tells the citizen.
    LetterOutcome, "letter.outcome" {
        /// Every item granted.
        Granted => "granted",
        /// Some items granted, some refused.
        PartlyGranted => "partly_granted",
        /// Every item refused.
        Refused => "refused",
        /// The deadline is extended.
        Extended => "extended",
    }
}
