//! The two relying parties: citizens through a DigiD broker, staff through the municipality's
//! own provider.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{SettingsError, dev_defaults, invalid, secrets::expose};
use types::AssuranceLevel;

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
    /// Representation (DigiD Machtigen, a guardian or administrator): the claim naming the
    /// person represented. Its value is a BSN, or an object with `sub` (and `sub_id_type` BSN)
    /// or `bsn`, as the NL GOV profile's `represents` claim. A broker that sends the represented
    /// person's BSN in `bsn` sets this to `bsn` and `acting_claim` to its acting person's claim.
    pub represented_claim: String,
    /// Whose login it is when someone is represented: the acting person's BSN (by default the
    /// login's own `bsn`).
    pub acting_claim: String,
    /// The service or mandate id of the representation, when the broker sends one.
    pub mandate_claim: String,
    /// `acr` value → level of assurance.
    pub acr_map: BTreeMap<String, AssuranceLevel>,
    /// Lowest level that may log in at all.
    pub min_level: AssuranceLevel,
    /// Lowest level that may see special-category (Wmo, Jeugd) data.
    pub health_data_level: AssuranceLevel,
    /// Production refuses a `health_data_level` below Substantieel unless this is set: a
    /// municipality that decides otherwise says so here, in writing.
    pub allow_health_data_below_substantieel: bool,
}

impl CitizenOidcSettings {
    /// The portal's client at the DigiD stand-in of the instance at `base`.
    pub(super) fn defaults(base: &str) -> Self {
        Self {
            issuer_url: format!("{base}/dev/digid"),
            client_id: "inzage-portaal".to_owned(),
            client_secret: dev_defaults::CITIZEN_CLIENT_SECRET.into(),
            scopes: Vec::new(),
            bsn_claim: "bsn".to_owned(),
            represented_claim: "represents".to_owned(),
            acting_claim: "bsn".to_owned(),
            mandate_claim: "represents.service_id".to_owned(),
            acr_map: default_acr_map(),
            min_level: AssuranceLevel::Midden,
            health_data_level: AssuranceLevel::Substantieel,
            allow_health_data_below_substantieel: false,
        }
    }

    /// Refuses levels that contradict each other and a BSN claim that names nothing.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.health_data_level < self.min_level {
            return Err(invalid(
                "oidc.health_data_level",
                "must not be below oidc.min_level",
            ));
        }
        if self.bsn_claim.trim().is_empty() {
            return Err(invalid("oidc.bsn_claim", "must name a claim"));
        }
        if self.represented_claim.trim().is_empty() {
            return Err(invalid("oidc.represented_claim", "must name a claim"));
        }
        if self.acting_claim.trim().is_empty() {
            return Err(invalid("oidc.acting_claim", "must name a claim"));
        }
        Ok(())
    }
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
    /// The token's `amr` must hold one of these (e.g. `mfa`, `otp`, `hwk`): a second factor.
    /// Empty: not checked (production then needs `required_acr`).
    pub required_amr: Vec<String>,
    /// The token's `acr` must be one of these, for providers that state multi-factor that way.
    /// Empty: not checked.
    pub required_acr: Vec<String>,
}

impl StaffOidcSettings {
    /// The back office's client at the DigiD stand-in of the instance at `base`.
    pub(super) fn defaults(base: &str) -> Self {
        Self {
            issuer_url: format!("{base}/dev/digid"),
            client_id: "inzage-backoffice".to_owned(),
            client_secret: dev_defaults::STAFF_CLIENT_SECRET.into(),
            scopes: vec!["profile".to_owned()],
            roles_claim: "roles".to_owned(),
            name_claim: "name".to_owned(),
            required_amr: vec!["mfa".to_owned()],
            required_acr: Vec::new(),
        }
    }
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
