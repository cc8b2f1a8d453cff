//! The DigiD stand-in: a real OpenID provider under `/dev/digid/`, served only in dev mode when
//! `dev_idp.enabled` is set. It lets a tester log in as a demo citizen or any 11-proef-valid
//! BSN at a chosen DigiD level, log in demo staff with roles, cancel, and choose a fault mode
//! per login so the portal's token checks are exercised over real HTTP.

mod keys;
mod page;
pub mod personas;

use std::{collections::HashMap, sync::Arc};

use axum::{
    Form, Json, Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use base64::{Engine, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use keys::SigningKeyPair;

use crate::{
    AppState,
    entities::dev_idp_codes,
    identity::oidc::Audience,
    identity::{AssuranceLevel, Bsn},
    platform::crypto::{random_token, sha256_hex},
};

/// How a login at the stand-in should misbehave, chosen per login for tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// A correct token.
    #[default]
    None,
    /// Signed with another key under the right `kid`.
    BadSignature,
    /// `alg: none`, no signature.
    AlgNone,
    /// `iss` of another provider.
    WrongIssuer,
    /// `aud` of another client.
    WrongAudience,
    /// `exp` in the past.
    Expired,
    /// `iat` an hour ahead.
    IatFuture,
    /// A nonce the portal never sent.
    WrongNonce,
    /// A `kid` that is not in the JWKS.
    UnknownKid,
    /// No BSN claim.
    MissingBsn,
    /// A BSN that fails the 11-proef.
    BadBsn,
    /// DigiD Basis, whatever was chosen.
    LevelTooLow,
}

impl Fault {
    /// Every fault mode with its Dutch label for the login page.
    pub const ALL: [(Fault, &'static str); 12] = [
        (Fault::None, "Geen: een correct token"),
        (Fault::BadSignature, "Ongeldige handtekening"),
        (Fault::AlgNone, "Geen handtekening (alg: none)"),
        (Fault::WrongIssuer, "Verkeerde uitgever (iss)"),
        (Fault::WrongAudience, "Verkeerde ontvanger (aud)"),
        (Fault::Expired, "Verlopen token (exp)"),
        (Fault::IatFuture, "Uitgiftetijd in de toekomst (iat)"),
        (Fault::WrongNonce, "Verkeerde nonce"),
        (Fault::UnknownKid, "Onbekende sleutel (kid)"),
        (Fault::MissingBsn, "Geen BSN in het token"),
        (Fault::BadBsn, "BSN dat niet voldoet aan de 11-proef"),
        (Fault::LevelTooLow, "Te laag niveau (DigiD Basis)"),
    ];

    fn as_str(self) -> &'static str {
        match self {
            Fault::None => "none",
            Fault::BadSignature => "bad_signature",
            Fault::AlgNone => "alg_none",
            Fault::WrongIssuer => "wrong_issuer",
            Fault::WrongAudience => "wrong_audience",
            Fault::Expired => "expired",
            Fault::IatFuture => "iat_future",
            Fault::WrongNonce => "wrong_nonce",
            Fault::UnknownKid => "unknown_kid",
            Fault::MissingBsn => "missing_bsn",
            Fault::BadBsn => "bad_bsn",
            Fault::LevelTooLow => "level_too_low",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .map(|(f, _)| *f)
            .find(|f| f.as_str() == value)
    }
}

/// The DigiD `acr` URN of a level.
pub fn acr_for(level: AssuranceLevel) -> &'static str {
    match level {
        AssuranceLevel::Basis => {
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        }
        AssuranceLevel::Midden => "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
        AssuranceLevel::Substantieel => "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
        AssuranceLevel::Hoog => "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
    }
}

/// The stand-in's routes, to be nested under `/dev/digid`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize_page).post(authorize_submit))
        .route("/token", axum::routing::post(token))
        .route("/userinfo", get(userinfo))
        .route("/end-session", get(end_session))
}

fn issuer(state: &AppState) -> String {
    format!("{}/dev/digid", state.settings.public_base_url)
}

/// A client registered at the stand-in: the portal's own two clients.
struct RegisteredClient {
    audience: Audience,
    secret: String,
    redirect_uri: String,
}

fn registered_client(state: &AppState, client_id: &str) -> Option<RegisteredClient> {
    let s = &state.settings;
    let base = &s.public_base_url;
    if client_id == s.oidc.client_id {
        Some(RegisteredClient {
            audience: Audience::Citizen,
            secret: s.oidc.client_secret.expose_secret().to_owned(),
            redirect_uri: format!("{base}{}", Audience::Citizen.callback_path()),
        })
    } else if client_id == s.staff_oidc.client_id {
        Some(RegisteredClient {
            audience: Audience::Staff,
            secret: s.staff_oidc.client_secret.expose_secret().to_owned(),
            redirect_uri: format!("{base}{}", Audience::Staff.callback_path()),
        })
    } else {
        None
    }
}

fn key(state: &AppState) -> Result<Arc<SigningKeyPair>, StatusCode> {
    state.dev_idp_key.clone().ok_or(StatusCode::NOT_FOUND)
}

async fn discovery(State(state): State<AppState>) -> Json<serde_json::Value> {
    let iss = issuer(&state);
    Json(serde_json::json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "jwks_uri": format!("{iss}/jwks"),
        "end_session_endpoint": format!("{iss}/end-session"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code"],
        "claims_supported": ["sub", "acr", "bsn", "name", "email", "roles"],
        "acr_values_supported": AssuranceLevel::ALL.map(acr_for),
    }))
}

async fn jwks(State(state): State<AppState>) -> Response {
    match key(&state) {
        Ok(key) => Json(key.jwks()).into_response(),
        Err(status) => status.into_response(),
    }
}

/// The authorization request, as the relying party sends it.
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

enum Checked {
    /// Show the login page for this client.
    Ok(Audience),
    /// Never redirect to an unverified address: show an error page.
    Page(&'static str),
    /// A valid client with a bad request: send the error back to it.
    Redirect(Response),
}

fn check_authorize(state: &AppState, p: &AuthorizeParams) -> Checked {
    let Some(client) = p
        .client_id
        .as_deref()
        .and_then(|id| registered_client(state, id))
    else {
        return Checked::Page("Onbekende dienst (client_id).");
    };
    if p.redirect_uri.as_deref() != Some(client.redirect_uri.as_str()) {
        return Checked::Page("Het terugkeeradres (redirect_uri) is niet geregistreerd.");
    }
    let bad = |error: &str| {
        Checked::Redirect(redirect_with(
            &client.redirect_uri,
            &[
                ("error", error),
                ("state", p.state.as_deref().unwrap_or("")),
            ],
        ))
    };
    if p.response_type.as_deref() != Some("code") {
        return bad("unsupported_response_type");
    }
    if !p
        .scope
        .as_deref()
        .unwrap_or("")
        .split(' ')
        .any(|s| s == "openid")
    {
        return bad("invalid_scope");
    }
    if p.code_challenge_method.as_deref() != Some("S256") || p.code_challenge.is_none() {
        return bad("invalid_request");
    }
    Checked::Ok(client.audience)
}

fn redirect_with(base: &str, params: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(base) {
        Ok(url) => url,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let present: Vec<_> = params.iter().filter(|(_, v)| !v.is_empty()).collect();
    if !present.is_empty() {
        url.query_pairs_mut().extend_pairs(present);
    }
    Redirect::to(url.as_str()).into_response()
}

async fn authorize_page(
    State(state): State<AppState>,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    if let Err(status) = key(&state) {
        return status.into_response();
    }
    match check_authorize(&state, &params) {
        Checked::Ok(audience) => page::login(&state, audience, &params, None, StatusCode::OK),
        Checked::Page(problem) => page::error(&state, problem),
        Checked::Redirect(response) => response,
    }
}

/// The login form as posted.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(flatten)]
    params: AuthorizeParams,
    actie: Option<String>,
    persoon: Option<String>,
    bsn: Option<String>,
    niveau: Option<String>,
    medewerker: Option<String>,
    fout: Option<String>,
}

/// What the stand-in will put in the token for a code.
#[derive(Debug, Serialize, Deserialize)]
struct Grant {
    subject: String,
    nonce: Option<String>,
    fault: Fault,
    claims: serde_json::Map<String, serde_json::Value>,
}

async fn authorize_submit(State(state): State<AppState>, Form(form): Form<LoginForm>) -> Response {
    if let Err(status) = key(&state) {
        return status.into_response();
    }
    let audience = match check_authorize(&state, &form.params) {
        Checked::Ok(audience) => audience,
        Checked::Page(problem) => return page::error(&state, problem),
        Checked::Redirect(response) => return response,
    };
    let p = &form.params;
    let redirect_uri = p.redirect_uri.clone().unwrap_or_default();
    let client_state = p.state.clone().unwrap_or_default();
    if form.actie.as_deref() == Some("annuleren") {
        return redirect_with(
            &redirect_uri,
            &[("error", "access_denied"), ("state", &client_state)],
        );
    }
    let fault = form
        .fout
        .as_deref()
        .and_then(Fault::parse)
        .unwrap_or_default();
    let mut claims = serde_json::Map::new();
    let subject = match audience {
        Audience::Citizen => {
            let chosen = match form.persoon.as_deref() {
                Some("anders") | None => form.bsn.clone().unwrap_or_default(),
                Some(bsn) => bsn.to_owned(),
            };
            let bsn = match Bsn::parse(&chosen) {
                Ok(bsn) => bsn,
                Err(e) => {
                    let message = match e {
                        crate::identity::BsnError::Length => {
                            "Een BSN bestaat uit 9 cijfers. Vul het BSN opnieuw in."
                        }
                        crate::identity::BsnError::Checksum => {
                            "Dit BSN bestaat niet: het voldoet niet aan de 11-proef. Controleer het nummer."
                        }
                    };
                    return page::login(
                        &state,
                        audience,
                        p,
                        Some(message),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    );
                }
            };
            let level = match fault {
                Fault::LevelTooLow => AssuranceLevel::Basis,
                _ => form
                    .niveau
                    .as_deref()
                    .and_then(AssuranceLevel::parse)
                    .unwrap_or(AssuranceLevel::Substantieel),
            };
            claims.insert("acr".to_owned(), acr_for(level).into());
            let bsn_value = match fault {
                Fault::MissingBsn => None,
                Fault::BadBsn => Some("123456789".to_owned()),
                _ => Some(bsn.expose().to_owned()),
            };
            if let Some(value) = bsn_value {
                insert_at(&mut claims, &state.settings.oidc.bsn_claim, value.into());
            }
            // `sub` is opaque and per client, as with a real broker: never the BSN.
            sha256_hex(&format!(
                "digid-sub:{}:{}",
                p.client_id.as_deref().unwrap_or(""),
                bsn.expose()
            ))
        }
        Audience::Staff => {
            let Some(person) = personas::STAFF
                .iter()
                .find(|s| Some(s.subject) == form.medewerker.as_deref())
            else {
                return page::login(
                    &state,
                    audience,
                    p,
                    Some("Kies een medewerker."),
                    StatusCode::UNPROCESSABLE_ENTITY,
                );
            };
            claims.insert("name".to_owned(), person.name.into());
            claims.insert("email".to_owned(), person.email.into());
            let roles: Vec<serde_json::Value> =
                person.roles.iter().map(|r| r.as_str().into()).collect();
            insert_at(
                &mut claims,
                &state.settings.staff_oidc.roles_claim,
                roles.into(),
            );
            person.subject.to_owned()
        }
    };
    let grant = Grant {
        subject,
        nonce: p.nonce.clone(),
        fault,
        claims,
    };
    let code = random_token();
    let row = dev_idp_codes::ActiveModel {
        code_hash: Set(sha256_hex(&code)),
        client_id: Set(p.client_id.clone().unwrap_or_default()),
        redirect_uri: Set(redirect_uri.clone()),
        code_challenge: Set(p.code_challenge.clone().unwrap_or_default()),
        grant: Set(serde_json::to_string(&grant).unwrap_or_default()),
        expires_at: Set(Utc::now() + chrono::Duration::seconds(60)),
        used_at: Set(None),
    };
    if let Err(e) = row.insert(&state.db).await {
        tracing::error!(error = %e, "dev idp: storing the code failed");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    redirect_with(&redirect_uri, &[("code", &code), ("state", &client_state)])
}

/// Puts `value` at a dotted claim path, creating objects on the way.
fn insert_at(
    claims: &mut serde_json::Map<String, serde_json::Value>,
    path: &str,
    value: serde_json::Value,
) {
    let mut segments: Vec<&str> = path.split('.').collect();
    let last = segments.pop().unwrap_or(path);
    let mut target = claims;
    for segment in segments {
        let entry = target
            .entry(segment.to_owned())
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
        if !entry.is_object() {
            *entry = serde_json::Value::Object(Default::default());
        }
        let serde_json::Value::Object(next) = entry else {
            unreachable!()
        };
        target = next;
    }
    target.insert(last.to_owned(), value);
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(serde_json::json!({ "error": error }))).into_response()
}

fn client_credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Option<(String, String)> {
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = String::from_utf8(STANDARD.decode(basic.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((decode(id)?, decode(secret)?));
    }
    Some((
        form.get("client_id")?.clone(),
        form.get("client_secret")?.clone(),
    ))
}

async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Ok(key) = key(&state) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some((client_id, secret)) = client_credentials(&headers, &form) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    let Some(client) = registered_client(&state, &client_id).filter(|c| c.secret == secret) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let code_hash = sha256_hex(form.get("code").map(String::as_str).unwrap_or(""));
    let now = Utc::now();
    let claimed = dev_idp_codes::Entity::update_many()
        .col_expr(dev_idp_codes::Column::UsedAt, Expr::value(now))
        .filter(dev_idp_codes::Column::CodeHash.eq(code_hash.clone()))
        .filter(dev_idp_codes::Column::UsedAt.is_null())
        .filter(dev_idp_codes::Column::ExpiresAt.gt(now))
        .exec(&state.db)
        .await;
    if !matches!(claimed, Ok(ref r) if r.rows_affected == 1) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let Ok(Some(row)) = dev_idp_codes::Entity::find_by_id(code_hash)
        .one(&state.db)
        .await
    else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    if row.client_id != client_id
        || form.get("redirect_uri") != Some(&row.redirect_uri)
        || row.redirect_uri != client.redirect_uri
    {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let verifier = form.get("code_verifier").map(String::as_str).unwrap_or("");
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != row.code_challenge {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let Ok(grant) = serde_json::from_str::<Grant>(&row.grant) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    match issue_tokens(&state, &key, &client_id, grant) {
        Ok(body) => ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "dev idp: issuing tokens failed");
            oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error")
        }
    }
}

fn issue_tokens(
    state: &AppState,
    key: &SigningKeyPair,
    client_id: &str,
    grant: Grant,
) -> anyhow::Result<serde_json::Value> {
    let now = Utc::now().timestamp();
    let iss = issuer(state);
    let mut claims = serde_json::json!({
        "iss": iss,
        "sub": grant.subject,
        "aud": client_id,
        "azp": client_id,
        "iat": now,
        "exp": now + 300,
        "auth_time": now,
        "nonce": grant.nonce,
    });
    let object = claims.as_object_mut().expect("a JSON object");
    for (name, value) in &grant.claims {
        object.insert(name.clone(), value.clone());
    }
    match grant.fault {
        Fault::WrongIssuer => {
            object.insert("iss".into(), "https://digid.example.invalid".into());
        }
        Fault::WrongAudience => {
            object.insert("aud".into(), "een-andere-dienst".into());
            object.insert("azp".into(), "een-andere-dienst".into());
        }
        Fault::Expired => {
            object.insert("iat".into(), (now - 900).into());
            object.insert("exp".into(), (now - 600).into());
        }
        Fault::IatFuture => {
            object.insert("iat".into(), (now + 3600).into());
            object.insert("exp".into(), (now + 3900).into());
        }
        Fault::WrongNonce => {
            object.insert("nonce".into(), random_token().into());
        }
        _ => {}
    }
    let id_token = match grant.fault {
        Fault::BadSignature => key.impostor()?.sign(&key.kid, &claims),
        Fault::AlgNone => keys::unsigned(&claims),
        Fault::UnknownKid => key.sign("onbekende-sleutel", &claims),
        _ => key.sign(&key.kid, &claims),
    };
    let mut access = serde_json::json!({"iss": iss, "aud": client_id, "sub": grant.subject, "iat": now, "exp": now + 300});
    if let Some(object) = access.as_object_mut() {
        for (name, value) in grant.claims {
            object.insert(name, value);
        }
    }
    Ok(serde_json::json!({
        "access_token": key.sign(&key.kid, &access),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
}

async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Ok(key) = key(&state) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let claims = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|token| key.verify(token.trim()));
    match claims {
        Some(mut claims) => {
            if let Some(object) = claims.as_object_mut() {
                for registered in ["iss", "aud", "iat", "exp"] {
                    object.remove(registered);
                }
            }
            Json(claims).into_response()
        }
        None => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        )
            .into_response(),
    }
}

/// RP-initiated logout parameters.
#[derive(Debug, Deserialize)]
pub struct EndSessionParams {
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

async fn end_session(
    State(state): State<AppState>,
    Query(params): Query<EndSessionParams>,
) -> Response {
    if let Err(status) = key(&state) {
        return status.into_response();
    }
    let expected = format!("{}/uitgelogd", state.settings.public_base_url);
    let known_client = params
        .client_id
        .as_deref()
        .and_then(|id| registered_client(&state, id))
        .is_some();
    match params.post_logout_redirect_uri {
        Some(uri) if known_client && uri == expected => {
            redirect_with(&uri, &[("state", params.state.as_deref().unwrap_or(""))])
        }
        _ => page::logged_out(&state),
    }
}
