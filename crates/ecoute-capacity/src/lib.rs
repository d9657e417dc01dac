//! Capacity planning for anonymous listening helplines.
//!
//! "How many listener-hours, placed when, to answer one person in two?" This crate answers
//! with three tools, each usable alone:
//!
//! - [`erlang`] and [`erlang_a`]: the Erlang B, C and A formulas for one stationary hour;
//! - [`sim`]: a discrete-event simulator of weeks or a year of calls with an hour-of-week
//!   demand profile, redials, shifts, chats and priorities;
//! - [`plan`]: staffing targets and a shift optimiser, each checked by simulation.
//!
//! [`scenario`] reads the TOML description of a helpline (the SOS Amitié 2016 year ships
//! with the crate). The crate does no I/O and every random draw comes from a seeded
//! generator, so the same inputs and seed always give the same figures.

pub mod dist;
pub mod erlang;
pub mod erlang_a;
pub mod error;
pub mod plan;
pub mod roster;
pub mod scenario;
pub mod sim;

pub use dist::Dist;
pub use erlang::{erlang_b, listeners_for_service_level, ErlangC, Load, MAX_LISTENERS};
pub use erlang_a::{
    erlang_table, listeners_for_target, ErlangA, ErlangAMetrics, ErlangCFigures, TableRow, Target,
    MAX_TABLE_ROWS,
};
pub use error::{CapacityError, Result};
pub use roster::{Roster, ShiftPattern, Staffing};
pub use scenario::Scenario;
pub use sim::{simulate, simulate_with_progress, Discipline, Redial, SimConfig, SimReport};
