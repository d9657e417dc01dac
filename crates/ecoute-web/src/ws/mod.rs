//! The two WebSocket conversations (see docs/protocol.md): the person reaching out and the
//! listener. Shared plumbing — frame limits, parsing, exactly-once delivery — lives in
//! [`socket`] and [`delivery`].

mod delivery;
mod frames;
mod listener;
mod person;
mod socket;

pub use listener::upgrade as listener_upgrade;
pub use person::upgrade as person_upgrade;
