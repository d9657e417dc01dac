//! The schedule of the campaign page's refresh: another instance sharing the database may
//! have saved an edit of a story.

use std::time::Duration;

use crate::state::AppState;

/// How long another instance's edit of a story may take to show here.
pub const STORIES_REFRESH: Duration = Duration::from_secs(10);

/// Reads the stories every [`STORIES_REFRESH`], forever; the page is rendered anew only
/// when they changed.
pub async fn run_story_refresh(state: AppState) {
    let mut tick = tokio::time::interval(STORIES_REFRESH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = state.story_pages.refresh(&state).await {
            // The page keeps its stories until the next refresh.
            tracing::warn!(error = %e, "reading the campaign page's stories failed");
        }
    }
}
