//! The schedule of the purge ([`ecoute_app::App::purge`]: conversation text a configured time
//! after the conversation ended, and expired staff sessions).

use std::time::Duration;

use crate::state::AppState;

/// Purges every `privacy.purge_interval_seconds`, forever.
pub async fn run_purge(state: AppState) {
    let every = Duration::from_secs(state.config.privacy.purge_interval_seconds);
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = state.app.purge().await {
            tracing::warn!(error = %e, "purge failed; will retry");
        }
    }
}
