//! A message as both sides receive it.

use ecoute_domain::{Author, Message, MessageEvent, UserId};
use serde::{Deserialize, Serialize};

/// Who a message frame is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Audience {
    /// The person's page.
    #[default]
    Person,
    /// One listener's workspace: frames name the conversation and say whether this
    /// listener wrote the message (a requeued conversation has had several listeners).
    Listener(UserId),
}

/// A message as sent to clients. Its `body` is plain text: display it as text, never as HTML.
/// A client also receives its own messages this way (after a reconnect, or on its other
/// tabs): it recognises them by `id` and shows each once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MessageOut {
    /// Conversation (listener side only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub contact_id: Option<String>,
    /// Sequence number in the conversation: 1, 2, 3… without gaps.
    pub seq: i64,
    /// Who wrote it.
    pub author: Author,
    /// The writer's id for it.
    pub id: String,
    /// Text.
    pub body: String,
    /// Commit time, milliseconds since the Unix epoch.
    pub at: i64,
    /// Pseudonym of the listener who wrote it (listener messages only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub listener: Option<String>,
    /// Listener side only: whether the receiving listener wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub own: Option<bool>,
}

impl MessageOut {
    /// From a stored message (its text is moved, not copied).
    pub fn new(m: Message, audience: Audience) -> Self {
        Self::from_event(&MessageEvent::from(m), audience)
    }

    /// From a message event of the bus.
    pub fn from_event(m: &MessageEvent, audience: Audience) -> Self {
        let (contact_id, own) = match audience {
            Audience::Person => (None, None),
            Audience::Listener(me) => (
                Some(m.contact.to_string()),
                // Messages stored before listeners were recorded count as this listener's.
                Some(
                    m.author == Author::Listener && m.listener.as_ref().is_none_or(|w| w.id == me),
                ),
            ),
        };
        MessageOut {
            contact_id,
            seq: m.seq,
            author: m.author,
            id: m.client_id.clone(),
            body: m.body.clone(),
            at: m.at,
            listener: m.listener.as_ref().map(|w| w.pseudonym.clone()),
            own,
        }
    }
}
