//! The test harness: the real application on a random port against a fresh database, SQLite
//! always and PostgreSQL when `INZAGE_TEST_DATABASE_URL` is set; and a small browser that keeps
//! cookies by hand so every `Set-Cookie` can be inspected.

#![allow(dead_code)]

pub mod smtp;

use std::collections::BTreeMap;

use reqwest::{Response, StatusCode, header};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait};
use server::{AppState, config::Settings, entities::sessions, platform::db};

/// Which database a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body on SQLite and, when configured, on PostgreSQL.
#[macro_export]
macro_rules! db_test {
    ($name:ident, $body:path) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $body(
                    $crate::support::spawn_app($crate::support::Backend::Sqlite)
                        .await
                        .unwrap(),
                )
                .await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::support::spawn_app_if_postgres().await {
                    $body(app).await;
                }
            }
        }
    };
}

/// A running application.
pub struct TestApp {
    pub base: String,
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub smtp: smtp::SmtpSink,
    cleanup: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// The PostgreSQL variant, or `None` (and a note) when no PostgreSQL is configured.
pub async fn spawn_app_if_postgres() -> Option<TestApp> {
    match std::env::var("INZAGE_TEST_DATABASE_URL") {
        Ok(_) => Some(
            spawn_app(Backend::Postgres)
                .await
                .expect("spawning on PostgreSQL"),
        ),
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but INZAGE_TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI"
            );
            eprintln!("INZAGE_TEST_DATABASE_URL not set: PostgreSQL variant skipped");
            None
        }
    }
}

async fn fresh_postgres() -> anyhow::Result<(String, String, String)> {
    let admin_url = std::env::var("INZAGE_TEST_DATABASE_URL")?;
    let admin = Database::connect(&admin_url).await?;
    let name = format!("inzage_t_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    let mut url = url::Url::parse(&admin_url)?;
    url.set_path(&format!("/{name}"));
    Ok((url.to_string(), admin_url, name))
}

/// Starts the real router on 127.0.0.1 with a random port and a fresh, migrated database.
pub async fn spawn_app(backend: Backend) -> anyhow::Result<TestApp> {
    let dir = tempfile::tempdir()?;
    let (database_url, cleanup) = match backend {
        Backend::Sqlite => (
            format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("inzage.db").display()
            ),
            None,
        ),
        Backend::Postgres => {
            let (url, admin, name) = fresh_postgres().await?;
            (url, Some((admin, name)))
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let mut settings = Settings {
        database_url: database_url.clone(),
        public_base_url: base.clone(),
        listen_addr: listener.local_addr()?,
        ..Settings::default()
    };
    settings.oidc.issuer_url = format!("{base}/dev/digid");
    settings.staff_oidc.issuer_url = format!("{base}/dev/digid");
    settings.dev_idp.enabled = true;
    let smtp = smtp::SmtpSink::start().await;
    settings.mail.transport = server::config::MailTransportKind::Smtp;
    settings.mail.smtp_host = "127.0.0.1".to_owned();
    settings.mail.smtp_port = smtp.port;
    settings.mail.smtp_tls = server::config::SmtpTls::None;
    settings.mail.retry_base_seconds = 1;
    settings.mail.retry_max_seconds = 1;
    settings.mail.max_attempts = 3;
    settings.validate()?;

    let db = db::connect(&database_url).await?;
    db::migrate(&db).await?;
    let vault =
        server::platform::crypto::Vault::new(&settings.secrets).map_err(anyhow::Error::msg)?;
    server::identity::people::seed_demo(&db, &vault).await?;
    let options = leptos::config::LeptosOptions::builder()
        .output_name("inzage")
        .site_root(dir.path().display().to_string())
        .build();
    let state = AppState::new(settings.clone(), db.clone(), options).await?;
    let app = server::http::router(state);
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("test server");
    });
    Ok(TestApp {
        base,
        db,
        settings,
        smtp,
        cleanup,
        _dir: dir,
    })
}

impl TestApp {
    /// A fresh browser for this app.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A mail worker against this app's database and SMTP server.
    pub fn worker(&self, id: &str) -> server::mail::worker::Worker {
        server::mail::worker::Worker::new(self.db.clone(), &self.settings.mail, id).unwrap()
    }

    /// Runs one worker until nothing is due.
    pub async fn deliver_due_mail(&self) {
        let worker = self.worker("test");
        while worker.work_once().await.unwrap() != server::mail::worker::Round::Idle {}
    }

    /// Rows in `sessions`.
    pub async fn session_count(&self) -> u64 {
        sessions::Entity::find().count(&self.db).await.unwrap()
    }

    /// Drops the PostgreSQL database of this test.
    pub async fn finish(self) {
        if let Some((admin_url, name)) = &self.cleanup {
            self.db.clone().close().await.ok();
            if let Ok(admin) = Database::connect(admin_url).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
            }
        }
    }
}

/// A cookie as the server set it.
#[derive(Clone, Debug)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    pub attributes: String,
}

/// Just enough browser: follows nothing by itself, keeps cookies, sends an Origin on POST.
pub struct Browser {
    pub base: String,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub set_cookies: Vec<SetCookie>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            set_cookies: Vec::new(),
        }
    }

    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, response: &Response) {
        for value in response.headers().get_all(header::SET_COOKIE) {
            let raw = value.to_str().unwrap().to_owned();
            let (pair, attributes) = raw.split_once(';').unwrap_or((&raw, ""));
            let (name, value) = pair.split_once('=').unwrap();
            let expired = attributes.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            if expired {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            self.set_cookies.push(SetCookie {
                name: name.to_owned(),
                value: value.to_owned(),
                attributes: attributes.to_owned(),
            });
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let response = self
            .client
            .get(self.url(path))
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Response {
        let origin = self.base.clone();
        self.post_with_origin(path, form, Some(&origin)).await
    }

    pub async fn post_with_origin(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .post(self.url(path))
            .header(header::COOKIE, self.cookie_header())
            .form(form);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let response = request.send().await.unwrap();
        self.remember(&response);
        response
    }
}

/// The `Location` of a redirect, asserting it is one.
pub fn location(response: &Response) -> String {
    assert!(
        response.status().is_redirection(),
        "expected a redirect, got {} for {}",
        response.status(),
        response.url()
    );
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

/// Login choices at the stand-in.
pub struct Login<'a> {
    pub persoon: &'a str,
    pub bsn: &'a str,
    pub niveau: &'a str,
    pub fout: &'a str,
    pub actie: &'a str,
}

impl Default for Login<'_> {
    fn default() -> Self {
        Self {
            persoon: "999993653",
            bsn: "",
            niveau: "substantieel",
            fout: "none",
            actie: "inloggen",
        }
    }
}

/// Starts a login at `start`, fills the stand-in's form with `choices` and returns the
/// stand-in's answer (a redirect to the callback, or the form again with an error).
pub async fn submit_at_stand_in(
    browser: &mut Browser,
    start: &str,
    choices: &[(&str, &str)],
) -> Response {
    let to_idp = location(&browser.get(start).await);
    assert!(to_idp.contains("/dev/digid/authorize?"), "{to_idp}");
    assert!(
        to_idp.contains("code_challenge_method=S256"),
        "PKCE S256: {to_idp}"
    );
    assert_eq!(browser.get(&to_idp).await.status(), StatusCode::OK);
    let query: Vec<(String, String)> = url::Url::parse(&to_idp)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let mut form: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.extend_from_slice(choices);
    browser.post("/dev/digid/authorize", &form).await
}

/// Runs a citizen login through the stand-in up to the portal's answer to the callback.
pub async fn citizen_login(browser: &mut Browser, login: Login<'_>) -> Response {
    let choices = [
        ("persoon", login.persoon),
        ("bsn", login.bsn),
        ("niveau", login.niveau),
        ("fout", login.fout),
        ("actie", login.actie),
    ];
    let back = submit_at_stand_in(browser, "/inloggen", &choices).await;
    if !back.status().is_redirection() {
        return back;
    }
    let callback = location(&back);
    browser.get(&callback).await
}

/// Runs a staff login through the stand-in up to the portal's answer to the callback.
pub async fn staff_login(browser: &mut Browser, subject: &str, fout: &str) -> Response {
    let choices = [
        ("medewerker", subject),
        ("fout", fout),
        ("actie", "inloggen"),
    ];
    let back = submit_at_stand_in(browser, "/backoffice/inloggen", &choices).await;
    let callback = location(&back);
    browser.get(&callback).await
}
