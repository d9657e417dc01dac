//! What every handler shares.

use ecoute_app::{App, Clock};
use ecoute_domain::Theme;
use ecoute_store::{EventBus, Store};
use std::sync::Arc;

use crate::assets::Assets;
use crate::auth::{LoginThrottle, PasswordChecks};
use crate::config::WebConfig;
use crate::joins::Budget;
use crate::live::QueueBoards;
use crate::metrics::Metrics;
use crate::pages::StoryPages;

/// Shared state of the web layer: one pointer, cheap to clone. Every socket keeps a copy
/// for its whole life, so its size counts once per idle visitor (a struct of a dozen `Arc`s
/// was 200 bytes).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// Wraps what the handlers share.
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What every handler shares, behind [`AppState`].
pub struct Shared {
    /// The use cases: what changes state goes through them.
    pub app: App,
    /// Persistence, for reads (the same store as the use cases').
    pub store: Arc<dyn Store>,
    /// Real-time fan-out.
    pub bus: Arc<dyn EventBus>,
    /// Settings.
    pub config: Arc<WebConfig>,
    /// The statistics taxonomy in force.
    pub themes: Arc<[Theme]>,
    /// Live queue snapshots per centre.
    pub queues: Arc<QueueBoards>,
    /// This instance's id (random, 31 bits), carried by its connection ids and heartbeats.
    pub instance: u32,
    /// A hash of a random password, checked when a login names an unknown account so that a
    /// failed login takes as long whether or not the account exists.
    pub dummy_hash: Arc<str>,
    /// Failed staff logins per username, to slow password guessing.
    pub login_throttle: Arc<LoginThrottle>,
    /// The bound on password checks running at once.
    pub password_checks: Arc<PasswordChecks>,
    /// The time (the use cases' clock), for what tests must move without waiting.
    pub clock: Arc<dyn Clock>,
    /// Joins of the queue still allowed right now, for everyone together.
    pub joins: Arc<Budget>,
    /// Checks of retrieval codes still allowed right now, for everyone together.
    pub code_checks: Arc<Budget>,
    /// Applications to become a listener still allowed right now, for everyone together.
    pub applications: Arc<Budget>,
    /// Failed code lookups per first word, to slow guessing (as failed logins are).
    pub code_guesses: Arc<LoginThrottle>,
    /// Prometheus counters and gauges.
    pub metrics: Arc<Metrics>,
    /// The scripts, styles and icons, compressed once.
    pub assets: Assets,
    /// The campaign page, rendered and compressed once per language variant.
    pub story_pages: StoryPages,
    /// Set to `true` when the server stops: every socket closes cleanly (1001) at once. The
    /// server waits until every socket has dropped its receiver.
    pub shutdown: Arc<tokio::sync::watch::Sender<bool>>,
}
