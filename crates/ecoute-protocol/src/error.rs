//! Error frames and their codes.

use serde::{Deserialize, Serialize};

/// What a refused frame's error says, for programs. Each code's meaning, and whether the
/// connection stays, is in docs/protocol.md ("Error codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, unknown `type`, missing, unknown or mistyped field.
    BadFrame,
    /// A frame over [`crate::limits::MAX_FRAME_BYTES`].
    FrameTooLarge,
    /// The first frame was not `hello`, or none came in time.
    HelloRequired,
    /// Unknown, purged or malformed resume token.
    BadToken,
    /// The staff session ended (logout, expiry, account disabled).
    SessionExpired,
    /// Empty message, over the character limit, or control characters.
    MessageInvalid,
    /// A message `id` that is not 1–64 of `A–Z a–z 0–9 - _`.
    BadMessageId,
    /// A message `id` already used in this conversation by the other side.
    DuplicateMessageId,
    /// Writing to, or ending, a conversation that is over.
    ContactEnded,
    /// A listener acting on a conversation that is not theirs (or unknown).
    NotYourContact,
    /// `next` while already at capacity.
    Busy,
    /// `next` while in pause or offline.
    NotAvailable,
    /// Too many frames or messages per second; retry the message after `retry_after_ms`.
    RateLimited,
    /// The server failed (database down…); nothing was committed. Retry.
    Internal,
    /// A supervisor named an alert that does not exist (or is of another centre).
    UnknownAlert,
    /// The account may not do this (a listener's socket cannot supervise).
    Forbidden,
    /// A supervisor changed the priority of someone no longer waiting (a listener answered).
    NotWaiting,
    /// `next` after the cap on continuous duty: a pause first (listener wellbeing).
    DutyCap,
}

impl ErrorCode {
    /// Every code, for docs and tests.
    pub const ALL: [ErrorCode; 18] = [
        ErrorCode::BadFrame,
        ErrorCode::FrameTooLarge,
        ErrorCode::HelloRequired,
        ErrorCode::BadToken,
        ErrorCode::SessionExpired,
        ErrorCode::MessageInvalid,
        ErrorCode::BadMessageId,
        ErrorCode::DuplicateMessageId,
        ErrorCode::ContactEnded,
        ErrorCode::NotYourContact,
        ErrorCode::Busy,
        ErrorCode::NotAvailable,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::UnknownAlert,
        ErrorCode::Forbidden,
        ErrorCode::NotWaiting,
        ErrorCode::DutyCap,
    ];

    /// The code as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadFrame => "bad_frame",
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::HelloRequired => "hello_required",
            ErrorCode::BadToken => "bad_token",
            ErrorCode::SessionExpired => "session_expired",
            ErrorCode::MessageInvalid => "message_invalid",
            ErrorCode::BadMessageId => "bad_message_id",
            ErrorCode::DuplicateMessageId => "duplicate_message_id",
            ErrorCode::ContactEnded => "contact_ended",
            ErrorCode::NotYourContact => "not_your_contact",
            ErrorCode::Busy => "busy",
            ErrorCode::NotAvailable => "not_available",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::UnknownAlert => "unknown_alert",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotWaiting => "not_waiting",
            ErrorCode::DutyCap => "duty_cap",
        }
    }

    /// Whether sending the same frame again later may succeed. A client retries only these;
    /// every other refusal would be refused again.
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorCode::Internal | ErrorCode::RateLimited)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error frame's fields. Every refusal names what it refuses: the message (`id`) and the
/// conversation (`contact_id`, listener side) when the refused frame had them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ErrorOut {
    /// For programs.
    pub code: ErrorCode,
    /// For people (English; the pages show their own text for each code).
    pub message: String,
    /// The refused message's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub id: Option<String>,
    /// The conversation the refused frame named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub contact_id: Option<String>,
    /// With `rate_limited`: when to retry, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub retry_after_ms: Option<u64>,
}

impl ErrorOut {
    /// An error with no frame reference.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorOut {
            code,
            message: message.into(),
            id: None,
            contact_id: None,
            retry_after_ms: None,
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

    /// Says when to retry.
    pub fn retry_after(mut self, after: std::time::Duration) -> Self {
        self.retry_after_ms = Some(after.as_millis().try_into().unwrap_or(u64::MAX));
        self
    }
}

/// The frames both sides' sockets send with the same shape, so that the connection loop
/// shared by both sides can send them without knowing the side.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommonOut {
    /// A frame was refused (`PersonOut::Error`, `ListenerOut::Error`).
    Error(ErrorOut),
    /// Answer to `ping` (`PersonOut::Pong`, `ListenerOut::Pong`).
    Pong,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde() {
        for c in ErrorCode::ALL {
            let json = serde_json::to_string(&c).expect("serialises");
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }

    #[test]
    fn bad_references_are_not_echoed() {
        let e = ErrorOut::new(ErrorCode::BadFrame, "x")
            .with_id("<script>")
            .with_contact("not-a-uuid");
        assert_eq!((e.id, e.contact_id), (None, None));
    }
}
