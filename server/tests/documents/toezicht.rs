//! The privacy officer's oversight: what the demo hides is found, each CSV export holds the rows
//! on screen, and nobody else gets in.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use server::entities::{personal_data_records, retention_counts};
use types::{DeadlineState, DisclosureProblem, OversightTable};

use super::{collapse, page_text};
use crate::support::{
    TestApp,
    demo::{EVA, FATIMA, PRIVACY_OFFICER, seed_demo_with_requests},
    location,
};

/// Parses our CSV (RFC 4180 quoting, CRLF rows).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) => quoted = true,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    rows
}

pub(super) async fn the_privacy_officer_sees_what_the_demo_hides(app: TestApp) {
    seed_demo_with_requests(&app).await;
    let mut officer = app.staff(PRIVACY_OFFICER).await;
    let response = officer.get("/backoffice/toezicht").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let text = page_text(&html);

    let view = server::oversight::toezicht::view(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    // The demo's overdue request, its records past retention and its disclosure without a basis.
    assert!(view.overdue >= 1, "{view:?}");
    let overdue = view
        .requests
        .iter()
        .find(|r| r.state == DeadlineState::Overdue)
        .unwrap();
    assert!(html.contains(&format!("/backoffice/verzoeken/{}", overdue.reference)));
    assert!(!view.retention.is_empty());
    assert!(
        view.disclosures
            .iter()
            .any(|d| d.recipient == "Sociale Verzekeringsbank (SVB)"
                && d.problem == DisclosureProblem::NoBasis),
        "{:?}",
        view.disclosures
    );
    assert!(
        view.unlinked_views
            .iter()
            .any(|v| v.staff == "medewerker W-1077"),
        "{:?}",
        view.unlinked_views
    );
    assert!(
        !view
            .unlinked_views
            .iter()
            .any(|v| v.staff == "medewerker W-1042")
    );
    assert!(html.contains("data-testid=\"chart-on-time\"") && html.contains("<svg"));
    // Past retention, counted straight from the records.
    let today = server::rights::deadlines::received_on(chrono::Utc::now());
    let past = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::RetentionUntil.lt(today))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(
        view.retention.iter().map(|r| r.records as u64).sum::<u64>(),
        past
    );

    // Each CSV export holds exactly the rows of its table on screen.
    for table in OversightTable::ALL {
        let response = officer
            .get(&format!("/backoffice/toezicht/csv/{table}"))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{table}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let csv = parse_csv(&response.text().await.unwrap());
        let expected = server::oversight::toezicht::rows(&view, table, app::i18n::Locale::Nl);
        assert_eq!(csv, expected, "{table}");
        // The demo restricts nothing before its sources report, so that table is filled by
        // `sources::restricted_processing` instead.
        assert!(
            csv.len() > 1 || matches!(table, OversightTable::Months | OversightTable::Restricted),
            "{table} is empty"
        );
        // An empty table shows "Niets gevonden." instead of its header.
        for row in csv.iter().filter(|_| csv.len() > 1) {
            let line = collapse(&row.join(" "));
            assert!(text.contains(&line), "{table}: screen lacks {line:?}");
        }
    }

    // The daily count: made once a day by whichever instance comes first, then read instead of
    // counted again. Before it is made, the view counts itself and says nothing about when.
    use server::oversight::toezicht::{RetentionCount, count_retention_if_due};
    let now = chrono::Utc::now();
    assert!(view.retention_counted_at.is_none());
    assert!(!text.contains("Geteld op"));
    assert!(count_retention_if_due(&app.db, now).await.unwrap());
    assert!(!count_retention_if_due(&app.db, now).await.unwrap());
    let stored = retention_counts::Entity::find_by_id(today)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut counts: Vec<RetentionCount> = serde_json::from_str(&stored.figures).unwrap();
    assert_eq!(counts.iter().map(|c| c.records as u64).sum::<u64>(), past);
    // What Toezicht shows is the stored row, not a new count: change the row and it follows.
    counts[0].records += 1000;
    retention_counts::Entity::update_many()
        .col_expr(
            retention_counts::Column::Figures,
            Expr::value(serde_json::to_string(&counts).unwrap()),
        )
        .filter(retention_counts::Column::Day.eq(today))
        .exec(&app.db)
        .await
        .unwrap();
    let counted = server::oversight::toezicht::view(&app.db, now)
        .await
        .unwrap();
    assert_eq!(
        counted
            .retention
            .iter()
            .map(|r| r.records as u64)
            .sum::<u64>(),
        past + 1000
    );
    let text = page_text(
        &officer
            .get("/backoffice/toezicht")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(text.contains("Geteld op"), "{text}");
    assert!(text.contains(&(counts[0].records).to_string()));
    // The next day has no count yet: counted on the spot again, so never a stale day.
    let tomorrow = server::oversight::toezicht::view(&app.db, now + chrono::Duration::days(1))
        .await
        .unwrap();
    assert!(tomorrow.retention_counted_at.is_none());
    assert!(
        tomorrow
            .retention
            .iter()
            .map(|r| r.records as u64)
            .sum::<u64>()
            >= past
    );

    // Read-only, and only for the privacy officer.
    let mut handler = app.staff(EVA).await;
    assert_eq!(
        location(&handler.get("/backoffice/toezicht").await),
        "/backoffice"
    );
    assert_eq!(
        handler
            .get("/backoffice/toezicht/csv/verzoeken")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let mut citizen = app.citizen(FATIMA).await;
    assert_eq!(
        location(&citizen.get("/backoffice/toezicht").await),
        "/overzicht"
    );
    assert!(
        citizen
            .get("/backoffice/toezicht/csv/verzoeken")
            .await
            .status()
            .is_redirection()
    );
    app.finish().await;
}
