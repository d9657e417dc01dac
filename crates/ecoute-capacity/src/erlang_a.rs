//! Erlang A (Palm's M/M/n+M): the Erlang C queue in which every caller also has an
//! exponential patience and hangs up when it runs out before a listener answers.
//!
//! This is the model for a helpline: it stays meaningful when the load exceeds the
//! listeners (one call in three answered), where Erlang C has no steady state.
//!
//! It is computed exactly from the birth–death chain of the number of callers in the
//! system: births at rate λ, deaths at `min(k, n)·μ + max(k − n, 0)·θ`. Below `n` the chain
//! is the Erlang B one, so `Σ_{k≤n} π_k / π_n = 1 / B(n, a)`; above `n` the ratios
//! `π_{n+j}/π_n = Π λ / (nμ + iθ)` are summed until they are negligible. Per-caller
//! figures follow from following one caller through the queue (see [`ErlangA::metrics`]).

use serde::Serialize;

use crate::erlang::{erlang_b_unchecked, listeners, Load};
use crate::error::{open_unit, positive, CapacityError, Result};

/// Past this many queue states the tail is considered not to converge: it happens only
/// when patience is tiny compared with the excess load, a case the model does not cover.
const MAX_QUEUE_STATES: usize = 20_000_000;

/// Terms smaller than this fraction of the running sum end the tail.
const TAIL_EPSILON: f64 = 1e-17;

/// Erlang A (M/M/n+M) for one stationary period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErlangA {
    /// Offered load.
    pub load: Load,
    /// Mean patience of a waiting caller, in seconds (exponential).
    pub mean_patience_secs: f64,
    /// Listeners answering.
    pub listeners: u32,
}

/// Steady-state figures of an [`ErlangA`] model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErlangAMetrics {
    /// Probability that an arriving caller finds every listener busy.
    pub prob_wait: f64,
    /// Probability that a caller gives up before being answered.
    pub prob_abandon: f64,
    /// Share of callers answered, `1 − prob_abandon`.
    pub answered_share: f64,
    /// Mean wait over all callers, in seconds.
    pub mean_wait_secs: f64,
    /// Mean wait of the callers who are answered, in seconds.
    pub mean_wait_answered_secs: f64,
    /// Mean time before hanging up of the callers who give up, in seconds.
    pub mean_wait_abandoned_secs: f64,
    /// Mean number of callers waiting.
    pub mean_queue: f64,
    /// Share of listener time spent in conversation.
    pub occupancy: f64,
    /// Answered calls per hour.
    pub answered_per_hour: f64,
}

impl ErlangA {
    /// Validates and builds the model.
    pub fn new(load: Load, mean_patience_secs: f64, listeners_count: u32) -> Result<Self> {
        positive("mean_patience_secs", mean_patience_secs)?;
        listeners(listeners_count)?;
        Ok(ErlangA {
            load,
            mean_patience_secs,
            listeners: listeners_count,
        })
    }

    /// Computes the steady-state figures.
    ///
    /// A caller who arrives to find `j` others waiting stands at position `p = j + 1`. At
    /// position `q` the line moves on at rate `nμ + (q − 1)θ` (an answer or someone ahead
    /// giving up) and the caller gives up at rate `θ`, so the stay there is exponential with
    /// rate `nμ + qθ`. The products telescope: the caller is answered with probability
    /// `nμ / (nμ + pθ)`, waits `p / (nμ + pθ)` on average, and if answered waited
    /// `Σ_{q≤p} 1 / (nμ + qθ)` on average. PASTA then weights positions by `π`.
    pub fn metrics(&self) -> Result<ErlangAMetrics> {
        let lambda = self.load.rate_per_sec();
        let n = f64::from(self.listeners);
        let mu = 1.0 / self.load.mean_handle_secs;
        let theta = 1.0 / self.mean_patience_secs;
        let nmu = n * mu;

        if lambda == 0.0 {
            return Ok(ErlangAMetrics {
                prob_wait: 0.0,
                prob_abandon: 0.0,
                answered_share: 1.0,
                mean_wait_secs: 0.0,
                mean_wait_answered_secs: 0.0,
                mean_wait_abandoned_secs: 0.0,
                mean_queue: 0.0,
                occupancy: 0.0,
                answered_per_hour: 0.0,
            });
        }

        // Weights relative to π_n. Below n: Σ_{k<n} π_k/π_n = 1/B − 1 (may be +∞ for tiny
        // loads, which correctly makes every "waiting" figure zero).
        let b = erlang_b_unchecked(self.listeners, self.load.erlangs());
        let mut below = 1.0 / b - 1.0;

        // Accumulators over the states n + j, j ≥ 0, each weighted by r_j = π_{n+j}/π_n.
        let mut r = 1.0_f64;
        let mut sum_r = 0.0; // Σ r_j                      → P(wait)
        let mut sum_jr = 0.0; // Σ j r_j                   → E[queue]
        let mut sum_ab = 0.0; // Σ r_j pθ/(nμ+pθ)          → P(abandon)
        let mut sum_w = 0.0; // Σ r_j p/(nμ+pθ)            → E[wait]
        let mut sum_w_ans = 0.0; // Σ r_j nμ H_p/(nμ+pθ)   → E[wait; answered]
        let mut harmonic = 0.0; // H_p = Σ_{q≤p} 1/(nμ+qθ)
        let mut j = 0usize;
        loop {
            let p = (j + 1) as f64;
            let rate = nmu + p * theta;
            harmonic += 1.0 / rate;
            sum_r += r;
            sum_jr += j as f64 * r;
            sum_ab += r * p * theta / rate;
            sum_w += r * p / rate;
            sum_w_ans += r * nmu * harmonic / rate;

            // Next state: ratio λ / (nμ + (j+1)θ), the death rate of state n + j + 1.
            let ratio = lambda / rate;
            r *= ratio;
            j += 1;
            if ratio < 1.0 && r < TAIL_EPSILON * sum_r {
                break;
            }
            if j >= MAX_QUEUE_STATES {
                return Err(CapacityError::BeyondModel(format!(
                    "Erlang A tail did not converge: patience {:.0} s is too long for {:.1} \
                     erlangs on {} listeners",
                    self.mean_patience_secs,
                    self.load.erlangs(),
                    self.listeners
                )));
            }
            // Rescale everything together to stay inside f64 when the queue is huge.
            if r > 1e200 {
                let s = 1e-200;
                r *= s;
                sum_r *= s;
                sum_jr *= s;
                sum_ab *= s;
                sum_w *= s;
                sum_w_ans *= s;
                below *= s;
            }
        }

        let total = below + sum_r;
        let prob_wait = sum_r / total;
        let prob_abandon = sum_ab / total;
        let answered_share = 1.0 - prob_abandon;
        let mean_wait = sum_w / total;
        let wait_answered_mass = sum_w_ans / total;
        let wait_abandoned_mass = (mean_wait - wait_answered_mass).max(0.0);
        let mean_wait_answered_secs = if answered_share > 0.0 {
            wait_answered_mass / answered_share
        } else {
            0.0
        };
        let mean_wait_abandoned_secs = if prob_abandon > 0.0 {
            wait_abandoned_mass / prob_abandon
        } else {
            0.0
        };
        let answered_per_hour = self.load.arrivals_per_hour * answered_share;
        Ok(ErlangAMetrics {
            prob_wait,
            prob_abandon,
            answered_share,
            mean_wait_secs: mean_wait,
            mean_wait_answered_secs,
            mean_wait_abandoned_secs,
            mean_queue: sum_jr / total,
            occupancy: self.load.erlangs() * answered_share / n,
            answered_per_hour,
        })
    }
}

/// A target for [`listeners_for_target`]: an answered share, optionally with a ceiling on
/// the mean wait of answered callers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    /// Share of callers to answer, strictly between 0 and 1.
    pub answered_share: f64,
    /// Optional ceiling on the mean wait of answered callers, in seconds.
    pub max_mean_wait_secs: Option<f64>,
}

/// The fewest listeners for which Erlang A meets `target`.
pub fn listeners_for_target(load: Load, mean_patience_secs: f64, target: Target) -> Result<u32> {
    open_unit("target_answered_share", target.answered_share)?;
    if let Some(w) = target.max_mean_wait_secs {
        positive("max_mean_wait_secs", w)?;
    }
    positive("mean_patience_secs", mean_patience_secs)?;
    if load.arrivals_per_hour == 0.0 {
        return Ok(1);
    }
    // The answered share rises with every listener, so the first count that meets the
    // target is the answer. Abandonment keeps the model stable, so no lower bound applies.
    let mut n: u32 = 1;
    loop {
        let m = ErlangA::new(load, mean_patience_secs, n)?.metrics()?;
        let wait_ok = target
            .max_mean_wait_secs
            .is_none_or(|w| m.mean_wait_answered_secs <= w);
        if m.answered_share >= target.answered_share && wait_ok {
            return Ok(n);
        }
        n = n.checked_add(1).ok_or_else(|| {
            CapacityError::BeyondModel("no listener count reaches the target".into())
        })?;
    }
}
