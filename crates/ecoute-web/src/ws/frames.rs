//! Every frame of the protocol, as Rust types. Incoming frames are parsed strictly (unknown
//! types and fields are refused); outgoing frames serialise to the documented JSON.

use ecoute_domain::{Author, Message, MessageEvent, UserId, WaitEstimate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// From the person's page.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PersonIn {
    /// Authenticate and resume.
    Hello {
        /// Resume token.
        token: String,
        /// Highest seq already seen.
        #[serde(default)]
        last_seq: i64,
    },
    /// A message.
    Send {
        /// Client-chosen id.
        id: String,
        /// Text.
        body: String,
    },
    /// Typing.
    Typing,
    /// End or leave.
    End,
}

/// From the listener's workspace.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ListenerIn {
    /// Open the workspace.
    Hello {
        /// Highest seq seen per conversation.
        #[serde(default)]
        last_seqs: HashMap<String, i64>,
    },
    /// Set presence.
    Presence {
        /// `available`, `pause` or `offline`.
        presence: String,
    },
    /// Take the next contact.
    Next,
    /// A message.
    Send {
        /// Conversation.
        contact_id: String,
        /// Client-chosen id.
        id: String,
        /// Text.
        body: String,
    },
    /// Typing.
    Typing {
        /// Conversation.
        contact_id: String,
    },
    /// End a conversation.
    End {
        /// Conversation.
        contact_id: String,
    },
}

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

/// A message as sent to clients.
#[derive(Debug, Clone, Serialize)]
pub struct MessageOut {
    /// Conversation (listener side only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Sequence number.
    pub seq: i64,
    /// Author.
    pub author: Author,
    /// Client id.
    pub id: String,
    /// Text.
    pub body: String,
    /// Commit time.
    pub at: i64,
    /// Pseudonym of the listener who wrote it (listener messages only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// Listener side only: whether the receiving listener wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own: Option<bool>,
}

impl MessageOut {
    /// From a stored message (its text is copied once, into the frame).
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

/// To the person's page.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PersonOut {
    /// After hello.
    Welcome {
        contact_id: String,
        state: &'static str,
        listener: Option<String>,
        listener_away: bool,
        end_reason: Option<&'static str>,
        max_message_chars: usize,
    },
    /// Place and estimate.
    Queue {
        position: usize,
        waiting: usize,
        on_duty: usize,
        estimate: WaitEstimate,
    },
    /// Committed.
    Ack { id: String, seq: i64 },
    /// A message.
    Message(MessageOut),
    /// Listener typing.
    Typing,
    /// A listener answered.
    Assigned { listener: String },
    /// Listener connection dropped.
    ListenerAway,
    /// Listener back.
    ListenerBack,
    /// Back in the queue.
    Requeued,
    /// Over.
    Ended { reason: &'static str },
    /// Another tab took over.
    Replaced,
    /// Refused.
    Error(ErrorOut),
}

/// A conversation in the listener's workspace.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationOut {
    pub contact_id: String,
    pub label: String,
    pub returning: bool,
    pub person_away: bool,
    pub answered_at: Option<i64>,
}

/// A sheet still to fill.
#[derive(Debug, Clone, Serialize)]
pub struct PendingSheetOut {
    pub contact_id: String,
    pub label: String,
}

/// To the listener's workspace.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ListenerOut {
    /// After hello.
    Welcome {
        pseudonym: String,
        presence: &'static str,
        capacity: u32,
        conversations: Vec<ConversationOut>,
        pending_sheets: Vec<PendingSheetOut>,
    },
    /// Queue and roster.
    Board {
        waiting: usize,
        on_duty: usize,
        free: usize,
    },
    /// Presence now.
    Presence { presence: &'static str },
    /// Next gave this.
    Assigned { conversation: ConversationOut },
    /// Next found nobody.
    QueueEmpty,
    /// Committed.
    Ack {
        contact_id: String,
        id: String,
        seq: i64,
    },
    /// A message.
    Message(MessageOut),
    /// Person typing.
    Typing { contact_id: String },
    /// Person's connection dropped.
    PersonAway { contact_id: String },
    /// Person back.
    PersonBack { contact_id: String },
    /// Over.
    Ended {
        contact_id: String,
        reason: &'static str,
        sheet_url: Option<String>,
    },
    /// Went back to the queue.
    Requeued { contact_id: String },
    /// Opened elsewhere.
    Replaced,
    /// Refused.
    Error(ErrorOut),
}

/// An error frame's fields.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorOut {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
}

impl ErrorOut {
    /// An error with no frame reference.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ErrorOut {
            code,
            message: message.into(),
            id: None,
            contact_id: None,
        }
    }

    /// Names the refused message.
    pub fn with_id(mut self, id: &str) -> Self {
        // Echo only what fits the documented id shape, so bad input is never reflected.
        if ecoute_domain::ClientMessageId::parse(id).is_ok() {
            self.id = Some(id.to_owned());
        }
        self
    }

    /// Names the conversation.
    pub fn with_contact(mut self, contact_id: &str) -> Self {
        if uuid::Uuid::parse_str(contact_id).is_ok() {
            self.contact_id = Some(contact_id.to_owned());
        }
        self
    }
}

/// An error frame on its own (before the conversation's frame type is known).
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ErrorFrame {
    /// Refused.
    Error(ErrorOut),
}
