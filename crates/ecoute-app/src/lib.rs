//! ecoute's application layer: the use cases, written once, that the WebSocket sides, the
//! HTTP handlers, the background jobs and the CLI call.
//!
//! An [`App`] holds the store, the event bus and the [`Clock`]. Each use case is one method of
//! it, grouped by area: [`contacts`] (join, take next, send, end, presence, connections),
//! [`sheets`] (the statistics sheet), [`accounts`] (create, disable, log out, passwords),
//! [`campaigns`] (declare, count without tracking, report), [`written`] (anonymous written
//! threads: write, read and delete with a code; the listeners' inbox, claims and replies),
//! [`volunteers`] (applications, the pipeline, erasure, the audit of reads),
//! [`supervision`] (alerts, debrief requests, the live board, audited reads of conversations,
//! supervisors' private notes) and
//! [`jobs`] (sweeps of reconnection delays, never-connected contacts and dead instances;
//! purges). Every method that changes state commits first and publishes after
//! ([`publish`]), so that no client hears of a change that is not durable. Every refusal is
//! an [`AppError`] variant; the transports map it once (frames and statuses in the web
//! crate, messages in the CLI). Metrics stay with the transports, recorded around the calls.
//!
//! Dependencies point one way: this crate knows the domain and the store, never HTTP,
//! WebSocket frames or Prometheus.

pub mod accounts;
pub mod campaigns;
mod clock;
pub mod contacts;
mod error;
pub mod jobs;
mod password;
pub mod publish;
pub mod retrieval;
pub mod sheets;
pub mod stories;
pub mod supervision;
#[cfg(test)]
mod testing;
pub mod volunteers;
pub mod written;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{AppError, AppResult};
pub use password::hash_password;

use ecoute_domain::Timestamp;
use ecoute_store::{EventBus, Store};
use std::sync::Arc;

/// The settings the use cases need (the web layer's configuration supplies them).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Most people waiting in a centre's queue; joins beyond are refused.
    pub max_waiting: u64,
    /// Most conversations a listener holds at once.
    pub max_conversations: u32,
    /// Continuous minutes available (without a pause) after which "next" is refused until the
    /// listener takes a break; 0: no cap.
    pub max_duty_minutes: u64,
    /// A person away this long ends their contact.
    pub person_return_seconds: u64,
    /// A listener away this long sends their conversations back to the queue.
    pub listener_return_seconds: u64,
    /// A contact whose page never connected within this delay leaves the queue.
    pub hello_grace_seconds: u64,
    /// Conversation text is deleted this long after the conversation ended.
    pub purge_after_hours: u64,
    /// Written messaging.
    pub written: written::WrittenSettings,
    /// The volunteer pipeline.
    pub volunteer: volunteers::VolunteerSettings,
    /// The secret of retrieval codes; `None`: a random one for this process (codes given
    /// then do not survive a restart, which suits tests, not a helpline).
    pub code_key: Option<retrieval::CodeKey>,
}

/// The use cases over one store, one bus and one clock; cheap to clone.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    bus: Arc<dyn EventBus>,
    clock: Arc<dyn Clock>,
    settings: Arc<Settings>,
    tally: Arc<campaigns::Tally>,
    codes: Arc<written::Codes>,
}

impl App {
    /// The use cases over `store`, publishing on `bus`, reading time from `clock`.
    pub fn new(
        store: Arc<dyn Store>,
        bus: Arc<dyn EventBus>,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> App {
        let codes = written::Codes::new(settings.code_key.clone());
        App {
            store,
            bus,
            clock,
            settings: Arc::new(settings),
            tally: Arc::default(),
            codes: Arc::new(codes),
        }
    }

    /// The store, for reads that are no use case (pages, catch-up of messages).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The bus, for what only relays (typing, read marks) and for subscriptions.
    pub fn bus(&self) -> &Arc<dyn EventBus> {
        &self.bus
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, by the injected clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Publishes after a commit (see [`publish::publish`]).
    pub async fn publish(&self, topic: ecoute_domain::Topic, event: ecoute_domain::Event) {
        publish::publish(self.bus.as_ref(), topic, event).await;
    }
}
