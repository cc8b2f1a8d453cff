//! Who is logged in: the citizen's level of assurance and the staff roles.

use crate::macros::vocabulary;

vocabulary! {
    /// Level of assurance of a login, lowest first (DigiD names).
    AssuranceLevel, "level" {
        /// DigiD Basis: username and password.
        Basis => "basis",
        /// DigiD Midden: the app or an SMS check.
        Midden => "midden",
        /// DigiD Substantieel: the app with an ID check.
        Substantieel => "substantieel",
        /// DigiD Hoog: an identity document with a chip.
        Hoog => "hoog",
    }
}

vocabulary! {
    /// A back-office role, asserted by the municipality's identity provider.
    StaffRole, "role" {
        /// Behandelaar: works the request queue.
        Handler => "handler",
        /// Second pair of eyes on erasures and refusals.
        Approver => "approver",
        /// Functionaris gegevensbescherming: read-only oversight.
        PrivacyOfficer => "privacy_officer",
        /// Keeps registers, source systems and templates.
        Admin => "admin",
    }
}

impl StaffRole {
    /// The translation key of what the role does (on the back-office start page).
    pub fn does_key(self) -> &'static str {
        match self {
            StaffRole::Handler => "role.handler_does",
            StaffRole::Approver => "role.approver_does",
            StaffRole::PrivacyOfficer => "role.privacy_officer_does",
            StaffRole::Admin => "role.admin_does",
        }
    }
}
