//! What the use cases' unit tests share: an application over a scratch SQLite store.

use crate::{App, ManualClock, Settings};
use ecoute_domain::Timestamp;
use ecoute_store::{sqlite::SqliteStore, LocalBus};
use std::sync::Arc;

/// The use cases over a fresh store, on a clock at day 12 (plus 5 ms) that the test moves.
pub async fn app() -> (App, Arc<ManualClock>) {
    let store = SqliteStore::connect("sqlite::memory:")
        .await
        .expect("store");
    let clock = Arc::new(ManualClock::new(Timestamp(12 * 86_400_000 + 5)));
    let settings = Settings {
        max_waiting: 10,
        max_conversations: 2,
        max_duty_minutes: 0,
        person_return_seconds: 60,
        listener_return_seconds: 60,
        hello_grace_seconds: 60,
        purge_after_hours: 24,
        written: Default::default(),
        volunteer: Default::default(),
        code_key: None,
    };
    let app = App::new(
        Arc::new(store),
        Arc::new(LocalBus::new()),
        clock.clone(),
        settings,
    );
    (app, clock)
}
