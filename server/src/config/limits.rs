//! Rate limits and the audit sealer's pace.

use serde::{Deserialize, Serialize};

use super::{SettingsError, invalid};

/// How often each guarded thing may be done, per minute, and by whom (see `http::limits`).
/// Each limit allows its whole minute's worth at once, then refills evenly.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct RateLimitSettings {
    /// Starting a DigiD or staff login, per client address.
    pub login_per_minute: u32,
    /// Asking for, confirming or removing an e-mail code, per citizen.
    pub email_code_per_minute: u32,
    /// PDF downloads (the answer, letters), per citizen or staff member: two renders run at a
    /// time in all, so one person must not keep them busy.
    pub pdf_per_minute: u32,
    /// Source API calls, per token.
    pub api_per_minute: u32,
    /// A header set by the municipality's reverse proxy that holds the client address (e.g.
    /// `x-forwarded-for`; its last entry is used). Empty: the connection's own address.
    pub client_address_header: String,
}

impl RateLimitSettings {
    /// Generous for people, tight enough to stop a script.
    pub(super) fn defaults() -> Self {
        Self {
            login_per_minute: 30,
            email_code_per_minute: 10,
            pdf_per_minute: 10,
            api_per_minute: 1_200,
            client_address_header: String::new(),
        }
    }

    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        for (name, value) in [
            ("limits.login_per_minute", self.login_per_minute),
            ("limits.email_code_per_minute", self.email_code_per_minute),
            ("limits.pdf_per_minute", self.pdf_per_minute),
            ("limits.api_per_minute", self.api_per_minute),
        ] {
            if value == 0 {
                return Err(invalid(name, "must be at least 1"));
            }
        }
        Ok(())
    }
}

/// The audit log's sealer (`platform::audit`).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct AuditSettings {
    /// Seconds between sealing rounds; each instance tries, one at a time succeeds.
    pub seal_every_seconds: u32,
}

impl AuditSettings {
    /// Every ten seconds.
    pub(super) fn defaults() -> Self {
        Self {
            seal_every_seconds: 10,
        }
    }

    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if !(1..=3600).contains(&self.seal_every_seconds) {
            return Err(invalid(
                "audit.seal_every_seconds",
                "must be between 1 and 3600",
            ));
        }
        Ok(())
    }
}
