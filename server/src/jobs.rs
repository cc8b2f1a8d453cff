//! Background jobs every instance runs: mail delivery, session clean-up, outbox purge, digest.

use crate::{AppState, identity::sessions, mail, oversight::digest};

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
