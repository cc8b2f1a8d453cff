//! Integration tests, one binary: the real router over HTTP against real databases (login
//! through the DigiD stand-in, every fault mode, sessions, access rules, security headers, origin
//! checks, assets), mail over real SMTP, and the audit chain. Each runs on SQLite and, with
//! `INZAGE_TEST_DATABASE_URL`, on PostgreSQL.

// Tests: a failed step should stop the run loudly, so unwrap is the point here.
#![allow(clippy::unwrap_used)]

mod support;

mod api;
mod audit;
mod documents;
mod limits;
mod mail;
mod operations;
mod requests;
mod scale;
mod sources;
mod transparency;
mod vocabulary;

use reqwest::{StatusCode, header};
use support::{
    Login, TestApp, citizen_login,
    demo::{FATIMA, PRIVACY_OFFICER},
    get_json, location, staff_login, submit_at_stand_in,
};

const PAGES: &[&str] = &[
    "/",
    "/toegankelijkheid",
    "/privacy",
    "/uitgelogd",
    "/inloggen/mislukt?reden=geannuleerd",
    "/bestaat-niet",
];

async fn citizen_logs_in_sees_overview_and_logs_out(app: TestApp) {
    let mut browser = app.browser();
    // A session id planted before login must not survive it.
    browser
        .cookies
        .insert("__Host-inzage_sessie".into(), "geplant".into());

    let callback = citizen_login(&mut browser, Login::default()).await;
    assert_eq!(location(&callback), "/overzicht");
    let session = browser
        .set_cookies
        .iter()
        .rev()
        .find(|c| c.name == "__Host-inzage_sessie" && !c.value.is_empty())
        .expect("a session cookie")
        .clone();
    assert_ne!(session.value, "geplant");
    let attributes = session.attributes.to_ascii_lowercase();
    for flag in ["httponly", "secure", "samesite=lax", "path=/"] {
        assert!(
            attributes.contains(flag),
            "cookie lacks {flag}: {attributes}"
        );
    }
    assert!(
        !attributes.contains("domain="),
        "__Host- cookies have no Domain"
    );
    assert_eq!(app.session_count().await, 1);

    let overview = browser.get("/overzicht").await;
    assert_eq!(overview.status(), StatusCode::OK);
    assert_eq!(overview.headers()[header::CACHE_CONTROL], "no-store");
    let html = overview.text().await.unwrap();
    assert!(html.contains("Fatima el Amrani"), "name shown");
    assert!(html.contains("******653"), "masked BSN shown");
    assert!(!html.contains("999993653"), "full BSN never shown");
    assert!(html.contains("DigiD Substantieel"), "level shown");
    assert!(html.contains("Uitloggen"), "logout button");
    assert!(html.contains("session-time-left"), "session clock");

    // Logout ends the session here and goes through the provider's end-session endpoint.
    let logout = browser.post("/uitloggen", &[]).await;
    let end_session = location(&logout);
    assert!(
        end_session.starts_with(&format!("{}/dev/digid/end-session?", app.base)),
        "{end_session}"
    );
    assert!(end_session.contains("post_logout_redirect_uri="));
    assert!(end_session.contains("client_id="));
    // Nothing personal in the URL: no ID token (it carries the BSN) as a hint.
    assert!(!end_session.contains("id_token_hint"), "{end_session}");
    assert!(!end_session.contains("eyJ"), "no JWT in the URL");
    assert_eq!(app.session_count().await, 0);
    // Browsers only accept a `__Host-` removal that is itself Secure with Path=/.
    let removed = browser.set_cookies.iter().any(|c| {
        let flags = c.attributes.to_ascii_lowercase();
        c.name == "__Host-inzage_sessie"
            && c.value.is_empty()
            && flags.contains("secure")
            && flags.contains("max-age=0")
            && flags.contains("path=/")
    });
    assert!(removed, "logout sends a removal the browser accepts");
    let back = browser.get(&end_session).await;
    assert_eq!(location(&back), format!("{}/uitgelogd", app.base));
    let done = browser.get_text("/uitgelogd").await;
    assert!(done.contains("U bent uitgelogd bij Inzage en bij DigiD."));
    // When the provider could not be reached, the page does not claim DigiD is closed.
    let unsure = browser.get_text("/uitgelogd?digid=mogelijk-open").await;
    assert!(
        unsure.contains("uw DigiD-sessie is mogelijk nog open"),
        "{unsure}"
    );
    assert!(!unsure.contains("U bent uitgelogd bij Inzage en bij DigiD."));
    let after = browser.get("/overzicht").await;
    assert!(location(&after).starts_with('/'), "no access after logout");
    assert_ne!(location(&after), "/overzicht");
    app.finish().await;
}
db_test!(
    citizen_login_flow,
    citizen_logs_in_sees_overview_and_logs_out
);

async fn every_fault_mode_is_refused_without_a_session(app: TestApp) {
    let cases = [
        ("bad_signature", "mislukt"),
        ("alg_none", "mislukt"),
        ("wrong_issuer", "mislukt"),
        ("wrong_audience", "mislukt"),
        ("expired", "mislukt"),
        ("iat_future", "mislukt"),
        ("wrong_nonce", "mislukt"),
        ("unknown_kid", "mislukt"),
        ("missing_bsn", "mislukt"),
        ("bad_bsn", "mislukt"),
        ("level_too_low", "niveau"),
    ];
    for (fault, reason) in cases {
        let (mut browser, callback) = app
            .try_citizen_login(Login {
                fout: fault,
                ..Login::default()
            })
            .await;
        assert_eq!(
            location(&callback),
            format!("/inloggen/mislukt?reden={reason}"),
            "fault {fault}"
        );
        assert!(
            !browser
                .set_cookies
                .iter()
                .any(|c| c.name.contains("sessie")),
            "fault {fault} set a session cookie"
        );
        assert_eq!(
            app.session_count().await,
            0,
            "fault {fault} created a session"
        );
        let page = browser.get_text(&location(&callback)).await;
        assert!(page.contains("role=\"alert\""), "fault {fault}: error page");
    }
    // A level chosen too low at the stand-in is refused the same way.
    let (_, callback) = app
        .try_citizen_login(Login {
            niveau: "basis",
            ..Login::default()
        })
        .await;
    assert_eq!(location(&callback), "/inloggen/mislukt?reden=niveau");
    assert_eq!(app.session_count().await, 0);
    app.finish().await;
}
db_test!(fault_modes, every_fault_mode_is_refused_without_a_session);

async fn cancel_and_replay_and_foreign_browser_are_refused(app: TestApp) {
    let (mut browser, callback) = app
        .try_citizen_login(Login {
            actie: "annuleren",
            ..Login::default()
        })
        .await;
    assert_eq!(location(&callback), "/inloggen/mislukt?reden=geannuleerd");
    let page = browser
        .get_text("/inloggen/mislukt?reden=geannuleerd")
        .await;
    assert!(
        page.contains("U heeft het inloggen met DigiD geannuleerd."),
        "Logius' cancel wording"
    );

    // The same callback twice: the second is refused (state and code are single use).
    let mut browser = app.browser();
    let choices = [
        ("persoon", "162275869"),
        ("niveau", "hoog"),
        ("actie", "inloggen"),
    ];
    let callback_url = location(&submit_at_stand_in(&mut browser, "/inloggen", &choices).await);
    let login_cookie = browser.cookies.get("__Host-inzage_login").cloned().unwrap();
    assert_eq!(location(&browser.get(&callback_url).await), "/overzicht");
    browser
        .cookies
        .insert("__Host-inzage_login".into(), login_cookie);
    let mut other = app.browser();
    other.cookies = browser.cookies.clone();
    other
        .cookies
        .retain(|name, _| name != "__Host-inzage_sessie");
    assert_eq!(
        location(&other.get(&callback_url).await),
        "/inloggen/mislukt?reden=verlopen"
    );
    assert_eq!(app.session_count().await, 1);

    // A callback in a browser that did not start the login is refused.
    let mut starter = app.browser();
    let choices = [("persoon", "192285142"), ("actie", "inloggen")];
    let callback_url = location(&submit_at_stand_in(&mut starter, "/inloggen", &choices).await);
    let mut victim = app.browser();
    assert_eq!(
        location(&victim.get(&callback_url).await),
        "/inloggen/mislukt?reden=verlopen"
    );
    assert_eq!(app.session_count().await, 1);
    app.finish().await;
}
db_test!(
    cancel_replay_foreign,
    cancel_and_replay_and_foreign_browser_are_refused
);

async fn a_typed_bsn_is_checked_with_the_elfproef(app: TestApp) {
    let (_, response) = app
        .try_citizen_login(Login {
            persoon: "anders",
            bsn: "123456789",
            ..Login::default()
        })
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("11-proef"));

    let (mut browser, callback) = app
        .try_citizen_login(Login {
            persoon: "anders",
            bsn: "111222333",
            ..Login::default()
        })
        .await;
    assert_eq!(location(&callback), "/overzicht");
    let html = browser.get_text("/overzicht").await;
    assert!(html.contains("******333"));
    assert!(
        html.contains("Niet bekend bij de gemeente"),
        "a BSN without BRP record has no name"
    );
    app.finish().await;
}
db_test!(typed_bsn, a_typed_bsn_is_checked_with_the_elfproef);

async fn staff_reach_the_back_office_only_with_a_role(app: TestApp) {
    let mut handler = app.browser();
    let callback = staff_login(&mut handler, "mw-0001", "none").await;
    assert_eq!(location(&callback), "/backoffice");
    let html = handler.get_text("/backoffice").await;
    assert!(html.contains("Eva de Boer") && html.contains("Behandelaar"));
    // Staff do not see citizen pages.
    assert_eq!(location(&handler.get("/overzicht").await), "/backoffice");
    // Logout goes through the staff provider too.
    let end_session = location(&handler.post("/uitloggen", &[]).await);
    assert!(
        end_session.contains("client_id=inzage-backoffice"),
        "{end_session}"
    );

    let mut guest = app.browser();
    let callback = staff_login(&mut guest, "mw-0099", "none").await;
    assert_eq!(location(&callback), "/inloggen/mislukt?reden=geen-toegang");
    assert_eq!(app.session_count().await, 0);

    let mut forged = app.browser();
    let callback = staff_login(&mut forged, "mw-0003", "bad_signature").await;
    assert_eq!(location(&callback), "/inloggen/mislukt?reden=medewerker");

    // A password alone is not enough for the back office: the token must show a second factor.
    let mut password_only = app.browser();
    let callback = staff_login(&mut password_only, "mw-0001", "no_second_factor").await;
    assert_eq!(location(&callback), "/inloggen/mislukt?reden=tweede-factor");
    assert_eq!(app.session_count().await, 0);
    let page = password_only.get_text(&location(&callback)).await;
    assert!(
        page.contains("Inloggen met een tweede factor is nodig"),
        "{page}"
    );

    // Citizens and anonymous visitors do not reach the back office.
    let mut citizen = app.citizen(FATIMA).await;
    assert_eq!(location(&citizen.get("/backoffice").await), "/overzicht");
    let mut anonymous = app.browser();
    assert_eq!(location(&anonymous.get("/backoffice").await), "/");
    assert_eq!(location(&anonymous.get("/overzicht").await), "/");
    app.finish().await;
}
db_test!(staff_access, staff_reach_the_back_office_only_with_a_role);

async fn every_page_carries_the_security_headers(app: TestApp) {
    let mut browser = app.citizen(FATIMA).await;
    let mut paths: Vec<&str> = PAGES.to_vec();
    paths.extend(["/overzicht", "/healthz", "/.well-known/security.txt"]);
    for path in paths {
        let response = browser.get(path).await;
        let h = response.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        for directive in [
            "default-src 'none'",
            "script-src 'self' 'nonce-",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(
                csp.contains(directive),
                "{path}: CSP lacks {directive}: {csp}"
            );
        }
        assert!(!csp.contains("unsafe-inline"), "{path}");
        // No page loads WASM (the session clock is plain script): no eval of any kind.
        assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
        assert!(
            h[header::STRICT_TRANSPORT_SECURITY]
                .to_str()
                .unwrap()
                .starts_with("max-age="),
            "{path}"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{path}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
        if !path.starts_with("/.well-known") {
            assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path}");
        }
    }
    // The nonce differs per response.
    let a = csp_nonce(&browser.get("/").await);
    assert_ne!(a, csp_nonce(&browser.get("/").await));
    app.finish().await;
}
db_test!(security_headers, every_page_carries_the_security_headers);

/// The response's CSP nonce.
fn csp_nonce(response: &reqwest::Response) -> String {
    response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_owned()
}

/// The `<script>`s of a page: the `src` of each that loads a file, and the bytes of the inline
/// ones (Leptos' few bytes of streaming state), each of which must carry the response's nonce.
fn scripts(response: reqwest::Response) -> impl Future<Output = (Vec<String>, usize)> {
    let nonce = csp_nonce(&response);
    async move {
        let html = response.text().await.unwrap();
        let mut files = Vec::new();
        let mut inline = 0;
        for tag in html.split("<script").skip(1) {
            let (attributes, rest) = tag.split_once('>').unwrap();
            match attributes.split("src=\"").nth(1) {
                Some(src) => files.push(src[..src.find('"').unwrap()].to_owned()),
                None => {
                    assert!(
                        attributes.contains(&format!("nonce=\"{nonce}\"")),
                        "{attributes}"
                    );
                    inline += rest.find("</script>").unwrap();
                }
            }
        }
        (files, inline)
    }
}

async fn pages_load_only_the_small_session_clock(app: TestApp) {
    // Logged out: no script file.
    let mut anonymous = app.browser();
    for path in PAGES {
        let (files, _) = scripts(anonymous.get(path).await).await;
        assert_eq!(files, Vec::<String>::new(), "{path}");
    }
    let mut citizen = app.citizen(FATIMA).await;
    let mut officer = app.staff(PRIVACY_OFFICER).await;
    let mut loaded = Vec::new();
    let mut most_inline = 0;
    for (staff, path) in [
        (false, "/overzicht"),
        (false, "/mijn-gegevens"),
        (false, "/gedeeld"),
        (false, "/gebruik"),
        (false, "/toestemmingen"),
        (false, "/instellingen"),
        (false, "/verzoeken"),
        (false, "/verzoeken/nieuw"),
        (true, "/backoffice"),
        (true, "/backoffice/verzoeken"),
        (true, "/backoffice/toezicht"),
    ] {
        let browser = if staff { &mut officer } else { &mut citizen };
        let (files, inline) = scripts(browser.get(path).await).await;
        assert!(
            files.iter().all(|f| !f.starts_with("/pkg/")),
            "{path} loads WASM"
        );
        assert_eq!(files.len(), 1, "{path}: {files:?}");
        assert!(
            files[0].starts_with("/assets/session-clock-"),
            "{path}: {files:?}"
        );
        loaded.push(files[0].clone());
        most_inline = most_inline.max(inline);
    }
    loaded.dedup();
    assert_eq!(loaded.len(), 1, "one clock script for every page");
    let response = citizen.get(&loaded[0]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let h = response.headers();
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(
        h[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let body = response.bytes().await.unwrap();
    // The target is 15 KB brotli; uncompressed is the stricter bound.
    assert!(
        body.len() + most_inline <= 15_000,
        "{} bytes of clock, {most_inline} inline",
        body.len()
    );
    let stale = citizen
        .get("/assets/session-clock-0000000000000000.js")
        .await;
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
    app.finish().await;
}
db_test!(page_weight, pages_load_only_the_small_session_clock);

async fn state_changes_need_this_origin(app: TestApp) {
    let mut browser = app.citizen(FATIMA).await;
    for origin in [Some("https://evil.example"), None] {
        let response = browser.post_with_origin("/uitloggen", &[], origin).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "origin {origin:?}"
        );
        assert_eq!(
            app.session_count().await,
            1,
            "nothing changed for origin {origin:?}"
        );
    }
    assert_eq!(browser.get("/overzicht").await.status(), StatusCode::OK);
    // Fetch Metadata decides: a cross-site post is refused even with a null Origin, and a
    // same-origin post with the null Origin that `no-referrer` causes is accepted.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |site: &'static str, origin: &'static str| {
        client
            .post(format!("{}/taal", app.base))
            .header("sec-fetch-site", site)
            .header(header::ORIGIN, origin)
            .form(&[("taal", "en")])
            .send()
    };
    assert_eq!(
        post("cross-site", "null").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post("same-site", "null").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post("same-origin", "https://evil.example")
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post("same-origin", "null").await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    // GET does not log out.
    assert_eq!(
        browser.get("/uitloggen").await.status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(app.session_count().await, 1);
    app.finish().await;
}
db_test!(origin_check, state_changes_need_this_origin);

async fn language_health_and_assets(app: TestApp) {
    let mut browser = app.browser();
    let start = browser.get_text("/").await;
    assert!(
        start.contains("lang=\"nl\"")
            && start.contains("Inloggen met DigiD")
            && start.contains("Gemeente Voorbeeldstad")
    );
    let switched = browser
        .post("/taal", &[("taal", "en"), ("terug", "/privacy")])
        .await;
    assert_eq!(location(&switched), "/privacy");
    let english = browser.get_text("/").await;
    assert!(english.contains("lang=\"en\"") && english.contains("Log in with DigiD"));
    let evil = browser
        .post("/taal", &[("taal", "nl"), ("terug", "//evil.example")])
        .await;
    assert_eq!(location(&evil), "/");

    assert_eq!(browser.get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(browser.get_text("/readyz").await, "ok");
    let txt = browser.get_text("/.well-known/security.txt").await;
    assert!(txt.contains("Contact: ") && txt.contains("Expires: "));
    assert_eq!(
        browser.get("/bestaat-niet").await.status(),
        StatusCode::NOT_FOUND
    );

    // The theme's tokens come first, then the portal's stylesheet.
    let href = start
        .split("rel=\"stylesheet\" href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or(""))
        .find(|h| h.starts_with("/assets/"))
        .expect("the stylesheet link")
        .to_owned();
    assert!(
        href.starts_with("/assets/inzage-") && href.ends_with(".css"),
        "{href}"
    );
    let css = browser.get(&href).await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = css.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert!(css.text().await.unwrap().contains(".nl-button"));
    let client = reqwest::Client::new();
    let again = client
        .get(format!("{}{href}", app.base))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        browser.get("/assets/inzage-0000.css").await.status(),
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}
db_test!(language_health_assets, language_health_and_assets);

async fn the_stand_in_is_a_real_provider(app: TestApp) {
    let client = reqwest::Client::new();
    let discovery = get_json(&format!(
        "{}/dev/digid/.well-known/openid-configuration",
        app.base
    ))
    .await;
    assert_eq!(discovery["issuer"], format!("{}/dev/digid", app.base));
    assert_eq!(discovery["code_challenge_methods_supported"][0], "S256");
    let jwks = get_json(discovery["jwks_uri"].as_str().unwrap()).await;
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    // The key is kept: a second state on the same database serves the same kid.
    let options = leptos::config::LeptosOptions::builder()
        .output_name("inzage")
        .build();
    let second = server::AppState::new(app.settings.clone(), app.db.clone(), options)
        .await
        .unwrap();
    assert_eq!(
        second.dev_idp_key.as_ref().unwrap().kid,
        jwks["keys"][0]["kid"].as_str().unwrap()
    );
    // Unregistered redirect URIs get an error page, never a redirect.
    let mut browser = app.browser();
    let bad = browser.get("/dev/digid/authorize?response_type=code&client_id=inzage-portaal&redirect_uri=https://evil.example/cb&scope=openid&state=x&code_challenge=abc&code_challenge_method=S256").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    // A token request with a wrong secret is refused.
    let token = client
        .post(format!("{}/dev/digid/token", app.base))
        .basic_auth("inzage-portaal", Some("wrong"))
        .form(&[("grant_type", "authorization_code"), ("code", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::UNAUTHORIZED);
    app.finish().await;
}
db_test!(stand_in_provider, the_stand_in_is_a_real_provider);

/// Production mode with the stand-in on refuses to start and names the setting.
#[test]
fn production_with_the_stand_in_refuses_to_start() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_inzage"))
        .arg("serve")
        .env("INZAGE_CONFIG", "/nonexistent/inzage.toml")
        .env("INZAGE_MODE", "production")
        .env("INZAGE_DEV_IDP__ENABLED", "true")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("dev_idp.enabled"), "{stderr}");
}

async fn sessions_are_never_resurrected_or_invented(app: TestApp) {
    use tower_sessions::{
        SessionStore,
        session::{Id, Record},
    };
    let store = server::identity::sessions::DbSessionStore::new(app.db.clone());
    let mut record = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
            + tower_sessions::cookie::time::Duration::minutes(15),
    };
    store.create(&mut record).await.unwrap();
    assert_eq!(app.session_count().await, 1);
    // Logout deletes; a request that was in flight when it did must not write the row back.
    store.delete(&record.id).await.unwrap();
    store.save(&record).await.unwrap();
    assert_eq!(app.session_count().await, 0, "a deleted session came back");

    // A made-up session id in a cookie never becomes a row, on any route.
    let mut browser = app.browser();
    browser
        .cookies
        .insert("__Host-inzage_sessie".into(), Id::default().to_string());
    for path in ["/", "/healthz", "/privacy", "/overzicht"] {
        browser.get(path).await;
    }
    browser
        .post("/taal", &[("taal", "en"), ("terug", "/")])
        .await;
    assert_eq!(
        app.session_count().await,
        0,
        "an invented id created a session"
    );
    app.finish().await;
}
db_test!(session_store, sessions_are_never_resurrected_or_invented);
