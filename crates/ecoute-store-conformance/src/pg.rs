//! What the PostgreSQL tests share: the server's URL and a schema of their own per test, so
//! that tests run in parallel on one database. One helper for every test crate: it lives in
//! `ecoute-testkit` and is re-exported here for the conformance suite's backends.

pub use ecoute_testkit::pg::{drop_schema, fresh_schema, server_url, Schema};
