//! The two WebSocket conversations (see docs/protocol.md): the person reaching out and the
//! listener. Both run the one loop of [`conn`]; the frames are `ecoute_protocol`'s.
//!
//! - [`transport`]: one socket — strict parsing, sending, RFC 6455 closing;
//! - [`rate`]: per-socket rate limits;
//! - [`conn`]: the connection loop both sides share, and the [`conn::Side`] each implements;
//! - [`delivery`]: exactly-once, in-order delivery of messages;
//! - [`person`], [`listener`]: each side's frames.

mod conn;
mod delivery;
mod listener;
pub(crate) mod person;
mod rate;
mod transport;

pub use listener::upgrade as listener_upgrade;
pub use person::upgrade as person_upgrade;
