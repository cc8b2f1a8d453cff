//! Keys for data at rest: the BSN is stored encrypted (AES-256-GCM) and found through a keyed
//! pseudonym (HMAC-SHA256), so the database never holds a BSN in the clear and a copy of it
//! cannot be searched for one without the pseudonym key.

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, OsRng, rand_core::RngCore},
};
use base64::{Engine, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::config::{SecretSettings, decode_key};

/// The keys for data at rest, decoded once.
#[derive(Clone)]
pub struct Vault {
    cipher: Aes256Gcm,
    pseudonym_key: [u8; 32],
}

/// Stored data that does not decrypt: a wrong key or a tampered row.
#[derive(Debug, thiserror::Error)]
#[error("stored data could not be decrypted")]
pub struct DecryptError;

impl Vault {
    /// Builds the vault from validated settings.
    pub fn new(secrets: &SecretSettings) -> Result<Self, String> {
        let data_key = decode_key(secrets.data_key.expose_secret())?;
        let pseudonym_key = decode_key(secrets.pseudonym_key.expose_secret())?;
        Ok(Self {
            cipher: Aes256Gcm::new(&data_key.into()),
            pseudonym_key,
        })
    }

    /// A keyed pseudonym (hex) of `value` in `context`: the same value gives the same pseudonym,
    /// and without the pseudonym key nobody can compute one.
    pub fn keyed_pseudonym(&self, context: &[u8], value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.pseudonym_key)
            .expect("HMAC accepts keys of any length");
        mac.update(context);
        mac.update(value.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// Encrypts any text that holds personal data (e.g. a BSN).
    pub fn encrypt_text(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .expect("AES-GCM encryption in memory cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        STANDARD.encode(out)
    }

    /// Decrypts what [`Vault::encrypt_text`] made.
    pub fn decrypt_text(&self, stored: &str) -> Result<String, DecryptError> {
        let bytes = STANDARD.decode(stored).map_err(|_| DecryptError)?;
        if bytes.len() < 12 {
            return Err(DecryptError);
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| DecryptError)?;
        String::from_utf8(plain).map_err(|_| DecryptError)
    }
}

/// SHA-256 in hex, for values stored only to be compared (state, session ids, codes).
pub fn sha256_hex(value: &str) -> String {
    hex(&Sha256::digest(value.as_bytes()))
}

/// A fresh random token of 32 bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `bytes` random bytes as lower-case hex (W3C trace and span ids).
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    hex(&buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn vault() -> Vault {
        Vault::new(&Settings::default().secrets).unwrap()
    }

    #[test]
    fn text_round_trips_and_is_not_stored_in_the_clear() {
        let vault = vault();
        let stored = vault.encrypt_text("123456782");
        assert!(!stored.contains("123456782"));
        assert_ne!(
            stored,
            vault.encrypt_text("123456782"),
            "fresh nonce per encryption"
        );
        assert_eq!(vault.decrypt_text(&stored).unwrap(), "123456782");
    }

    #[test]
    fn a_tampered_ciphertext_is_refused() {
        let vault = vault();
        let mut stored = STANDARD.decode(vault.encrypt_text("123456782")).unwrap();
        stored[14] ^= 1;
        assert!(vault.decrypt_text(&STANDARD.encode(stored)).is_err());
    }
}
