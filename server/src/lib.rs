//! The Inzage server: configuration, database, identity, sessions and the HTTP application.
//!
//! `main.rs` only parses the command line; everything a test needs to build the real router
//! against a real database is here.

// Leptos' typed views nest deeply; release builds need more room than the default 128.
#![recursion_limit = "256"]

pub mod answers;
pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod contacts;
pub mod crypto;
pub mod db;
pub mod deadlines;
pub mod demo;
pub mod devidp;
pub mod digest;
pub mod entities;
pub mod http;
pub mod identity;
pub mod ingest;
pub mod letters;
pub mod mail;
pub mod oversight;
pub mod pdf;
pub mod people;
pub mod register;
pub mod requests;
pub mod sessions;
pub mod settings;
pub mod sources;
pub mod transparency;
pub mod workflow;

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::{auth::RelyingParty, crypto::Vault, devidp::SigningKeyPair, settings::Settings};

/// Everything a request handler may reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Validated settings.
    pub settings: Arc<Settings>,
    /// The database.
    pub db: DatabaseConnection,
    /// Keys for data at rest.
    pub vault: Arc<Vault>,
    /// OIDC relying party for citizens and staff.
    pub rp: Arc<RelyingParty>,
    /// The DigiD stand-in's key, present only when the stand-in runs.
    pub dev_idp_key: Option<Arc<SigningKeyPair>>,
    /// Leptos' options (site root, output name).
    pub leptos_options: LeptosOptions,
    /// URL of the content-hashed stylesheet.
    pub stylesheet_href: String,
    /// Origins for the security middlewares, derived from the settings once.
    pub security: Arc<http::SecurityPolicy>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// Builds the state on an already migrated database.
    pub async fn new(
        settings: Settings,
        db: DatabaseConnection,
        leptos_options: LeptosOptions,
    ) -> anyhow::Result<Self> {
        let settings = Arc::new(settings);
        let vault = Arc::new(Vault::new(&settings.secrets).map_err(anyhow::Error::msg)?);
        transparency::ensure_portal_activity(&db, &settings.municipality_name).await?;
        let dev_idp_key = if settings.dev_idp_enabled() {
            Some(Arc::new(SigningKeyPair::load_or_create(&db).await?))
        } else {
            None
        };
        Ok(Self {
            rp: Arc::new(RelyingParty::new(settings.clone())?),
            security: Arc::new(http::SecurityPolicy::new(&settings)),
            settings,
            db,
            vault,
            dev_idp_key,
            leptos_options,
            stylesheet_href: assets::stylesheet_href(),
        })
    }
}

/// Starts the jobs every instance runs; each is safe with several instances at once.
pub fn spawn_background_jobs(state: &AppState) -> anyhow::Result<()> {
    let worker = mail::worker::Worker::new(
        state.db.clone(),
        &state.settings.mail,
        format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
    )?;
    tokio::spawn(worker.run());
    use tower_sessions::session_store::ExpiredDeletion;
    let store = sessions::DbSessionStore::new(state.db.clone());
    let db = state.db.clone();
    let settings = state.settings.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "deleting expired sessions failed");
            }
            if let Err(e) = mail::worker::purge(&db).await {
                tracing::warn!(error = %e, "purging the outbox failed");
            }
            match digest::send_if_due(&db, &settings, chrono::Utc::now()).await {
                Ok(Some(figures)) => tracing::info!(?figures, "staff digest queued"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "the staff digest failed"),
            }
        }
    });
    Ok(())
}
