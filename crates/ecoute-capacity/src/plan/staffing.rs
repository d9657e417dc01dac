//! How many listener-hours for a target, and what one more volunteer brings, by
//! simulation: the only honest answer once redials make demand depend on staffing.

use serde::Serialize;

use super::{evaluate, Check, Outcome};
use crate::error::{open_unit, positive, CapacityError, Result};
use crate::roster::Staffing;
use crate::sim::SimConfig;

/// Which share a target is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Measure {
    /// Share of attempts answered (what a switchboard counts).
    Attempts,
    /// Share of people answered on one of their attempts.
    People,
}

/// The staffing found for a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffingAnswer {
    /// Target share.
    pub target: f64,
    /// Share it is about.
    pub measure: Measure,
    /// Factor applied to every half hour of the starting staffing.
    pub scale: f64,
    /// Listener-hours per year.
    pub listener_hours_per_year: f64,
    /// Volunteers needed at `hours_per_volunteer` a year each.
    pub volunteers: f64,
    /// The simulated outcome at that staffing.
    pub outcome: Outcome,
}

/// `staffing` with every half hour multiplied by `factor` (rounded to whole listeners).
pub fn scale_staffing(staffing: &Staffing, factor: f64) -> Result<Staffing> {
    positive("scale", factor)?;
    Staffing::from_slots(
        staffing
            .slots()
            .iter()
            .map(|&n| (f64::from(n) * factor).round() as u32)
            .collect(),
    )
}

fn share_of(outcome: &Outcome, measure: Measure) -> f64 {
    match measure {
        Measure::Attempts => outcome.answered_share,
        Measure::People => outcome.people_answered_share,
    }
}

/// The listener-hours that answer `target` of attempts or of people, keeping the shape of
/// the current staffing (every half hour scaled by the same factor), found by bisection on
/// the factor with every step simulated.
pub fn hours_for_share(
    config: &SimConfig,
    target: f64,
    measure: Measure,
    hours_per_volunteer: f64,
    check: &Check,
) -> Result<StaffingAnswer> {
    open_unit("target share", target)?;
    positive("hours_per_volunteer", hours_per_volunteer)?;
    let at = |factor: f64| -> Result<Outcome> {
        let mut c = config.clone();
        c.staffing = scale_staffing(&config.staffing, factor)?;
        evaluate(&c, check)
    };
    // Bracket: the share rises with staffing; double until the target is met.
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut hi_outcome = at(hi)?;
    while share_of(&hi_outcome, measure) < target {
        lo = hi;
        hi *= 2.0;
        if hi > 64.0 {
            return Err(CapacityError::BeyondModel(format!(
                "even 64 times the current staffing does not answer {:.0} %",
                target * 100.0
            )));
        }
        hi_outcome = at(hi)?;
    }
    // A relative precision of 1 % on the factor is well inside the sampling noise.
    while hi - lo > 0.01 * hi {
        let mid = (lo + hi) / 2.0;
        let o = at(mid)?;
        if share_of(&o, measure) >= target {
            hi = mid;
            hi_outcome = o;
        } else {
            lo = mid;
        }
    }
    Ok(StaffingAnswer {
        target,
        measure,
        scale: hi,
        listener_hours_per_year: hi_outcome.listener_hours_per_year,
        volunteers: hi_outcome.listener_hours_per_year / hours_per_volunteer,
        outcome: hi_outcome,
    })
}

/// What `extra` more volunteers bring in a year, their hours spread like the current ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VolunteerEffect {
    /// Volunteers added.
    pub extra_volunteers: f64,
    /// More people answered per year, per added volunteer.
    pub people_answered_per_volunteer: f64,
    /// Fewer people who give up after retrying, per added volunteer.
    pub fewer_lost_after_retrying_per_volunteer: f64,
    /// The outcome without them.
    pub before: Outcome,
    /// The outcome with them.
    pub after: Outcome,
}

/// Simulates the line with and without `extra` volunteers (same seeds, so the difference
/// is not drowned in sampling noise).
pub fn volunteer_effect(
    config: &SimConfig,
    extra: f64,
    hours_per_volunteer: f64,
    check: &Check,
) -> Result<VolunteerEffect> {
    positive("extra volunteers", extra)?;
    positive("hours_per_volunteer", hours_per_volunteer)?;
    let before = evaluate(config, check)?;
    let factor = 1.0 + extra * hours_per_volunteer / before.listener_hours_per_year;
    let mut c = config.clone();
    c.staffing = scale_staffing(&config.staffing, factor)?;
    let after = evaluate(&c, check)?;
    // Rounding to whole listeners changes the hours actually added: divide by those.
    let added =
        (after.listener_hours_per_year - before.listener_hours_per_year) / hours_per_volunteer;
    if added <= 0.0 {
        return Err(CapacityError::invalid(
            "extra volunteers",
            extra,
            "too few to add a whole listener to any half hour",
        ));
    }
    Ok(VolunteerEffect {
        extra_volunteers: added,
        people_answered_per_volunteer: (after.answered - before.answered) / added,
        fewer_lost_after_retrying_per_volunteer: (before.people_lost_after_retrying
            - after.people_lost_after_retrying)
            / added,
        before,
        after,
    })
}
