//! Session lifetime and the cookies that carry a session and a login attempt.

use serde::{Deserialize, Serialize};

use super::{Settings, SettingsError, invalid};

/// Session lifetime and cookie.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SessionSettings {
    /// Minutes without a request after which the session ends.
    pub idle_timeout_minutes: u32,
    /// Minutes before the end at which the page warns.
    pub warning_minutes: u32,
    /// `Secure` cookie with the `__Host-` prefix. Only dev mode on plain-http localhost may turn it off.
    pub cookie_secure: bool,
}

impl SessionSettings {
    /// Fifteen minutes idle, a warning two minutes before, secure cookies.
    pub(super) fn defaults() -> Self {
        Self {
            idle_timeout_minutes: 15,
            warning_minutes: 2,
            cookie_secure: true,
        }
    }

    /// Refuses a warning that would come after the session has already ended.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.idle_timeout_minutes == 0 || self.warning_minutes >= self.idle_timeout_minutes {
            return Err(invalid(
                "session.warning_minutes",
                "must be shorter than session.idle_timeout_minutes, which must be above zero",
            ));
        }
        Ok(())
    }
}

impl Settings {
    /// The cookie name: `__Host-` prefixed whenever the cookie is `Secure`.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.session.cookie_secure {
            "__Host-inzage_sessie"
        } else {
            "inzage_sessie"
        }
    }

    /// The cookie that ties a login attempt to the browser that started it.
    pub fn login_cookie_name(&self) -> &'static str {
        if self.session.cookie_secure {
            "__Host-inzage_login"
        } else {
            "inzage_login"
        }
    }
}
