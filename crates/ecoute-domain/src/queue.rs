//! Queue order and the honest wait estimate.
//!
//! Order: higher priority first; within a priority, a person who lost their listener comes
//! back first; then the longest wait. Listeners never choose whom they answer: "next" always
//! takes the head of this order.

use crate::ids::ContactId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

/// What the queue needs to know about a waiting contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueEntry {
    /// The waiting contact.
    pub id: ContactId,
    /// Risk priority (higher first).
    pub priority: i32,
    /// Came back after losing its listener.
    pub returning: bool,
    /// When it entered the queue.
    pub queued_at: Timestamp,
}

impl QueueEntry {
    /// Queue order: `Less` means served earlier. Ties on everything fall back to the id so
    /// that the order is total and every replica of the queue agrees.
    pub fn serve_order(&self, other: &QueueEntry) -> Ordering {
        other
            .priority
            .cmp(&self.priority)
            .then(other.returning.cmp(&self.returning))
            .then(self.queued_at.cmp(&other.queued_at))
            .then(self.id.cmp(&other.id))
    }
}

/// Estimated wait for a given place in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WaitEstimate {
    /// A listener is free now: the person should be answered within moments.
    Soon,
    /// About this many seconds.
    Seconds {
        /// The estimate, rounded up to the minute.
        seconds: i64,
    },
    /// Nobody is on duty: no honest figure can be given.
    NoListenerOnDuty,
}

/// Estimated wait for the person at `position` (1 = next to be answered).
///
/// `on_duty` listeners are available (free or in conversation), `free` of them are not in a
/// conversation, and conversations last `mean_handle_seconds` on average. If every listener is
/// busy, conversations end at a rate of `on_duty / mean_handle` (memoryless handle times, as in
/// Erlang C), so the person at position `k` behind the free listeners waits on average for
/// `k - free` endings: `(k - free) * mean_handle / on_duty`.
pub fn estimate_wait(
    position: usize,
    on_duty: usize,
    free: usize,
    mean_handle_seconds: f64,
) -> WaitEstimate {
    if on_duty == 0 {
        return WaitEstimate::NoListenerOnDuty;
    }
    if position <= free {
        return WaitEstimate::Soon;
    }
    let endings_needed = (position - free) as f64;
    let seconds = endings_needed * mean_handle_seconds.max(1.0) / on_duty as f64;
    // Rounded up to the minute: a precise-looking figure would promise more than we know.
    let minutes = (seconds / 60.0).ceil().max(1.0) as i64;
    WaitEstimate::Seconds {
        seconds: minutes * 60,
    }
}

/// The ordered queue at one instant, with what the wait estimate needs. Computed once per
/// change and shared with every waiting person, who looks up their own place.
#[derive(Debug, Clone, Default)]
pub struct QueueSnapshot {
    order: Vec<ContactId>,
    position: HashMap<ContactId, usize>,
    /// Listeners available (free or talking).
    pub on_duty: usize,
    /// Available listeners not in a conversation.
    pub free: usize,
    /// Mean conversation length used for estimates, in seconds.
    pub mean_handle_seconds: f64,
}

impl QueueSnapshot {
    /// Orders `entries` and indexes positions.
    pub fn new(
        mut entries: Vec<QueueEntry>,
        on_duty: usize,
        free: usize,
        mean_handle_seconds: f64,
    ) -> Self {
        entries.sort_by(|a, b| a.serve_order(b));
        let order: Vec<ContactId> = entries.iter().map(|e| e.id).collect();
        let position = order
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i + 1))
            .collect();
        QueueSnapshot {
            order,
            position,
            on_duty,
            free,
            mean_handle_seconds,
        }
    }

    /// How many people are waiting.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nobody waits.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The contact "next" would take.
    pub fn head(&self) -> Option<ContactId> {
        self.order.first().copied()
    }

    /// 1-based place of `id`, if it is waiting.
    pub fn position(&self, id: ContactId) -> Option<usize> {
        self.position.get(&id).copied()
    }

    /// Estimated wait of `id`, if it is waiting.
    pub fn estimate(&self, id: ContactId) -> Option<WaitEstimate> {
        self.position(id)
            .map(|p| estimate_wait(p, self.on_duty, self.free, self.mean_handle_seconds))
    }
}

/// Mean of recent conversation lengths, or `prior_seconds` when there are none yet.
/// The prior is blended in as one pseudo-observation so that a single very short first call
/// does not make the estimate absurd.
pub fn mean_handle_seconds(recent: &[i64], prior_seconds: f64) -> f64 {
    let sum: f64 = recent.iter().map(|&s| s.max(0) as f64).sum::<f64>() + prior_seconds;
    sum / (recent.len() + 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn entry(n: u128, priority: i32, returning: bool, at: i64) -> QueueEntry {
        QueueEntry {
            id: ContactId(Uuid::from_u128(n)),
            priority,
            returning,
            queued_at: Timestamp(at),
        }
    }

    #[test]
    fn priority_then_returning_then_arrival() {
        let a = entry(1, 0, false, 100);
        let b = entry(2, 0, false, 50); // waited longer
        let c = entry(3, 0, true, 200); // lost their listener
        let d = entry(4, 2, false, 300); // raised by triage
        let snap = QueueSnapshot::new(vec![a, b, c, d], 1, 0, 600.0);
        let order: Vec<_> = [d, c, b, a].iter().map(|e| e.id).collect();
        assert_eq!(snap.head(), Some(d.id));
        for (i, id) in order.iter().enumerate() {
            assert_eq!(snap.position(*id), Some(i + 1));
        }
        assert_eq!(snap.len(), 4);
        assert_eq!(snap.position(ContactId(Uuid::from_u128(9))), None);
    }

    #[test]
    fn same_instant_is_ordered_by_id_so_every_replica_agrees() {
        let a = entry(7, 0, false, 100);
        let b = entry(3, 0, false, 100);
        assert_eq!(b.serve_order(&a), Ordering::Less);
        assert_eq!(a.serve_order(&a), Ordering::Equal);
    }

    #[test]
    fn estimate_is_honest() {
        assert_eq!(
            estimate_wait(1, 0, 0, 600.0),
            WaitEstimate::NoListenerOnDuty
        );
        assert_eq!(estimate_wait(2, 3, 2, 600.0), WaitEstimate::Soon);
        // Two listeners busy, 20-minute calls: the first in line waits about 10 minutes.
        assert_eq!(
            estimate_wait(1, 2, 0, 1200.0),
            WaitEstimate::Seconds { seconds: 600 }
        );
        // The fourth waits for four endings: 40 minutes.
        assert_eq!(
            estimate_wait(4, 2, 0, 1200.0),
            WaitEstimate::Seconds { seconds: 2400 }
        );
        // Never below a minute, rounded up.
        assert_eq!(
            estimate_wait(1, 10, 0, 30.0),
            WaitEstimate::Seconds { seconds: 60 }
        );
        assert_eq!(
            estimate_wait(3, 1, 1, 90.0),
            WaitEstimate::Seconds { seconds: 180 }
        );
    }

    #[test]
    fn mean_handle_blends_the_prior() {
        assert_eq!(mean_handle_seconds(&[], 1200.0), 1200.0);
        assert_eq!(mean_handle_seconds(&[600, 600, 600], 1200.0), 750.0);
        assert_eq!(mean_handle_seconds(&[-5], 10.0), 5.0);
    }
}
