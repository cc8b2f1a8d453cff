//! Who is looking: the logged-in citizen or staff member, and the session clock.

use serde::{Deserialize, Serialize};
use types::{AssuranceLevel, StaffRole};

/// The logged-in citizen as the pages may show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenSummary {
    /// Name from the BRP, when known.
    pub name: Option<String>,
    /// BSN with all but the last three digits hidden.
    pub masked_bsn: String,
    /// Level of assurance of this login.
    pub level: AssuranceLevel,
    /// Someone else logged in and acts for this citizen (a machtiging): the pages show the
    /// citizen's data, never the representative's.
    #[serde(default)]
    pub on_behalf: bool,
}

/// The logged-in staff member as the pages may show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSummary {
    /// Display name from the staff identity provider.
    pub name: String,
    /// Roles at login.
    pub roles: Vec<StaffRole>,
}

/// Who is looking at the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    /// Not logged in.
    Anonymous,
    /// A citizen.
    Citizen(CitizenSummary),
    /// A staff member.
    Staff(StaffSummary),
}

/// How long the session has left, for the warning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClock {
    /// Seconds until the session ends without activity.
    pub seconds_left: u32,
    /// Seconds before the end at which the warning shows.
    pub warning_seconds: u32,
    /// URL of the content-hashed script that runs the clock.
    pub script_href: String,
}
