//! Hour by hour: how many listeners each hour of the week needs (Erlang A), and how many
//! calls each extra listener answers there (the curves the optimiser works on).

use serde::Serialize;

use crate::erlang::Load;
use crate::erlang_a::{listeners_for_target, ErlangA, Target};
use crate::error::Result;
use crate::roster::{hour_label, HOURS_PER_WEEK};
use crate::sim::SimConfig;

/// Listeners one hour of the week needs for a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourlyRequirement {
    /// Hour of the week, 0 = Monday 00:00.
    pub hour_of_week: usize,
    /// "Mon 00:00".
    pub label: String,
    /// Attempts per hour assumed (new people plus the redials the target leaves).
    pub attempts_per_hour: f64,
    /// Listeners needed.
    pub listeners: u32,
    /// Answered share with that many listeners.
    pub answered_share: f64,
    /// Mean wait of answered callers with that many listeners, seconds.
    pub mean_wait_answered_secs: f64,
}

/// Mean time a conversation keeps a listener: talk plus wrap-up, in seconds.
pub(crate) fn mean_busy_secs(config: &SimConfig) -> f64 {
    config.handle.mean_secs() + config.wrap_up_secs
}

/// Attempts per hour when each person tries again with probability `r` after a failure
/// that happens with probability `1 − share`: a geometric number of attempts,
/// `1 / (1 − (1 − share)·r)` per person (ignoring the cap on attempts).
pub(crate) fn attempts_with_redials(fresh: f64, share: f64, r: f64) -> f64 {
    fresh / (1.0 - (1.0 - share) * r)
}

/// For each hour of the week, the fewest listeners for which Erlang A meets `target`,
/// taking the hour's new people plus the redials that the target answered share leaves.
///
/// Erlang A treats each hour as stationary and patience and handle times as exponential
/// with the scenario's means; the simulator checks what those hourly figures give.
pub fn hourly_requirements(config: &SimConfig, target: Target) -> Result<Vec<HourlyRequirement>> {
    config.validate()?;
    let busy = mean_busy_secs(config);
    let patience = config.patience.mean_secs().max(1e-9);
    (0..HOURS_PER_WEEK)
        .map(|h| {
            let attempts = attempts_with_redials(
                config.fresh_per_hour[h],
                target.answered_share,
                config.redial.probability,
            );
            let load = Load::new(attempts, busy)?;
            let listeners = listeners_for_target(load, patience, target)?;
            let m = ErlangA::new(load, patience, listeners)?.metrics()?;
            Ok(HourlyRequirement {
                hour_of_week: h,
                label: hour_label(h),
                attempts_per_hour: attempts,
                listeners,
                answered_share: m.answered_share,
                mean_wait_answered_secs: m.mean_wait_answered_secs,
            })
        })
        .collect()
}

/// Answered calls per hour with 0, 1, …, `max` listeners for `attempts` per hour
/// (Erlang A). The increments are made non-increasing (a concave curve), which the
/// optimiser's linear programme needs; Erlang A's curve is concave already up to rounding.
pub(crate) fn answered_curve(
    attempts: f64,
    busy_secs: f64,
    patience_secs: f64,
    max: u32,
) -> Result<Vec<f64>> {
    let mut curve = Vec::with_capacity(max as usize + 1);
    curve.push(0.0);
    if attempts <= 0.0 {
        curve.resize(max as usize + 1, 0.0);
        return Ok(curve);
    }
    let load = Load::new(attempts, busy_secs)?;
    let mut last_step = f64::INFINITY;
    for n in 1..=max {
        let a = ErlangA::new(load, patience_secs, n)?
            .metrics()?
            .answered_per_hour;
        let prev = curve[curve.len() - 1];
        let step = (a - prev).clamp(0.0, last_step);
        curve.push(prev + step);
        last_step = step;
    }
    Ok(curve)
}

/// Value of a curve at a fractional listener count (linear between integers).
pub(crate) fn curve_at(curve: &[f64], listeners: f64) -> f64 {
    let last = curve.len() - 1;
    let x = listeners.clamp(0.0, last as f64);
    let i = (x.floor() as usize).min(last);
    if i == last {
        return curve[last];
    }
    curve[i] + (x - i as f64) * (curve[i + 1] - curve[i])
}
