//! The citizen's own data: the overview, "Mijn gegevens", "Gedeeld met", "Wie gebruikte mijn
//! gegevens" and consents as pages; withdrawing a consent; downloading everything shown.

use axum::{
    Form,
    body::Body,
    extract::{Request, State},
    response::{IntoResponse, Redirect, Response},
};

use crate::{
    AppState,
    http::{
        errors::failure,
        extractors::{Citizen, Download, Lenient},
        render,
        support::attachment,
    },
    transparency,
};
use app::models::PageData;
use types::Notice;

/// `GET /overzicht`.
pub async fn overview_page(
    State(state): State<AppState>,
    citizen: Citizen,
    request: Request<Body>,
) -> Response {
    let page = transparency::overview(&state.db, citizen.id, citizen.visibility)
        .await
        .map(PageData::Overview);
    render::page(&state, request, page).await
}

/// `GET /mijn-gegevens?bron=…&pagina=…`.
pub async fn my_data_page(
    State(state): State<AppState>,
    citizen: Citizen,
    Lenient(params): Lenient<transparency::MyDataParams>,
    request: Request<Body>,
) -> Response {
    let page = transparency::my_data_page(&state.db, citizen.id, citizen.visibility, &params)
        .await
        .map(PageData::MyData);
    render::page(&state, request, page).await
}

/// `GET /gedeeld?ontvanger=…&van=…&tot=…`.
pub async fn shared_page(
    State(state): State<AppState>,
    citizen: Citizen,
    Lenient(filter): Lenient<transparency::SharedFilter>,
    request: Request<Body>,
) -> Response {
    let page = transparency::shared(&state.db, citizen.id, citizen.visibility, &filter)
        .await
        .map(PageData::Shared);
    render::page(&state, request, page).await
}

/// `GET /gebruik?van=…&tot=…`.
pub async fn usage_page(
    State(state): State<AppState>,
    citizen: Citizen,
    Lenient(filter): Lenient<transparency::SharedFilter>,
    request: Request<Body>,
) -> Response {
    let processor = format!("Inzage, {}", state.settings.municipality_name);
    let page = transparency::usage(
        &state.db,
        citizen.id,
        citizen.visibility,
        &filter,
        &processor,
        citizen.acting.is_some(),
    )
    .await
    .map(PageData::Usage);
    render::page(&state, request, page).await
}

/// `GET /toestemmingen`.
pub async fn consents_page(
    State(state): State<AppState>,
    citizen: Citizen,
    request: Request<Body>,
) -> Response {
    let page = transparency::consents_view(&state.db, citizen.id, None)
        .await
        .map(PageData::Consents);
    render::page(&state, request, page).await
}

/// Which consent the confirmation page asks about.
#[derive(serde::Deserialize, Default)]
pub struct ConfirmQuery {
    id: Option<i64>,
}

/// `GET /toestemmingen/intrekken?id=…`: "are you sure?" for one of the citizen's own consents.
pub async fn confirm_withdrawal_page(
    State(state): State<AppState>,
    citizen: Citizen,
    Lenient(query): Lenient<ConfirmQuery>,
    request: Request<Body>,
) -> Response {
    let page = transparency::consents_view(&state.db, citizen.id, query.id)
        .await
        .map(PageData::Consents);
    render::page(&state, request, page).await
}

/// The confirmation form.
#[derive(serde::Deserialize)]
pub struct WithdrawForm {
    id: String,
}

fn consents_with(notice: Notice) -> Response {
    Redirect::to(&format!("/toestemmingen?melding={notice}")).into_response()
}

/// `POST /toestemmingen/intrekken`: withdraws one of the citizen's own consents at once.
pub async fn withdraw_consent(
    State(state): State<AppState>,
    citizen: Citizen,
    Form(form): Form<WithdrawForm>,
) -> Response {
    let citizen_id = citizen.id;
    let Ok(consent_id) = form.id.trim().parse::<i64>() else {
        return consents_with(Notice::Unknown);
    };
    match transparency::withdraw_consent(&state.db, citizen_id, consent_id).await {
        Ok(true) => consents_with(Notice::Withdrawn),
        // Someone else's consent looks exactly like one that does not exist.
        Ok(false) => consents_with(Notice::Unknown),
        Err(e) => failure(e),
    }
}

/// `GET /mijn-gegevens/download.json`: everything the citizen sees, for reuse.
pub async fn download_json(
    State(state): State<AppState>,
    Download(citizen): Download<Citizen>,
) -> Response {
    let citizen_id = citizen.id;
    let visibility = citizen.visibility;
    let result = async {
        let (data, shared) =
            transparency::my_data_and_shared(&state.db, citizen_id, visibility).await?;
        let consents = transparency::consents_view(&state.db, citizen_id, None).await?;
        let log = transparency::logboek(&state.db, citizen_id, visibility).await?;
        Ok::<_, sea_orm::DbErr>(serde_json::json!({
            "municipality": state.settings.municipality_name,
            "generated_at": chrono::Utc::now(),
            "records": data.domains,
            "withheld_for_level": data.withheld_for_level + shared.withheld_for_level,
            "disclosures": shared.disclosures,
            "consents": { "active": consents.active, "withdrawn": consents.withdrawn },
            "processing_log": log,
        }))
    }
    .await;
    match result {
        Ok(json) => attachment(
            "application/json",
            "mijn-gegevens.json",
            match serde_json::to_string_pretty(&json) {
                Ok(text) => text,
                Err(e) => return failure(e),
            },
        ),
        Err(e) => failure(e),
    }
}

/// A CSV field, quoted when needed, and defused against formula injection in spreadsheets.
pub(crate) fn csv_field(value: &str) -> String {
    // A number (a negative one included) is never a formula; anything else starting like one is.
    let number = value.parse::<f64>().is_ok();
    let value = if !number && value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// One CSV line (with its CRLF) of defused fields.
pub(crate) fn csv_line<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut line = fields
        .into_iter()
        .map(csv_field)
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// `GET /mijn-gegevens/download.csv`: the records, one per row.
pub async fn download_csv(
    State(state): State<AppState>,
    Download(citizen): Download<Citizen>,
) -> Response {
    let citizen_id = citizen.id;
    let visibility = citizen.visibility;
    match transparency::my_data(&state.db, citizen_id, visibility).await {
        Ok(data) => {
            let mut out = String::from(
                "onderwerp,systeem,gegeven,waarde,categorie,verwerking,doel,grondslag,bewaard_tot,bewaarregel,vastgelegd_op,vastgelegd_door,bijzonder,beperkt_door\r\n",
            );
            for domain in &data.domains {
                for group in &domain.sources {
                    for r in &group.records {
                        let fields = [
                            domain.domain.as_str(),
                            group.source.as_str(),
                            r.label.as_str(),
                            r.value.as_str(),
                            r.category.as_str(),
                            r.activity.as_str(),
                            r.purpose.as_str(),
                            r.legal_basis_text.as_str(),
                            r.retention_until.as_deref().unwrap_or(""),
                            r.retention_rule.as_str(),
                            r.recorded_at.as_str(),
                            r.recorded_by.as_str(),
                            if r.special { "ja" } else { "nee" },
                            // A restriction from before its request was recorded: "ja".
                            match r.restricted_by.as_deref() {
                                Some("") => "ja",
                                Some(by) => by,
                                None => "",
                            },
                        ];
                        out.push_str(&csv_line(fields));
                    }
                }
            }
            attachment("text/csv; charset=utf-8", "mijn-gegevens.csv", out)
        }
        Err(e) => failure(e),
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("gewoon"), "gewoon");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("zeg \"hoi\""), "\"zeg \"\"hoi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
