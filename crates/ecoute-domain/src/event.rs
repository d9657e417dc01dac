//! What happens in real time, as published on the event bus and fanned out to the sockets
//! that care. Events carry no identity of the person: only contact ids and pseudonyms.

use crate::contact::{Contact, ContactStatus, EndReason};
use crate::ids::{CentreId, ContactId, UserId};
use crate::message::{Author, Message, Writer};
use crate::supervision::Whisper;
use crate::user::Presence;
use serde::{Deserialize, Serialize};

/// Who listens for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "t", content = "id", rename_all = "snake_case")]
pub enum Topic {
    /// Both sides of one conversation.
    Contact(ContactId),
    /// One listener's sockets (their workspace on every device).
    Listener(UserId),
    /// A centre's queue and duty roster: waiting people and listeners' boards.
    Centre(CentreId),
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A message was committed.
    Message {
        /// The message.
        message: MessageEvent,
    },
    /// One side is typing.
    Typing {
        /// The conversation.
        contact: ContactId,
        /// Who types.
        author: Author,
    },
    /// The contact changed state (taken, requeued, ended).
    Contact {
        /// The contact after the change.
        contact: ContactEvent,
    },
    /// One side's connection dropped (`away = true`) or came back.
    Connection {
        /// The conversation.
        contact: ContactId,
        /// Whose connection.
        author: Author,
        /// Dropped or back.
        away: bool,
    },
    /// The queue or the duty roster of a centre changed: positions must be recomputed.
    QueueChanged {
        /// The centre.
        centre: CentreId,
    },
    /// A listener's presence changed.
    Presence {
        /// The listener.
        user: UserId,
        /// The new presence.
        presence: Presence,
    },
    /// One side's page has shown every message of the conversation up to `seq`.
    Shown {
        /// The conversation.
        contact: ContactId,
        /// Whose page.
        reader: Author,
        /// Highest seq shown.
        seq: i64,
    },
    /// A listener's sessions changed (logout, account disabled, password changed): their
    /// open sockets check at once whether their session still holds.
    SessionsChanged {
        /// The account.
        user: UserId,
    },
    /// A centre's alerts changed (raised or resolved): its supervisors' boards refresh, and
    /// a new one sounds.
    AlertsChanged {
        /// The centre.
        centre: CentreId,
    },
    /// A supervisor wrote privately to the listener of a conversation (published on the
    /// listener's own topic only, never on the conversation's, which the person's page
    /// follows).
    Whisper {
        /// The note.
        whisper: Whisper,
    },
    /// A supervisor handed a conversation to another listener (or took it over): the person
    /// is told in plain words, the former listener's workspace lets it go. Published on the
    /// conversation's topic; the new listener hears it as [`Event::Handed`].
    Transferred {
        /// The conversation, after the transfer.
        contact: ContactEvent,
        /// The listener who had it.
        from: UserId,
    },
    /// A conversation was handed to this listener (on their own topic): their workspace
    /// opens it with its messages so far.
    Handed {
        /// The conversation.
        contact: ContactId,
    },
    /// A newer socket of the same party took over: the older one closes.
    Replaced {
        /// The connection that took over.
        connection: i64,
    },
}

/// A committed message as carried on the bus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEvent {
    /// The conversation.
    pub contact: ContactId,
    /// Sequence number.
    pub seq: i64,
    /// Who wrote it.
    pub author: Author,
    /// The sender's id for it.
    pub client_id: String,
    /// The text.
    pub body: String,
    /// Commit time (ms).
    pub at: i64,
    /// The listener who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener: Option<Writer>,
}

impl From<Message> for MessageEvent {
    /// Moves the text instead of copying it.
    fn from(m: Message) -> Self {
        MessageEvent {
            contact: m.contact,
            seq: m.seq,
            author: m.author,
            client_id: m.client_id.as_str().to_owned(),
            body: m.body,
            at: m.at.millis(),
            listener: m.listener,
        }
    }
}

impl From<&Message> for MessageEvent {
    fn from(m: &Message) -> Self {
        MessageEvent::from(m.clone())
    }
}

/// A contact's state as carried on the bus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactEvent {
    /// The contact.
    pub id: ContactId,
    /// Its centre.
    pub centre: CentreId,
    /// Where it is now.
    pub state: ContactStatus,
    /// Current or last listener.
    pub listener: Option<UserId>,
    /// End reason when ended.
    pub end_reason: Option<EndReason>,
}

impl From<&Contact> for ContactEvent {
    fn from(c: &Contact) -> Self {
        ContactEvent {
            id: c.id,
            centre: c.centre,
            state: c.state.status(),
            listener: c.listener,
            end_reason: c.state.end_reason(),
        }
    }
}
