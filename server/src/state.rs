//! The state every handler reaches: settings, database, keys, relying party.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::{
    config::Settings, dev::digid::SigningKeyPair, identity::oidc::RelyingParty,
    platform::crypto::Vault,
};

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
    /// The design tokens the pages load (`theme.*`).
    pub theme: Arc<crate::http::assets::Theme>,
    /// Origins for the security middlewares, derived from the settings once.
    pub security: Arc<crate::http::SecurityPolicy>,
    /// The rate limiters (`limits.*`).
    pub limits: Arc<crate::http::limits::RateLimits>,
    /// The key that signs audit checkpoints.
    pub audit_key: crate::platform::audit::AuditKey,
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
        let theme = Arc::new(crate::http::assets::Theme::load(&settings.theme)?);
        let vault = Arc::new(Vault::new(&settings.secrets).map_err(anyhow::Error::msg)?);
        crate::transparency::ensure_portal_activity(&db, &settings.municipality_name).await?;
        let dev_idp_key = if settings.dev_idp_enabled() {
            Some(Arc::new(SigningKeyPair::load_or_create(&db).await?))
        } else {
            None
        };
        Ok(Self {
            rp: Arc::new(RelyingParty::new(settings.clone())?),
            security: Arc::new(crate::http::SecurityPolicy::new(&settings)),
            limits: Arc::new(crate::http::limits::RateLimits::new(&settings.limits)),
            audit_key: settings.secrets.audit_key(),
            settings,
            db,
            vault,
            dev_idp_key,
            leptos_options,
            stylesheet_href: crate::http::assets::stylesheet_href(),
            theme,
        })
    }
}
