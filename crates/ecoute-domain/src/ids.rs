//! Identifiers, each its own type so that a contact id can never be passed as a user id.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// A conversation (or an attempt at one) with a person reaching out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContactId(pub Uuid);

impl ContactId {
    /// A fresh random id (v4): it reveals nothing about when or where it was made.
    pub fn new_random() -> Self {
        ContactId(Uuid::new_v4())
    }

    /// The short label staff see instead of any identity, e.g. `P-3F9A`.
    pub fn person_label(&self) -> String {
        let hex = self.0.simple().to_string();
        format!("P-{}", hex[..4].to_uppercase())
    }
}

impl fmt::Display for ContactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for ContactId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s)
            .map(ContactId)
            .map_err(|_| IdError::Contact)
    }
}

/// A written thread: the messages of a person who writes without waiting for a listener
/// (see [`crate::written`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ThreadId(pub Uuid);

impl ThreadId {
    /// A fresh random id (v4).
    pub fn new_random() -> Self {
        ThreadId(Uuid::new_v4())
    }

    /// The short label staff see, e.g. `W-3F9A`.
    pub fn label(&self) -> String {
        let hex = self.0.simple().to_string();
        format!("W-{}", hex[..4].to_uppercase())
    }
}

impl fmt::Display for ThreadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for ThreadId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s)
            .map(ThreadId)
            .map_err(|_| IdError::Thread)
    }
}

/// A staff account (listener, supervisor or administrator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A listening centre ("poste d'écoute"). Every install has at least the default one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CentreId(pub i64);

impl CentreId {
    /// The centre created by the first migration.
    pub const DEFAULT: CentreId = CentreId(1);
}

/// The id a client chooses for a message it sends, so that a resend is recognised and
/// acknowledged again instead of being stored twice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientMessageId(String);

impl ClientMessageId {
    /// Longest accepted id, in bytes (a UUID is 36).
    pub const MAX_LEN: usize = 64;

    /// Accepts 1 to 64 characters among ASCII letters, digits, `-` and `_`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(ClientMessageId(s.to_owned()))
        } else {
            Err(IdError::ClientMessage)
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClientMessageId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ClientMessageId::parse(&s)
    }
}

impl From<ClientMessageId> for String {
    fn from(id: ClientMessageId) -> String {
        id.0
    }
}

/// An identifier that does not have the expected shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not a UUID.
    #[error("contact id must be a UUID")]
    Contact,
    /// Not a UUID.
    #[error("thread id must be a UUID")]
    Thread,
    /// Not a UUID.
    #[error("alert id must be a UUID")]
    Alert,
    /// Not 1–64 characters of `[A-Za-z0-9_-]`.
    #[error("message id must be 1 to 64 characters among letters, digits, '-' and '_'")]
    ClientMessage,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_message_id_bounds() {
        assert!(ClientMessageId::parse("a1-B_2").is_ok());
        assert!(ClientMessageId::parse("").is_err());
        assert!(ClientMessageId::parse(&"x".repeat(65)).is_err());
        assert!(ClientMessageId::parse(&"x".repeat(64)).is_ok());
        assert!(ClientMessageId::parse("<script>").is_err());
        assert!(ClientMessageId::parse("é").is_err());
    }

    #[test]
    fn person_label_is_short_and_stable() {
        let id: ContactId = "3f9a0000-0000-4000-8000-000000000000".parse().unwrap();
        assert_eq!(id.person_label(), "P-3F9A");
        assert!("nope".parse::<ContactId>().is_err());
    }
}

/// Identifies one WebSocket connection across every instance: the instance's id in the high 32
/// bits, a per-connection random number in the low 32. When an instance dies without closing
/// its sockets, the store finds its connections by `conn >> 32` and treats them as closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectionId(pub i64);

impl ConnectionId {
    /// A connection of `instance` (a positive 31-bit number) with the local number `local`.
    pub fn new(instance: u32, local: u32) -> Self {
        ConnectionId((i64::from(instance & 0x7fff_ffff) << 32) | i64::from(local))
    }

    /// The instance that holds this connection.
    pub fn instance(self) -> i64 {
        self.0 >> 32
    }
}

#[cfg(test)]
mod connection_tests {
    use super::ConnectionId;

    #[test]
    fn instance_is_recovered_and_ids_stay_positive() {
        let c = ConnectionId::new(u32::MAX, u32::MAX);
        assert!(c.0 > 0);
        assert_eq!(c.instance(), 0x7fff_ffff);
        assert_eq!(ConnectionId::new(7, 12345).instance(), 7);
        assert_ne!(ConnectionId::new(7, 1), ConnectionId::new(8, 1));
    }
}
