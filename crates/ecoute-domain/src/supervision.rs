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
    /// The risk triage read a method, intent, plan or behaviour in what a waiting person
    /// wrote (see [`crate::triage`]): their priority is raised, and a supervisor should look.
    Risk,
}

impl AlertKind {
    /// Stable name used in storage and the protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Help => "help",
            AlertKind::Debrief => "debrief",
            AlertKind::Risk => "risk",
        }
    }

    /// Inverse of [`AlertKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "help" => Some(AlertKind::Help),
            "debrief" => Some(AlertKind::Debrief),
            "risk" => Some(AlertKind::Risk),
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
    /// The listener who raised it (or whose sheet asked for a debrief); `None` for a risk
    /// alert raised while the person waits.
    pub listener: Option<UserId>,
    /// Their pseudonym.
    pub listener_pseudonym: Option<String>,
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

/// What the risk triage made of a waiting person's words: the highest levels read so far,
/// by which scorer, and the words that triggered them (conversation text: purged with the
/// messages). An aid for the listener and the supervisor, never a diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageRecord {
    /// The scorer's version ([`crate::triage::SCORER_VERSION`]).
    pub version: String,
    /// The highest level read about the writer.
    pub level: crate::triage::TriageLevel,
    /// The highest level read about someone else the writer speaks of.
    pub other: crate::triage::TriageLevel,
    /// The words that triggered them, as written.
    pub triggers: Vec<String>,
    /// When it was last raised.
    pub at: Timestamp,
}

impl TriageRecord {
    /// The record of `assessment` at `at`, unless it found nothing.
    pub fn of(assessment: &crate::triage::Assessment, at: Timestamp) -> Option<TriageRecord> {
        use crate::triage::TriageLevel;
        if assessment.level == TriageLevel::None && assessment.other == TriageLevel::None {
            return None;
        }
        Some(TriageRecord {
            version: assessment.version.clone(),
            level: assessment.level,
            other: assessment.other,
            triggers: assessment.triggers().map(|c| c.text.clone()).collect(),
            at,
        })
    }

    /// This record and a later one together: the higher levels are kept, with the words of
    /// both (each once), so that a calmer message never hides an earlier alarming one.
    pub fn merged(&self, later: &TriageRecord) -> TriageRecord {
        let mut triggers = self.triggers.clone();
        for t in &later.triggers {
            if !triggers.contains(t) {
                triggers.push(t.clone());
            }
        }
        // Bounded: the words are shown, not archived.
        triggers.truncate(MAX_TRIGGERS);
        TriageRecord {
            version: later.version.clone(),
            level: self.level.max(later.level),
            other: self.other.max(later.other),
            triggers,
            at: later.at,
        }
    }
}

/// The highest priority a supervisor may set by hand (triage's own go up to 6).
pub const MAX_PRIORITY: i32 = 9;

/// A priority a supervisor changed by hand, as the audit log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorityChange {
    /// When.
    pub at: Timestamp,
    /// The supervisor.
    pub by: UserId,
    /// Their pseudonym.
    pub by_pseudonym: String,
    /// The waiting contact.
    pub contact: ContactId,
    /// The priority before.
    pub from: i32,
    /// The priority set.
    pub to: i32,
}

/// Trigger words kept per contact, at most.
pub const MAX_TRIGGERS: usize = 20;

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
        for k in [AlertKind::Help, AlertKind::Debrief, AlertKind::Risk] {
            assert_eq!(AlertKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AlertKind::parse("panic"), None);
    }

    #[test]
    fn triage_records_keep_the_highest_levels() {
        use crate::triage::{assess, TriageLevel};
        assert_eq!(
            TriageRecord::of(&assess("Bonjour, je me sens seul"), Timestamp(1)),
            None
        );
        let plan = TriageRecord::of(
            &assess("j'ai acheté une corde, je vais le faire ce soir"),
            Timestamp(1),
        )
        .expect("a level");
        assert!(plan.level >= TriageLevel::Plan, "{plan:?}");
        assert!(!plan.triggers.is_empty());
        let calm = TriageRecord {
            version: plan.version.clone(),
            level: TriageLevel::WishToBeDead,
            other: TriageLevel::None,
            triggers: vec!["disparaître".into()],
            at: Timestamp(2),
        };
        let both = plan.merged(&calm);
        assert_eq!(both.level, plan.level, "a calmer message never lowers it");
        assert_eq!(both.at, Timestamp(2));
        assert!(both.triggers.contains(&"disparaître".to_owned()));
        assert_eq!(both.triggers.len(), plan.triggers.len() + 1);
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
