//! Where to place a given number of listener-hours.
//!
//! The answered calls of hour `h` with `c` listeners, `A_h(c)`, come from Erlang A with
//! the hour's offered attempts as simulated for the current plan; they are concave in `c`,
//! so "maximise Σ_h A_h(coverage_h)" over shift head-counts is a linear programme: each
//! hour's curve is cut into one-listener pieces filled in order. The LP relaxation is
//! solved with good_lp's pure-Rust microlp solver, rounded, repaired to meet the budget and
//! the minimum coverage, and improved by a local search that moves one listener at a time.
//! The LP value bounds what any integer plan can reach under the same curves, so the gap is
//! reported.
//!
//! The curves ignore that better nights mean fewer redials, so every candidate is then
//! simulated, its simulated demand feeds the next round, and the plan finally kept is the
//! one that answers the most people in simulation, the starting plan included: the
//! optimiser is never worse than where it started, by the same simulation.

use good_lp::{
    constraint, microlp, variable, Expression, ProblemVariables, Solution, SolverModel, Variable,
};
use serde::Serialize;

use super::hourly::{answered_curve, curve_at, mean_busy_secs};
use super::{evaluate, Check, Outcome};
use crate::error::{non_negative, positive, CapacityError, Result};
use crate::roster::{hour_label, Roster, ShiftPattern, HOURS_PER_WEEK};
use crate::sim::SimConfig;

/// Past this many listeners in one hour the curves are cut (the value of the extra
/// listeners is taken as zero): no plan of a realistic budget comes near it.
const MAX_LISTENERS_PER_HOUR: u32 = 250;

/// A listener who answers fewer calls per hour than this adds nothing worth a variable.
const NEGLIGIBLE_STEP: f64 = 0.01;

/// What the optimiser may do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimiseOptions {
    /// Listener-hours per week to place.
    pub budget_hours_per_week: f64,
    /// Listeners on duty at least, every hour of the week (a line never left empty).
    pub min_listeners: f64,
    /// Rounds of "solve, simulate, re-measure demand"; 2 is usually enough.
    pub rounds: u32,
    /// Answered people the optimised plan may lose, as a share of the starting plan's, to
    /// lift its worst hours (0 = never fewer; at saturation every placement answers about
    /// as many, so a few tenths of a percent is sampling noise).
    pub answered_tolerance: f64,
    /// How plans are simulated.
    pub check: Check,
}

/// The optimiser's own figures (Erlang A curves on the demand of the last round): its
/// linear-programme bounds and what the integer plan reaches.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FormulaFigures {
    /// Most answered calls per week any placement of the budget reaches (LP bound).
    pub max_answered_per_week: f64,
    /// Best smallest hourly answered share among plans answering nearly that many (LP
    /// bound).
    pub best_min_share: f64,
    /// Answered calls per week of the integer plan.
    pub plan_answered_per_week: f64,
    /// Smallest hourly answered share of the integer plan.
    pub plan_min_share: f64,
}

/// One hour of the week, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourChange {
    /// Hour of the week.
    pub hour_of_week: usize,
    /// "Mon 00:00".
    pub label: String,
    /// Mean listeners on duty, starting plan.
    pub listeners_before: f64,
    /// Mean listeners on duty, optimised plan.
    pub listeners_after: f64,
    /// Share of attempts answered, starting plan.
    pub answered_share_before: f64,
    /// Share of attempts answered, optimised plan.
    pub answered_share_after: f64,
    /// Mean wait of answered attempts (s), starting plan.
    pub mean_wait_before_secs: f64,
    /// Mean wait of answered attempts (s), optimised plan.
    pub mean_wait_after_secs: f64,
}

/// The optimiser's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShiftPlan {
    /// The plan it started from.
    pub start: Roster,
    /// The plan it recommends (the starting one if nothing simulated better).
    pub optimised: Roster,
    /// Simulated outcome of the starting plan.
    pub start_outcome: Outcome,
    /// Simulated outcome of the recommended plan.
    pub optimised_outcome: Outcome,
    /// Whether the starting plan was kept because no candidate simulated better.
    pub kept_start: bool,
    /// What the formula curves of the last round said.
    pub formula: FormulaFigures,
    /// Hour by hour, before and after.
    pub hours: Vec<HourChange>,
}

/// The same head-count on every shift pattern and day, as many as `budget_hours_per_week`
/// allows: the neutral plan an optimisation can be measured against.
pub fn uniform_roster(patterns: Vec<ShiftPattern>, budget_hours_per_week: f64) -> Result<Roster> {
    positive("budget_hours_per_week", budget_hours_per_week)?;
    let week_hours: f64 = patterns.iter().map(|p| 7.0 * p.hours()).sum();
    let each = (budget_hours_per_week / week_hours).floor() as u32;
    if each == 0 {
        return Err(CapacityError::invalid(
            "budget_hours_per_week",
            budget_hours_per_week,
            "too small for one listener on every shift",
        ));
    }
    let counts = vec![[each; 7]; patterns.len()];
    Roster::new(patterns, counts)
}

/// A shift pattern on a start day: a column of the problem.
struct Cell {
    pattern: usize,
    day: usize,
    hours: f64,
    /// (hour of week, fraction of the hour covered).
    cover: Vec<(usize, f64)>,
}

fn cells(patterns: &[ShiftPattern]) -> Vec<Cell> {
    let mut cells = Vec::new();
    for (pattern, p) in patterns.iter().enumerate() {
        for day in 0..7 {
            let mut cover: Vec<(usize, f64)> = Vec::new();
            for slot in p.slots(day) {
                let h = slot / 2;
                match cover.iter_mut().find(|(hh, _)| *hh == h) {
                    Some(c) => c.1 += 0.5,
                    None => cover.push((h, 0.5)),
                }
            }
            cells.push(Cell {
                pattern,
                day,
                hours: p.hours(),
                cover,
            });
        }
    }
    cells
}

/// The pure optimisation problem: curves, columns, budget, minimum.
struct Problem<'a> {
    curves: Vec<Vec<f64>>,
    /// New people per hour: the equity objective compares each hour's answered calls with
    /// the people who called in it (attempts would count a redialling person many times
    /// and make the saturated nights look more hopeless than they are).
    people: Vec<f64>,
    cells: &'a [Cell],
    budget: f64,
    min: f64,
    /// When set, the integer phase maximises the smallest hourly answered share while
    /// keeping the weekly answered calls at least this high (see [`Problem::score`]).
    floor_total: Option<f64>,
}

/// Sharpness of the smooth minimum used by the integer phase: with β = 50 the smooth
/// minimum of shares is within ln(168)/50 ≈ 0.1 of the true one and every hour's share
/// still moves it, which lets a one-move-at-a-time search make progress.
const SOFT_MIN_BETA: f64 = 50.0;

/// The variables of a model shared by both linear programmes.
struct Model {
    vars: ProblemVariables,
    /// Answered calls per hour, as an expression of the pieces.
    answered: Vec<Expression>,
    p: Pieces,
}

/// Head-counts, curve pieces and slack, which the constraints tie together.
struct Pieces {
    x: Vec<Variable>,
    pieces: Vec<Vec<Variable>>,
    slack: Vec<Variable>,
}

impl Problem<'_> {
    fn coverage(&self, x: &[u32]) -> Vec<f64> {
        let mut cov = vec![0.0; HOURS_PER_WEEK];
        for (cell, &n) in self.cells.iter().zip(x) {
            for &(h, f) in &cell.cover {
                cov[h] += f * f64::from(n);
            }
        }
        cov
    }

    /// Answered calls per week by the curves.
    fn value(&self, x: &[u32]) -> f64 {
        self.coverage(x)
            .iter()
            .zip(&self.curves)
            .map(|(&c, curve)| curve_at(curve, c))
            .sum()
    }

    /// Answered share of each hour with demand, by the curves.
    fn shares(&self, x: &[u32]) -> Vec<f64> {
        self.coverage(x)
            .iter()
            .zip(&self.curves)
            .zip(&self.people)
            .filter(|(_, &d)| d > 0.0)
            .map(|((&c, curve), &d)| curve_at(curve, c) / d)
            .collect()
    }

    /// What the integer phase maximises: the answered calls, or, in equity mode, the
    /// smooth minimum of the hourly shares, heavily penalised below the answered floor.
    fn score(&self, x: &[u32]) -> f64 {
        match self.floor_total {
            None => self.value(x),
            Some(floor) => {
                let shares = self.shares(x);
                let sum: f64 = shares.iter().map(|s| (-SOFT_MIN_BETA * s).exp()).sum();
                let soft_min = -sum.ln() / SOFT_MIN_BETA;
                let shortfall = (floor - self.value(x)).max(0.0) / floor;
                soft_min - 100.0 * shortfall
            }
        }
    }

    fn hours(&self, x: &[u32]) -> f64 {
        self.cells
            .iter()
            .zip(x)
            .map(|(c, &n)| c.hours * f64::from(n))
            .sum()
    }

    fn feasible_cover(&self, x: &[u32]) -> bool {
        self.coverage(x).iter().all(|&c| c >= self.min - 1e-9)
    }

    /// Variables for head-counts (`integer` or not) and curve pieces.
    fn model(&self, integer: bool) -> Model {
        let mut vars = ProblemVariables::new();
        let x: Vec<Variable> = self
            .cells
            .iter()
            .map(|_| {
                let v = variable().min(0);
                vars.add(if integer { v.integer() } else { v })
            })
            .collect();
        let mut answered = Vec::with_capacity(HOURS_PER_WEEK);
        let mut pieces: Vec<Vec<Variable>> = Vec::with_capacity(HOURS_PER_WEEK);
        for curve in &self.curves {
            let mut hour_pieces = Vec::new();
            let mut hour_answered = Expression::from(0.0);
            for k in 1..curve.len() {
                let step = curve[k] - curve[k - 1];
                if step < NEGLIGIBLE_STEP {
                    break; // steps only decrease from here
                }
                let y = vars.add(variable().bounds(0..=1));
                hour_answered += step * y;
                hour_pieces.push(y);
            }
            answered.push(hour_answered);
            pieces.push(hour_pieces);
        }
        let slack = (0..HOURS_PER_WEEK)
            .map(|_| vars.add(variable().min(0)))
            .collect();
        Model {
            vars,
            answered,
            p: Pieces { x, pieces, slack },
        }
    }

    /// Coverage, minimum and budget constraints on a model about to be solved.
    fn constrain<M: SolverModel>(&self, mut solver: M, m: &Pieces) -> M {
        for h in 0..HOURS_PER_WEEK {
            let mut coverage = Expression::from(0.0);
            for (cell, &xv) in self.cells.iter().zip(&m.x) {
                for &(hh, f) in &cell.cover {
                    if hh == h {
                        coverage += f * xv;
                    }
                }
            }
            let filled: Expression = m.pieces[h].iter().copied().sum::<Expression>() + m.slack[h];
            solver = solver.with(constraint!(filled == coverage.clone()));
            solver = solver.with(constraint!(coverage >= self.min));
        }
        let hours: Expression = self.cells.iter().zip(&m.x).map(|(c, &v)| c.hours * v).sum();
        solver.with(constraint!(hours <= self.budget))
    }

    /// The LP (or, with `integer`, the MIP) maximising answered calls: head-counts and
    /// the weekly answered calls.
    fn solve(&self, integer: bool) -> Result<(Vec<f64>, f64)> {
        let Model { vars, answered, p } = self.model(integer);
        let total: Expression = answered.iter().cloned().sum();
        let solver = self.constrain(vars.maximise(total.clone()).using(microlp), &p);
        let solution = solver.solve().map_err(lp_error)?;
        let counts = p.x.iter().map(|&v| solution.value(v).max(0.0)).collect();
        Ok((counts, solution.eval(&total)))
    }

    /// The LP maximising the smallest hourly answered share while answering at least
    /// `floor` calls a week: head-counts and that smallest share.
    fn solve_equity(&self, floor: f64) -> Result<(Vec<f64>, f64)> {
        let Model {
            mut vars,
            answered,
            p,
        } = self.model(false);
        let t = vars.add(variable().bounds(0..=1));
        let total: Expression = answered.iter().cloned().sum();
        let mut solver = self.constrain(vars.maximise(t).using(microlp), &p);
        solver = solver.with(constraint!(total >= floor));
        for (answered, &d) in answered.into_iter().zip(&self.people) {
            if d > 0.0 {
                solver = solver.with(constraint!(answered >= d * t));
            }
        }
        let solution = solver.solve().map_err(lp_error)?;
        let counts = p.x.iter().map(|&v| solution.value(v).max(0.0)).collect();
        Ok((counts, solution.value(t)))
    }

    /// Rounds an LP solution, repairs it to fit the budget and the minimum coverage, fills
    /// what budget is left and improves it by moving one listener at a time.
    fn integer_plan(&self, lp: &[f64]) -> Result<Vec<u32>> {
        let mut x: Vec<u32> = lp.iter().map(|v| v.round() as u32).collect();
        let n = x.len();
        // Over budget: drop the listener whose loss per hour is smallest.
        while self.hours(&x) > self.budget + 1e-9 {
            let base = self.score(&x);
            let held: Vec<usize> = (0..n).filter(|&c| x[c] > 0).collect();
            let best = held
                .into_iter()
                .filter_map(|c| {
                    x[c] -= 1;
                    let ok = self.feasible_cover(&x);
                    let loss = (base - self.score(&x)) / self.cells[c].hours;
                    x[c] += 1;
                    ok.then_some((c, loss))
                })
                .min_by(|a, b| a.1.total_cmp(&b.1));
            match best {
                Some((c, _)) => x[c] -= 1,
                None => return Err(self.too_small()),
            }
        }
        // Under the minimum somewhere: add the listener covering it with the best gain.
        while let Some(h) = self.coverage(&x).iter().position(|&c| c < self.min - 1e-9) {
            let best = self.best_addition(&x, |cell| cell.cover.iter().any(|&(hh, _)| hh == h));
            match best {
                Some(c) => x[c] += 1,
                None => return Err(self.too_small()),
            }
        }
        // Budget left: add the most useful listeners that still fit.
        while let Some(c) = self.best_addition(&x, |_| true) {
            let before = self.score(&x);
            x[c] += 1;
            if self.score(&x) <= before + 1e-12 {
                x[c] -= 1;
                break;
            }
        }
        self.local_search(&mut x);
        Ok(x)
    }

    /// The affordable cell (among those `eligible`) with the best gain per hour.
    fn best_addition(&self, x: &[u32], eligible: impl Fn(&Cell) -> bool) -> Option<usize> {
        let base = self.score(x);
        let left = self.budget - self.hours(x);
        let mut y = x.to_vec();
        (0..x.len())
            .filter(|&c| self.cells[c].hours <= left + 1e-9 && eligible(&self.cells[c]))
            .map(|c| {
                y[c] += 1;
                let gain = (self.score(&y) - base) / self.cells[c].hours;
                y[c] -= 1;
                (c, gain)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(c, _)| c)
    }

    /// Moves one listener from one cell to another while that improves the value and
    /// keeps the budget and the minimum coverage.
    fn local_search(&self, x: &mut [u32]) {
        let n = x.len();
        for _ in 0..1000 {
            let base = self.score(x);
            let mut best: Option<(usize, usize, f64)> = None;
            let held: Vec<usize> = (0..n).filter(|&c| x[c] > 0).collect();
            for from in held {
                for to in (0..n).filter(|&c| c != from) {
                    x[from] -= 1;
                    x[to] += 1;
                    if self.hours(x) <= self.budget + 1e-9 && self.feasible_cover(x) {
                        let gain = self.score(x) - base;
                        if gain > 1e-9 && best.is_none_or(|b| gain > b.2) {
                            best = Some((from, to, gain));
                        }
                    }
                    x[from] += 1;
                    x[to] -= 1;
                }
            }
            match best {
                Some((from, to, _)) => {
                    x[from] -= 1;
                    x[to] += 1;
                }
                None => return,
            }
        }
    }

    fn too_small(&self) -> CapacityError {
        CapacityError::invalid(
            "budget_hours_per_week",
            self.budget,
            "too small to keep the minimum number of listeners every hour",
        )
    }
}

fn lp_error(e: good_lp::ResolutionError) -> CapacityError {
    CapacityError::Optimiser(format!("linear programme: {e}"))
}

fn roster_from(patterns: &[ShiftPattern], cells: &[Cell], x: &[u32]) -> Result<Roster> {
    let mut counts = vec![[0u32; 7]; patterns.len()];
    for (cell, &n) in cells.iter().zip(x) {
        counts[cell.pattern][cell.day] = n;
    }
    Roster::new(patterns.to_vec(), counts)
}

fn head_counts(cells: &[Cell], roster: &Roster) -> Vec<u32> {
    cells
        .iter()
        .map(|c| roster.counts[c.pattern][c.day])
        .collect()
}

/// Places `options.budget_hours_per_week` listener-hours over the shift patterns of
/// `start` to answer the most people, checked by simulation against `start`.
pub fn optimise_shifts(
    config: &SimConfig,
    start: &Roster,
    options: &OptimiseOptions,
) -> Result<ShiftPlan> {
    positive("budget_hours_per_week", options.budget_hours_per_week)?;
    non_negative("min_listeners", options.min_listeners)?;
    crate::error::probability("answered_tolerance", options.answered_tolerance)?;
    options.check.validate()?;
    let with_roster = |roster: &Roster| {
        let mut c = config.clone();
        c.staffing = roster.staffing();
        c
    };
    let cells = cells(&start.patterns);
    if options.min_listeners > 0.0 {
        let mut covered = [false; HOURS_PER_WEEK];
        for cell in &cells {
            for &(h, f) in &cell.cover {
                // Half-covered hours count: two half-hours of shifts cover the hour.
                covered[h] |= f > 0.0;
            }
        }
        if let Some(h) = covered.iter().position(|&c| !c) {
            return Err(CapacityError::invalid(
                "min_listeners",
                format!(
                    "{} (first uncovered hour: {})",
                    options.min_listeners,
                    hour_label(h)
                ),
                "some hour of the week is covered by no shift pattern",
            ));
        }
    }
    let busy = mean_busy_secs(config);
    let patience = config.patience.mean_secs().max(1e-9);

    let start_outcome = evaluate(&with_roster(start), &options.check)?;
    let answered_floor = start_outcome.answered * (1.0 - options.answered_tolerance);
    let mut best = (start.clone(), start_outcome.clone());
    let mut demand = start_outcome.hourly_attempts_per_hour.clone();
    let mut people = start_outcome.hourly_people_per_hour.clone();
    let mut formula = FormulaFigures::default();
    for _ in 0..options.rounds.max(1) {
        let curves = demand
            .iter()
            .map(|&a| answered_curve(a, busy, patience, MAX_LISTENERS_PER_HOUR))
            .collect::<Result<Vec<_>>>()?;
        let mut problem = Problem {
            curves,
            people: people.clone(),
            cells: &cells,
            budget: options.budget_hours_per_week,
            min: options.min_listeners,
            floor_total: None,
        };
        // First the most calls the budget can answer, then, among the plans answering
        // nearly that many, the one whose worst hour is best.
        let (_, max_total) = problem.solve(false)?;
        let floor = max_total * (1.0 - options.answered_tolerance.max(1e-3));
        let (lp, min_share) = problem.solve_equity(floor)?;
        problem.floor_total = Some(floor);
        let x = problem.integer_plan(&lp)?;
        formula = FormulaFigures {
            max_answered_per_week: max_total,
            best_min_share: min_share,
            plan_answered_per_week: problem.value(&x),
            plan_min_share: problem.shares(&x).into_iter().fold(1.0, f64::min),
        };
        let roster = roster_from(&start.patterns, &cells, &x)?;
        let outcome = evaluate(&with_roster(&roster), &options.check)?;
        demand = outcome.hourly_attempts_per_hour.clone();
        people = outcome.hourly_people_per_hour.clone();
        if outcome.answered >= answered_floor
            && outcome.min_hourly_answered_share > best.1.min_hourly_answered_share
        {
            best = (roster, outcome);
        }
    }
    let kept_start = best.0 == *start;
    let (optimised, optimised_outcome) = best;
    let before = start.staffing().hourly();
    let after = optimised.staffing().hourly();
    let hours = (0..HOURS_PER_WEEK)
        .map(|h| HourChange {
            hour_of_week: h,
            label: hour_label(h),
            listeners_before: before[h],
            listeners_after: after[h],
            answered_share_before: start_outcome.hourly_answered_share[h],
            answered_share_after: optimised_outcome.hourly_answered_share[h],
            mean_wait_before_secs: start_outcome.hourly_mean_wait_secs[h],
            mean_wait_after_secs: optimised_outcome.hourly_mean_wait_secs[h],
        })
        .collect();
    debug_assert_eq!(head_counts(&cells, &optimised).len(), cells.len());
    Ok(ShiftPlan {
        start: start.clone(),
        optimised,
        start_outcome,
        optimised_outcome,
        kept_start,
        formula,
        hours,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small week: two patterns, demand only on Monday, a tight budget — small enough for
    /// the exact MIP, which the LP + rounding + local search must match closely.
    #[test]
    fn heuristic_matches_the_exact_mip_on_a_small_case() {
        let patterns = vec![
            ShiftPattern::new("morning", 8 * 60, 240).expect("valid"),
            ShiftPattern::new("night", 22 * 60, 630).expect("valid"),
        ];
        let cells = cells(&patterns);
        let curves: Vec<Vec<f64>> = (0..HOURS_PER_WEEK)
            .map(|h| {
                let attempts = match h {
                    8..=11 => 40.0,
                    22..=27 => 60.0,
                    _ => 0.0,
                };
                answered_curve(attempts, 1200.0, 120.0, 25).expect("valid")
            })
            .collect();
        let problem = Problem {
            curves,
            people: vec![0.0; HOURS_PER_WEEK],
            cells: &cells,
            budget: 60.0,
            min: 0.0,
            floor_total: None,
        };
        let (lp, bound) = problem.solve(false).expect("LP solves");
        let heuristic = problem.value(&problem.integer_plan(&lp).expect("plan"));
        let (mip, _) = problem.solve(true).expect("MIP solves");
        let exact = problem.value(&mip.iter().map(|v| v.round() as u32).collect::<Vec<_>>());
        assert!(heuristic <= bound + 1e-6);
        assert!(
            heuristic >= exact - 0.005 * exact,
            "heuristic {heuristic} vs MIP {exact} (LP bound {bound})"
        );
    }

    #[test]
    fn the_uniform_roster_fits_the_budget() {
        let patterns = vec![
            ShiftPattern::new("day", 8 * 60, 240).expect("valid"),
            ShiftPattern::new("night", 22 * 60, 630).expect("valid"),
        ];
        let r = uniform_roster(patterns, 1000.0).expect("valid");
        assert!(r.listener_hours_per_week() <= 1000.0);
        assert_eq!(r.counts[0], [9; 7]); // 1000 h / (7 days × 14.5 h) = 9.85
    }
}
