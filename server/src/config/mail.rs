//! Outgoing mail: which transport, from whom, how often to retry, and to which staff.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{SettingsError, invalid, secrets::expose_opt};

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

impl MailSettings {
    /// Mail into files under `target/dev-mail`, from and to the demo municipality.
    pub(super) fn defaults() -> Self {
        Self {
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
        }
    }

    /// Refuses addresses the outbox could not send from or to, and retries that never happen.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid(
                "mail.from",
                "must be a mailbox like `Naam <adres@domein.nl>`",
            ));
        }
        for recipient in &self.staff_recipients {
            if recipient.parse::<lettre::Address>().is_err() {
                return Err(invalid(
                    "mail.staff_recipients",
                    format!("`{recipient}` is not an e-mail address"),
                ));
            }
        }
        if self.max_attempts == 0 || self.retry_base_seconds == 0 {
            return Err(invalid(
                "mail.max_attempts",
                "attempts and retry delay must be above zero",
            ));
        }
        Ok(())
    }

    /// In production, mail goes over SMTP, and in the clear only to a relay on this host.
    pub(super) fn validate_production(&self) -> Result<(), SettingsError> {
        if self.transport != MailTransportKind::Smtp {
            return Err(invalid(
                "mail.transport",
                "must be `smtp` in production mode",
            ));
        }
        if self.smtp_tls == SmtpTls::None
            && !matches!(self.smtp_host.as_str(), "localhost" | "127.0.0.1" | "::1")
        {
            return Err(invalid(
                "mail.smtp_tls",
                "plain SMTP is only allowed to a relay on this host in production mode",
            ));
        }
        Ok(())
    }
}
