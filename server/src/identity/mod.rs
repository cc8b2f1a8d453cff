//! Who someone is: the BSN, levels of assurance, staff roles.

pub mod contacts;
pub mod oidc;
pub mod people;
pub mod sessions;

use std::{collections::BTreeMap, fmt};

use serde::{Deserialize, Serialize};

pub use app::models::{AssuranceLevel, StaffRole};

use crate::platform::crypto::{DecryptError, Vault};

/// A burgerservicenummer that passed the 11-proef.
///
/// `Display` and `Debug` mask all but the last three digits, so a BSN cannot leak into a log
/// by accident; [`Bsn::expose`] is the one way to the full number.
#[derive(Clone, PartialEq, Eq)]
pub struct Bsn(String);

/// Why a string is not a BSN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BsnError {
    /// Not nine digits (eight are accepted and padded with a leading zero, as the BRP does).
    #[error("a BSN has nine digits")]
    Length,
    /// Nine digits that fail the 11-proef.
    #[error("this number fails the 11-proef")]
    Checksum,
}

impl Bsn {
    /// Parses a BSN: nine digits (or eight, padded), spaces and dots ignored, 11-proef checked.
    pub fn parse(raw: &str) -> Result<Self, BsnError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(BsnError::Length);
        }
        let digits = match digits.len() {
            9 => digits,
            8 => format!("0{digits}"),
            _ => return Err(BsnError::Length),
        };
        if !passes_elfproef(&digits) {
            return Err(BsnError::Checksum);
        }
        Ok(Self(digits))
    }

    /// The full number, for encryption and pseudonymisation only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// All but the last three digits hidden: `******782`.
    pub fn masked(&self) -> String {
        format!("******{}", &self.0[6..])
    }
}

/// The BSN 11-proef: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not zero).
fn passes_elfproef(digits: &str) -> bool {
    let sum: i64 = digits
        .bytes()
        .map(|b| i64::from(b - b'0'))
        .zip([9, 8, 7, 6, 5, 4, 3, 2, -1])
        .map(|(d, w)| d * w)
        .sum();
    sum != 0 && sum % 11 == 0
}

impl fmt::Display for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bsn({})", self.masked())
    }
}

/// Maps an `acr` value to a level through the configured table; unknown values map to nothing.
pub fn level_for_acr(
    acr_map: &BTreeMap<String, AssuranceLevel>,
    acr: Option<&str>,
) -> Option<AssuranceLevel> {
    acr.and_then(|acr| acr_map.get(acr).copied())
}

/// Reads a claim by dotted path (`bsn`, `nl.bsn`) from a claims object.
pub fn claim_at<'a>(claims: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    if let Some(direct) = claims.get(path) {
        // Claim names may themselves contain dots (URN-style names).
        return Some(direct);
    }
    path.split('.')
        .try_fold(claims, |value, segment| value.get(segment))
}

/// Roles asserted in a claim: a JSON array of strings or one space/comma separated string.
pub fn roles_from_claim(value: Option<&serde_json::Value>) -> Vec<StaffRole> {
    let names: Vec<String> = match value {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(s)) => s
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let mut roles: Vec<StaffRole> = names.iter().filter_map(|n| StaffRole::parse(n)).collect();
    roles.sort();
    roles.dedup();
    roles
}

/// The principal a session belongs to.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    /// A citizen logged in through DigiD.
    Citizen {
        /// `citizens.id`.
        citizen_id: i64,
        /// The level of assurance of this login.
        level: AssuranceLevel,
        /// Unix time of the login; sessions end after [`MAX_SESSION_AGE`] whatever the activity.
        #[serde(default)]
        logged_in_at: i64,
    },
    /// A staff member logged in through the municipality's provider.
    Staff {
        /// `staff_accounts.id`.
        staff_id: i64,
        /// Roles at login (so a revoked role lasts at most one session).
        roles: Vec<StaffRole>,
        /// Unix time of the login.
        #[serde(default)]
        logged_in_at: i64,
    },
}

/// Longest a session lives, however active: roles and levels are re-asserted at the next login.
pub const MAX_SESSION_AGE: chrono::Duration = chrono::Duration::hours(10);

impl Principal {
    /// Whether the session is older than [`MAX_SESSION_AGE`].
    pub fn is_too_old(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        let logged_in_at = match self {
            Principal::Citizen { logged_in_at, .. } | Principal::Staff { logged_in_at, .. } => {
                *logged_in_at
            }
        };
        now.timestamp() - logged_in_at > MAX_SESSION_AGE.num_seconds()
    }
}

/// What the vault does with a BSN: the keyed pseudonym citizens are looked up by, and the
/// sealed copy kept at rest. The vault itself knows only text; the BSN stays this module's type.
pub trait BsnVault {
    /// The keyed pseudonym of a BSN (hex), the only column citizens are looked up by.
    fn pseudonym(&self, bsn: &Bsn) -> String;
    /// Encrypts a BSN for storage: base64 of a random 96-bit nonce followed by the ciphertext.
    fn encrypt_bsn(&self, bsn: &Bsn) -> String;
    /// Decrypts a stored BSN.
    fn decrypt_bsn(&self, stored: &str) -> Result<Bsn, DecryptError>;
}

impl BsnVault for Vault {
    fn pseudonym(&self, bsn: &Bsn) -> String {
        self.keyed_pseudonym(b"inzage/bsn/v1:", bsn.expose())
    }

    fn encrypt_bsn(&self, bsn: &Bsn) -> String {
        self.encrypt_text(bsn.expose())
    }

    fn decrypt_bsn(&self, stored: &str) -> Result<Bsn, DecryptError> {
        Bsn::parse(&self.decrypt_text(stored)?).map_err(|_| DecryptError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::new(&crate::config::Settings::default().secrets).unwrap()
    }

    #[test]
    fn a_bsn_round_trips_and_is_not_stored_in_the_clear() {
        let vault = vault();
        let bsn = Bsn::parse("123456782").unwrap();
        let stored = vault.encrypt_bsn(&bsn);
        assert!(!stored.contains("123456782"));
        assert_ne!(
            stored,
            vault.encrypt_bsn(&bsn),
            "fresh nonce per encryption"
        );
        assert_eq!(vault.decrypt_bsn(&stored).unwrap(), bsn);
    }

    #[test]
    fn a_tampered_bsn_ciphertext_is_refused() {
        use base64::{Engine, engine::general_purpose::STANDARD};
        let vault = vault();
        let mut stored = STANDARD
            .decode(vault.encrypt_bsn(&Bsn::parse("123456782").unwrap()))
            .unwrap();
        stored[14] ^= 1;
        assert!(vault.decrypt_bsn(&STANDARD.encode(stored)).is_err());
    }

    #[test]
    fn the_pseudonym_is_stable_and_keyed() {
        let bsn = Bsn::parse("123456782").unwrap();
        assert_eq!(vault().pseudonym(&bsn), vault().pseudonym(&bsn));
        let mut other = crate::config::Settings::default().secrets;
        other.pseudonym_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into();
        assert_ne!(
            Vault::new(&other).unwrap().pseudonym(&bsn),
            vault().pseudonym(&bsn)
        );
    }

    use crate::config::default_acr_map;

    #[test]
    fn valid_bsns_pass_the_elfproef() {
        for bsn in ["999993653", "111222333", "123456782", "999990019"] {
            assert!(Bsn::parse(bsn).is_ok(), "{bsn}");
        }
    }

    #[test]
    fn invalid_bsns_fail_with_the_reason() {
        assert_eq!(Bsn::parse("123456789"), Err(BsnError::Checksum));
        assert_eq!(Bsn::parse("000000000"), Err(BsnError::Checksum));
        assert_eq!(Bsn::parse("12345"), Err(BsnError::Length));
        assert_eq!(Bsn::parse("12345678a"), Err(BsnError::Length));
        assert_eq!(Bsn::parse(""), Err(BsnError::Length));
        assert_eq!(Bsn::parse("1234567820"), Err(BsnError::Length));
    }

    #[test]
    fn eight_digits_are_padded_and_separators_ignored() {
        assert_eq!(Bsn::parse("1234.56.782").unwrap().expose(), "123456782");
        assert_eq!(Bsn::parse("12 34 56 782").unwrap().expose(), "123456782");
        let padded = Bsn::parse("10000021").unwrap();
        assert_eq!(padded.expose(), "010000021");
    }

    #[test]
    fn a_bsn_never_prints_in_full() {
        let bsn = Bsn::parse("123456782").unwrap();
        assert_eq!(bsn.to_string(), "******782");
        assert_eq!(format!("{bsn:?}"), "Bsn(******782)");
        assert!(!format!("{bsn} {bsn:?}").contains("123456"));
    }

    #[test]
    fn digid_and_eidas_acr_values_map_to_levels() {
        let map = default_acr_map();
        let saml = "urn:oasis:names:tc:SAML:2.0:ac:classes:";
        let cases = [
            ("PasswordProtectedTransport", AssuranceLevel::Basis),
            ("MobileTwoFactorContract", AssuranceLevel::Midden),
            ("Smartcard", AssuranceLevel::Substantieel),
            ("SmartcardPKI", AssuranceLevel::Hoog),
        ];
        for (suffix, level) in cases {
            assert_eq!(
                level_for_acr(&map, Some(&format!("{saml}{suffix}"))),
                Some(level)
            );
        }
        assert_eq!(
            level_for_acr(&map, Some("http://eidas.europa.eu/LoA/substantial")),
            Some(AssuranceLevel::Substantieel)
        );
        assert_eq!(level_for_acr(&map, Some("urn:unknown")), None);
        assert_eq!(level_for_acr(&map, None), None);
        assert!(AssuranceLevel::Basis < AssuranceLevel::Midden);
        assert!(AssuranceLevel::Substantieel < AssuranceLevel::Hoog);
    }

    #[test]
    fn claims_are_found_by_dotted_path() {
        let claims = serde_json::json!({"bsn": "1", "nl": {"bsn": "2"}, "urn:x.y": "3"});
        assert_eq!(claim_at(&claims, "bsn").unwrap(), "1");
        assert_eq!(claim_at(&claims, "nl.bsn").unwrap(), "2");
        assert_eq!(claim_at(&claims, "urn:x.y").unwrap(), "3");
        assert!(claim_at(&claims, "nl.missing").is_none());
    }

    #[test]
    fn sessions_end_after_their_absolute_lifetime() {
        let now = chrono::Utc::now();
        let fresh = Principal::Citizen {
            citizen_id: 1,
            level: AssuranceLevel::Midden,
            logged_in_at: now.timestamp(),
        };
        assert!(!fresh.is_too_old(now));
        let old = Principal::Staff {
            staff_id: 1,
            roles: vec![StaffRole::Admin],
            logged_in_at: (now - MAX_SESSION_AGE).timestamp() - 1,
        };
        assert!(old.is_too_old(now));
        // A session written before the field existed counts as too old.
        let legacy: Principal =
            serde_json::from_str(r#"{"kind":"citizen","citizen_id":1,"level":"midden"}"#).unwrap();
        assert!(legacy.is_too_old(now));
    }

    #[test]
    fn roles_are_read_from_arrays_and_strings() {
        let roles = roles_from_claim(Some(&serde_json::json!(["handler", "admin", "unknown"])));
        assert_eq!(roles, vec![StaffRole::Handler, StaffRole::Admin]);
        let roles = roles_from_claim(Some(&serde_json::json!("approver privacy_officer")));
        assert_eq!(roles, vec![StaffRole::Approver, StaffRole::PrivacyOfficer]);
        assert!(roles_from_claim(None).is_empty());
    }
}
