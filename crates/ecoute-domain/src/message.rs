//! Messages of a conversation and the rules their text must follow.

use crate::ids::{ClientMessageId, ContactId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The person who reached out.
    Person,
    /// The listener.
    Listener,
}

impl Author {
    /// Stable name used in storage and the protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Person => "person",
            Author::Listener => "listener",
        }
    }

    /// Inverse of [`Author::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "person" => Some(Author::Person),
            "listener" => Some(Author::Listener),
            _ => None,
        }
    }
}

/// A committed message. `seq` numbers a conversation's messages 1, 2, 3… without gaps: a
/// client that has seen up to `n` asks for what follows `n`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// The conversation.
    pub contact: ContactId,
    /// Position in the conversation, from 1.
    pub seq: i64,
    /// Who wrote it.
    pub author: Author,
    /// The sender's id for it (idempotent resend).
    pub client_id: ClientMessageId,
    /// The text, exactly as written (escaped when displayed, never interpreted).
    pub body: String,
    /// When it was committed.
    pub at: Timestamp,
    /// The listener who wrote it (`None` for the person's messages): a requeued
    /// conversation has had more than one listener.
    pub listener: Option<Writer>,
}

/// The listener who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Writer {
    /// Their account.
    pub id: UserId,
    /// The name the person and the staff see.
    pub pseudonym: String,
}

/// A message text that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

/// Why a message text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Nothing but blanks.
    #[error("the message is empty")]
    Empty,
    /// More characters than allowed.
    #[error("the message has {chars} characters; at most {max} are allowed")]
    TooLong {
        /// Characters sent.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// Control characters other than line breaks and tabs.
    #[error("the message contains control characters")]
    ControlCharacters,
}

impl MessageBody {
    /// Default limit, in characters (Unicode scalar values): a long chat message, well under
    /// the WebSocket frame limit even when every character takes four bytes.
    pub const DEFAULT_MAX_CHARS: usize = 2000;

    /// Validates `text`: not blank, at most `max_chars` characters, no control characters
    /// except line feed, carriage return and tab. The text is kept as written (not trimmed).
    pub fn parse(text: &str, max_chars: usize) -> Result<Self, MessageError> {
        if text.trim().is_empty() {
            return Err(MessageError::Empty);
        }
        let chars = text.chars().count();
        if chars > max_chars {
            return Err(MessageError::TooLong {
                chars,
                max: max_chars,
            });
        }
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(MessageError::ControlCharacters);
        }
        Ok(MessageBody(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        assert_eq!(MessageBody::parse("  \n ", 10), Err(MessageError::Empty));
        assert_eq!(
            MessageBody::parse("ééééé", 4),
            Err(MessageError::TooLong { chars: 5, max: 4 })
        );
        assert!(MessageBody::parse("éé\né", 4).is_ok());
        assert_eq!(
            MessageBody::parse("a\u{0}b", 10),
            Err(MessageError::ControlCharacters)
        );
        let b = MessageBody::parse("<script>alert(1)</script>", 100).unwrap();
        assert_eq!(b.as_str(), "<script>alert(1)</script>");
    }

    #[test]
    fn author_names() {
        for a in [Author::Person, Author::Listener] {
            assert_eq!(Author::parse(a.as_str()), Some(a));
        }
        assert_eq!(Author::parse("system"), None);
    }
}
