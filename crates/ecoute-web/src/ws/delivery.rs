//! Exactly-once, in-order delivery of a conversation's messages to one socket.
//!
//! Events on the bus are a fast path, not the source of truth: if one arrives out of order, or
//! the subscription lagged, the socket re-reads from the store everything after the last
//! sequence number it delivered. So a client sees every message once, whatever the bus does.

use ecoute_domain::{ContactId, MessageEvent};
use ecoute_store::{Store, StoreResult};
use std::collections::HashMap;

use ecoute_protocol::{Audience, MessageOut};

/// Messages are re-read in pages of this size.
const PAGE: u32 = 500;

/// Highest sequence number delivered, per conversation.
#[derive(Debug, Default)]
pub struct Delivered {
    last: HashMap<ContactId, i64>,
    audience: Audience,
}

impl Delivered {
    /// A tracker for the frames of `audience`.
    pub fn new(audience: Audience) -> Self {
        Delivered {
            last: HashMap::new(),
            audience,
        }
    }

    /// Starts tracking `contact` as having seen up to `seq`.
    pub fn track(&mut self, contact: ContactId, seq: i64) {
        self.last.insert(contact, seq.max(0));
    }

    /// The highest seq delivered for `contact` (0 if none or not tracked).
    pub fn last(&self, contact: ContactId) -> i64 {
        self.last.get(&contact).copied().unwrap_or(0)
    }

    /// Stops tracking `contact`.
    pub fn forget(&mut self, contact: ContactId) {
        self.last.remove(&contact);
    }

    /// What to send for a message event: nothing if already delivered, the message itself if
    /// it is the next one, else everything missed from the store.
    pub async fn on_event(
        &mut self,
        store: &dyn Store,
        event: &MessageEvent,
    ) -> StoreResult<Vec<MessageOut>> {
        let Some(&last) = self.last.get(&event.contact) else {
            return Ok(Vec::new());
        };
        if event.seq <= last {
            Ok(Vec::new())
        } else if event.seq == last + 1 {
            self.last.insert(event.contact, event.seq);
            Ok(vec![MessageOut::from_event(event, self.audience)])
        } else {
            self.catch_up(store, event.contact).await
        }
    }

    /// Everything after the last delivered message of `contact`, from the store.
    pub async fn catch_up(
        &mut self,
        store: &dyn Store,
        contact: ContactId,
    ) -> StoreResult<Vec<MessageOut>> {
        let mut out = Vec::new();
        let Some(&start) = self.last.get(&contact) else {
            return Ok(out);
        };
        let mut last = start;
        loop {
            let page = store.messages_after(contact, last, PAGE).await?;
            let full = page.len() == PAGE as usize;
            for m in page {
                last = m.seq;
                out.push(MessageOut::new(m, self.audience));
            }
            if !full {
                break;
            }
        }
        self.last.insert(contact, last);
        Ok(out)
    }

    /// Catches up every tracked conversation (after the bus lagged).
    pub async fn catch_up_all(&mut self, store: &dyn Store) -> StoreResult<Vec<MessageOut>> {
        let contacts: Vec<ContactId> = self.last.keys().copied().collect();
        let mut out = Vec::new();
        for c in contacts {
            out.extend(self.catch_up(store, c).await?);
        }
        Ok(out)
    }
}
