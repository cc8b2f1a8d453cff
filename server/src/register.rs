//! The vocabulary of the register (Art. 30 AVG): legal bases, confidentiality, domains, and how
//! each is said in plain Dutch and English to a citizen.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The six legal bases of Art. 6(1) AVG.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum LegalBasis {
    /// (c) a legal obligation.
    LegalObligation,
    /// (e) a task in the public interest or official authority.
    PublicTask,
    /// (a) consent.
    Consent,
    /// (d) vital interests.
    VitalInterest,
    /// (b) a contract.
    Contract,
    /// (f) legitimate interests (not for public tasks, but registers carry it).
    LegitimateInterest,
}

impl LegalBasis {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LegalObligation => "LegalObligation",
            Self::PublicTask => "PublicTask",
            Self::Consent => "Consent",
            Self::VitalInterest => "VitalInterest",
            Self::Contract => "Contract",
            Self::LegitimateInterest => "LegitimateInterest",
        }
    }

    /// Parses the stored name.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::LegalObligation,
            Self::PublicTask,
            Self::Consent,
            Self::VitalInterest,
            Self::Contract,
            Self::LegitimateInterest,
        ]
        .into_iter()
        .find(|b| b.as_str() == name)
    }
}

/// Whether the citizen may see an activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Confidentiality {
    /// Shown to the citizen.
    Normaal,
    /// Never shown to the citizen (e.g. a running fraud or police inquiry).
    Vertrouwelijk,
    /// Was confidential, no longer: shown.
    Opgeheven,
}

impl Confidentiality {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normaal => "normaal",
            Self::Vertrouwelijk => "vertrouwelijk",
            Self::Opgeheven => "opgeheven",
        }
    }
}

/// The social domain an activity belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    /// Basisregistratie Personen.
    Brp,
    /// Wet maatschappelijke ondersteuning 2015.
    Wmo,
    /// Jeugdwet.
    Jeugd,
    /// Participatiewet.
    Participatie,
    /// Wet gemeentelijke schuldhulpverlening.
    Schuldhulp,
    /// Het wijkteam.
    Wijkteam,
}

impl Domain {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Brp => "brp",
            Self::Wmo => "wmo",
            Self::Jeugd => "jeugd",
            Self::Participatie => "participatie",
            Self::Schuldhulp => "schuldhulp",
            Self::Wijkteam => "wijkteam",
        }
    }

    /// Parses the stored name.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Brp,
            Self::Wmo,
            Self::Jeugd,
            Self::Participatie,
            Self::Schuldhulp,
            Self::Wijkteam,
        ]
        .into_iter()
        .find(|d| d.as_str() == name)
    }

    /// Whether the domain holds special-category (health) data that needs a higher login level.
    pub fn is_health(self) -> bool {
        matches!(self, Self::Wmo | Self::Jeugd)
    }
}
