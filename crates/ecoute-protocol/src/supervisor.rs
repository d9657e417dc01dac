//! The supervisor's socket, `GET /ws/supervisor`: the live board, alerts, reading a
//! conversation (each read recorded), and private notes to its listener.

use crate::error::ErrorOut;
use crate::message::MessageOut;
use ecoute_domain::triage::TriageLevel;
use ecoute_domain::{AlertKind, Channel, Presence};
use serde::{Deserialize, Serialize};

/// From the supervisor's board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SupervisorIn {
    /// Open the board.
    Hello,
    /// Heartbeat: the server answers `pong`.
    Ping,
    /// Read a conversation in progress: recorded in the audit log, then its `transcript`
    /// and each new message follow until `unwatch` (one conversation at a time).
    Watch {
        /// The conversation.
        contact_id: String,
    },
    /// Stop following the conversation read.
    Unwatch {
        /// The conversation.
        contact_id: String,
    },
    /// A private note to the conversation's listener; the person never sees it.
    Whisper {
        /// The conversation.
        contact_id: String,
        /// Client-chosen id, echoed in `whispered`.
        id: String,
        /// Text (1–2000 characters).
        body: String,
    },
    /// Set the priority of someone waiting (0–9; higher is served first), up or down; the
    /// change is recorded (who, from what, to what, when).
    Priority {
        /// The waiting contact.
        contact_id: String,
        /// The new priority.
        priority: i32,
    },
    /// Take the conversation over oneself (a warm transfer to one's own workspace, which
    /// must be open and available); the person is told.
    TakeOver {
        /// The conversation.
        contact_id: String,
    },
    /// Hand the conversation to another listener on duty (from the roster); the person is
    /// told.
    Transfer {
        /// The conversation.
        contact_id: String,
        /// The listener's account id (`user_id` of the roster).
        to: i64,
    },
    /// Take an alert in hand: it leaves every board.
    Resolve {
        /// The alert.
        alert_id: String,
    },
}

/// What the risk triage read in a person's words while they waited: an aid, never a
/// diagnosis (docs/safety.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TriageOut {
    /// The scorer's version.
    pub version: String,
    /// The highest level read about the writer.
    pub level: TriageLevel,
    /// The highest level read about someone else they spoke of.
    pub other: TriageLevel,
    /// The words that triggered it, as written: display them as text, never as HTML.
    pub triggers: Vec<String>,
}

impl From<&ecoute_domain::TriageRecord> for TriageOut {
    fn from(r: &ecoute_domain::TriageRecord) -> Self {
        TriageOut {
            version: r.version.clone(),
            level: r.level,
            other: r.other,
            triggers: r.triggers.clone(),
        }
    }
}

/// Someone waiting for an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct WaitingOut {
    /// The contact (chats only: a written thread is answered from the inbox).
    pub contact_id: Option<String>,
    /// Their label ("P-3F9A" for a chat, "W-3F9A" for a written thread).
    pub label: String,
    /// Chat or written message.
    pub channel: Channel,
    /// Priority (higher is served first).
    pub priority: i32,
    /// Came back after losing their listener.
    pub returning: bool,
    /// Waiting since (ms since the epoch).
    pub since: i64,
    /// What the triage read in their words, if anything (chats only).
    pub triage: Option<TriageOut>,
}

/// A conversation in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OngoingOut {
    /// The contact.
    pub contact_id: String,
    /// Its label.
    pub label: String,
    /// Its listener's pseudonym.
    pub listener: String,
    /// Answered at (ms since the epoch).
    pub answered_at: Option<i64>,
}

/// A listener on duty or on pause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RosterOut {
    /// Their account id (for `transfer`).
    pub user_id: i64,
    /// Their pseudonym.
    pub pseudonym: String,
    /// Available or on pause.
    pub presence: Presence,
    /// Conversations they hold now.
    pub conversations: u32,
    /// Presence set at (ms since the epoch), if ever set.
    pub since: Option<i64>,
    /// Whether their workspace is disconnected right now.
    pub away: bool,
}

/// An open alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AlertOut {
    /// The alert.
    pub alert_id: String,
    /// Help now, or a debrief after a hard conversation.
    pub kind: AlertKind,
    /// The conversation.
    pub contact_id: String,
    /// Its label.
    pub label: String,
    /// The listener's pseudonym (`null` for triage's alert about someone waiting).
    pub listener: Option<String>,
    /// Raised at (ms since the epoch).
    pub raised_at: i64,
    /// Whether the conversation is still in progress (it can be read).
    pub in_progress: bool,
}

/// The whole live board of a centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct BoardOut {
    /// Read at (ms since the epoch, the server's clock): durations count from it.
    pub now: i64,
    /// People waiting: chats in serve order, then written threads awaiting a reply.
    pub waiting: Vec<WaitingOut>,
    /// Conversations in progress, the longest first.
    pub ongoing: Vec<OngoingOut>,
    /// Listeners available or on pause.
    pub roster: Vec<RosterOut>,
    /// Open alerts, oldest first.
    pub alerts: Vec<AlertOut>,
    /// Chats of the last hour that were answered…
    pub answered_last_hour: u64,
    /// …of those that are settled (answered, or ended unanswered).
    pub settled_last_hour: u64,
}

/// A supervisor's private note to a listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct WhisperOut {
    /// The conversation.
    pub contact_id: String,
    /// Order within the conversation's notes, from 1.
    pub seq: i64,
    /// The supervisor's pseudonym.
    pub from: String,
    /// Text: display it as text, never as HTML.
    pub body: String,
    /// Written at (ms since the epoch).
    pub at: i64,
}

/// To the supervisor's board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SupervisorOut {
    /// After hello.
    Welcome {
        /// The supervisor's pseudonym.
        pseudonym: String,
        /// Heartbeat period (see the listener's `welcome`).
        heartbeat_ms: u64,
        /// The board now.
        board: BoardOut,
    },
    /// The board changed.
    Board {
        /// The board now.
        board: BoardOut,
    },
    /// After `watch`: the conversation so far. New messages follow as `message` frames.
    Transcript {
        /// The conversation.
        contact_id: String,
        /// Its label.
        label: String,
        /// Its listener's pseudonym.
        listener: String,
        /// Its messages so far.
        messages: Vec<MessageOut>,
        /// The supervisors' notes so far.
        whispers: Vec<WhisperOut>,
    },
    /// A new message of the conversation read.
    Message(MessageOut),
    /// The note `id` is stored and shown to the listener.
    Whispered {
        /// The client's id of the note.
        id: String,
        /// The note.
        whisper: WhisperOut,
    },
    /// The conversation read has ended.
    Ended {
        /// The conversation.
        contact_id: String,
    },
    /// Answer to `ping`.
    Pong,
    /// A frame was refused.
    Error(ErrorOut),
}

impl From<&ecoute_domain::Whisper> for WhisperOut {
    fn from(w: &ecoute_domain::Whisper) -> Self {
        WhisperOut {
            contact_id: w.contact.to_string(),
            seq: w.seq,
            from: w.from_pseudonym.clone(),
            body: w.body.clone(),
            at: w.at.millis(),
        }
    }
}
