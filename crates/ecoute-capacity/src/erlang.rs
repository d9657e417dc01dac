//! Erlang B and Erlang C: the classic formulas for servers without waiting room (B) and for
//! a queue where nobody gives up (C, the M/M/n model).
//!
//! Both are computed with the recursion `B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))`, which
//! never forms `aⁿ` or `n!` and so stays exact to rounding for thousands of servers and any
//! load. Erlang C follows from B by `C = n·B / (n − a·(1 − B))`.

use serde::Serialize;

use crate::error::{non_negative, positive, CapacityError, Result};

/// Offered load: how many calls arrive and how long each keeps a listener busy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Load {
    /// Mean arrival rate, in calls per hour.
    pub arrivals_per_hour: f64,
    /// Mean handle time (talk plus wrap-up), in seconds.
    pub mean_handle_secs: f64,
}

impl Load {
    /// Validates and builds a load. A zero arrival rate is allowed (an empty night hour).
    pub fn new(arrivals_per_hour: f64, mean_handle_secs: f64) -> Result<Self> {
        non_negative("arrivals_per_hour", arrivals_per_hour)?;
        positive("mean_handle_secs", mean_handle_secs)?;
        Ok(Load {
            arrivals_per_hour,
            mean_handle_secs,
        })
    }

    /// Offered traffic in erlangs: `λ · h`, the mean number of busy listeners if all calls
    /// were served.
    pub fn erlangs(&self) -> f64 {
        self.arrivals_per_hour * self.mean_handle_secs / 3600.0
    }

    /// Arrival rate per second, the time unit of the formulas.
    pub(crate) fn rate_per_sec(&self) -> f64 {
        self.arrivals_per_hour / 3600.0
    }
}

/// The most listeners the formulas take: a hundred times the largest call centres, far
/// beyond any helpline's hour. The Erlang B recursion costs one step per listener, so the
/// bound also bounds the cost of every figure.
pub const MAX_LISTENERS: u32 = 100_000;

/// Checks a listener count: at least one, since "zero listeners" has no useful answer, and
/// at most [`MAX_LISTENERS`].
pub(crate) fn listeners(value: u32) -> Result<u32> {
    if value == 0 {
        Err(CapacityError::invalid(
            "listeners",
            value,
            "must be at least 1",
        ))
    } else if value > MAX_LISTENERS {
        Err(CapacityError::invalid(
            "listeners",
            value,
            "must be at most 100,000: the formulas cost one step per listener, and no \
             helpline's hour comes near that many",
        ))
    } else {
        Ok(value)
    }
}

/// Erlang B: the probability that a call finds all `servers` busy when there is no queue
/// (blocked calls are lost), for `erlangs` of offered traffic.
/// At most [`MAX_LISTENERS`] servers.
pub fn erlang_b(servers: u32, erlangs: f64) -> Result<f64> {
    non_negative("erlangs", erlangs)?;
    if servers > 0 {
        listeners(servers)?;
    }
    Ok(erlang_b_unchecked(servers, erlangs))
}

/// The recursion itself, for callers that have already validated their inputs.
pub(crate) fn erlang_b_unchecked(servers: u32, erlangs: f64) -> f64 {
    ErlangBWalk::new(erlangs).advance_to(servers)
}

/// The Erlang B recursion kept between listener counts, so that a table or a search over
/// `1..=n` costs `n` steps in all instead of one recursion per count (`n²/2` steps).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErlangBWalk {
    erlangs: f64,
    servers: u32,
    b: f64,
}

impl ErlangBWalk {
    /// `B(0) = 1`.
    pub(crate) fn new(erlangs: f64) -> Self {
        ErlangBWalk {
            erlangs,
            servers: 0,
            b: 1.0,
        }
    }

    /// `B(servers)`, stepping on from the last count; `servers` must not go backwards.
    pub(crate) fn advance_to(&mut self, servers: u32) -> f64 {
        debug_assert!(servers >= self.servers, "the recursion only goes forward");
        while self.servers < servers {
            self.servers += 1;
            let ab = self.erlangs * self.b;
            self.b = ab / (f64::from(self.servers) + ab);
        }
        self.b
    }
}

/// Erlang C (M/M/n): Poisson arrivals, exponential handle times, `listeners` servers, an
/// unlimited queue served first come first served, and callers who never give up.
///
/// It needs fewer erlangs than listeners: otherwise the queue grows for ever, which is
/// exactly the situation of a saturated helpline — use [`crate::ErlangA`] there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangC {
    load: Load,
    listeners: u32,
    prob_wait: f64,
}

impl ErlangC {
    /// Builds the model; fails if `listeners` is zero or the load is not below `listeners`.
    pub fn new(load: Load, listeners: u32) -> Result<Self> {
        listeners_checked(load, listeners)?;
        Self::with_erlang_b(
            load,
            listeners,
            erlang_b_unchecked(listeners, load.erlangs()),
        )
    }

    /// The model from `B(listeners, a)` already computed (by an [`ErlangBWalk`]).
    pub(crate) fn with_erlang_b(load: Load, listeners: u32, b: f64) -> Result<Self> {
        listeners_checked(load, listeners)?;
        let n = f64::from(listeners);
        let a = load.erlangs();
        let prob_wait = n * b / (n - a * (1.0 - b));
        Ok(ErlangC {
            load,
            listeners,
            prob_wait,
        })
    }

    /// Number of listeners of the model.
    pub fn listeners(&self) -> u32 {
        self.listeners
    }

    /// Probability that a caller has to wait at all (the Erlang C formula proper).
    pub fn prob_wait(&self) -> f64 {
        self.prob_wait
    }

    /// Average speed of answer: mean wait over all callers, in seconds.
    pub fn asa_secs(&self) -> f64 {
        let a = self.load.erlangs();
        self.prob_wait * self.load.mean_handle_secs / (f64::from(self.listeners) - a)
    }

    /// Service level: the share of callers answered within `target_secs` seconds.
    pub fn service_level(&self, target_secs: f64) -> Result<f64> {
        non_negative("service_level_secs", target_secs)?;
        let a = self.load.erlangs();
        let n = f64::from(self.listeners);
        // The wait of a caller who waits is exponential with rate (n − a)/h.
        let decay = (-(n - a) * target_secs / self.load.mean_handle_secs).exp();
        Ok(1.0 - self.prob_wait * decay)
    }

    /// Occupancy: the share of listener time spent in conversation, `a / n`.
    pub fn occupancy(&self) -> f64 {
        self.load.erlangs() / f64::from(self.listeners)
    }
}

fn listeners_checked(load: Load, n: u32) -> Result<()> {
    listeners(n)?;
    let a = load.erlangs();
    if a >= f64::from(n) {
        return Err(CapacityError::BeyondModel(format!(
            "Erlang C needs fewer erlangs than listeners, got {a:.2} erlangs for {n} listeners \
             (the queue would grow without bound; use Erlang A, which lets callers give up)"
        )));
    }
    Ok(())
}

/// The fewest listeners for which Erlang C answers at least `target` of callers within
/// `within_secs` seconds (e.g. 0.8 within 20 s).
///
/// The search stops at [`MAX_LISTENERS`]; one Erlang B recursion serves every count tried.
pub fn listeners_for_service_level(load: Load, target: f64, within_secs: f64) -> Result<u32> {
    crate::error::open_unit("target_service_level", target)?;
    non_negative("service_level_secs", within_secs)?;
    let a = load.erlangs();
    // Start just above the load: fewer listeners make the model unstable.
    let start = a.floor() + 1.0;
    if start > f64::from(MAX_LISTENERS) {
        return Err(beyond_max_listeners(a));
    }
    let mut walk = ErlangBWalk::new(a);
    for n in (start as u32).max(1)..=MAX_LISTENERS {
        let c = ErlangC::with_erlang_b(load, n, walk.advance_to(n))?;
        if c.service_level(within_secs)? >= target {
            return Ok(n);
        }
    }
    Err(beyond_max_listeners(a))
}

/// No count up to [`MAX_LISTENERS`] meets a target.
pub(crate) fn beyond_max_listeners(erlangs: f64) -> CapacityError {
    CapacityError::BeyondModel(format!(
        "no listener count up to {MAX_LISTENERS} meets the target for {erlangs:.1} erlangs"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_b_small_cases_match_the_closed_form() {
        // B(1, a) = a / (1 + a); B(2, a) = a²/2 / (1 + a + a²/2).
        let b1 = erlang_b(1, 1.0).expect("valid");
        assert!((b1 - 0.5).abs() < 1e-15);
        let b2 = erlang_b(2, 2.0).expect("valid");
        assert!((b2 - 2.0 / 5.0).abs() < 1e-15);
    }

    #[test]
    fn erlang_b_is_stable_for_thousands_of_servers() {
        let b = erlang_b(5000, 4900.0).expect("valid");
        assert!(b.is_finite() && b > 0.0 && b < 0.05);
        assert_eq!(erlang_b(1000, 1.0).expect("valid"), 0.0);
    }

    #[test]
    fn erlang_c_rejects_saturation_and_zero_listeners() {
        let load = Load::new(60.0, 600.0).expect("valid"); // 10 erlangs
        assert!(matches!(
            ErlangC::new(load, 10),
            Err(CapacityError::BeyondModel(_))
        ));
        assert!(matches!(
            ErlangC::new(load, 0),
            Err(CapacityError::InvalidParameter {
                name: "listeners",
                ..
            })
        ));
        assert!(matches!(
            Load::new(-1.0, 60.0),
            Err(CapacityError::InvalidParameter {
                name: "arrivals_per_hour",
                ..
            })
        ));
    }
}
