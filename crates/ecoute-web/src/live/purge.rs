//! Deletes conversation text a configured time after the conversation ended, and expired
//! staff sessions. The statistics sheet stays: it holds no text.

use std::sync::Arc;
use std::time::Duration;

use crate::clock;
use crate::config::PrivacyConfig;
use ecoute_store::Store;

/// Runs one purge now; returns how many messages were deleted.
pub async fn purge_once(
    store: &dyn Store,
    privacy: &PrivacyConfig,
) -> ecoute_store::StoreResult<u64> {
    let now = clock::now();
    let cutoff = now.plus_millis(-((privacy.purge_after_hours * 3_600_000) as i64));
    let messages = store.purge_messages(cutoff).await?;
    let sessions = store.delete_expired_sessions(now).await?;
    if messages > 0 || sessions > 0 {
        tracing::info!(
            messages,
            sessions,
            "purged conversation text and expired sessions"
        );
    }
    Ok(messages)
}

/// Purges every `privacy.purge_interval_seconds`, forever.
pub async fn run_purge(store: Arc<dyn Store>, privacy: PrivacyConfig) {
    let mut tick = tokio::time::interval(Duration::from_secs(privacy.purge_interval_seconds));
    loop {
        tick.tick().await;
        if let Err(e) = purge_once(store.as_ref(), &privacy).await {
            tracing::warn!(error = %e, "purge failed; will retry");
        }
    }
}
