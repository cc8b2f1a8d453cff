//! The development tools: the DigiD stand-in and `/dev/mail`, and where they may run.

use serde::{Deserialize, Serialize};

use super::{Mode, Settings};

/// The built-in DigiD stand-in.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct DevIdpSettings {
    /// Serve `/dev/digid/`. Refused in production mode.
    pub enabled: bool,
    /// Allow the stand-in and `/dev/mail` on an address other than localhost (a shared test
    /// environment). Off by default: anyone who reaches them can log in as anyone.
    #[serde(default)]
    pub allow_remote: bool,
}

impl DevIdpSettings {
    /// Off, and local only.
    pub(super) fn defaults() -> Self {
        Self {
            enabled: false,
            allow_remote: false,
        }
    }
}

impl Settings {
    /// Whether `/dev/digid/` is served.
    pub fn dev_idp_enabled(&self) -> bool {
        self.dev_tools_allowed() && self.dev_idp.enabled
    }

    /// Whether development tools (`/dev/…`) may be served at all.
    pub fn dev_tools_allowed(&self) -> bool {
        self.mode == Mode::Dev && (self.base_is_local() || self.dev_idp.allow_remote)
    }
}
