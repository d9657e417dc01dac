//! Test support for ecoute, shared by every test crate and the benchmark: one client of the
//! protocol instead of one per crate.
//!
//! - [`ws`]: a typed WebSocket client. A [`PersonWs`] sends [`PersonIn`] and receives
//!   [`PersonOut`], a [`ListenerWs`] the listener's frames; waits are bounded and panic
//!   naming what they waited for (`try_` variants return a [`WaitError`] instead, for the
//!   benchmark); raw text, bytes and JSON remain possible for the bad-input tests.
//! - [`http`]: joining the queue, logging in, cookies and CSRF fields.
//! - [`process`]: `ecoute` commands and `ecoute serve` processes.
//! - [`pg`]: PostgreSQL test schemas and databases, dropped after the test.
//!
//! [`PersonIn`]: ecoute_protocol::PersonIn
//! [`PersonOut`]: ecoute_protocol::PersonOut

pub mod http;
pub mod pg;
pub mod process;
pub mod ws;

pub use http::{hidden_field, http_client, join_queue, login, login_response, set_cookie, Joined};
pub use ws::{Connect, ListenerWs, PersonWs, RawWs, SupervisorWs, WaitError, Ws};

/// Password of every test account.
pub const PASSWORD: &str = "a long test password";
