//! The schedule of the campaign counters' flush ([`ecoute_app::App::flush_campaign_counts`]:
//! the counts tallied in memory since the last flush, added to the store's counters).

use std::time::Duration;

use crate::state::AppState;

/// How often the tally reaches the store: what a crash can lose of the counts, and a
/// transaction every so often however busy the campaign page is.
pub const FLUSH_PERIOD: Duration = Duration::from_secs(10);

/// Flushes every [`FLUSH_PERIOD`], forever (the server flushes once more as it stops).
pub async fn run_campaign_flush(state: AppState) {
    let mut tick = tokio::time::interval(FLUSH_PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = state.app.flush_campaign_counts().await {
            // The counts stay in the tally for the next flush.
            tracing::warn!(error = %e, "flushing the campaign counts failed; will retry");
        }
    }
}
