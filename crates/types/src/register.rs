//! The register of processing activities (Art. 30 AVG) and the source systems behind it.

use crate::macros::vocabulary;

vocabulary! {
    /// The six legal bases of Art. 6(1) AVG.
    LegalBasis, "basis" {
        /// (c) a legal obligation.
        LegalObligation => "LegalObligation",
        /// (e) a task in the public interest or official authority.
        PublicTask => "PublicTask",
        /// (a) consent.
        Consent => "Consent",
        /// (d) vital interests.
        VitalInterest => "VitalInterest",
        /// (b) a contract.
        Contract => "Contract",
        /// (f) legitimate interests (not for public tasks, but registers carry it).
        LegitimateInterest => "LegitimateInterest",
    }
}

vocabulary! {
    /// Whether the citizen may see an activity.
    Confidentiality, "confidentiality" {
        /// Shown to the citizen.
        Normaal => "normaal",
        /// Never shown to the citizen (e.g. a running fraud or police inquiry).
        Vertrouwelijk => "vertrouwelijk",
        /// Was confidential, no longer: shown.
        Opgeheven => "opgeheven",
    }
}

vocabulary! {
    /// The social domain an activity belongs to.
    Domain, "domain" {
        /// Basisregistratie Personen.
        Brp => "brp",
        /// Wet maatschappelijke ondersteuning 2015.
        Wmo => "wmo",
        /// Jeugdwet.
        Jeugd => "jeugd",
        /// Participatiewet.
        Participatie => "participatie",
        /// Wet gemeentelijke schuldhulpverlening.
        Schuldhulp => "schuldhulp",
        /// Het wijkteam.
        Wijkteam => "wijkteam",
    }
}

impl Domain {
    /// Whether the domain holds special-category (health) data that needs a higher login level.
    pub fn is_health(self) -> bool {
        matches!(self, Self::Wmo | Self::Jeugd)
    }
}

vocabulary! {
    /// Whether Inzage holds the authoritative copy or sends tasks to the source.
    SourceMode, "source_mode" {
        /// Inzage holds the authoritative copy and applies changes itself.
        Managed => "managed",
        /// Inzage sends tasks and waits for acknowledgement.
        Connected => "connected",
    }
}
