//! What runs in the background: live queue snapshots, and the schedules of the application
//! layer's jobs (heartbeat, sweep of the reconnection delays, purge of conversation text,
//! flush of the campaign counters).

mod campaign_counts;
mod purge;
mod queue_board;
mod stories;
mod sweeper;

pub use campaign_counts::run_campaign_flush;
pub use purge::run_purge;
pub use queue_board::QueueBoards;
pub use stories::{run_story_refresh, STORIES_REFRESH};
pub use sweeper::{run_heartbeat, run_sweeper};
