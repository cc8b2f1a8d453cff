//! Background jobs every instance runs: mail delivery, session clean-up, outbox purge, digest,
//! the daily retention count for Toezicht, sealing the audit log.

use crate::{
    AppState,
    identity::sessions,
    mail,
    oversight::{digest, toezicht},
    platform::audit,
};

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
    let key = state.audit_key.clone();
    let every = std::time::Duration::from_secs(u64::from(state.settings.audit.seal_every_seconds));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match audit::seal(&db, &key, chrono::Utc::now()).await {
                Ok(Some(checkpoint)) => tracing::debug!(
                    checkpoint = checkpoint.id,
                    events = checkpoint.events,
                    "audit log sealed"
                ),
                Ok(None) => {}
                // Another instance may have sealed the same events first; the next round retries.
                Err(e) => tracing::warn!(error = %e, "sealing the audit log failed"),
            }
        }
    });
    let db = state.db.clone();
    let settings = state.settings.clone();
    let limits = state.limits.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            limits.forget_idle();
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
            match toezicht::count_retention_if_due(&db, chrono::Utc::now()).await {
                Ok(true) => tracing::info!("records past retention counted for today"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "counting records past retention failed"),
            }
        }
    });
    Ok(())
}
