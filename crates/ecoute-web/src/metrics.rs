//! Prometheus metrics at `GET /metrics`, in the OpenMetrics text format.
//!
//! Two kinds of figure. Counters and the commit-latency histogram are this instance's own
//! (sum them across instances). The live gauges — people waiting, conversations, listeners
//! on duty and free, per centre — are read from the store at each scrape, so every instance
//! reports the same helpline-wide values (do not sum those). No label ever carries anything
//! about a person or a listener: only a centre number, a side, an author kind.

use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use tokio::sync::Mutex;

use ecoute_domain::Author;

use crate::error::WebError;
use crate::state::AppState;

/// The media type of the OpenMetrics text format.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CentreLabels {
    centre: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AuthorLabels {
    author: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SideLabels {
    side: &'static str,
}

/// Which page a WebSocket serves.
#[derive(Debug, Clone, Copy)]
pub enum Side {
    /// A person's chat.
    Person,
    /// A listener's workspace.
    Listener,
    /// A supervisor's live board.
    Supervisor,
}

impl Side {
    fn label(self) -> SideLabels {
        SideLabels {
            side: match self {
                Side::Person => "person",
                Side::Listener => "listener",
                Side::Supervisor => "supervisor",
            },
        }
    }
}

/// Every metric of the instance, and the registry that encodes them.
#[derive(Debug)]
pub struct Metrics {
    /// Held while the live gauges are refreshed and everything is encoded, so two scrapes
    /// never interleave.
    registry: Mutex<Registry>,
    contacts_created: Counter,
    contacts_never_connected: Counter,
    written_threads_opened: Counter,
    written_code_misses: Counter,
    messages_committed: Family<AuthorLabels, Counter>,
    commit_seconds: Histogram,
    websockets: Family<SideLabels, Gauge>,
    waiting: Family<CentreLabels, Gauge>,
    active: Family<CentreLabels, Gauge>,
    on_duty: Family<CentreLabels, Gauge>,
    free: Family<CentreLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut m = Metrics {
            registry: Mutex::new(Registry::with_prefix("ecoute")),
            contacts_created: Counter::default(),
            contacts_never_connected: Counter::default(),
            written_threads_opened: Counter::default(),
            written_code_misses: Counter::default(),
            messages_committed: Family::default(),
            // 0.5 ms to about 4 s: a healthy disk commits in about a millisecond, a stalled
            // one in seconds.
            commit_seconds: Histogram::new(exponential_buckets(0.0005, 2.0, 14)),
            websockets: Family::default(),
            waiting: Family::default(),
            active: Family::default(),
            on_duty: Family::default(),
            free: Family::default(),
        };
        {
            let registry = m.registry.get_mut();
            registry.register(
                "contacts_created",
                "People who joined the queue (this instance)",
                m.contacts_created.clone(),
            );
            registry.register(
                "contacts_never_connected",
                "Joins whose page never connected, removed from the queue and from the \
                 count of people (this instance)",
                m.contacts_never_connected.clone(),
            );
            registry.register(
                "written_threads_opened",
                "Written threads opened by a person (this instance)",
                m.written_threads_opened.clone(),
            );
            registry.register(
                "written_code_misses",
                "Retrieval codes typed that open no thread: mistyped, deleted, or guessed \
                 (this instance)",
                m.written_code_misses.clone(),
            );
            registry.register(
                "messages_committed",
                "Messages committed, by author kind (this instance)",
                m.messages_committed.clone(),
            );
            registry.register(
                "message_commit_seconds",
                "Time to commit a message before acknowledging it (this instance)",
                m.commit_seconds.clone(),
            );
            registry.register(
                "websockets",
                "Open WebSockets, by side (this instance)",
                m.websockets.clone(),
            );
            for (name, help, family) in [
                (
                    "queue_waiting",
                    "People waiting in the queue, by centre (whole helpline)",
                    &m.waiting,
                ),
                (
                    "conversations_active",
                    "Conversations under way, by centre (whole helpline)",
                    &m.active,
                ),
                (
                    "listeners_on_duty",
                    "Available listeners, free or talking, by centre (whole helpline)",
                    &m.on_duty,
                ),
                (
                    "listeners_free",
                    "Available listeners with no conversation, by centre (whole helpline)",
                    &m.free,
                ),
            ] {
                registry.register(name, help, family.clone());
            }
        }
        m
    }
}

impl Metrics {
    /// A person joined the queue.
    pub fn contact_created(&self) {
        self.contacts_created.inc();
    }

    /// `n` contacts whose page never connected left the queue (people who joined are
    /// `contacts_created` minus these).
    pub fn contacts_never_connected(&self, n: u64) {
        self.contacts_never_connected.inc_by(n);
    }

    /// A person opened a written thread.
    pub fn written_thread_opened(&self) {
        self.written_threads_opened.inc();
    }

    /// A typed code opened no thread.
    pub fn written_code_missed(&self) {
        self.written_code_misses.inc();
    }

    /// A message was committed (not a resend) after `took`.
    pub fn message_committed(&self, author: Author, took: Duration) {
        self.messages_committed
            .get_or_create(&AuthorLabels {
                author: author.as_str(),
            })
            .inc();
        self.commit_seconds.observe(took.as_secs_f64());
    }

    /// Counts a WebSocket as open until the returned guard is dropped.
    pub fn websocket_open(&self, side: Side) -> SocketGuard {
        let gauge = self.websockets.get_or_create(&side.label()).clone();
        gauge.inc();
        SocketGuard(gauge)
    }

    /// Refreshes the live gauges from the store and encodes everything.
    async fn render(&self, state: &AppState) -> Result<String, WebError> {
        let registry = self.registry.lock().await;
        let counts = state.store.live_counts().await?;
        for family in [&self.waiting, &self.active, &self.on_duty, &self.free] {
            // A centre that emptied must read 0, not keep its last value: start afresh.
            family.clear();
        }
        for c in counts {
            let labels = CentreLabels {
                centre: c.centre.0.to_string(),
            };
            for (family, value) in [
                (&self.waiting, c.waiting),
                (&self.active, c.active),
                (&self.on_duty, c.on_duty),
                (&self.free, c.free),
            ] {
                family
                    .get_or_create(&labels)
                    .set(i64::try_from(value).unwrap_or(i64::MAX));
            }
        }
        let mut out = String::new();
        encode(&mut out, &registry)
            .map_err(|e| WebError::Internal(anyhow::anyhow!("encoding metrics: {e}")))?;
        Ok(out)
    }
}

/// Keeps a WebSocket counted as open; dropping it counts it closed.
#[derive(Debug)]
pub struct SocketGuard(Gauge);

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Result<Response, WebError> {
    let body = state.metrics.render(&state).await?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response())
}
