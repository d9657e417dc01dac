//! A discrete-event simulator of a helpline over weeks or a year.
//!
//! People arrive as a Poisson process whose rate changes every hour of the week; each
//! waits in line with some patience, is answered by the first free listener or hangs up,
//! and after hanging up may dial again after a delay. Listeners come and go with their
//! shifts and never hang up on someone when their shift ends. Attempts, people and
//! answered people are counted separately, hour by hour.
//!
//! With constant demand and staffing, exponential handle and patience and no redials the
//! model is exactly Erlang A, which the tests use to check it.

mod config;
mod engine;
mod report;
mod triage;

pub use config::{
    Discipline, Redial, RiskTriage, SimConfig, MAX_CONVERSATIONS_PER_LISTENER, MAX_HORIZON_DAYS,
    MAX_PEOPLE_PER_RUN,
};
pub use engine::MAX_IN_FLIGHT;
pub use triage::{compare_triage, Spread, TriageFigures, TriagePair};

pub(crate) use config::horizon;
pub use report::{occupancy, GroupStats, HourStats, RiskGroups, SimReport, Totals};

pub(crate) use report::ratio;

use crate::error::Result;

/// Simulates `config` with the random streams of `seed`.
pub fn simulate(config: &SimConfig, seed: u64) -> Result<SimReport> {
    simulate_with_progress(config, seed, &mut |_| {})
}

/// Like [`simulate`], calling `progress` with the simulated fraction (0 to 1) every
/// simulated half hour, for progress bars.
pub fn simulate_with_progress(
    config: &SimConfig,
    seed: u64,
    progress: &mut dyn FnMut(f64),
) -> Result<SimReport> {
    engine::Engine::new(config, seed, MAX_IN_FLIGHT)?.run(seed, progress)
}
