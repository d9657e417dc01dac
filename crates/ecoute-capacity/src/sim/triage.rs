//! What a risk triage changes: the same line simulated with triage off (FIFO) and on,
//! the people at high risk and the others tallied apart.

use serde::Serialize;

use super::config::{Discipline, RiskTriage, SimConfig};
use super::report::SimReport;
use crate::error::{CapacityError, Result};

/// The figures one run gives for the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TriageFigures {
    /// Share of the high-risk people's attempts answered within the threshold.
    pub high_risk_answered_within: f64,
    /// Share of high-risk people answered within the threshold of their first dial,
    /// redials included.
    pub high_risk_people_answered_within: f64,
    /// Share of the high-risk people's attempts answered at all.
    pub high_risk_answered: f64,
    /// Share of high-risk people answered on one of their attempts.
    pub high_risk_people_answered: f64,
    /// Mean wait of the high-risk people's answered attempts, seconds.
    pub high_risk_mean_wait_secs: f64,
    /// Share of the others' attempts answered within the threshold.
    pub others_answered_within: f64,
    /// Share of the others answered within the threshold of their first dial.
    pub others_people_answered_within: f64,
    /// Share of the others' attempts answered at all.
    pub others_answered: f64,
    /// Share of the others answered on one of their attempts.
    pub others_people_answered: f64,
    /// Mean wait of the others' answered attempts, seconds.
    pub others_mean_wait_secs: f64,
    /// 90th percentile of the wait of the others' answered attempts, seconds.
    pub others_p90_wait_secs: f64,
    /// Share of all attempts answered.
    pub answered: f64,
    /// Share of all people answered.
    pub people_answered: f64,
    /// Share of the people flagged by the triage.
    pub flagged: f64,
    /// Share of the flagged who were at high risk (0 when nobody is flagged).
    pub flagged_at_risk: f64,
}

impl TriageFigures {
    /// The figures of a [`Discipline::Triage`] run, with answers "within" meaning after
    /// less than `within_secs`. Errors if the run has no risk groups.
    pub fn of(report: &SimReport, within_secs: u32) -> Result<Self> {
        let groups = report.by_risk.as_ref().ok_or_else(|| {
            CapacityError::BeyondModel(
                "the run has no risk groups: simulate it with Discipline::Triage".into(),
            )
        })?;
        let (h, o) = (&groups.high_risk, &groups.others);
        let flagged = h.flagged + o.flagged;
        let people = h.people + o.people;
        let share = |a: u64, b: u64| if b > 0 { a as f64 / b as f64 } else { 0.0 };
        Ok(TriageFigures {
            high_risk_answered_within: h.answered_within_share(within_secs),
            high_risk_people_answered_within: h.people_answered_within_share(within_secs),
            high_risk_answered: h.answered_share,
            high_risk_people_answered: h.people_answered_share,
            high_risk_mean_wait_secs: h.mean_wait_answered_secs,
            others_answered_within: o.answered_within_share(within_secs),
            others_people_answered_within: o.people_answered_within_share(within_secs),
            others_answered: o.answered_share,
            others_people_answered: o.people_answered_share,
            others_mean_wait_secs: o.mean_wait_answered_secs,
            others_p90_wait_secs: o.p90_wait_answered_secs,
            answered: report.totals.answered_share,
            people_answered: report.totals.people_answered_share,
            flagged: share(flagged, people),
            flagged_at_risk: share(h.flagged, flagged),
        })
    }
}

/// One seed's pair of runs: the same people, triage off and on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriagePair {
    /// The seed of both runs.
    pub seed: u64,
    /// Triage off: FIFO, nobody flagged.
    pub off: TriageFigures,
    /// Triage on.
    pub on: TriageFigures,
}

/// Simulates `config` with triage off and on for each seed. The discipline of `config` is
/// replaced: `Triage(RiskTriage::off(h))` and `Triage(triage)`. With the same seed both
/// runs see the same callers, the same people at high risk (the risk draws do not depend
/// on the recall) and the same arrivals, which makes their difference sharper than two
/// independent runs. `progress` is called with the share of runs done.
pub fn compare_triage(
    config: &SimConfig,
    triage: RiskTriage,
    seeds: &[u64],
    within_secs: u32,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<TriagePair>> {
    let off = SimConfig {
        discipline: Discipline::Triage(RiskTriage::off(triage.high_risk_share)),
        ..config.clone()
    };
    let on = SimConfig {
        discipline: Discipline::Triage(triage),
        ..config.clone()
    };
    let runs = (2 * seeds.len()) as f64;
    let mut pairs = Vec::with_capacity(seeds.len());
    for (i, &seed) in seeds.iter().enumerate() {
        let done = (2 * i) as f64;
        let a = super::simulate_with_progress(&off, seed, &mut |f| progress((done + f) / runs))?;
        let b =
            super::simulate_with_progress(&on, seed, &mut |f| progress((done + 1.0 + f) / runs))?;
        pairs.push(TriagePair {
            seed,
            off: TriageFigures::of(&a, within_secs)?,
            on: TriageFigures::of(&b, within_secs)?,
        });
    }
    Ok(pairs)
}

/// Mean and sample standard deviation of values (sd 0 for fewer than two).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1).
    pub sd: f64,
}

impl Spread {
    /// The spread of `values` (mean 0 if empty).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let v: Vec<f64> = values.into_iter().collect();
        let n = v.len() as f64;
        if v.is_empty() {
            return Spread { mean: 0.0, sd: 0.0 };
        }
        let mean = v.iter().sum::<f64>() / n;
        let sd = if v.len() > 1 {
            (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        Spread { mean, sd }
    }
}
