//! Rate limits over HTTP: each guarded thing answers 429 with `Retry-After` and the translated
//! notice once its limit is reached, changes nothing, and leaves other people alone.

use reqwest::{StatusCode, header};
use server::{config::Settings, entities::citizen_contacts, sources::systems::SourceMode};

use crate::{
    db_test_with,
    support::{
        TestApp,
        api::source_with_token,
        demo::{FATIMA, HANS},
        location,
    },
};

fn tight(settings: &mut Settings) {
    settings.limits.login_per_minute = 3;
    settings.limits.email_code_per_minute = 2;
    settings.limits.pdf_per_minute = 2;
    settings.limits.api_per_minute = 2;
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds")
}

async fn login_starts_are_limited_per_address(app: TestApp) {
    let mut browser = app.browser();
    for _ in 0..3 {
        let start = browser.get("/inloggen").await;
        assert_eq!(start.status(), StatusCode::SEE_OTHER);
    }
    // The fourth start from this address, citizen or staff: the notice, in Dutch.
    for path in ["/inloggen", "/backoffice/inloggen"] {
        let refused = browser.get(path).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        let wait = retry_after(&refused);
        assert!((1..=60).contains(&wait), "{wait}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("data-testid=\"too-often\""), "{page}");
        assert!(page.contains("Even geduld") && page.contains(&format!("over {wait} seconden")));
        assert!(page.contains("<html lang=\"nl\""));
    }
    // In English for a browser that asks for it.
    browser.cookies.insert("inzage_taal".into(), "en".into());
    let refused = browser.get("/inloggen").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Please wait a moment")
    );
    app.finish().await;
}
db_test_with!(limits_login, login_starts_are_limited_per_address, tight);

async fn email_codes_are_limited_per_citizen(app: TestApp) {
    let mut fatima = app.citizen(FATIMA).await;
    let set = fatima
        .post("/instellingen/email", &[("email", "fatima@example.org")])
        .await;
    assert_eq!(location(&set), "/instellingen?melding=verstuurd");
    let wrong = fatima
        .post("/instellingen/bevestigen", &[("code", "AAAA-AAAA")])
        .await;
    assert_eq!(location(&wrong), "/instellingen?melding=code-onjuist");
    // Guessing on: refused before the code is even looked at, and nothing changes.
    let before = app.all::<citizen_contacts::Entity>().await;
    let refused = fatima
        .post("/instellingen/bevestigen", &[("code", "BBBB-BBBB")])
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    retry_after(&refused);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("data-testid=\"too-often\"")
    );
    assert_eq!(app.all::<citizen_contacts::Entity>().await, before);
    // Another citizen is not held back by Fatima's attempts.
    let mut hans = app.citizen(HANS).await;
    let set = hans
        .post("/instellingen/email", &[("email", "hans@example.org")])
        .await;
    assert_eq!(location(&set), "/instellingen?melding=verstuurd");
    app.finish().await;
}
db_test_with!(
    limits_email_code,
    email_codes_are_limited_per_citizen,
    tight
);

async fn pdf_downloads_are_limited_per_person(app: TestApp) {
    let mut fatima = app.citizen(FATIMA).await;
    let path = "/verzoeken/AVG-2026-999999/antwoord.pdf";
    for _ in 0..2 {
        let (status, _) = fatima.get_bytes(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let refused = fatima.get(path).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    retry_after(&refused);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("data-testid=\"too-often\"")
    );
    // Letters count towards the same allowance; others keep theirs.
    let letter = fatima
        .get("/verzoeken/AVG-2026-999999/brief/besluit.pdf")
        .await;
    assert_eq!(letter.status(), StatusCode::TOO_MANY_REQUESTS);
    let mut hans = app.citizen(HANS).await;
    let (status, _) = hans.get_bytes(path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.finish().await;
}
db_test_with!(limits_pdf, pdf_downloads_are_limited_per_person, tight);

async fn api_calls_are_limited_per_token(app: TestApp) {
    let wmo = source_with_token(&app, "Wmo", "Zorg", SourceMode::Managed, false).await;
    let jeugd = source_with_token(&app, "Jeugd", "Zorg", SourceMode::Managed, false).await;
    let client = reqwest::Client::new();
    let call = |token: &str| {
        client
            .get(format!("{}/api/v1/events", app.base))
            .bearer_auth(token)
            .send()
    };
    for _ in 0..2 {
        assert_eq!(call(&wmo.token).await.unwrap().status(), StatusCode::OK);
    }
    let refused = call(&wmo.token).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    retry_after(&refused);
    assert_eq!(
        refused.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(problem["status"], 429);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Nothing was written")
    );
    assert_eq!(call(&jeugd.token).await.unwrap().status(), StatusCode::OK);
    app.finish().await;
}
db_test_with!(limits_api, api_calls_are_limited_per_token, tight);
