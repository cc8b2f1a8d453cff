//! Keys for data at rest, the built-in development secrets, and how secrets reach figment.

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::{Settings, SettingsError, invalid};

/// Built-in development secrets. Production mode refuses to start with any of them.
pub mod dev_defaults {
    /// Development key for encrypting BSNs at rest (base64 of 32 bytes).
    pub const DATA_KEY: &str = "ZGV2LW9ubHktZGF0YS1rZXktLS0tLS0tLS0tLS0tLS0=";
    /// Development key for the BSN pseudonym (base64 of 32 bytes).
    pub const PSEUDONYM_KEY: &str = "ZGV2LW9ubHktcHNldWRvbnltLWtleS0tLS0tLS0tLS0=";
    /// Development seed of the Ed25519 key that signs audit checkpoints (base64 of 32 bytes).
    pub const AUDIT_SIGNING_KEY: &str = "ZGV2LW9ubHktYXVkaXQtc2lnbmluZy1rZXktLS0tLS0=";
    /// Development client secret of the citizen OIDC client.
    pub const CITIZEN_CLIENT_SECRET: &str = "dev-citizen-secret";
    /// Development client secret of the staff OIDC client.
    pub const STAFF_CLIENT_SECRET: &str = "dev-staff-secret";
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
    /// Seed of the Ed25519 key that signs the audit log's checkpoints. Keep its public half
    /// (shown in Toezicht) with the checkpoints you export.
    #[serde(serialize_with = "expose")]
    pub audit_signing_key: SecretString,
}

impl SecretSettings {
    /// The development keys.
    pub(super) fn defaults() -> Self {
        Self {
            data_key: dev_defaults::DATA_KEY.into(),
            pseudonym_key: dev_defaults::PSEUDONYM_KEY.into(),
            audit_signing_key: dev_defaults::AUDIT_SIGNING_KEY.into(),
        }
    }

    /// Refuses a key that does not decode to 32 bytes: better at start-up than at the first
    /// BSN that has to be encrypted.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        for (name, value) in [
            ("secrets.data_key", &self.data_key),
            ("secrets.pseudonym_key", &self.pseudonym_key),
            ("secrets.audit_signing_key", &self.audit_signing_key),
        ] {
            decode_key(value.expose_secret()).map_err(|problem| invalid(name, problem))?;
        }
        Ok(())
    }
}

/// Refuses, in production mode, any secret still at its built-in development value: they are
/// in the source code for anyone to read.
pub(super) fn refuse_dev_defaults(settings: &Settings) -> Result<(), SettingsError> {
    let defaults = [
        (
            "secrets.data_key",
            &settings.secrets.data_key,
            dev_defaults::DATA_KEY,
        ),
        (
            "secrets.pseudonym_key",
            &settings.secrets.pseudonym_key,
            dev_defaults::PSEUDONYM_KEY,
        ),
        (
            "secrets.audit_signing_key",
            &settings.secrets.audit_signing_key,
            dev_defaults::AUDIT_SIGNING_KEY,
        ),
        (
            "oidc.client_secret",
            &settings.oidc.client_secret,
            dev_defaults::CITIZEN_CLIENT_SECRET,
        ),
        (
            "staff_oidc.client_secret",
            &settings.staff_oidc.client_secret,
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
    Ok(())
}

/// Serializes an optional secret in the clear (see [`expose`]).
pub(super) fn expose_opt<S: serde::Serializer>(
    secret: &Option<SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => s.serialize_some(secret.expose_secret()),
        None => s.serialize_none(),
    }
}

/// Serializes a secret in the clear.
pub(super) fn expose<S: serde::Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    // Only used to feed the defaults into figment; `check-config` prints a redacted view.
    s.serialize_str(secret.expose_secret())
}

impl SecretSettings {
    /// The key that signs audit checkpoints (validated at start-up).
    pub fn audit_key(&self) -> crate::platform::audit::AuditKey {
        let seed = decode_key(self.audit_signing_key.expose_secret()).unwrap_or([0; 32]);
        crate::platform::audit::AuditKey::from_seed(&seed)
    }
}

/// Decodes a key setting: base64 of exactly 32 bytes.
pub fn decode_key(encoded: &str) -> Result<[u8; 32], String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| "must be base64 (e.g. `openssl rand -base64 32`)".to_owned())?;
    bytes
        .try_into()
        .map_err(|_| "must decode to exactly 32 bytes".to_owned())
}
