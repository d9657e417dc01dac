//! Real-time fan-out. Publishers name a [`Topic`]; every socket subscribed to that topic on
//! this instance gets the event. [`LocalBus`] serves one instance; a PostgreSQL
//! LISTEN/NOTIFY bus carries the same events across instances behind the same trait.

use async_trait::async_trait;
use ecoute_domain::{Event, Topic};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

use crate::StoreResult;

/// How many events a slow subscriber may lag behind before it is told it lagged (it then
/// re-reads what it missed from the store, so nothing is lost). Small on purpose: a channel
/// allocates all its slots up front, one channel per open conversation, and 256 slots cost
/// about 28 KiB per waiting person. Each slot holds an [`Arc`] rather than a whole event, so
/// that an idle conversation's channel stays a few hundred bytes.
const TOPIC_CAPACITY: usize = 16;

/// Publishes events and hands out subscriptions by topic.
#[async_trait]
pub trait EventBus: Send + Sync {
    /// Sends `event` to every subscriber of `topic`, on every instance.
    async fn publish(&self, topic: Topic, event: Event) -> StoreResult<()>;
    /// Subscribes to `topic` on this instance.
    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Arc<Event>>;
}

/// The in-process bus: one broadcast channel per topic with live subscribers.
#[derive(Default)]
pub struct LocalBus {
    topics: Mutex<Topics>,
}

#[derive(Default)]
struct Topics {
    senders: HashMap<Topic, broadcast::Sender<Arc<Event>>>,
    /// Size after the last sweep of topics nobody listens to any more.
    swept_at: usize,
}

impl LocalBus {
    /// An empty bus.
    pub fn new() -> Self {
        Self::default()
    }

    /// Delivers `event` to this instance's subscribers of `topic` (what a cross-instance bus
    /// calls when an event arrives from the network).
    pub fn dispatch(&self, topic: Topic, event: Event) {
        let mut topics = self.lock();
        if let Some(sender) = topics.senders.get(&topic) {
            if sender.send(Arc::new(event)).is_err() {
                // Nobody listens any more.
                topics.senders.remove(&topic);
            }
        }
    }

    /// Number of topics with a channel (for tests and metrics).
    pub fn topic_count(&self) -> usize {
        self.lock().senders.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Topics> {
        // A panic while holding this lock cannot leave the map inconsistent: keep going.
        self.topics.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl EventBus for LocalBus {
    async fn publish(&self, topic: Topic, event: Event) -> StoreResult<()> {
        self.dispatch(topic, event);
        Ok(())
    }

    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Arc<Event>> {
        let mut topics = self.lock();
        // Topics whose subscribers left without a later publish would pile up: sweep them
        // whenever the map has doubled since the last sweep (amortised O(1)).
        if topics.senders.len() >= 2 * topics.swept_at.max(64) {
            topics.senders.retain(|_, s| s.receiver_count() > 0);
            topics.swept_at = topics.senders.len();
        }
        topics
            .senders
            .entry(topic)
            .or_insert_with(|| broadcast::channel(TOPIC_CAPACITY).0)
            .subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecoute_domain::{CentreId, UserId};

    fn ev(n: i64) -> Event {
        Event::Replaced { connection: n }
    }

    #[tokio::test]
    async fn delivers_by_topic_only() {
        let bus = LocalBus::new();
        let mut a = bus.subscribe(Topic::Listener(UserId(1)));
        let mut b = bus.subscribe(Topic::Centre(CentreId(1)));
        bus.publish(Topic::Listener(UserId(1)), ev(1))
            .await
            .expect("publish");
        bus.publish(Topic::Listener(UserId(2)), ev(2))
            .await
            .expect("publish");
        assert_eq!(*a.recv().await.expect("delivered"), ev(1));
        assert!(a.try_recv().is_err());
        assert!(b.try_recv().is_err());
    }

    #[tokio::test]
    async fn forgets_topics_nobody_listens_to() {
        let bus = LocalBus::new();
        for i in 0..1000 {
            drop(bus.subscribe(Topic::Listener(UserId(i))));
        }
        assert!(bus.topic_count() < 200, "{} topics kept", bus.topic_count());
        let _keep = bus.subscribe(Topic::Listener(UserId(5000)));
        bus.publish(Topic::Listener(UserId(7)), ev(1))
            .await
            .expect("publish");
        assert!(bus.topic_count() >= 1);
    }
}
