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

use crate::erlang::{
    beyond_max_listeners, erlang_b_unchecked, listeners, ErlangBWalk, ErlangC, Load, MAX_LISTENERS,
};
use crate::error::{non_negative, open_unit, positive, CapacityError, Result};

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
        self.metrics_with_b(self.erlang_b())
    }

    /// `B(n, a)` for this model's listeners and load.
    fn erlang_b(&self) -> f64 {
        erlang_b_unchecked(self.listeners, self.load.erlangs())
    }

    /// [`ErlangA::metrics`] from `B(n, a)` already computed.
    fn metrics_with_b(&self, b: f64) -> Result<ErlangAMetrics> {
        let n = f64::from(self.listeners);
        let (nmu, theta) = self.rates();
        if self.load.arrivals_per_hour == 0.0 {
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

        let mut acc = Accumulators {
            nmu,
            theta,
            ..Accumulators::default()
        };
        let below = self.walk_queue(b, &mut acc)?;

        let total = below + acc.sum_r;
        let prob_wait = acc.sum_r / total;
        let prob_abandon = acc.sum_ab / total;
        let answered_share = 1.0 - prob_abandon;
        let mean_wait = acc.sum_w / total;
        let wait_answered_mass = acc.sum_w_ans / total;
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
            mean_queue: acc.sum_jr / total,
            occupancy: self.load.erlangs() * answered_share / n,
            answered_per_hour,
        })
    }

    /// Service level: the share of all callers answered within `within_secs` seconds.
    /// Callers who give up count against it, whenever they give up (the convention of
    /// "answered within T over offered").
    ///
    /// A caller answered from position `p` spent an Exp(`nμ + qθ`) time at each position
    /// `q ≤ p` whatever the outcome (competing exponential clocks), so the wait of answered
    /// callers is the absorption time of a pure-death chain started from the positions
    /// weighted by `π · P(answered | p)`. That chain is solved by uniformization: exact up
    /// to a truncation of the Poisson sum below 1e-13.
    pub fn service_level(&self, within_secs: f64) -> Result<f64> {
        let mut budget = MAX_UNIFORMIZATION_WORK;
        self.service_level_with_b(within_secs, self.erlang_b(), &mut budget)
            .map_err(|e| match e {
                Refusal::Error(e) => e,
                Refusal::TooLong { positions } => CapacityError::BeyondModel(format!(
                    "the service level within {within_secs:.0} s needs too long a computation \
                     for a queue of {positions} positions"
                )),
            })
    }

    /// [`ErlangA::service_level`] from `B(n, a)` already computed, spending at most
    /// `budget` steps of computation (what it spends is taken off).
    fn service_level_with_b(
        &self,
        within_secs: f64,
        b: f64,
        budget: &mut f64,
    ) -> Result<f64, Refusal> {
        non_negative("service_level_secs", within_secs)?;
        if self.load.arrivals_per_hour == 0.0 {
            return Ok(1.0);
        }
        let (nmu, theta) = self.rates();
        let mut positions = AnsweredByPosition {
            nmu,
            theta,
            mass: Vec::new(),
            waiting: 0.0,
        };
        let below = self.walk_queue(b, &mut positions)?;
        if below.is_infinite() {
            // So light a load that nobody ever waits.
            return Ok(1.0);
        }
        let total = below + positions.waiting;
        let answered_in_time = absorbed_by(&positions.mass, nmu, theta, within_secs, budget)?;
        Ok(((below + answered_in_time) / total).min(1.0))
    }

    /// `(nμ, θ)` per second.
    fn rates(&self) -> (f64, f64) {
        let mu = 1.0 / self.load.mean_handle_secs;
        (
            f64::from(self.listeners) * mu,
            1.0 / self.mean_patience_secs,
        )
    }

    /// Walks the states `n + j`, `j ≥ 0`, of the chain, handing `visit` the weights
    /// `r_j = π_{n+j} / π_n` until the tail is negligible, and returns `Σ_{k<n} π_k / π_n`
    /// on the same scale (`+∞` for loads so small that nobody waits); `b` is `B(n, a)`.
    fn walk_queue(&self, b: f64, visit: &mut dyn QueueVisitor) -> Result<f64> {
        let lambda = self.load.rate_per_sec();
        let (nmu, theta) = self.rates();
        // Below n: Σ_{k<n} π_k/π_n = 1/B − 1.
        let mut below = 1.0 / b - 1.0;
        let (mut r, mut sum_r) = (1.0_f64, 0.0);
        let mut j = 0usize;
        loop {
            visit.state(j, r);
            sum_r += r;
            // Next state: ratio λ / (nμ + (j+1)θ), the death rate of state n + j + 1.
            let ratio = lambda / (nmu + (j + 1) as f64 * theta);
            r *= ratio;
            j += 1;
            if ratio < 1.0 && r < TAIL_EPSILON * sum_r {
                return Ok(below);
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
                below *= s;
                visit.rescale(s);
            }
        }
    }
}

/// Receives the states of [`ErlangA::walk_queue`].
trait QueueVisitor {
    /// State `n + j` has weight `r` relative to `π_n` (on the current scale).
    fn state(&mut self, j: usize, r: f64);
    /// Every weight seen so far must be multiplied by `factor`.
    fn rescale(&mut self, factor: f64);
}

/// The sums behind [`ErlangA::metrics`], each weighted by `r_j`.
#[derive(Default)]
struct Accumulators {
    nmu: f64,
    theta: f64,
    /// Σ r_j → P(wait).
    sum_r: f64,
    /// Σ j r_j → E[queue].
    sum_jr: f64,
    /// Σ r_j pθ/(nμ+pθ) → P(abandon).
    sum_ab: f64,
    /// Σ r_j p/(nμ+pθ) → E[wait].
    sum_w: f64,
    /// Σ r_j nμ H_p/(nμ+pθ) → E[wait; answered].
    sum_w_ans: f64,
    /// H_p = Σ_{q≤p} 1/(nμ+qθ).
    harmonic: f64,
}

impl QueueVisitor for Accumulators {
    fn state(&mut self, j: usize, r: f64) {
        let p = (j + 1) as f64;
        let rate = self.nmu + p * self.theta;
        self.harmonic += 1.0 / rate;
        self.sum_r += r;
        self.sum_jr += j as f64 * r;
        self.sum_ab += r * p * self.theta / rate;
        self.sum_w += r * p / rate;
        self.sum_w_ans += r * self.nmu * self.harmonic / rate;
    }

    fn rescale(&mut self, factor: f64) {
        for x in [
            &mut self.sum_r,
            &mut self.sum_jr,
            &mut self.sum_ab,
            &mut self.sum_w,
            &mut self.sum_w_ans,
        ] {
            *x *= factor;
        }
    }
}

/// The weight of each queue position among callers who will be answered, for
/// [`ErlangA::service_level`].
struct AnsweredByPosition {
    nmu: f64,
    theta: f64,
    /// `mass[p − 1] = r_{p−1} · nμ / (nμ + pθ)`.
    mass: Vec<f64>,
    /// Σ r_j: callers who wait.
    waiting: f64,
}

impl QueueVisitor for AnsweredByPosition {
    fn state(&mut self, j: usize, r: f64) {
        let p = (j + 1) as f64;
        self.mass.push(r * self.nmu / (self.nmu + p * self.theta));
        self.waiting += r;
    }

    fn rescale(&mut self, factor: f64) {
        self.waiting *= factor;
        self.mass.iter_mut().for_each(|m| *m *= factor);
    }
}

/// Past this many chain steps times positions, the service level is refused rather than
/// computed for minutes; a whole [`erlang_table`] gets the same budget.
const MAX_UNIFORMIZATION_WORK: f64 = 4e9;

/// Why a service level was not computed.
#[derive(Debug)]
enum Refusal {
    /// An invalid input or a model limit.
    Error(CapacityError),
    /// The computation would pass its budget; `positions` is the queue it walks.
    TooLong { positions: usize },
}

impl From<CapacityError> for Refusal {
    fn from(e: CapacityError) -> Self {
        Refusal::Error(e)
    }
}

/// Mass of the pure-death chain (position `q` left at rate `nμ + qθ`, position 0
/// absorbing) absorbed by time `t`, starting from `mass[q − 1]` at each position `q`.
/// Uniformization at the fastest rate `Λ`: after a Poisson(`Λt`) number of steps, each
/// step moving from `q` with probability `(nμ + qθ)/Λ`. Poisson weights are built in
/// log space so that `e^{−Λt}` never underflows.
///
/// Its cost, steps times positions (and the positions walked to build `mass`), is taken
/// off `budget`, and it is refused beforehand if it would pass it.
fn absorbed_by(
    mass: &[f64],
    nmu: f64,
    theta: f64,
    t: f64,
    budget: &mut f64,
) -> Result<f64, Refusal> {
    let positions = mass.len();
    // The walk that built `mass` cost a step per position, and the next row's will too.
    if positions as f64 > *budget {
        return Err(Refusal::TooLong { positions });
    }
    *budget -= positions as f64;
    let total: f64 = mass.iter().sum();
    if t == 0.0 || total == 0.0 {
        return Ok(0.0);
    }
    let big_lambda = nmu + positions as f64 * theta;
    let lt = big_lambda * t;
    let steps_bound = lt + 10.0 * lt.sqrt() + 50.0;
    let work = steps_bound * positions as f64;
    if work > *budget {
        return Err(Refusal::TooLong { positions });
    }
    *budget -= work;
    let leave: Vec<f64> = (1..=positions)
        .map(|q| (nmu + q as f64 * theta) / big_lambda)
        .collect();
    let mut v = mass.to_vec();
    let mut absorbed = 0.0;
    let mut result = 0.0;
    let mut poisson_cum = 0.0;
    let mut log_pk = -lt;
    let mut k = 0u64;
    loop {
        let pk = log_pk.exp();
        result += pk * absorbed;
        poisson_cum += pk;
        // Past the Poisson mode, stop once the remaining Poisson weight is negligible (ten
        // standard deviations at most, as rounding may keep the running sum off 1), or
        // once everything is absorbed (later steps change nothing).
        let remaining = (1.0 - poisson_cum).max(0.0);
        let past_mode = k as f64 > lt;
        if (past_mode && (remaining < 1e-13 || pk < 1e-20))
            || k as f64 >= steps_bound
            || absorbed >= total * (1.0 - 1e-15)
        {
            return Ok(result + remaining * absorbed);
        }
        // One step of the uniformized chain, front to back so each position moves once.
        absorbed += v[0] * leave[0];
        for q in 0..positions {
            let stay = v[q] * (1.0 - leave[q]);
            let arrive = if q + 1 < positions {
                v[q + 1] * leave[q + 1]
            } else {
                0.0
            };
            v[q] = stay + arrive;
        }
        k += 1;
        log_pk += lt.ln() - (k as f64).ln();
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
    // One Erlang B recursion serves every count tried, and the search stops at
    // MAX_LISTENERS.
    let mut walk = ErlangBWalk::new(load.erlangs());
    for n in 1..=MAX_LISTENERS {
        let m = ErlangA::new(load, mean_patience_secs, n)?.metrics_with_b(walk.advance_to(n))?;
        let wait_ok = target
            .max_mean_wait_secs
            .is_none_or(|w| m.mean_wait_answered_secs <= w);
        if m.answered_share >= target.answered_share && wait_ok {
            return Ok(n);
        }
    }
    Err(beyond_max_listeners(load.erlangs()))
}

/// The most rows an [`erlang_table`] computes: each is a full Erlang A computation, and a
/// table longer than this is read by nobody.
pub const MAX_TABLE_ROWS: u32 = 1_000;

/// Erlang C figures for one row of an [`erlang_table`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErlangCFigures {
    /// Probability of waiting at all.
    pub prob_wait: f64,
    /// Average speed of answer, seconds.
    pub asa_secs: f64,
    /// Share answered within the table's service-level threshold.
    pub service_level: f64,
    /// Share of listener time in conversation, `a / n`.
    pub occupancy: f64,
}

/// One listener count of an [`erlang_table`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TableRow {
    /// Listeners.
    pub listeners: u32,
    /// Erlang C, or `None` when the load is not below the listeners (no steady state).
    pub erlang_c: Option<ErlangCFigures>,
    /// Erlang A.
    pub erlang_a: ErlangAMetrics,
    /// Erlang A share of all callers answered within the threshold.
    pub erlang_a_service_level: f64,
}

/// Erlang C and Erlang A for every listener count from `first` to `last`, with the
/// service level within `service_secs`.
///
/// One Erlang B recursion runs through the whole range, so the table costs one step per
/// listener plus each row's queue; it has at most [`MAX_TABLE_ROWS`] rows and counts up to
/// [`MAX_LISTENERS`], and all its service levels together get the computation budget of
/// one (a very long patience makes every row's queue long).
pub fn erlang_table(
    load: Load,
    mean_patience_secs: f64,
    first: u32,
    last: u32,
    service_secs: f64,
) -> Result<Vec<TableRow>> {
    erlang_table_within(
        load,
        mean_patience_secs,
        (first, last),
        service_secs,
        MAX_UNIFORMIZATION_WORK,
    )
}

/// [`erlang_table`] with its computation budget given (small in tests).
fn erlang_table_within(
    load: Load,
    mean_patience_secs: f64,
    (first, last): (u32, u32),
    service_secs: f64,
    mut budget: f64,
) -> Result<Vec<TableRow>> {
    listeners(first)?;
    listeners(last)?;
    if last < first {
        return Err(CapacityError::invalid(
            "listeners",
            format!("{first}..{last}"),
            "the range must not decrease",
        ));
    }
    if last - first >= MAX_TABLE_ROWS {
        return Err(CapacityError::invalid(
            "listeners",
            format!("{first}..{last} ({} counts)", u64::from(last - first) + 1),
            "a table has at most 1,000 listener counts: each row is a full Erlang A \
             computation, and no one reads a longer table; narrow the range",
        ));
    }
    non_negative("service_level_secs", service_secs)?;
    let mut walk = ErlangBWalk::new(load.erlangs());
    (first..=last)
        .map(|n| {
            let b = walk.advance_to(n);
            let erlang_c = match ErlangC::with_erlang_b(load, n, b) {
                Ok(c) => Some(ErlangCFigures {
                    prob_wait: c.prob_wait(),
                    asa_secs: c.asa_secs(),
                    service_level: c.service_level(service_secs)?,
                    occupancy: c.occupancy(),
                }),
                // Below the load, Erlang C has no answer: the row says so.
                Err(CapacityError::BeyondModel(_)) => None,
                Err(e) => return Err(e),
            };
            let model = ErlangA::new(load, mean_patience_secs, n)?;
            let erlang_a_service_level = model
                .service_level_with_b(service_secs, b, &mut budget)
                .map_err(|e| match e {
                Refusal::Error(e) => e,
                Refusal::TooLong { positions } => CapacityError::invalid(
                    "listeners",
                    format!(
                        "{first}..{last}, whose row for {n} listeners has a queue of \
                             {positions} positions"
                    ),
                    "the table's service levels would pass 4,000,000,000 steps of \
                         computation, the budget of one table: each row walks its whole \
                         queue, which a long patience makes long; narrow the range or \
                         shorten the patience",
                ),
            })?;
            Ok(TableRow {
                listeners: n,
                erlang_c,
                erlang_a: model.metrics_with_b(b)?,
                erlang_a_service_level,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Given long enough, every caller who will be answered has been: the service level
    /// reaches the answered share. The second case has `Λt` far beyond `e^{−Λt}`'s range.
    #[test]
    fn service_level_reaches_the_answered_share() {
        for (calls, handle, patience, n, t) in [
            (200.0, 180.0, 300.0, 13_u32, 3600.0),
            (7200.0, 1200.0, 10.0, 10, 600.0),
        ] {
            let model =
                ErlangA::new(Load::new(calls, handle).expect("valid"), patience, n).expect("valid");
            let answered = model.metrics().expect("ok").answered_share;
            let sl = model.service_level(t).expect("ok");
            assert!((sl - answered).abs() < 1e-9, "{sl} vs {answered}");
        }
    }

    /// More time never lowers the service level, and at zero it is the share answered at
    /// once, `1 − P(wait)`.
    #[test]
    fn service_level_grows_from_the_immediate_answers() {
        let model =
            ErlangA::new(Load::new(300.0, 1200.0).expect("valid"), 180.0, 34).expect("valid");
        let m = model.metrics().expect("ok");
        let at_zero = model.service_level(0.0).expect("ok");
        assert!((at_zero - (1.0 - m.prob_wait)).abs() < 1e-12);
        let mut last = at_zero;
        for t in [1.0, 10.0, 30.0, 60.0, 120.0, 600.0] {
            let sl = model.service_level(t).expect("ok");
            assert!(sl >= last - 1e-15, "{t} s: {sl} < {last}");
            last = sl;
        }
        assert!(model.service_level(-1.0).is_err());
    }

    /// The table's one recursion gives the figures of each count computed alone, and the
    /// table refuses what it cannot do quickly: more rows or more listeners than its bounds.
    #[test]
    fn the_table_matches_each_count_and_keeps_its_bounds() {
        let load = Load::new(300.0, 1200.0).expect("valid");
        let rows = erlang_table(load, 120.0, 90, 130, 20.0).expect("table");
        assert_eq!(rows.len(), 41);
        for row in &rows {
            let model = ErlangA::new(load, 120.0, row.listeners).expect("valid");
            assert_eq!(row.erlang_a, model.metrics().expect("ok"));
            let sl = model.service_level(20.0).expect("ok");
            assert!((row.erlang_a_service_level - sl).abs() < 1e-15);
            let c = ErlangC::new(load, row.listeners).ok();
            assert_eq!(row.erlang_c.map(|c| c.prob_wait), c.map(|c| c.prob_wait()));
        }
        let err = erlang_table(load, 120.0, 1, 100_000_000, 20.0).expect_err("too many");
        assert!(err.to_string().contains("at most 100,000"), "{err}");
        let err = erlang_table(load, 120.0, 1, 100_000, 20.0).expect_err("too long");
        assert!(err.to_string().contains("100000 counts"), "{err}");
        assert!(err.to_string().contains("at most 1,000"), "{err}");
        // The last rows the bounds allow are computed.
        let top = erlang_table(load, 120.0, 99_001, 100_000, 20.0).expect("allowed");
        assert_eq!(top.len(), 1_000);
    }

    /// The service levels of a table share one computation budget: a table whose rows
    /// together would pass it is refused, naming the row where it would, although each row
    /// alone fits (here with a small budget; 4e9 steps in production).
    #[test]
    fn a_table_shares_one_computation_budget() {
        let load = Load::new(300.0, 1200.0).expect("valid");
        let within = |budget| erlang_table_within(load, 3600.0, (1, 50), 20.0, budget);
        assert_eq!(within(MAX_UNIFORMIZATION_WORK).expect("fits").len(), 50);
        let err = within(1e5).expect_err("over budget");
        let text = err.to_string();
        assert!(
            text.contains("invalid listeners: 1..50, whose row for "),
            "{text}"
        );
        assert!(text.contains("4,000,000,000 steps"), "{text}");
        let one_row = erlang_table_within(load, 3600.0, (1, 1), 20.0, 1e5);
        assert!(one_row.is_ok(), "{one_row:?}");
    }

    /// A search that no count meets stops at the bound with an error instead of running on.
    #[test]
    fn searches_stop_at_the_listener_bound() {
        let huge = Load::new(1e9, 1200.0).expect("valid"); // 333 million erlangs
        let err = crate::listeners_for_service_level(huge, 0.8, 20.0).expect_err("beyond");
        assert!(err.to_string().contains("100000"), "{err}");
    }

    /// A load so light that nobody waits: every caller is answered at once.
    #[test]
    fn service_level_of_an_idle_line_is_one() {
        let idle = ErlangA::new(Load::new(0.0, 600.0).expect("valid"), 60.0, 3).expect("ok");
        assert_eq!(idle.service_level(20.0).expect("ok"), 1.0);
        let tiny = ErlangA::new(Load::new(1e-9, 600.0).expect("valid"), 60.0, 400).expect("ok");
        assert!(tiny.service_level(20.0).expect("ok") > 1.0 - 1e-12);
    }
}
