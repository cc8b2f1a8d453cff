//! The token endpoint: checks the code, then mints the ID and access tokens, bent as the login's
//! fault mode asks, so that every check the portal makes on a token is tried over real HTTP.

use std::collections::HashMap;

use axum::{
    Form, Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{SigningKeyPair, issuer, key, keys, registered_client};
use crate::{
    AppState,
    entities::dev_idp_codes,
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
    /// A staff login with a password only (`amr: ["pwd"]`), no second factor.
    NoSecondFactor,
}

impl Fault {
    /// Every fault mode with its Dutch label for the login page.
    pub const ALL: [(Fault, &'static str); 13] = [
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
        (
            Fault::NoSecondFactor,
            "Medewerker zonder tweede factor (amr)",
        ),
    ];

    /// The form value of this fault mode.
    pub(super) fn as_str(self) -> &'static str {
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
            Fault::NoSecondFactor => "no_second_factor",
        }
    }

    /// The fault mode the login form names, by its `as_str` value.
    pub(super) fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .map(|(f, _)| *f)
            .find(|f| f.as_str() == value)
    }
}

/// What the stand-in will put in the token for a code.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Grant {
    /// `sub`: opaque and per client.
    pub(super) subject: String,
    /// The nonce the portal sent, echoed in the ID token.
    pub(super) nonce: Option<String>,
    /// How to bend the tokens.
    pub(super) fault: Fault,
    /// Claims besides the registered ones (`acr`, the BSN, roles, …).
    pub(super) claims: serde_json::Map<String, serde_json::Value>,
}

/// An OAuth error response (RFC 6749 §5.2).
fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(serde_json::json!({ "error": error }))).into_response()
}

/// The client id and secret, from HTTP Basic or from the form.
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

/// The token endpoint: a code, once, for the client it was issued to, with its PKCE verifier.
pub(super) async fn token(
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

/// The ID and access tokens for a grant, with its fault mode applied.
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
