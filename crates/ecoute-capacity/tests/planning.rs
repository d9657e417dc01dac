//! Staffing answers and the shift optimiser, on a small helpline so debug builds stay
//! quick. Every answer here is a simulated one.

use ecoute_capacity::plan::hourly::hourly_requirements;
use ecoute_capacity::plan::optimise::{optimise_shifts, uniform_roster, OptimiseOptions};
use ecoute_capacity::plan::staffing::{hours_for_share, volunteer_effect, Measure};
use ecoute_capacity::plan::{evaluate, Check};
use ecoute_capacity::{Dist, Redial, Roster, ShiftPattern, SimConfig, Target};

/// A small line: evening-heavy demand of 20 new people an hour on average, 20-minute
/// conversations, 2 minutes of patience, redials, and two kinds of shift.
fn small_line() -> (SimConfig, Vec<ShiftPattern>) {
    let hourly: Vec<f64> = (0..168)
        .map(|h| match h % 24 {
            0..=5 => 14.0,
            6..=17 => 16.0,
            _ => 32.0,
        })
        .collect();
    let mut config = SimConfig::stationary(1.0, 1200.0, 120.0, 1, 21.0);
    config.fresh_per_hour = hourly;
    config.redial = Redial {
        probability: 0.8,
        delay: Dist::Exponential { mean_minutes: 10.0 },
        max_attempts: 10,
    };
    let patterns = vec![
        ShiftPattern::new("morning", 8 * 60 + 30, 240).expect("valid"),
        ShiftPattern::new("afternoon", 12 * 60 + 30, 240).expect("valid"),
        ShiftPattern::new("late afternoon", 16 * 60 + 30, 240).expect("valid"),
        ShiftPattern::new("evening", 18 * 60, 240).expect("valid"),
        ShiftPattern::new("night", 22 * 60, 630).expect("valid"),
    ];
    (config, patterns)
}

fn check() -> Check {
    Check {
        seeds: vec![1, 2],
        horizon_days: 21.0,
    }
}

/// The optimiser starts from the uniform plan and is never worse than it in simulation,
/// answers about as many people with the same hours, and lifts the worst hour.
#[test]
fn optimiser_is_never_worse_than_the_uniform_plan() {
    let (mut config, patterns) = small_line();
    let uniform = uniform_roster(patterns, 1500.0).expect("budget fits");
    config.staffing = uniform.staffing();
    let options = OptimiseOptions {
        budget_hours_per_week: uniform.listener_hours_per_week(),
        min_listeners: 1.0,
        rounds: 2,
        answered_tolerance: 0.0,
        check: check(),
    };
    let plan = optimise_shifts(&config, &uniform, &options).expect("optimises");
    assert!(plan.optimised.listener_hours_per_week() <= options.budget_hours_per_week + 1e-9);
    let (before, after) = (&plan.start_outcome, &plan.optimised_outcome);
    assert!(
        after.answered >= before.answered,
        "answered {} < {}",
        after.answered,
        before.answered
    );
    assert!(after.min_hourly_answered_share >= before.min_hourly_answered_share);
    // The formula side: the integer plan never beats its own LP bound.
    let f = &plan.formula;
    assert!(f.plan_answered_per_week <= f.max_answered_per_week + 1e-6);
    assert!(f.plan_min_share <= f.best_min_share + 1e-6);
    // A line staffed the same way all day has idle hours and drowned ones: there is
    // something to gain, and the optimiser finds it.
    assert!(!plan.kept_start, "the uniform plan was not improved");
    assert!(plan.hours.iter().all(|h| h.listeners_after >= 1.0));
}

/// Bisection on the listener-hours reaches the target share of attempts and of people,
/// and people need fewer hours than attempts (redials make the attempt share harder).
#[test]
fn hours_for_a_target_share_are_found_by_simulation() {
    let (mut config, patterns) = small_line();
    config.staffing = Roster::new(patterns, vec![[3; 7], [3; 7], [3; 7], [3; 7], [4; 7]])
        .expect("valid")
        .staffing();
    let attempts =
        hours_for_share(&config, 0.5, Measure::Attempts, 184.0, &check()).expect("reachable");
    let people =
        hours_for_share(&config, 0.8, Measure::People, 184.0, &check()).expect("reachable");
    assert!(attempts.outcome.answered_share >= 0.5);
    assert!(people.outcome.people_answered_share >= 0.8);
    // One step lower on the bisection misses the target (the answer is tight).
    let mut lower = config.clone();
    lower.staffing =
        ecoute_capacity::plan::staffing::scale_staffing(&config.staffing, attempts.scale * 0.9)
            .expect("valid");
    assert!(
        evaluate(&lower, &check())
            .expect("simulates")
            .answered_share
            < 0.5
    );
    assert!((attempts.volunteers - attempts.listener_hours_per_year / 184.0).abs() < 1e-9);
}

/// More volunteers answer more people, and each answers at most what their hours allow
/// (184 h a year at one conversation of 20 minutes at a time: 552 calls).
#[test]
fn each_volunteer_brings_at_most_their_hours_worth() {
    let (mut config, patterns) = small_line();
    config.staffing = Roster::new(patterns, vec![[3; 7], [3; 7], [3; 7], [3; 7], [4; 7]])
        .expect("valid")
        .staffing();
    let effect = volunteer_effect(&config, 20.0, 184.0, &check()).expect("simulates");
    assert!(effect.people_answered_per_volunteer > 100.0);
    assert!(effect.people_answered_per_volunteer <= 184.0 * 3.0 * 1.05);
}

/// Erlang A hour by hour: busier hours need more listeners, every hour meets the target.
#[test]
fn hourly_requirements_meet_the_target() {
    let (config, _) = small_line();
    let target = Target {
        answered_share: 0.8,
        max_mean_wait_secs: Some(60.0),
    };
    let req = hourly_requirements(&config, target).expect("computes");
    assert_eq!(req.len(), 168);
    for r in &req {
        assert!(r.answered_share >= 0.8 && r.mean_wait_answered_secs <= 60.0);
    }
    assert!(
        req[20].listeners > req[3].listeners,
        "evening needs more than night"
    );
}
