//! The test harness: the real application on a random port against a fresh database, SQLite
//! always and PostgreSQL when `INZAGE_TEST_DATABASE_URL` is set; a small browser that keeps
//! cookies by hand so every `Set-Cookie` can be inspected; and the openings many tests share
//! (logging in, seeding the demo, walking a request to a state, calling the source API).

#![allow(dead_code)]

pub mod api;
pub mod browser;
pub mod demo;
pub mod login;
pub mod proxy;
pub mod rights;
pub mod smtp;

pub use browser::{Browser, location};
pub use login::{Login, citizen_login, staff_login, submit_at_stand_in};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait};
use server::{AppState, config::Settings, entities::sessions, platform::db};

/// GET a JSON document with a plain client (no cookies), as another server would fetch it.
pub async fn get_json(url: &str) -> serde_json::Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

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

/// [`db_test!`] with settings changed by `$adjust` (a `fn(&mut Settings)`).
#[macro_export]
macro_rules! db_test_with {
    ($name:ident, $body:path, $adjust:path) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $body(
                    $crate::support::spawn_app_with($crate::support::Backend::Sqlite, $adjust)
                        .await
                        .unwrap(),
                )
                .await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::support::postgres_configured() {
                    $body(
                        $crate::support::spawn_app_with(
                            $crate::support::Backend::Postgres,
                            $adjust,
                        )
                        .await
                        .unwrap(),
                    )
                    .await;
                }
            }
        }
    };
}

/// A running application.
pub struct TestApp {
    pub base: String,
    /// Where its `/metrics` answers (a listener apart from `base`).
    pub metrics_base: String,
    /// Each instance's own address (one, unless [`spawn_pair`] started two behind a proxy).
    pub instances: Vec<String>,
    /// Requests the proxy sent to each instance, when there is one.
    pub hits: Option<proxy::Hits>,
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub smtp: smtp::SmtpSink,
    cleanup: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// The PostgreSQL variant, or `None` (and a note) when no PostgreSQL is configured.
pub async fn spawn_app_if_postgres() -> Option<TestApp> {
    if postgres_configured() {
        Some(
            spawn_app(Backend::Postgres)
                .await
                .expect("spawning on PostgreSQL"),
        )
    } else {
        None
    }
}

/// Whether PostgreSQL tests run; in CI they must.
pub fn postgres_configured() -> bool {
    if std::env::var("INZAGE_TEST_DATABASE_URL").is_ok() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but INZAGE_TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI"
    );
    eprintln!("INZAGE_TEST_DATABASE_URL not set: PostgreSQL variant skipped");
    false
}

/// A new, empty PostgreSQL database per test, so tests never see each other's rows.
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

/// A new, empty database: a file in `dir`, or a PostgreSQL database (with the admin URL and
/// its name, to drop it afterwards with [`drop_database`]).
pub async fn fresh_database(
    backend: Backend,
    dir: &std::path::Path,
) -> anyhow::Result<(String, Option<(String, String)>)> {
    Ok(match backend {
        Backend::Sqlite => (
            format!("sqlite://{}?mode=rwc", dir.join("inzage.db").display()),
            None,
        ),
        Backend::Postgres => {
            let (url, admin, name) = fresh_postgres().await?;
            (url, Some((admin, name)))
        }
    })
}

/// Drops a database [`fresh_database`] made on PostgreSQL.
pub async fn drop_database(cleanup: Option<(String, String)>) {
    if let Some((admin_url, name)) = cleanup
        && let Ok(admin) = Database::connect(&admin_url).await
    {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
    }
}

/// Starts the real router on 127.0.0.1 with a random port and a fresh, migrated database.
pub async fn spawn_app(backend: Backend) -> anyhow::Result<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// [`spawn_app`] with settings changed by `adjust` before they are validated.
pub async fn spawn_app_with(
    backend: Backend,
    adjust: impl FnOnce(&mut Settings),
) -> anyhow::Result<TestApp> {
    spawn_instances(backend, 1, adjust).await
}

/// Two instances of the portal on one database, each with its background jobs (mail, digest,
/// sealing) running as in production, behind a plain round-robin proxy: `base` is the proxy.
pub async fn spawn_pair(
    backend: Backend,
    adjust: impl FnOnce(&mut Settings),
) -> anyhow::Result<TestApp> {
    spawn_instances(backend, 2, adjust).await
}

/// `count` instances on one fresh, migrated database. One instance is served directly and its
/// background jobs are left to the tests, which drive them step by step; several are served
/// behind [`proxy`] and run their jobs themselves.
async fn spawn_instances(
    backend: Backend,
    count: usize,
    adjust: impl FnOnce(&mut Settings),
) -> anyhow::Result<TestApp> {
    let dir = tempfile::tempdir()?;
    let (database_url, cleanup) = fresh_database(backend, dir.path()).await?;
    let mut listeners = Vec::new();
    for _ in 0..count {
        listeners.push(tokio::net::TcpListener::bind("127.0.0.1:0").await?);
    }
    let front = if count > 1 {
        Some(tokio::net::TcpListener::bind("127.0.0.1:0").await?)
    } else {
        None
    };
    let base = format!(
        "http://{}",
        front.as_ref().unwrap_or(&listeners[0]).local_addr()?
    );
    let mut settings = Settings {
        database_url: database_url.clone(),
        public_base_url: base.clone(),
        listen_addr: listeners[0].local_addr()?,
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
    adjust(&mut settings);
    settings.validate()?;

    let db = db::connect(&database_url).await?;
    db::migrate(&db).await?;
    let vault =
        server::platform::crypto::Vault::new(&settings.secrets).map_err(anyhow::Error::msg)?;
    server::dev::demo::seed_citizens(&db, &vault).await?;
    let options = leptos::config::LeptosOptions::builder()
        .output_name("inzage")
        .site_root(dir.path().display().to_string())
        .build();
    let mut metrics_base = String::new();
    let mut instances = Vec::new();
    for (n, listener) in listeners.into_iter().enumerate() {
        instances.push(format!("http://{}", listener.local_addr()?));
        // Each instance has its own pool, as separate processes would.
        let own_db = if n == 0 {
            db.clone()
        } else {
            db::connect(&database_url).await?
        };
        let state = AppState::new(settings.clone(), own_db, options.clone()).await?;
        if n == 0 {
            // The operators' metrics on an address of their own, as `metrics_listen_addr`
            // serves them.
            let metrics_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            metrics_base = format!("http://{}", metrics_listener.local_addr()?);
            let metrics = server::platform::metrics::router(state.clone());
            tokio::spawn(async move {
                axum::serve(metrics_listener, metrics)
                    .await
                    .expect("metrics server");
            });
        }
        if count > 1 {
            server::spawn_background_jobs(&state)?;
        }
        let app = server::http::router(state);
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .expect("test server");
        });
    }
    let hits = front.map(|front| proxy::spawn(front, instances.clone()));
    Ok(TestApp {
        base,
        metrics_base,
        instances,
        hits,
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

    /// Every row of an entity: checks after a step read whole tables, which stay small here.
    pub async fn all<E: EntityTrait>(&self) -> Vec<E::Model>
    where
        E::Model: Sync,
    {
        E::find().all(&self.db).await.unwrap()
    }

    /// The number of rows of an entity, to show that a refused step wrote nothing.
    pub async fn count<E: EntityTrait>(&self) -> u64
    where
        E::Model: Sync,
    {
        E::find().count(&self.db).await.unwrap()
    }

    /// Rows in `sessions`.
    pub async fn session_count(&self) -> u64 {
        sessions::Entity::find().count(&self.db).await.unwrap()
    }

    /// Drops the PostgreSQL database of this test.
    pub async fn finish(self) {
        if self.cleanup.is_some() {
            self.db.clone().close().await.ok();
            drop_database(self.cleanup).await;
        }
    }
}
