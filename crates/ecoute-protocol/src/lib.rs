//! The WebSocket protocol of ecoute, as Rust types: every frame of every side (the person's
//! page, the listener's workspace and the supervisor's board, in both directions), the error codes, the close codes
//! and the limits.
//!
//! The server serialises what it sends and parses what it receives with these types; the test
//! client (`ecoute-testkit`) does the opposite with the same types; the browser scripts check
//! against `crates/ecoute-web/static/protocol.d.ts`, generated from them by [`typescript`]
//! (a test fails when the committed file is stale). docs/protocol.md describes them in prose.
//!
//! Incoming frames are parsed strictly: unknown types and unknown fields are refused.

pub mod close;
pub mod error;
pub mod limits;
pub mod listener;
pub mod message;
pub mod person;
pub mod supervisor;
pub mod typescript;

pub use close::CloseCode;
pub use error::{ErrorCode, ErrorOut};
pub use listener::{ConversationOut, ListenerIn, ListenerOut, PendingSheetOut};
pub use message::{Audience, MessageOut};
pub use person::{PersonIn, PersonOut};
pub use supervisor::{
    AlertOut, BoardOut, OngoingOut, RosterOut, SupervisorIn, SupervisorOut, TriageOut, WaitingOut,
    WhisperOut,
};

// The domain types that appear in frames, re-exported so that clients need only this crate.
pub use ecoute_domain::triage::TriageLevel;
pub use ecoute_domain::{
    AlertKind, Author, Channel, ContactStatus, EndReason, Presence, WaitEstimate,
};
