//! The login a browser sees: the authorization request checked as a real provider would, the
//! login page, and the code the form hands back to the portal.

use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde::{Deserialize, Serialize};

use super::{
    acr_for, key, page, personas, redirect_with, registered_client,
    token::{Fault, Grant},
};
use crate::{
    AppState,
    entities::dev_idp_codes,
    identity::oidc::Audience,
    identity::{AssuranceLevel, Bsn},
    platform::crypto::{random_token, sha256_hex},
};

/// The authorization request, as the relying party sends it.
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub struct AuthorizeParams {
    pub(super) response_type: Option<String>,
    pub(super) client_id: Option<String>,
    pub(super) redirect_uri: Option<String>,
    pub(super) scope: Option<String>,
    pub(super) state: Option<String>,
    pub(super) nonce: Option<String>,
    pub(super) code_challenge: Option<String>,
    pub(super) code_challenge_method: Option<String>,
}

/// The outcome of checking an authorization request.
enum Checked {
    /// Show the login page for this client.
    Ok(Audience),
    /// Never redirect to an unverified address: show an error page.
    Page(&'static str),
    /// A valid client with a bad request: send the error back to it.
    Redirect(Response),
}

/// Checks an authorization request the way a real provider would.
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

/// The login page, after the request has been checked.
pub(super) async fn authorize_page(
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
    /// DigiD Machtigen: the BSN of the person the login acts for ("" for one's own).
    namens: Option<String>,
    /// DigiD Machtigen: the service the mandate is for.
    dienst: Option<String>,
    medewerker: Option<String>,
    fout: Option<String>,
}

/// The login form: cancel, or a person, a level and a fault mode; the code goes back to the
/// portal's callback.
pub(super) async fn authorize_submit(
    State(state): State<AppState>,
    Form(form): Form<LoginForm>,
) -> Response {
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
        Audience::Citizen => citizen_claims(&state, &form, fault, &mut claims),
        Audience::Staff => staff_claims(&state, &form, fault, &mut claims),
    };
    let subject = match subject {
        Ok(subject) => subject,
        Err(problem) => {
            return page::login(
                &state,
                audience,
                p,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
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

/// A citizen's claims as chosen on the form, bent by `fault`: the `sub`, or what the tester
/// should correct.
fn citizen_claims(
    state: &AppState,
    form: &LoginForm,
    fault: Fault,
    claims: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<String, &'static str> {
    let chosen = match form.persoon.as_deref() {
        Some("anders") | None => form.bsn.clone().unwrap_or_default(),
        Some(bsn) => bsn.to_owned(),
    };
    let bsn = Bsn::parse(&chosen).map_err(|e| match e {
        crate::identity::BsnError::Length => {
            "Een BSN bestaat uit 9 cijfers. Vul het BSN opnieuw in."
        }
        crate::identity::BsnError::Checksum => {
            "Dit BSN bestaat niet: het voldoet niet aan de 11-proef. Controleer het nummer."
        }
    })?;
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
        insert_at(claims, &state.settings.oidc.bsn_claim, value.into());
    }
    // A machtiging: the login is the representative's; the represented person and the mandate
    // go where the portal is configured to read them, as the NL GOV profile's `represents`.
    let namens = form.namens.as_deref().map(str::trim).unwrap_or("");
    if !namens.is_empty() {
        let represented = Bsn::parse(namens).map_err(
            |_| "Het BSN van wie u machtigde is niet geldig: het voldoet niet aan de 11-proef.",
        )?;
        let oidc = &state.settings.oidc;
        insert_at(
            claims,
            &oidc.represented_claim,
            serde_json::json!({
                "sub": represented.expose(),
                "sub_id_type": "urn:nl-eid-gdi:1.0:id:BSN",
            }),
        );
        if oidc.acting_claim != oidc.bsn_claim {
            insert_at(claims, &oidc.acting_claim, bsn.expose().into());
        }
        let service = form.dienst.as_deref().map(str::trim).unwrap_or("");
        if !service.is_empty() {
            insert_at(claims, &oidc.mandate_claim, service.into());
        }
    }
    // `sub` is opaque and per client, as with a real broker: never the BSN.
    Ok(sha256_hex(&format!(
        "digid-sub:{}:{}",
        form.params.client_id.as_deref().unwrap_or(""),
        bsn.expose()
    )))
}

/// A demo staff member's claims (name, e-mail, roles): the `sub`, or what the tester should
/// correct.
fn staff_claims(
    state: &AppState,
    form: &LoginForm,
    fault: Fault,
    claims: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<String, &'static str> {
    let Some(person) = personas::STAFF
        .iter()
        .find(|s| Some(s.subject) == form.medewerker.as_deref())
    else {
        return Err("Kies een medewerker.");
    };
    claims.insert("name".to_owned(), person.name.into());
    claims.insert("email".to_owned(), person.email.into());
    let roles: Vec<serde_json::Value> = person.roles.iter().map(|r| r.as_str().into()).collect();
    insert_at(claims, &state.settings.staff_oidc.roles_claim, roles.into());
    // The municipality's provider asked for a second factor, unless the tester said otherwise.
    let amr: &[&str] = if fault == Fault::NoSecondFactor {
        &["pwd"]
    } else {
        &["pwd", "mfa"]
    };
    claims.insert("amr".to_owned(), amr.to_vec().into());
    Ok(person.subject.to_owned())
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
