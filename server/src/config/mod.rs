//! One typed `Settings`, read once from `inzage.toml` and `INZAGE_*` environment variables.
//!
//! Nested keys use a double underscore in the environment: `INZAGE_OIDC__CLIENT_ID`.
//! Secrets are [`SecretString`](secrecy::SecretString)s: they never appear in `Debug` output or
//! in `check-config`.
//!
//! One file per concern, each with its settings, their defaults and their checks: `secrets`,
//! `oidc`, `session`, `mail` and `dev` (the development tools). This file holds what ties them
//! together: loading, and [`Settings::validate`], which runs the checks in a fixed order.

mod dev;
mod limits;
mod mail;
mod oidc;
mod secrets;
mod session;
#[cfg(test)]
mod tests;
mod theme;

use std::{net::SocketAddr, path::Path};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use types::AssuranceLevel;
use url::Url;

pub use dev::DevIdpSettings;
pub use limits::{AuditSettings, RateLimitSettings};
pub use mail::{MailSettings, MailTransportKind, SmtpTls};
pub use oidc::{CitizenOidcSettings, StaffOidcSettings, default_acr_map};
pub use secrets::{SecretSettings, decode_key, dev_defaults};
pub use session::SessionSettings;
pub use theme::ThemeSettings;

/// The longest idle time production allows (DESIGN §4: fifteen minutes).
pub const MAX_IDLE_MINUTES: u32 = 15;

/// Whether this instance serves real citizens.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Local development and tests: the DigiD stand-in may run.
    Dev,
    /// Real use: unsafe settings are refused at start-up.
    Production,
}

/// All settings of one Inzage instance.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Settings {
    /// `dev` or `production`.
    pub mode: Mode,
    /// sea-orm database URL: `sqlite://inzage.db?mode=rwc` or `postgres://…`.
    pub database_url: String,
    /// The address citizens use, without trailing slash, e.g. `https://inzage.gemeente.nl`.
    pub public_base_url: String,
    /// Socket address the HTTP server listens on.
    pub listen_addr: SocketAddr,
    /// Shown beside the DigiD button and in the page header.
    pub municipality_name: String,
    /// `Contact:` line of `/.well-known/security.txt` (a `mailto:` or `https:` URI).
    pub security_contact: String,
    /// Keys for data at rest.
    pub secrets: SecretSettings,
    /// The citizens' OpenID provider (a DigiD broker).
    pub oidc: CitizenOidcSettings,
    /// The municipality's own OpenID provider for staff.
    pub staff_oidc: StaffOidcSettings,
    /// Session lifetime and cookie.
    pub session: SessionSettings,
    /// The built-in DigiD stand-in.
    pub dev_idp: DevIdpSettings,
    /// Outgoing mail.
    pub mail: MailSettings,
    /// Rate limits.
    pub limits: RateLimitSettings,
    /// The audit log's sealer.
    pub audit: AuditSettings,
    /// Where `/metrics` (Prometheus) listens, apart from the citizens' address; off when unset.
    pub metrics_listen_addr: Option<SocketAddr>,
    /// `text` (for a terminal) or `json` (one object a line, for a log collector).
    pub log_format: LogFormat,
    /// The design tokens the pages use.
    pub theme: ThemeSettings,
}

/// How the log is written.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object a line, with the request's span (and its request id).
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        let base = "http://localhost:3000";
        Self {
            mode: Mode::Dev,
            database_url: "sqlite://inzage.db?mode=rwc".to_owned(),
            public_base_url: base.to_owned(),
            listen_addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            municipality_name: "Gemeente Voorbeeldstad".to_owned(),
            security_contact: "mailto:security@voorbeeldstad.example".to_owned(),
            secrets: SecretSettings::defaults(),
            oidc: CitizenOidcSettings::defaults(base),
            staff_oidc: StaffOidcSettings::defaults(base),
            session: SessionSettings::defaults(),
            dev_idp: DevIdpSettings::defaults(),
            mail: MailSettings::defaults(),
            limits: RateLimitSettings::defaults(),
            audit: AuditSettings::defaults(),
            metrics_listen_addr: None,
            log_format: LogFormat::Text,
            theme: ThemeSettings::defaults(),
        }
    }
}

/// A setting that cannot be used, named the way the operator writes it.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file or an environment variable could not be read into the settings.
    #[error("settings could not be read: {0}")]
    Read(#[from] Box<figment::Error>),
    /// A setting is present but unusable or unsafe.
    #[error("{setting}: {problem}")]
    Invalid {
        /// The setting as written in `inzage.toml` (environment: `INZAGE_` + upper case, `.` → `__`).
        setting: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

fn invalid(setting: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        setting,
        problem: problem.into(),
    }
}

impl Settings {
    /// Reads the defaults, then `config_file` (if it exists), then `INZAGE_*` variables, and validates.
    pub fn load(config_file: &Path) -> Result<Self, SettingsError> {
        Self::from_figment(Self::stated_mode(
            Self::defaults_without_mode()
                .merge(Toml::file(config_file))
                .merge(Env::prefixed("INZAGE_").split("__")),
        )?)
    }

    /// Extracts and validates settings from an assembled figment (tests build their own).
    pub fn from_figment(figment: Figment) -> Result<Self, SettingsError> {
        let settings: Settings = figment.extract().map_err(Box::new)?;
        settings.validate()?;
        Ok(settings)
    }

    /// [`Settings::load`]'s defaults: everything but the mode. An instance on a public address
    /// must say whether it is `dev` or `production`; only a local one is `dev` without saying.
    fn defaults_without_mode() -> Figment {
        let mut defaults = serde_json::to_value(Settings::default()).unwrap_or_default();
        if let Some(object) = defaults.as_object_mut() {
            object.remove("mode");
        }
        Figment::from(Serialized::defaults(defaults))
    }

    /// Fills in `mode = "dev"` when nothing states a mode and the address is local; refuses
    /// when nothing states it for a public address.
    fn stated_mode(figment: Figment) -> Result<Figment, SettingsError> {
        if figment.find_value("mode").is_ok() {
            return Ok(figment);
        }
        let base: String = figment.extract_inner("public_base_url").map_err(Box::new)?;
        if is_local(&base) {
            Ok(figment.merge(Serialized::default("mode", Mode::Dev)))
        } else {
            Err(invalid(
                "mode",
                "must be stated (\"dev\" or \"production\") for a public address",
            ))
        }
    }

    /// Refuses settings that cannot work, and in production, settings that are unsafe.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let base = Url::parse(&self.public_base_url)
            .map_err(|e| invalid("public_base_url", format!("not a URL ({e})")))?;
        if self.public_base_url.ends_with('/') {
            return Err(invalid("public_base_url", "must not end with '/'"));
        }
        self.secrets.validate()?;
        self.session.validate()?;
        self.oidc.validate()?;
        self.mail.validate()?;
        self.limits.validate()?;
        self.audit.validate()?;
        self.theme.validate()?;
        // What the development tools and plain cookies may do depends on where the portal runs.
        let may_relax = self.mode == Mode::Dev && base.scheme() == "http" && self.base_is_local();
        if self.dev_idp.enabled && !self.base_is_local() && !self.dev_idp.allow_remote {
            return Err(invalid(
                "dev_idp.enabled",
                "the DigiD stand-in only runs on localhost unless dev_idp.allow_remote is set",
            ));
        }
        if !(self.session.cookie_secure || may_relax) {
            return Err(invalid(
                "session.cookie_secure",
                "may only be false in dev mode on http://localhost",
            ));
        }
        if self.mode == Mode::Production {
            self.validate_production(&base)?;
        }
        Ok(())
    }

    /// What production mode refuses on top: anything meant for development, and plain text.
    fn validate_production(&self, base: &Url) -> Result<(), SettingsError> {
        if self.dev_idp.enabled {
            return Err(invalid(
                "dev_idp.enabled",
                "the DigiD stand-in must not run in production mode",
            ));
        }
        if base.scheme() != "https" {
            return Err(invalid(
                "public_base_url",
                "must use https in production mode",
            ));
        }
        secrets::refuse_dev_defaults(self)?;
        if self.secrets.data_key.expose_secret() == self.secrets.pseudonym_key.expose_secret() {
            return Err(invalid(
                "secrets.pseudonym_key",
                "must differ from secrets.data_key in production mode",
            ));
        }
        if self.oidc.min_level == AssuranceLevel::Basis {
            return Err(invalid(
                "oidc.min_level",
                "basis is not enough for personal data in production mode",
            ));
        }
        if self.oidc.health_data_level < AssuranceLevel::Substantieel
            && !self.oidc.allow_health_data_below_substantieel
        {
            return Err(invalid(
                "oidc.health_data_level",
                "must be substantieel or hoog in production mode, unless \
                 oidc.allow_health_data_below_substantieel is set",
            ));
        }
        if self.staff_oidc.required_amr.is_empty() && self.staff_oidc.required_acr.is_empty() {
            return Err(invalid(
                "staff_oidc.required_amr",
                "staff logins must require a second factor in production mode: set \
                 staff_oidc.required_amr (or staff_oidc.required_acr)",
            ));
        }
        if self.session.idle_timeout_minutes > MAX_IDLE_MINUTES {
            return Err(invalid(
                "session.idle_timeout_minutes",
                format!("must be at most {MAX_IDLE_MINUTES} in production mode"),
            ));
        }
        self.mail.validate_production()?;
        for (name, issuer) in [
            ("oidc.issuer_url", &self.oidc.issuer_url),
            ("staff_oidc.issuer_url", &self.staff_oidc.issuer_url),
        ] {
            if !issuer.starts_with("https://") {
                return Err(invalid(name, "must use https in production mode"));
            }
        }
        Ok(())
    }

    fn base_is_local(&self) -> bool {
        is_local(&self.public_base_url)
    }

    /// The settings with secrets replaced, for `check-config`.
    pub fn redacted(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        for path in [
            ["secrets", "data_key"],
            ["secrets", "pseudonym_key"],
            ["secrets", "audit_signing_key"],
            ["oidc", "client_secret"],
            ["staff_oidc", "client_secret"],
            ["mail", "smtp_password"],
        ] {
            if let Some(slot) = value.get_mut(path[0]).and_then(|v| v.get_mut(path[1])) {
                *slot = serde_json::Value::String("[redacted]".to_owned());
            }
        }
        if let Some(url) = value.get_mut("database_url") {
            *url = serde_json::Value::String(redact_url_password(&self.database_url));
        }
        serde_json::to_string_pretty(&value).unwrap_or_default()
    }
}

/// Whether an address is this machine's own (localhost).
fn is_local(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")))
}

fn redact_url_password(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("redacted"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}
