//! The schedules of the sweep ([`ecoute_app::App::sweep`]: reconnection delays,
//! never-connected contacts, dead instances) and of this instance's heartbeat.

use std::time::Duration;

use crate::state::AppState;

/// Sweeps forever, at a pace fitted to the shortest delay.
pub async fn run_sweeper(state: AppState) {
    let chat = &state.config.chat;
    let shortest = chat
        .person_return_seconds
        .min(chat.listener_return_seconds)
        .min(chat.hello_grace_seconds);
    let period = Duration::from_millis((shortest * 1000 / 4).clamp(200, 5000));
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        match state.app.sweep().await {
            Ok(report) if report.never_connected > 0 => {
                state
                    .metrics
                    .contacts_never_connected(report.never_connected);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sweep failed; will retry"),
        }
    }
}

/// Every instance says it is alive this often (well within
/// [`ecoute_app::jobs::DEAD_AFTER_MS`]).
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);

/// Records this instance's heartbeat forever, so that other instances can tell it is alive.
pub async fn run_heartbeat(state: AppState) {
    let mut tick = tokio::time::interval(HEARTBEAT_EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = state.app.heartbeat(i64::from(state.instance)).await {
            tracing::warn!(error = %e, "heartbeat failed; will retry");
        }
    }
}
