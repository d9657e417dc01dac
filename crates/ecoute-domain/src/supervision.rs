//! Live supervision: the alerts that call a supervisor to a conversation, what a supervisor
//! writes privately to a listener, and the audit of every conversation read by someone other
//! than its listener.
//!
//! A supervisor sees conversations, never who the person is: contacts are shown by their
//! label, listeners by their pseudonym.

use crate::ids::{CentreId, ContactId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// Longest private note from a supervisor to a listener, in characters.
pub const MAX_WHISPER_CHARS: usize = 2000;

/// One alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlertId(pub Uuid);

impl AlertId {
    /// A fresh random id.
    pub fn new_random() -> Self {
        AlertId(Uuid::new_v4())
    }
}

impl fmt::Display for AlertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for AlertId {
    type Err = crate::ids::IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s)
            .map(AlertId)
            .map_err(|_| crate::ids::IdError::Alert)
    }
}

/// Why a supervisor is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A listener in a hard conversation pressed "alert": a supervisor is needed now.
    Help,
    /// After a conversation marked high-risk, or a sheet asking for a debrief: the listener
    /// would like to talk it over with a supervisor.
    Debrief,
}

impl AlertKind {
    /// Stable name used in storage and the protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Help => "help",
            AlertKind::Debrief => "debrief",
        }
    }

    /// Inverse of [`AlertKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "help" => Some(AlertKind::Help),
            "debrief" => Some(AlertKind::Debrief),
            _ => None,
        }
    }
}

/// A call for a supervisor, open until one of them resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// The alert.
    pub id: AlertId,
    /// The centre whose supervisors see it.
    pub centre: CentreId,
    /// The conversation it is about.
    pub contact: ContactId,
    /// The listener who raised it (or whose sheet asked for a debrief).
    pub listener: UserId,
    /// Their pseudonym.
    pub listener_pseudonym: String,
    /// Why.
    pub kind: AlertKind,
    /// When it was raised.
    pub raised_at: Timestamp,
    /// Who resolved it, and when; `None` while open.
    pub resolved: Option<(UserId, Timestamp)>,
}

impl Alert {
    /// Whether no supervisor has resolved it yet.
    pub fn is_open(&self) -> bool {
        self.resolved.is_none()
    }
}

/// A supervisor's private note to the listener of a conversation: the person never sees it.
/// Deleted with the conversation's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Whisper {
    /// The conversation.
    pub contact: ContactId,
    /// Order within the conversation's notes, from 1.
    pub seq: i64,
    /// The supervisor who wrote it.
    pub from: UserId,
    /// Their pseudonym.
    pub from_pseudonym: String,
    /// The text.
    pub body: String,
    /// When it was written.
    pub at: Timestamp,
}

/// Why a whisper was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhisperError {
    /// Nothing but spaces.
    #[error("the note is empty")]
    Empty,
    /// Over [`MAX_WHISPER_CHARS`].
    #[error("the note is longer than {MAX_WHISPER_CHARS} characters")]
    TooLong,
}

/// The text of a whisper, checked: trimmed, not empty, bounded.
pub fn whisper_text(text: &str) -> Result<String, WhisperError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(WhisperError::Empty);
    }
    if text.chars().count() > MAX_WHISPER_CHARS {
        return Err(WhisperError::TooLong);
    }
    Ok(text.to_owned())
}

/// One read of a conversation by someone other than its listener: who, which contact, when —
/// never what they read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationRead {
    /// When.
    pub at: Timestamp,
    /// The reader.
    pub reader: UserId,
    /// Their pseudonym.
    pub reader_pseudonym: String,
    /// The conversation.
    pub contact: ContactId,
}

/// The share of the people who reached out in a window who were answered, as the live board
/// shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AnsweredShare {
    /// People answered by a listener.
    pub answered: u64,
    /// People who reached out and are no longer waiting (answered, or left unanswered).
    pub settled: u64,
}

impl AnsweredShare {
    /// The share answered, 0–1; `None` when nobody has reached out in the window.
    pub fn ratio(&self) -> Option<f64> {
        (self.settled > 0).then(|| self.answered as f64 / self.settled as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whispers_are_trimmed_and_bounded() {
        assert_eq!(whisper_text("  I'm here \n").as_deref(), Ok("I'm here"));
        assert_eq!(whisper_text(" \n\t"), Err(WhisperError::Empty));
        let long = "é".repeat(MAX_WHISPER_CHARS + 1);
        assert_eq!(whisper_text(&long), Err(WhisperError::TooLong));
        assert!(whisper_text(&"é".repeat(MAX_WHISPER_CHARS)).is_ok());
    }

    #[test]
    fn alert_kinds_round_trip() {
        for k in [AlertKind::Help, AlertKind::Debrief] {
            assert_eq!(AlertKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AlertKind::parse("panic"), None);
    }

    #[test]
    fn answered_share() {
        assert_eq!(AnsweredShare::default().ratio(), None);
        let s = AnsweredShare {
            answered: 3,
            settled: 4,
        };
        assert_eq!(s.ratio(), Some(0.75));
    }
}
