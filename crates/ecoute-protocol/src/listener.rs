//! The listener's socket, `GET /ws/listener`.

use crate::error::ErrorOut;
use crate::message::MessageOut;
use crate::supervisor::{TriageOut, WhisperOut};
use ecoute_domain::{EndReason, Presence};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// From the listener's workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ListenerIn {
    /// Open the workspace.
    Hello {
        /// Highest seq seen per conversation (empty on a fresh page).
        #[serde(default)]
        last_seqs: HashMap<String, i64>,
    },
    /// Set presence.
    Presence {
        /// The new presence.
        presence: Presence,
    },
    /// Take the waiting contact with the highest priority and the longest wait.
    Next,
    /// A message in one's own conversation.
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
    /// End one's own conversation.
    End {
        /// Conversation.
        contact_id: String,
    },
    /// Heartbeat: the server answers `pong`.
    Ping,
    /// Call a supervisor to this conversation now (pressing again while the alert is open
    /// changes nothing).
    Alert {
        /// Conversation.
        contact_id: String,
    },
    /// The workspace has shown every message of the conversation up to `seq`.
    Received {
        /// Conversation.
        contact_id: String,
        /// Highest seq shown.
        seq: i64,
    },
}

/// A conversation in the listener's workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ConversationOut {
    /// The contact.
    pub contact_id: String,
    /// A short label for the person ("P-3F9A"), never an identity.
    pub label: String,
    /// Whether this person has come back after a requeue.
    pub returning: bool,
    /// Whether the person's connection is lost right now.
    pub person_away: bool,
    /// When a listener first answered (ms since the epoch).
    pub answered_at: Option<i64>,
    /// What the risk triage read in the person's words while they waited, if anything.
    pub triage: Option<TriageOut>,
}

/// A statistics sheet still to fill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PendingSheetOut {
    /// The contact.
    pub contact_id: String,
    /// Its label.
    pub label: String,
}

/// To the listener's workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ListenerOut {
    /// After hello; then the missed `message` frames of each conversation.
    Welcome {
        /// The listener's pseudonym.
        pseudonym: String,
        /// Presence as stored.
        presence: Presence,
        /// Conversations at once (1 or 2).
        capacity: u32,
        /// Current conversations.
        conversations: Vec<ConversationOut>,
        /// Sheets still to fill.
        pending_sheets: Vec<PendingSheetOut>,
        /// Heartbeat period: the page sends `ping` this often when idle, and takes the
        /// connection for dead after three periods without any frame from the server.
        heartbeat_ms: u64,
    },
    /// The centre's queue and roster; sent on every change.
    Board {
        /// People waiting.
        waiting: usize,
        /// Listeners on duty.
        on_duty: usize,
        /// Listeners on duty with room for a conversation.
        free: usize,
    },
    /// Presence as now stored.
    Presence {
        /// The presence.
        presence: Presence,
    },
    /// `next` gave this contact; its messages so far follow.
    Assigned {
        /// The conversation.
        conversation: ConversationOut,
    },
    /// `next` found nobody waiting.
    QueueEmpty,
    /// Committed.
    Ack {
        /// Conversation.
        contact_id: String,
        /// The message.
        id: String,
        /// Its seq.
        seq: i64,
    },
    /// A message.
    Message(MessageOut),
    /// The person is typing.
    Typing {
        /// Conversation.
        contact_id: String,
    },
    /// The person's connection dropped.
    PersonAway {
        /// Conversation.
        contact_id: String,
    },
    /// The person's connection came back.
    PersonBack {
        /// Conversation.
        contact_id: String,
    },
    /// Over.
    Ended {
        /// Conversation.
        contact_id: String,
        /// How.
        reason: EndReason,
        /// The sheet to fill, when this listener answered it.
        sheet_url: Option<String>,
    },
    /// The contact went back to the queue (this listener was away too long).
    Requeued {
        /// Conversation.
        contact_id: String,
    },
    /// The workspace was opened elsewhere; this socket closes (4409).
    Replaced,
    /// Answer to `ping`.
    Pong,
    /// The person's page has shown every message up to `seq`.
    Delivered {
        /// Conversation.
        contact_id: String,
        /// Highest seq shown on the person's page.
        seq: i64,
    },
    /// A supervisor handed this conversation to another listener (or took it over): it
    /// leaves this workspace, with no sheet to fill here.
    TransferredAway {
        /// Conversation.
        contact_id: String,
        /// The pseudonym of the listener who has it now.
        to: String,
    },
    /// The supervisors on duty have been alerted about this conversation.
    AlertRaised {
        /// Conversation.
        contact_id: String,
    },
    /// A supervisor's private note about one of this listener's conversations (the person
    /// never sees it); also sent for each earlier note after `welcome` and `assigned`.
    Whisper(WhisperOut),
    /// A frame was refused.
    Error(ErrorOut),
}
