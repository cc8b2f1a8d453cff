//! The stand-in's own pages. Dutch only, like the service it imitates; plain HTML forms, no
//! script, the portal's stylesheet.

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::{AuthorizeParams, Fault, personas};
use crate::{AppState, identity::AssuranceLevel, identity::oidc::Audience};

fn document(state: &AppState, title: &str, body: &str, status: StatusCode) -> Response {
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — DigiD (nagebootst)</title>
{stylesheets}
</head>
<body class="{theme_class} min-h-screen bg-white text-ink">
<header class="border-b-4 border-digid bg-white">
  <div class="mx-auto max-w-2xl px-4 py-4">
    <p class="text-xl font-bold text-digid">DigiD <span class="text-base font-normal text-ink">— nagebootst voor ontwikkeling en tests</span></p>
  </div>
</header>
<main id="inhoud" class="mx-auto max-w-2xl px-4 py-8">
<div class="notice mb-6"><p>Dit is niet de echte DigiD. Deze testomgeving bootst DigiD na. Vul nooit uw echte gegevens in.</p></div>
{body}
</main>
</body>
</html>"#,
        title = text(title),
        stylesheets = crate::http::assets::stylesheet_links(state),
        theme_class = state.theme.class_name,
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

fn hidden_params(p: &AuthorizeParams) -> String {
    let fields = [
        ("response_type", &p.response_type),
        ("client_id", &p.client_id),
        ("redirect_uri", &p.redirect_uri),
        ("scope", &p.scope),
        ("state", &p.state),
        ("nonce", &p.nonce),
        ("code_challenge", &p.code_challenge),
        ("code_challenge_method", &p.code_challenge_method),
    ];
    fields
        .iter()
        .filter_map(|(name, value)| {
            value
                .as_ref()
                .map(|v| format!(r#"<input type="hidden" name="{name}" value="{}">"#, attr(v)))
        })
        .collect()
}

fn fault_select() -> String {
    let options: String = Fault::ALL
        .iter()
        .map(|(fault, label)| {
            format!(
                r#"<option value="{}">{}</option>"#,
                fault.as_str(),
                text(label)
            )
        })
        .collect();
    format!(
        r#"<div class="field">
  <label for="fout">Testscenario (alleen voor tests)</label>
  <select class="utrecht-select utrecht-select--html-select" id="fout" name="fout">{options}</select>
</div>"#
    )
}

/// The login page for a citizen (DigiD) or a staff member, with an optional error.
pub fn login(
    state: &AppState,
    audience: Audience,
    params: &AuthorizeParams,
    problem: Option<&str>,
    status: StatusCode,
) -> Response {
    let error = problem
        .map(|p| {
            format!(
                r#"<div class="notice-error mb-6" role="alert" id="fout-melding"><p>{}</p></div>"#,
                text(p)
            )
        })
        .unwrap_or_default();
    let described = if problem.is_some() {
        r#" aria-describedby="fout-melding" aria-invalid="true""#
    } else {
        ""
    };
    let (title, fields) = match audience {
        Audience::Citizen => {
            let people: String = personas::CITIZENS
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    format!(
                        r#"<div class="choice"><input class="utrecht-radio-button utrecht-radio-button--html-input" type="radio" id="persoon-{i}" name="persoon" value="{bsn}"{checked}><label for="persoon-{i}">{name} <span class="text-sm">(BSN {bsn}, {about})</span></label></div>"#,
                        bsn = c.bsn,
                        name = text(c.name),
                        about = text(c.about),
                        checked = if i == 0 && problem.is_none() { " checked" } else { "" },
                    )
                })
                .collect();
            let levels: String = AssuranceLevel::ALL
                .iter()
                .map(|l| {
                    let name = match l {
                        AssuranceLevel::Basis => "Basis (gebruikersnaam en wachtwoord)",
                        AssuranceLevel::Midden => "Midden (DigiD app of sms-controle)",
                        AssuranceLevel::Substantieel => "Substantieel (DigiD app met ID-check)",
                        AssuranceLevel::Hoog => "Hoog (identiteitsbewijs met chip)",
                    };
                    let selected = if *l == AssuranceLevel::Substantieel {
                        " selected"
                    } else {
                        ""
                    };
                    format!(
                        r#"<option value="{}"{selected}>{name}</option>"#,
                        l.as_str()
                    )
                })
                .collect();
            (
                "Inloggen bij DigiD",
                format!(
                    r#"<fieldset class="field">
  <legend>Kies een testpersoon</legend>
  {people}
  <div class="choice"><input class="utrecht-radio-button utrecht-radio-button--html-input" type="radio" id="persoon-anders" name="persoon" value="anders"{other_checked}><label for="persoon-anders">Ander BSN</label></div>
</fieldset>
<div class="field">
  <label for="bsn">BSN (als u 'Ander BSN' kiest)</label>
  <input class="utrecht-textbox utrecht-textbox--html-input" id="bsn" name="bsn" inputmode="numeric" autocomplete="off"{described}>
</div>
<div class="field">
  <label for="niveau">Betrouwbaarheidsniveau</label>
  <select class="utrecht-select utrecht-select--html-select" id="niveau" name="niveau">{levels}</select>
</div>
<fieldset class="field">
  <legend>Machtiging (DigiD Machtigen)</legend>
  <p class="text-sm">Inloggen namens iemand die u heeft gemachtigd. Laat leeg voor uw eigen zaken.</p>
  <div class="field">
    <label for="namens">Namens (BSN van wie u machtigde)</label>
    <select class="utrecht-select utrecht-select--html-select" id="namens" name="namens"><option value="">Niet namens iemand anders</option>{represented}</select>
  </div>
  <div class="field">
    <label for="dienst">Dienst van de machtiging</label>
    <input class="utrecht-textbox utrecht-textbox--html-input" id="dienst" name="dienst" value="urn:nl-eid-gdi:1.0:DV:00000001234567890000:services:0001" autocomplete="off">
  </div>
</fieldset>"#,
                    represented = personas::CITIZENS
                        .iter()
                        .map(|c| format!(
                            r#"<option value="{bsn}">{name} (BSN {bsn})</option>"#,
                            bsn = c.bsn,
                            name = text(c.name)
                        ))
                        .collect::<String>(),
                    other_checked = if problem.is_some() { " checked" } else { "" },
                ),
            )
        }
        Audience::Staff => {
            let staff: String = personas::STAFF
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let roles: Vec<&str> = s.roles.iter().map(|r| r.as_str()).collect();
                    let roles = if roles.is_empty() { "geen rollen".to_owned() } else { roles.join(", ") };
                    format!(
                        r#"<div class="choice"><input class="utrecht-radio-button utrecht-radio-button--html-input" type="radio" id="medewerker-{i}" name="medewerker" value="{sub}"{checked}><label for="medewerker-{i}">{name} <span class="text-sm">({roles})</span></label></div>"#,
                        sub = s.subject,
                        name = text(s.name),
                        roles = text(&roles),
                        checked = if i == 0 { " checked" } else { "" },
                    )
                })
                .collect();
            (
                "Inloggen voor medewerkers",
                format!(
                    r#"<fieldset class="field">
  <legend>Kies een testmedewerker</legend>
  {staff}
</fieldset>"#
                ),
            )
        }
    };
    let body = format!(
        r#"<h1>{title}</h1>
<nav aria-label="Soort login" class="tabs mb-6"><span aria-current="page">{tab}</span></nav>
{error}
<form method="post" action="/dev/digid/authorize" novalidate>
{hidden}
{fields}
{faults}
<div class="mt-6 flex flex-wrap gap-4">
  <button type="submit" name="actie" value="inloggen" class="nl-button nl-button--primary">Inloggen</button>
  <button type="submit" name="actie" value="annuleren" class="nl-button nl-button--secondary">Annuleren</button>
</div>
</form>"#,
        title = text(title),
        tab = match audience {
            Audience::Citizen => "Burger (DigiD)",
            Audience::Staff => "Medewerker (gemeente)",
        },
        hidden = hidden_params(params),
        faults = fault_select(),
    );
    document(state, title, &body, status)
}

/// A request the stand-in will not answer with a redirect.
pub fn error(state: &AppState, problem: &str) -> Response {
    let body = format!(
        r#"<h1>Inloggen niet mogelijk</h1><div class="notice-error" role="alert"><p>{}</p></div>"#,
        text(problem)
    );
    document(
        state,
        "Inloggen niet mogelijk",
        &body,
        StatusCode::BAD_REQUEST,
    )
}

/// After logout without a valid return address.
pub fn logged_out(state: &AppState) -> Response {
    document(
        state,
        "Uitgelogd",
        "<h1>U bent uitgelogd bij DigiD</h1><p>U kunt dit venster sluiten.</p>",
        StatusCode::OK,
    )
}
