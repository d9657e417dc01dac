//! WebSocket close codes: those of RFC 6455 the server uses, and the protocol's own
//! (4000–4999, the range RFC 6455 leaves to applications).

use serde::{Deserialize, Serialize};

/// Why the server closes a socket. A client reconnects after any code but the final ones
/// ([`CloseCode::is_final`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(into = "u16", try_from = "u16")]
#[ts(type = "number")]
pub enum CloseCode {
    /// 1000: the client closed, or the conversation is over; the close is echoed.
    Normal,
    /// 1001: the server is shutting down; reconnect (to another instance, or after restart).
    GoingAway,
    /// 1002: the client broke RFC 6455 (unmasked frame, reserved bits, bad close code…).
    ProtocolError,
    /// 1007: a text frame was not valid UTF-8.
    InvalidData,
    /// 1008: the client sent too fast for too long (frame rate limit).
    PolicyViolation,
    /// 1009: a frame over the transport limit ([`crate::limits::MAX_TRANSPORT_BYTES`]).
    TooBig,
    /// 4400: the first frame was not `hello`, or none came in time.
    HelloRequired,
    /// 4401: authentication failed or ended (bad token, session over, account disabled).
    Auth,
    /// 4408: the client stopped answering: no frame nor pong within the heartbeat timeout.
    Timeout,
    /// 4409: a newer connection of the same party took over.
    Replaced,
}

impl CloseCode {
    /// Every code, for docs and tests.
    pub const ALL: [CloseCode; 10] = [
        CloseCode::Normal,
        CloseCode::GoingAway,
        CloseCode::ProtocolError,
        CloseCode::InvalidData,
        CloseCode::PolicyViolation,
        CloseCode::TooBig,
        CloseCode::HelloRequired,
        CloseCode::Auth,
        CloseCode::Timeout,
        CloseCode::Replaced,
    ];

    /// The number on the wire.
    pub fn code(self) -> u16 {
        match self {
            CloseCode::Normal => 1000,
            CloseCode::GoingAway => 1001,
            CloseCode::ProtocolError => 1002,
            CloseCode::InvalidData => 1007,
            CloseCode::PolicyViolation => 1008,
            CloseCode::TooBig => 1009,
            CloseCode::HelloRequired => 4400,
            CloseCode::Auth => 4401,
            CloseCode::Timeout => 4408,
            CloseCode::Replaced => 4409,
        }
    }

    /// The code with this number, if the protocol has one.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Whether reconnecting cannot help (the page stops trying).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CloseCode::HelloRequired | CloseCode::Auth | CloseCode::Replaced
        )
    }
}

impl From<CloseCode> for u16 {
    fn from(c: CloseCode) -> u16 {
        c.code()
    }
}

impl TryFrom<u16> for CloseCode {
    type Error = String;
    fn try_from(code: u16) -> Result<Self, String> {
        CloseCode::from_code(code).ok_or_else(|| format!("{code} is not a close code of ecoute"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for c in CloseCode::ALL {
            assert!(seen.insert(c.code()), "{c:?} repeats a number");
            assert_eq!(CloseCode::from_code(c.code()), Some(c));
        }
        assert_eq!(CloseCode::from_code(1006), None);
    }
}
