//! The portal as OpenID Connect relying party, for citizens (DigiD through a broker) and staff.
//!
//! Authorization code flow with PKCE (S256), state and nonce. The state, nonce and verifier are
//! kept in `login_attempts`, single use and valid for ten minutes, and tied to the browser that
//! started the login by a random cookie. The ID token is fully validated by `openidconnect`
//! (signature against the provider's JWKS, `iss`, `aud`, `azp`, `exp`, nonce) plus an `iat`
//! check; the BSN is read from the configured claim and must pass the 11-proef, and the `acr`
//! must map to a level at or above the configured minimum.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenVerifier, IssuerUrl, LogoutRequest,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient, CoreJsonWebKey, CoreJwsSigningAlgorithm},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use secrecy::ExposeSecret;
use tokio::sync::RwLock;

use crate::{
    config::Settings,
    entities::login_attempts,
    identity::{AssuranceLevel, Bsn, StaffRole, claim_at, level_for_acr, roles_from_claim},
    platform::crypto::{random_token, sha256_hex},
};

/// How long a login may take between leaving for the provider and coming back.
const ATTEMPT_LIFETIME: chrono::Duration = chrono::Duration::minutes(10);
/// How long discovery and JWKS are cached before they are fetched again.
const METADATA_TTL: Duration = Duration::from_secs(300);
/// Clock skew tolerated for `iat`.
const IAT_SKEW: chrono::Duration = chrono::Duration::seconds(60);

/// Which login: the citizens' DigiD client or the staff client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Citizens through DigiD.
    Citizen,
    /// Municipal staff.
    Staff,
}

impl Audience {
    fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Staff => "staff",
        }
    }

    /// Path of the callback, under the public base URL.
    pub fn callback_path(self) -> &'static str {
        match self {
            Self::Citizen => "/inloggen/terug",
            Self::Staff => "/backoffice/inloggen/terug",
        }
    }
}

/// Why a login ended without a session. The `Display` text goes to the log, never to the page.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The citizen cancelled at the provider.
    #[error("cancelled at the provider")]
    Cancelled,
    /// The provider answered with an error.
    #[error("provider error: {0}")]
    Provider(String),
    /// Unknown, used, expired or foreign state, or a callback without code.
    #[error("login attempt not valid: {0}")]
    Attempt(&'static str),
    /// Discovery, token exchange or the token itself failed.
    #[error("token rejected: {0}")]
    Token(String),
    /// No BSN in the configured claim, or one that fails the 11-proef.
    #[error("no valid BSN in the token: {0}")]
    Bsn(&'static str),
    /// The level of assurance is below the minimum or not recognised.
    #[error("level of assurance too low or unknown ({0:?})")]
    LevelTooLow(Option<String>),
    /// A staff member without any Inzage role.
    #[error("no staff role in the token")]
    NoRole,
    /// A staff login without the second factor the settings require (`amr` / `acr`).
    #[error("no required second factor in the token")]
    SecondFactor,
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

impl LoginError {
    /// The reason code the error page shows (`/inloggen/mislukt?reden=…`).
    pub fn reason(&self, audience: Audience) -> &'static str {
        match (self, audience) {
            (Self::Cancelled, _) => "geannuleerd",
            (Self::Attempt(_), _) => "verlopen",
            (Self::LevelTooLow(_), _) => "niveau",
            (Self::NoRole, _) => "geen-toegang",
            (Self::SecondFactor, _) => "tweede-factor",
            (_, Audience::Staff) => "medewerker",
            (_, Audience::Citizen) => "mislukt",
        }
    }
}

/// What a successful login proves.
#[derive(Debug)]
pub enum Identity {
    /// A citizen.
    Citizen {
        /// Whose data the session shows: from the configured claim (the represented person's
        /// when someone acts for them), 11-proef checked.
        bsn: Bsn,
        /// From `acr`.
        level: AssuranceLevel,
        /// The person acting for them and the mandate, when the login is a representation.
        acting: Option<(Bsn, Option<String>)>,
    },
    /// A staff member.
    Staff {
        /// Issuer of the token.
        issuer: String,
        /// `sub`.
        subject: String,
        /// From the configured name claim, else `sub`.
        name: String,
        /// `email`, when given.
        email: Option<String>,
        /// From the configured roles claim.
        roles: Vec<StaffRole>,
    },
}

/// Query parameters of the callback.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CallbackParams {
    /// Authorization code.
    pub code: Option<String>,
    /// The state we sent.
    pub state: Option<String>,
    /// Error code from the provider.
    pub error: Option<String>,
}

/// A client built from discovery: authorization endpoint set, token and userinfo endpoints as
/// the provider advertises them.
type ProviderClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

struct CachedMetadata {
    fetched: Instant,
    metadata: Arc<ProviderMetadataWithLogout>,
}

/// The relying party: an HTTP client and cached provider metadata per audience.
pub struct RelyingParty {
    settings: Arc<Settings>,
    http: reqwest::Client,
    citizen: RwLock<Option<CachedMetadata>>,
    staff: RwLock<Option<CachedMetadata>>,
}

/// A login that has started: where to send the browser, and the cookie that ties it to us.
pub struct LoginStart {
    /// The provider's authorization URL.
    pub redirect_to: String,
    /// Value for the login cookie.
    pub browser_token: String,
}

impl RelyingParty {
    /// A relying party for these settings.
    pub fn new(settings: Arc<Settings>) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            // The OAuth2 back channel must not follow redirects (SSRF guard, RFC 6749 §5.1).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            settings,
            http,
            citizen: RwLock::new(None),
            staff: RwLock::new(None),
        })
    }

    fn client_settings(
        &self,
        audience: Audience,
    ) -> (&str, &str, &secrecy::SecretString, &[String]) {
        let s = &self.settings;
        match audience {
            Audience::Citizen => (
                &s.oidc.issuer_url,
                &s.oidc.client_id,
                &s.oidc.client_secret,
                &s.oidc.scopes,
            ),
            Audience::Staff => (
                &s.staff_oidc.issuer_url,
                &s.staff_oidc.client_id,
                &s.staff_oidc.client_secret,
                &s.staff_oidc.scopes,
            ),
        }
    }

    async fn metadata(
        &self,
        audience: Audience,
        refresh: bool,
    ) -> Result<Arc<ProviderMetadataWithLogout>, LoginError> {
        let slot = match audience {
            Audience::Citizen => &self.citizen,
            Audience::Staff => &self.staff,
        };
        if !refresh
            && let Some(cached) = slot.read().await.as_ref()
            && cached.fetched.elapsed() < METADATA_TTL
        {
            return Ok(cached.metadata.clone());
        }
        let (issuer, ..) = self.client_settings(audience);
        let issuer =
            IssuerUrl::new(issuer.to_owned()).map_err(|e| LoginError::Token(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| LoginError::Token(format!("discovery: {e}")))?;
        let metadata = Arc::new(metadata);
        *slot.write().await = Some(CachedMetadata {
            fetched: Instant::now(),
            metadata: metadata.clone(),
        });
        Ok(metadata)
    }

    /// Whether `audience`'s provider answers its discovery now (fetched afresh, which also
    /// renews the cache), for the readiness check.
    pub async fn discovery_ready(&self, audience: Audience) -> Result<(), LoginError> {
        self.metadata(audience, true).await.map(|_| ())
    }

    /// The OIDC client for `audience` on this provider metadata.
    fn client(
        &self,
        audience: Audience,
        metadata: &ProviderMetadataWithLogout,
    ) -> Result<ProviderClient, LoginError> {
        let (_, client_id, secret, _) = self.client_settings(audience);
        Ok(CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(client_id.to_owned()),
            Some(ClientSecret::new(secret.expose_secret().to_owned())),
        )
        .set_redirect_uri(self.redirect_url(audience)?))
    }

    fn redirect_url(&self, audience: Audience) -> Result<RedirectUrl, LoginError> {
        RedirectUrl::new(format!(
            "{}{}",
            self.settings.public_base_url,
            audience.callback_path()
        ))
        .map_err(|e| LoginError::Token(e.to_string()))
    }

    /// Starts a login: stores the attempt and returns the provider URL.
    #[tracing::instrument(skip(self, db))]
    pub async fn begin(
        &self,
        db: &DatabaseConnection,
        audience: Audience,
    ) -> Result<LoginStart, LoginError> {
        let metadata = self.metadata(audience, false).await?;
        let (.., scopes) = self.client_settings(audience);
        let client = self.client(audience, &metadata)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let browser_token = random_token();
        let now = Utc::now();
        login_attempts::ActiveModel {
            state_hash: Set(sha256_hex(state.secret())),
            browser_hash: Set(sha256_hex(&browser_token)),
            audience: Set(audience.as_str().to_owned()),
            nonce: Set(nonce.secret().clone()),
            pkce_verifier: Set(verifier.secret().clone()),
            created_at: Set(now),
            expires_at: Set(now + ATTEMPT_LIFETIME),
            consumed_at: Set(None),
        }
        .insert(db)
        .await?;
        // Attempts nobody finished are of no use to anyone; keep the table small.
        login_attempts::Entity::delete_many()
            .filter(login_attempts::Column::ExpiresAt.lt(now - ATTEMPT_LIFETIME))
            .exec(db)
            .await?;
        Ok(LoginStart {
            redirect_to: url.to_string(),
            browser_token,
        })
    }

    /// Claims the attempt named by `state` exactly once, for this browser and audience.
    async fn consume_attempt(
        &self,
        db: &DatabaseConnection,
        audience: Audience,
        state: &str,
        browser_token: Option<&str>,
    ) -> Result<login_attempts::Model, LoginError> {
        let state_hash = sha256_hex(state);
        let now = Utc::now();
        let claimed = login_attempts::Entity::update_many()
            .col_expr(login_attempts::Column::ConsumedAt, Expr::value(now))
            .filter(login_attempts::Column::StateHash.eq(state_hash.clone()))
            .filter(login_attempts::Column::ConsumedAt.is_null())
            .filter(login_attempts::Column::ExpiresAt.gt(now))
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            return Err(LoginError::Attempt(
                "unknown, expired or already used state",
            ));
        }
        let attempt = login_attempts::Entity::find_by_id(state_hash)
            .one(db)
            .await?
            .ok_or(LoginError::Attempt("attempt vanished"))?;
        if attempt.audience != audience.as_str() {
            return Err(LoginError::Attempt("state belongs to the other login"));
        }
        match browser_token {
            Some(token) if sha256_hex(token) == attempt.browser_hash => Ok(attempt),
            _ => Err(LoginError::Attempt("state was started in another browser")),
        }
    }

    /// Completes a login from the callback: validates everything and returns who logged in. The
    /// ID token itself is not kept: it carries the BSN, and logout needs no hint.
    #[tracing::instrument(skip_all, fields(audience = ?audience))]
    pub async fn complete(
        &self,
        db: &DatabaseConnection,
        audience: Audience,
        params: CallbackParams,
        browser_token: Option<&str>,
    ) -> Result<Identity, LoginError> {
        let state = params
            .state
            .as_deref()
            .ok_or(LoginError::Attempt("no state"))?;
        let attempt = self
            .consume_attempt(db, audience, state, browser_token)
            .await?;
        if let Some(error) = params.error {
            return Err(if error == "access_denied" {
                LoginError::Cancelled
            } else {
                LoginError::Provider(error_code(&error))
            });
        }
        let code = params.code.ok_or(LoginError::Attempt("no code"))?;

        let metadata = self.metadata(audience, false).await?;
        let (issuer, ..) = self.client_settings(audience);
        let client = self.client(audience, &metadata)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| LoginError::Token(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| LoginError::Token(format!("token exchange: {e}")))?;
        let _ = response.access_token();
        let id_token = response
            .id_token()
            .ok_or_else(|| LoginError::Token("no ID token".to_owned()))?;
        let nonce = Nonce::new(attempt.nonce.clone());
        let claims = match id_token.claims(&strict(client.id_token_verifier()), &nonce) {
            Ok(claims) => claims.clone(),
            Err(ClaimsVerificationError::SignatureVerification(first)) => {
                // The provider may have rotated its keys since discovery was cached: fetch them
                // once more and verify again (the token, not the single-use code exchange).
                tracing::info!(error = %first, "ID token signature not verified; refreshing the provider's keys");
                let fresh = self.metadata(audience, true).await?;
                let fresh_client = self.client(audience, &fresh)?;
                id_token
                    .claims(&strict(fresh_client.id_token_verifier()), &nonce)
                    .map_err(|e| LoginError::Token(e.to_string()))?
                    .clone()
            }
            Err(e) => return Err(LoginError::Token(e.to_string())),
        };
        // The signature is verified; the raw payload is read only for the configurable claims.
        let raw_token = id_token.to_string();
        let raw = raw_claims(&raw_token)?;

        match audience {
            Audience::Citizen => {
                let oidc = &self.settings.oidc;
                let acr = claims.auth_context_ref().map(|a| a.as_str().to_owned());
                let level = level_for_acr(&oidc.acr_map, acr.as_deref())
                    .filter(|level| *level >= oidc.min_level)
                    .ok_or(LoginError::LevelTooLow(acr))?;
                let persons = super::login_persons(
                    &raw,
                    &oidc.bsn_claim,
                    &oidc.represented_claim,
                    &oidc.acting_claim,
                    &oidc.mandate_claim,
                )
                .map_err(|e| {
                    LoginError::Bsn(match e {
                        super::PersonsError::Missing => "claim missing",
                        super::PersonsError::Invalid => "fails the 11-proef",
                        super::PersonsError::NotBsn => "represented person not named by a BSN",
                    })
                })?;
                Ok(Identity::Citizen {
                    bsn: persons.subject,
                    level,
                    acting: persons.acting,
                })
            }
            Audience::Staff => {
                let staff = &self.settings.staff_oidc;
                let amr: Vec<&str> = raw
                    .get("amr")
                    .and_then(|v| v.as_array())
                    .map(|values| values.iter().filter_map(|v| v.as_str()).collect())
                    .unwrap_or_default();
                let acr = claims.auth_context_ref().map(|a| a.as_str());
                if !second_factor(&staff.required_amr, &staff.required_acr, &amr, acr) {
                    return Err(LoginError::SecondFactor);
                }
                let roles = roles_from_claim(claim_at(&raw, &staff.roles_claim));
                if roles.is_empty() {
                    return Err(LoginError::NoRole);
                }
                let subject = claims.subject().as_str().to_owned();
                let name = claim_at(&raw, &staff.name_claim)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
                    .unwrap_or_else(|| subject.clone());
                Ok(Identity::Staff {
                    issuer: issuer.to_owned(),
                    subject,
                    name,
                    email: claims.email().map(|e| e.as_str().to_owned()),
                    roles,
                })
            }
        }
    }

    /// The provider's end-session URL for RP-initiated logout, or `None` when it has none or
    /// cannot be reached. It names the client and where to come back, and nothing personal: an
    /// `id_token_hint` would put the ID token, which carries the BSN, in the browser's address
    /// bar, history and the provider's access log.
    pub async fn logout_url(&self, audience: Audience) -> Option<String> {
        let metadata = self.metadata(audience, false).await.ok()?;
        let endpoint = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let (_, client_id, ..) = self.client_settings(audience);
        let back =
            PostLogoutRedirectUrl::new(format!("{}/uitgelogd", self.settings.public_base_url))
                .ok()?;
        let request = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(client_id.to_owned()))
            .set_post_logout_redirect_uri(back);
        Some(request.http_get_url().to_string())
    }
}

/// Whether a staff token shows the second factor the settings ask for: one of `required_amr`
/// in its `amr`, and its `acr` among `required_acr`, each only when configured.
fn second_factor(
    required_amr: &[String],
    required_acr: &[String],
    amr: &[&str],
    acr: Option<&str>,
) -> bool {
    let amr_ok = required_amr.is_empty() || required_amr.iter().any(|r| amr.contains(&r.as_str()));
    let acr_ok =
        required_acr.is_empty() || acr.is_some_and(|a| required_acr.iter().any(|r| r == a));
    amr_ok && acr_ok
}

/// The checks on top of openidconnect's defaults: asymmetric algorithms only (never `none`,
/// never an HMAC keyed with our own client secret) and no `iat` in the future.
fn strict(verifier: IdTokenVerifier<'_, CoreJsonWebKey>) -> IdTokenVerifier<'_, CoreJsonWebKey> {
    verifier
        .set_allowed_algs([
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
            CoreJwsSigningAlgorithm::RsaSsaPssSha256,
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        ])
        .set_issue_time_verifier_fn(|iat| {
            if iat > Utc::now() + IAT_SKEW {
                Err(format!("iat {iat} is in the future"))
            } else {
                Ok(())
            }
        })
}

/// A provider's error code as it may be logged: `[a-z_]`, short, else `other`.
fn error_code(raw: &str) -> String {
    if !raw.is_empty() && raw.len() <= 40 && raw.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    {
        raw.to_owned()
    } else {
        "other".to_owned()
    }
}

fn raw_claims(jwt: &str) -> Result<serde_json::Value, LoginError> {
    let payload = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| LoginError::Token("malformed JWT".to_owned()))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| LoginError::Token("malformed JWT payload".to_owned()))?;
    serde_json::from_slice(&bytes).map_err(|_| LoginError::Token("malformed JWT claims".to_owned()))
}
