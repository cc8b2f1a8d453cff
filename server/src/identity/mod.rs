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

/// Someone acting for the session's citizen: their own citizen row (never shown in this
/// session) and the mandate the broker named.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Acting {
    /// `citizens.id` of the person acting (the representative).
    pub citizen_id: i64,
    /// The service or mandate id of the representation, when the broker sent one.
    pub mandate: Option<String>,
}

/// The person represented and the one acting, as a login asserts them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginPersons {
    /// Whose data the session shows: the represented person, or the one who logged in.
    pub subject: Bsn,
    /// The representative's BSN and the mandate, when someone is represented.
    pub acting: Option<(Bsn, Option<String>)>,
}

/// Why a login's persons cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonsError {
    /// The BSN (or the acting person's BSN) is missing.
    #[error("claim missing")]
    Missing,
    /// A BSN fails the 11-proef.
    #[error("fails the 11-proef")]
    Invalid,
    /// The represented person is named by something other than a BSN.
    #[error("the represented person is not named by a BSN")]
    NotBsn,
}

/// Reads who logged in and whom they represent from a token's claims, by the configured claim
/// paths. Representation needs both a represented and an acting BSN, and they must differ;
/// without a represented person the login's own BSN (`bsn_claim`) is the subject.
pub fn login_persons(
    claims: &serde_json::Value,
    bsn_claim: &str,
    represented_claim: &str,
    acting_claim: &str,
    mandate_claim: &str,
) -> Result<LoginPersons, PersonsError> {
    let parse = |v: &str| Bsn::parse(v).map_err(|_| PersonsError::Invalid);
    let represented = match claim_at(claims, represented_claim) {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(bsn)) => Some(bsn.as_str()),
        Some(serde_json::Value::Object(object)) => {
            let kind = object.get("sub_id_type").and_then(|v| v.as_str());
            if kind.is_some_and(|k| !k.to_ascii_lowercase().ends_with("bsn")) {
                return Err(PersonsError::NotBsn);
            }
            Some(
                object
                    .get("sub")
                    .or_else(|| object.get("bsn"))
                    .and_then(|v| v.as_str())
                    .ok_or(PersonsError::Missing)?,
            )
        }
        Some(_) => return Err(PersonsError::NotBsn),
    };
    let acting = claim_at(claims, acting_claim).and_then(|v| v.as_str());
    match (represented, acting) {
        (Some(represented), Some(acting)) => {
            let (subject, acting) = (parse(represented)?, parse(acting)?);
            if subject == acting {
                return Ok(LoginPersons {
                    subject,
                    acting: None,
                });
            }
            let mandate = match claim_at(claims, mandate_claim) {
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                    Some(s.trim().chars().take(300).collect())
                }
                _ => None,
            };
            Ok(LoginPersons {
                subject,
                acting: Some((acting, mandate)),
            })
        }
        // A broker that names the represented person in `bsn` sends no acting person for a
        // login of one's own; a represented person without an acting one is a broker's fault.
        (Some(_), None) if represented_claim != bsn_claim => Err(PersonsError::Missing),
        _ => {
            let own = claim_at(claims, bsn_claim)
                .and_then(|v| v.as_str())
                .ok_or(PersonsError::Missing)?;
            Ok(LoginPersons {
                subject: parse(own)?,
                acting: None,
            })
        }
    }
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
        /// Someone acting for this citizen (a machtiging), who logged in themselves.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acting: Option<Acting>,
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
            acting: None,
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

    fn persons(claims: serde_json::Value) -> Result<LoginPersons, PersonsError> {
        login_persons(&claims, "bsn", "represents", "bsn", "represents.service_id")
    }

    #[test]
    fn a_login_of_ones_own_has_no_one_acting() {
        let own = persons(serde_json::json!({"bsn": "999993653"})).unwrap();
        assert_eq!(own.subject.expose(), "999993653");
        assert!(own.acting.is_none());
        assert_eq!(persons(serde_json::json!({})), Err(PersonsError::Missing));
    }

    #[test]
    fn the_nl_gov_represents_claim_names_the_subject_and_the_login_the_representative() {
        let machtiging = persons(serde_json::json!({
            "bsn": "162275869",
            "represents": {"sub": "999993653", "sub_id_type": "urn:nl-eid-gdi:1.0:id:BSN",
                           "service_id": "urn:nl-eid-gdi:1.0:DV:00000001234567890000:services:0001"},
        }))
        .unwrap();
        assert_eq!(machtiging.subject.expose(), "999993653");
        let (acting, mandate) = machtiging.acting.unwrap();
        assert_eq!(acting.expose(), "162275869");
        assert!(mandate.unwrap().ends_with("services:0001"));
        // A plain BSN as the claim, no mandate.
        let plain =
            persons(serde_json::json!({"bsn": "162275869", "represents": "999993653"})).unwrap();
        assert_eq!(plain.acting.unwrap().1, None);
        // Representing oneself is a login of one's own.
        let same =
            persons(serde_json::json!({"bsn": "999993653", "represents": "999993653"})).unwrap();
        assert!(same.acting.is_none());
        // Anything but a BSN, or a BSN that fails the 11-proef, is refused.
        let kvk = serde_json::json!({"bsn": "162275869",
            "represents": {"sub": "12345678", "sub_id_type": "urn:nl-eid-gdi:1.0:id:KvKnr"}});
        assert_eq!(persons(kvk), Err(PersonsError::NotBsn));
        let bad = serde_json::json!({"bsn": "162275869", "represents": "123456789"});
        assert_eq!(persons(bad), Err(PersonsError::Invalid));
    }

    #[test]
    fn a_broker_that_sends_the_represented_bsn_as_bsn_names_the_acting_person_apart() {
        let read = |claims| login_persons(&claims, "bsn", "bsn", "acting_bsn", "mandate_id");
        let machtiging = read(serde_json::json!({
            "bsn": "999993653", "acting_bsn": "162275869", "mandate_id": "dienst-42"
        }))
        .unwrap();
        assert_eq!(machtiging.subject.expose(), "999993653");
        let (acting, mandate) = machtiging.acting.unwrap();
        assert_eq!(acting.expose(), "162275869");
        assert_eq!(mandate.as_deref(), Some("dienst-42"));
        // Without an acting person the login is the citizen's own.
        let own = read(serde_json::json!({"bsn": "999993653"})).unwrap();
        assert!(own.acting.is_none());
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
