//! The privacy officer's view (Toezicht).

use crate::macros::vocabulary;

vocabulary! {
    /// The tables of the view; the stored value is the CSV export's name.
    OversightTable, "oversight" {
        /// Open, at-risk and overdue requests.
        Requests => "verzoeken" as "oversight.requests",
        /// On-time rate and median handling time per month and kind.
        Months => "doorlooptijden" as "oversight.months",
        /// Records past retention per source system.
        Retention => "bewaartermijnen" as "oversight.retention",
        /// Disclosures without a legal basis or with a withdrawn consent.
        Disclosures => "verstrekkingen" as "oversight.disclosures",
        /// Staff views without a case.
        Views => "inzage-zonder-zaak" as "oversight.views",
        /// Staff views and log lines that touched a record whose processing is restricted.
        Restricted => "beperkte-verwerking" as "oversight.restricted",
    }
}

vocabulary! {
    /// How close an open request is to its due date.
    DeadlineState, "oversight.state" {
        /// Past its due date.
        Overdue => "overdue",
        /// Due within five days.
        AtRisk => "at_risk",
        /// Time enough.
        Open => "open",
    }
}

vocabulary! {
    /// What is wrong with a disclosure the privacy officer should look at.
    DisclosureProblem, "oversight.problem" {
        /// No legal basis was reported.
        NoBasis => "no_basis",
        /// It relied on a consent that was withdrawn.
        ConsentWithdrawn => "consent_withdrawn",
    }
}
