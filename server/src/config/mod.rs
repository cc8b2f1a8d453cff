//! One typed `Settings`, read once from `inzage.toml` and `INZAGE_*` environment variables.
//!
//! Nested keys use a double underscore in the environment: `INZAGE_OIDC__CLIENT_ID`.
//! Secrets are [`SecretString`]s: they never appear in `Debug` output or in `check-config`.

use std::{collections::BTreeMap, net::SocketAddr, path::Path};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::identity::AssuranceLevel;

/// Built-in development secrets. Production mode refuses to start with any of them.
pub mod dev_defaults {
    /// Development key for encrypting BSNs at rest (base64 of 32 bytes).
    pub const DATA_KEY: &str = "ZGV2LW9ubHktZGF0YS1rZXktLS0tLS0tLS0tLS0tLS0=";
    /// Development key for the BSN pseudonym (base64 of 32 bytes).
    pub const PSEUDONYM_KEY: &str = "ZGV2LW9ubHktcHNldWRvbnltLWtleS0tLS0tLS0tLS0=";
    /// Development client secret of the citizen OIDC client.
    pub const CITIZEN_CLIENT_SECRET: &str = "dev-citizen-secret";
    /// Development client secret of the staff OIDC client.
    pub const STAFF_CLIENT_SECRET: &str = "dev-staff-secret";
}

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
}

/// How mail leaves the outbox.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    /// Into `.eml` files in `mail.file_dir` (development; read them at `/dev/mail`).
    File,
    /// To an SMTP server.
    Smtp,
}

/// Transport security towards the SMTP server.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (a relay on the same host only).
    None,
    /// STARTTLS required.
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

/// Outgoing mail: transport, sender, retries and staff recipients.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct MailSettings {
    /// `file` (development) or `smtp`.
    pub transport: MailTransportKind,
    /// The `From:` mailbox, e.g. `Gemeente Voorbeeldstad <noreply@voorbeeldstad.example>`.
    pub from: String,
    /// Directory for the file transport.
    pub file_dir: String,
    /// SMTP server host.
    pub smtp_host: String,
    /// SMTP server port.
    pub smtp_port: u16,
    /// `none`, `starttls` or `tls`.
    pub smtp_tls: SmtpTls,
    /// SMTP user name, when the server wants authentication.
    pub smtp_username: Option<String>,
    /// SMTP password.
    #[serde(serialize_with = "expose_opt")]
    pub smtp_password: Option<SecretString>,
    /// Attempts before a mail is marked failed for an administrator to see.
    pub max_attempts: u32,
    /// First retry delay; each further retry doubles it.
    pub retry_base_seconds: u64,
    /// Longest delay between retries.
    pub retry_max_seconds: u64,
    /// Where staff notices and the daily digest go.
    pub staff_recipients: Vec<String>,
}

/// Keys for data at rest, base64 of 32 random bytes each.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SecretSettings {
    /// Encrypts BSNs (AES-256-GCM).
    #[serde(serialize_with = "expose")]
    pub data_key: SecretString,
    /// Keys the BSN pseudonym used for look-ups (HMAC-SHA256).
    #[serde(serialize_with = "expose")]
    pub pseudonym_key: SecretString,
}

/// The relying-party settings for citizens.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct CitizenOidcSettings {
    /// Issuer URL; discovery is read from `{issuer}/.well-known/openid-configuration`.
    pub issuer_url: String,
    /// Client id registered at the broker.
    pub client_id: String,
    /// Client secret registered at the broker.
    #[serde(serialize_with = "expose")]
    pub client_secret: SecretString,
    /// Scopes requested besides `openid`.
    pub scopes: Vec<String>,
    /// Dotted path of the claim that carries the BSN, e.g. `bsn` or `nl.bsn`.
    pub bsn_claim: String,
    /// `acr` value → level of assurance.
    pub acr_map: BTreeMap<String, AssuranceLevel>,
    /// Lowest level that may log in at all.
    pub min_level: AssuranceLevel,
    /// Lowest level that may see special-category (Wmo, Jeugd) data.
    pub health_data_level: AssuranceLevel,
}

/// The relying-party settings for staff.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct StaffOidcSettings {
    /// Issuer URL of the municipality's own provider.
    pub issuer_url: String,
    /// Client id of the back office.
    pub client_id: String,
    /// Client secret of the back office.
    #[serde(serialize_with = "expose")]
    pub client_secret: SecretString,
    /// Scopes requested besides `openid`.
    pub scopes: Vec<String>,
    /// Dotted path of the claim that lists the staff member's roles.
    pub roles_claim: String,
    /// Dotted path of the claim with the display name.
    pub name_claim: String,
}

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

fn expose_opt<S: serde::Serializer>(
    secret: &Option<SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => s.serialize_some(secret.expose_secret()),
        None => s.serialize_none(),
    }
}

fn expose<S: serde::Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    // Only used to feed the defaults into figment; `check-config` prints a redacted view.
    s.serialize_str(secret.expose_secret())
}

/// DigiD's `acr` values and eIDAS' levels, mapped to levels of assurance.
pub fn default_acr_map() -> BTreeMap<String, AssuranceLevel> {
    use AssuranceLevel::*;
    const SAML: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:";
    BTreeMap::from([
        (format!("{SAML}PasswordProtectedTransport"), Basis),
        (format!("{SAML}MobileTwoFactorContract"), Midden),
        (format!("{SAML}Smartcard"), Substantieel),
        (format!("{SAML}SmartcardPKI"), Hoog),
        ("http://eidas.europa.eu/LoA/low".to_owned(), Basis),
        (
            "http://eidas.europa.eu/LoA/substantial".to_owned(),
            Substantieel,
        ),
        ("http://eidas.europa.eu/LoA/high".to_owned(), Hoog),
    ])
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
            secrets: SecretSettings {
                data_key: dev_defaults::DATA_KEY.into(),
                pseudonym_key: dev_defaults::PSEUDONYM_KEY.into(),
            },
            oidc: CitizenOidcSettings {
                issuer_url: format!("{base}/dev/digid"),
                client_id: "inzage-portaal".to_owned(),
                client_secret: dev_defaults::CITIZEN_CLIENT_SECRET.into(),
                scopes: Vec::new(),
                bsn_claim: "bsn".to_owned(),
                acr_map: default_acr_map(),
                min_level: AssuranceLevel::Midden,
                health_data_level: AssuranceLevel::Substantieel,
            },
            staff_oidc: StaffOidcSettings {
                issuer_url: format!("{base}/dev/digid"),
                client_id: "inzage-backoffice".to_owned(),
                client_secret: dev_defaults::STAFF_CLIENT_SECRET.into(),
                scopes: vec!["profile".to_owned()],
                roles_claim: "roles".to_owned(),
                name_claim: "name".to_owned(),
            },
            session: SessionSettings {
                idle_timeout_minutes: 15,
                warning_minutes: 2,
                cookie_secure: true,
            },
            dev_idp: DevIdpSettings {
                enabled: false,
                allow_remote: false,
            },
            mail: MailSettings {
                transport: MailTransportKind::File,
                from: "Gemeente Voorbeeldstad <noreply@voorbeeldstad.example>".to_owned(),
                file_dir: "target/dev-mail".to_owned(),
                smtp_host: "localhost".to_owned(),
                smtp_port: 25,
                smtp_tls: SmtpTls::None,
                smtp_username: None,
                smtp_password: None,
                max_attempts: 8,
                retry_base_seconds: 30,
                retry_max_seconds: 3600,
                staff_recipients: vec!["privacy@voorbeeldstad.example".to_owned()],
            },
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
        Self::from_figment(
            Figment::from(Serialized::defaults(Settings::default()))
                .merge(Toml::file(config_file))
                .merge(Env::prefixed("INZAGE_").split("__")),
        )
    }

    /// Extracts and validates settings from an assembled figment (tests build their own).
    pub fn from_figment(figment: Figment) -> Result<Self, SettingsError> {
        let settings: Settings = figment.extract().map_err(Box::new)?;
        settings.validate()?;
        Ok(settings)
    }

    /// Refuses settings that cannot work, and in production, settings that are unsafe.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let base = Url::parse(&self.public_base_url)
            .map_err(|e| invalid("public_base_url", format!("not a URL ({e})")))?;
        if self.public_base_url.ends_with('/') {
            return Err(invalid("public_base_url", "must not end with '/'"));
        }
        for (name, value) in [
            ("secrets.data_key", &self.secrets.data_key),
            ("secrets.pseudonym_key", &self.secrets.pseudonym_key),
        ] {
            crate::platform::crypto::decode_key(value.expose_secret())
                .map_err(|problem| invalid(name, problem))?;
        }
        if self.session.idle_timeout_minutes == 0
            || self.session.warning_minutes >= self.session.idle_timeout_minutes
        {
            return Err(invalid(
                "session.warning_minutes",
                "must be shorter than session.idle_timeout_minutes, which must be above zero",
            ));
        }
        if self.oidc.health_data_level < self.oidc.min_level {
            return Err(invalid(
                "oidc.health_data_level",
                "must not be below oidc.min_level",
            ));
        }
        if self.oidc.bsn_claim.trim().is_empty() {
            return Err(invalid("oidc.bsn_claim", "must name a claim"));
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid(
                "mail.from",
                "must be a mailbox like `Naam <adres@domein.nl>`",
            ));
        }
        for recipient in &self.mail.staff_recipients {
            if recipient.parse::<lettre::Address>().is_err() {
                return Err(invalid(
                    "mail.staff_recipients",
                    format!("`{recipient}` is not an e-mail address"),
                ));
            }
        }
        if self.mail.max_attempts == 0 || self.mail.retry_base_seconds == 0 {
            return Err(invalid(
                "mail.max_attempts",
                "attempts and retry delay must be above zero",
            ));
        }
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
            let defaults = [
                (
                    "secrets.data_key",
                    &self.secrets.data_key,
                    dev_defaults::DATA_KEY,
                ),
                (
                    "secrets.pseudonym_key",
                    &self.secrets.pseudonym_key,
                    dev_defaults::PSEUDONYM_KEY,
                ),
                (
                    "oidc.client_secret",
                    &self.oidc.client_secret,
                    dev_defaults::CITIZEN_CLIENT_SECRET,
                ),
                (
                    "staff_oidc.client_secret",
                    &self.staff_oidc.client_secret,
                    dev_defaults::STAFF_CLIENT_SECRET,
                ),
            ];
            for (name, value, default) in defaults {
                if value.expose_secret() == default {
                    return Err(invalid(
                        name,
                        "is the built-in development value; set a secret of your own",
                    ));
                }
            }
            if self.mail.transport != MailTransportKind::Smtp {
                return Err(invalid(
                    "mail.transport",
                    "must be `smtp` in production mode",
                ));
            }
            if self.mail.smtp_tls == SmtpTls::None
                && !matches!(
                    self.mail.smtp_host.as_str(),
                    "localhost" | "127.0.0.1" | "::1"
                )
            {
                return Err(invalid(
                    "mail.smtp_tls",
                    "plain SMTP is only allowed to a relay on this host in production mode",
                ));
            }
            for (name, issuer) in [
                ("oidc.issuer_url", &self.oidc.issuer_url),
                ("staff_oidc.issuer_url", &self.staff_oidc.issuer_url),
            ] {
                if !issuer.starts_with("https://") {
                    return Err(invalid(name, "must use https in production mode"));
                }
            }
        }
        Ok(())
    }

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

    /// Whether `/dev/digid/` is served.
    pub fn dev_idp_enabled(&self) -> bool {
        self.dev_tools_allowed() && self.dev_idp.enabled
    }

    /// Whether development tools (`/dev/…`) may be served at all.
    pub fn dev_tools_allowed(&self) -> bool {
        self.mode == Mode::Dev && (self.base_is_local() || self.dev_idp.allow_remote)
    }

    fn base_is_local(&self) -> bool {
        Url::parse(&self.public_base_url)
            .is_ok_and(|u| matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")))
    }

    /// The settings with secrets replaced, for `check-config`.
    pub fn redacted(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        for path in [
            ["secrets", "data_key"],
            ["secrets", "pseudonym_key"],
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

fn redact_url_password(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("redacted"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn production() -> Settings {
        let mut s = Settings {
            mode: Mode::Production,
            public_base_url: "https://inzage.example.nl".to_owned(),
            ..Settings::default()
        };
        s.secrets.data_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into();
        s.secrets.pseudonym_key = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=".into();
        s.oidc.client_secret = "real".into();
        s.oidc.issuer_url = "https://broker.example.nl".to_owned();
        s.staff_oidc.client_secret = "real too".into();
        s.staff_oidc.issuer_url = "https://login.example.nl".to_owned();
        s.mail.transport = MailTransportKind::Smtp;
        s.mail.smtp_host = "smtp.example.nl".to_owned();
        s.mail.smtp_tls = SmtpTls::Starttls;
        s
    }

    fn refused(s: &Settings) -> &'static str {
        match s.validate() {
            Err(SettingsError::Invalid { setting, .. }) => setting,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_valid_for_development() {
        Settings::default().validate().unwrap();
    }

    #[test]
    fn a_safe_production_configuration_is_accepted() {
        production().validate().unwrap();
    }

    #[test]
    fn production_refuses_the_dev_idp() {
        let mut s = production();
        s.dev_idp.enabled = true;
        assert_eq!(refused(&s), "dev_idp.enabled");
    }

    #[test]
    fn production_refuses_insecure_cookies() {
        let mut s = production();
        s.session.cookie_secure = false;
        assert_eq!(refused(&s), "session.cookie_secure");
    }

    #[test]
    fn production_refuses_each_default_secret() {
        let mut s = production();
        s.secrets.data_key = dev_defaults::DATA_KEY.into();
        assert_eq!(refused(&s), "secrets.data_key");
        let mut s = production();
        s.oidc.client_secret = dev_defaults::CITIZEN_CLIENT_SECRET.into();
        assert_eq!(refused(&s), "oidc.client_secret");
        let mut s = production();
        s.staff_oidc.client_secret = dev_defaults::STAFF_CLIENT_SECRET.into();
        assert_eq!(refused(&s), "staff_oidc.client_secret");
    }

    #[test]
    fn production_refuses_plain_http() {
        let mut s = production();
        s.public_base_url = "http://inzage.example.nl".to_owned();
        assert_eq!(refused(&s), "public_base_url");
    }

    #[test]
    fn insecure_cookies_only_on_local_http_in_dev() {
        let mut s = Settings::default();
        s.session.cookie_secure = false;
        s.validate().unwrap();
        s.public_base_url = "http://portal.example.nl".to_owned();
        assert_eq!(refused(&s), "session.cookie_secure");
    }

    #[test]
    fn production_mail_goes_over_smtp_with_tls() {
        let mut s = production();
        s.mail.transport = MailTransportKind::File;
        assert_eq!(refused(&s), "mail.transport");
        let mut s = production();
        s.mail.smtp_tls = SmtpTls::None;
        assert_eq!(refused(&s), "mail.smtp_tls");
    }

    #[test]
    fn the_stand_in_stays_on_localhost_unless_allowed() {
        let mut s = Settings {
            public_base_url: "https://test.voorbeeldstad.example".to_owned(),
            ..Settings::default()
        };
        s.dev_idp.enabled = true;
        assert_eq!(refused(&s), "dev_idp.enabled");
        assert!(!s.dev_tools_allowed());
        s.dev_idp.allow_remote = true;
        s.validate().unwrap();
        assert!(s.dev_idp_enabled());
    }

    #[test]
    fn a_bad_key_is_named() {
        let mut s = Settings::default();
        s.secrets.pseudonym_key = "too short".into();
        assert_eq!(refused(&s), "secrets.pseudonym_key");
    }

    #[test]
    // figment's Jail fixes the closure's error type; its size is not ours to choose.
    #[allow(clippy::result_large_err)]
    fn environment_overrides_nested_settings() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("INZAGE_MODE", "production");
            jail.set_env("INZAGE_DEV_IDP__ENABLED", "true");
            let err = Settings::from_figment(
                Figment::from(Serialized::defaults(Settings::default()))
                    .merge(Env::prefixed("INZAGE_").split("__")),
            )
            .unwrap_err();
            assert!(err.to_string().starts_with("dev_idp.enabled"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn redacted_output_has_no_secrets() {
        let s = production();
        let out = s.redacted();
        assert!(!out.contains("real too"));
        assert!(out.contains("[redacted]"));
    }
}
