//! Staffing and shift planning, each answer checked by simulation.
//!
//! - [`hourly`]: listeners needed hour by hour for a target (Erlang A);
//! - [`staffing`]: listener-hours and volunteers for a target share of attempts or of
//!   people, and what one more volunteer brings (simulated);
//! - [`optimise`]: where to place a given number of listener-hours (LP, rounding, local
//!   search), checked against the plan it starts from by simulation.

pub mod hourly;
pub mod optimise;
pub mod staffing;

use serde::Serialize;

use crate::error::{CapacityError, Result};
use crate::sim::{simulate, SimConfig, SimReport};

/// How plans are checked by simulation: which seeds, over how many days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Seeds; every plan is simulated with the same seeds (common random numbers), and the
    /// figures are averaged over them.
    pub seeds: Vec<u64>,
    /// Days simulated per seed (overrides the scenario's horizon; a year is 365).
    pub horizon_days: f64,
}

/// The most seeds a [`Check`] takes: every plan is simulated once per seed.
pub const MAX_SEEDS: usize = 64;

impl Check {
    /// Validates the check.
    pub fn validate(&self) -> Result<()> {
        crate::sim::horizon("horizon_days", self.horizon_days)?;
        if self.seeds.is_empty() || self.seeds.len() > MAX_SEEDS {
            return Err(CapacityError::invalid(
                "seeds",
                format!("{} seeds", self.seeds.len()),
                "needs from 1 to 64 seeds: every plan is simulated once per seed",
            ));
        }
        Ok(())
    }
}

/// Figures of one plan, averaged over the seeds of a [`Check`] and scaled to a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Listener-hours per year.
    pub listener_hours_per_year: f64,
    /// Attempts per year, redials included.
    pub attempts: f64,
    /// Attempts answered per year (= people answered).
    pub answered: f64,
    /// People (episodes) per year.
    pub people: f64,
    /// People who gave up after more than one try, per year.
    pub people_lost_after_retrying: f64,
    /// Share of attempts answered.
    pub answered_share: f64,
    /// Share of people answered.
    pub people_answered_share: f64,
    /// Mean wait of answered attempts, seconds.
    pub mean_wait_answered_secs: f64,
    /// The smallest hourly answered share over the week: how the worst hour fares.
    pub min_hourly_answered_share: f64,
    /// Per hour of the week: share of attempts answered.
    pub hourly_answered_share: Vec<f64>,
    /// Per hour of the week: mean wait of answered attempts, seconds.
    pub hourly_mean_wait_secs: Vec<f64>,
    /// Per hour of the week: attempts per hour.
    pub hourly_attempts_per_hour: Vec<f64>,
    /// Per hour of the week: new people per hour.
    pub hourly_people_per_hour: Vec<f64>,
}

/// Simulates `config` with each seed of `check` and averages the figures.
pub fn evaluate(config: &SimConfig, check: &Check) -> Result<Outcome> {
    check.validate()?;
    let mut config = config.clone();
    config.horizon_days = check.horizon_days;
    let reports = check
        .seeds
        .iter()
        .map(|&seed| simulate(&config, seed))
        .collect::<Result<Vec<SimReport>>>()?;
    Ok(Outcome::from_reports(&reports))
}

impl Outcome {
    fn from_reports(reports: &[SimReport]) -> Self {
        let runs = reports.len() as f64;
        let days: f64 = reports.iter().map(|r| r.horizon_days).sum();
        let per_year = 365.0 / days; // sums over all runs → one year
        let sum = |f: &dyn Fn(&SimReport) -> f64| reports.iter().map(f).sum::<f64>();
        let attempts = sum(&|r| r.totals.attempts as f64);
        let answered = sum(&|r| r.totals.answered as f64);
        let people = sum(&|r| r.totals.people as f64);
        let hourly = |f: &dyn Fn(&SimReport, usize) -> (f64, f64)| -> Vec<f64> {
            (0..crate::roster::HOURS_PER_WEEK)
                .map(|h| {
                    let (num, den) = reports
                        .iter()
                        .map(|r| f(r, h))
                        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
                    crate::sim::ratio(num, den)
                })
                .collect()
        };
        let hourly_answered_share =
            hourly(&|r, h| (r.by_hour[h].answered as f64, r.by_hour[h].attempts as f64));
        Outcome {
            min_hourly_answered_share: hourly_answered_share.iter().copied().fold(1.0, f64::min),
            hourly_answered_share,
            listener_hours_per_year: sum(&|r| r.totals.listener_hours) * per_year,
            attempts: attempts * per_year,
            answered: answered * per_year,
            people: people * per_year,
            people_lost_after_retrying: sum(&|r| r.totals.people_lost_after_retrying as f64)
                * per_year,
            answered_share: crate::sim::ratio(answered, attempts),
            people_answered_share: crate::sim::ratio(answered, people),
            mean_wait_answered_secs: sum(&|r| r.totals.mean_wait_answered_secs) / runs,
            hourly_mean_wait_secs: hourly(&|r, h| {
                (
                    r.by_hour[h].wait_answered_secs,
                    r.by_hour[h].answered as f64,
                )
            }),
            hourly_attempts_per_hour: hourly(&|r, h| (r.by_hour[h].attempts as f64, r.weeks())),
            hourly_people_per_hour: hourly(&|r, h| (r.by_hour[h].first_attempts as f64, r.weeks())),
        }
    }
}
