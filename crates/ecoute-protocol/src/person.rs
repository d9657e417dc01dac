//! The person's socket, `GET /ws/person`.

use crate::error::ErrorOut;
use crate::message::MessageOut;
use ecoute_domain::{ContactStatus, EndReason, WaitEstimate};
use serde::{Deserialize, Serialize};

/// From the person's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PersonIn {
    /// Authenticate with the resume token and resume after `last_seq`.
    Hello {
        /// The token from `POST /api/contacts`.
        token: String,
        /// Highest seq already seen (0 on a fresh page).
        #[serde(default)]
        last_seq: i64,
        /// The code of the campaign whose link brought the page (`?c=`), if any: the
        /// person's messages are counted under it, anonymously (an undeclared code counts
        /// as none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        campaign: Option<String>,
    },
    /// A message (while waiting too: it is read when a listener answers).
    Send {
        /// Client-chosen id (1–64 of `A–Z a–z 0–9 - _`).
        id: String,
        /// Text.
        body: String,
    },
    /// The person is typing.
    Typing,
    /// End the conversation, or leave the queue.
    End,
    /// Heartbeat: the server answers `pong`.
    Ping,
    /// The page has shown every message up to `seq`; the listener is told (`delivered`).
    Received {
        /// Highest seq shown.
        seq: i64,
    },
}

impl PersonIn {
    /// `hello` with no campaign (what a page reached by no campaign's link sends).
    pub fn hello(token: impl Into<String>, last_seq: i64) -> PersonIn {
        PersonIn::Hello {
            token: token.into(),
            last_seq,
            campaign: None,
        }
    }
}

/// To the person's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PersonOut {
    /// After hello; then every missed `message`, then a `queue` frame while waiting.
    Welcome {
        /// The conversation.
        contact_id: String,
        /// Where it is.
        state: ContactStatus,
        /// The listener's pseudonym, in conversation.
        listener: Option<String>,
        /// Whether the listener's connection is lost right now.
        listener_away: bool,
        /// How it ended, if it has.
        end_reason: Option<EndReason>,
        /// The longest message, in characters.
        max_message_chars: usize,
        /// Heartbeat period: the page sends `ping` this often when idle, and takes the
        /// connection for dead after three periods without any frame from the server.
        heartbeat_ms: u64,
    },
    /// Place (1 = next) and honest estimate; sent again whenever it changes.
    Queue {
        /// Place in the queue.
        position: usize,
        /// People waiting.
        waiting: usize,
        /// Listeners on duty.
        on_duty: usize,
        /// The estimated wait.
        estimate: WaitEstimate,
    },
    /// The message `id` is committed as `seq`.
    Ack {
        /// The message.
        id: String,
        /// Its seq.
        seq: i64,
    },
    /// A message of the conversation.
    Message(MessageOut),
    /// The listener is typing.
    Typing,
    /// A listener answered, shown under this pseudonym.
    Assigned {
        /// The pseudonym.
        listener: String,
    },
    /// Another listener takes over the conversation (a supervisor's warm transfer); the
    /// page says so in plain words. They can read what was written so far.
    Transferred {
        /// The new listener's pseudonym.
        listener: String,
    },
    /// The listener's connection dropped.
    ListenerAway,
    /// The listener's connection came back.
    ListenerBack,
    /// Back at the head of the queue with the conversation so far.
    Requeued,
    /// The conversation is over.
    Ended {
        /// How.
        reason: EndReason,
    },
    /// Another tab took over this conversation; this socket closes (4409).
    Replaced,
    /// Answer to `ping`.
    Pong,
    /// The listener's page has shown every message up to `seq`.
    Delivered {
        /// Highest seq shown on the listener's page.
        seq: i64,
    },
    /// A frame was refused.
    Error(ErrorOut),
}
