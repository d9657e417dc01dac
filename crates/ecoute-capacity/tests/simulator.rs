//! The simulator against the formulas, and its determinism.

use ecoute_capacity::{
    simulate, Discipline, Dist, ErlangA, ErlangC, Load, Redial, SimConfig, Staffing,
};

/// Days simulated per seed in the stationary checks: long enough for a standard error of
/// about half a percentage point on the answered share, short enough for debug builds.
const DAYS: f64 = 28.0;
const SEEDS: [u64; 4] = [1, 2, 3, 4];

/// Mean and standard error over seeds.
fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Asserts that `values` (one per seed) agree with `expected` within four standard errors
/// of their mean, with a small floor so a lucky tiny spread does not fail on bias of the
/// warm-up (each run starts empty).
fn agrees(values: &[f64], expected: f64, floor: f64, what: &str) {
    let (mean, se) = mean_se(values);
    let tol = (4.0 * se).max(floor);
    assert!(
        (mean - expected).abs() <= tol,
        "{what}: simulated {mean:.5} ± {se:.5} (per seed {values:?}), formula {expected:.5}"
    );
}

/// A saturated helpline hour, repeated: 300 calls/h of 20 minutes on 34 listeners with
/// 3 minutes of patience (100 erlangs offered on 34 listeners) — Erlang A.
#[test]
fn saturated_line_agrees_with_erlang_a() {
    let (calls, handle, patience, n) = (300.0, 1200.0, 180.0, 34);
    let exact = ErlangA::new(Load::new(calls, handle).expect("valid"), patience, n)
        .expect("valid")
        .metrics()
        .expect("converges");
    let config = SimConfig::stationary(calls, handle, patience, n, DAYS);
    let runs: Vec<_> = SEEDS
        .iter()
        .map(|&s| simulate(&config, s).expect("valid config"))
        .collect();
    let get = |f: fn(&ecoute_capacity::SimReport) -> f64| runs.iter().map(f).collect::<Vec<_>>();
    agrees(
        &get(|r| r.totals.answered_share),
        exact.answered_share,
        0.002,
        "answered share",
    );
    agrees(
        &get(|r| r.totals.mean_wait_answered_secs),
        exact.mean_wait_answered_secs,
        2.0,
        "mean wait of answered",
    );
    agrees(
        &get(|r| r.totals.mean_wait_abandoned_secs),
        exact.mean_wait_abandoned_secs,
        2.0,
        "mean wait of abandoned",
    );
    agrees(
        &get(|r| r.totals.occupancy),
        exact.occupancy,
        0.002,
        "occupancy",
    );
}

/// A lightly loaded line (Erlang A with a real chance of no wait at all).
#[test]
fn light_line_agrees_with_erlang_a() {
    let (calls, handle, patience, n) = (60.0, 600.0, 240.0, 11);
    let exact = ErlangA::new(Load::new(calls, handle).expect("valid"), patience, n)
        .expect("valid")
        .metrics()
        .expect("converges");
    let config = SimConfig::stationary(calls, handle, patience, n, DAYS);
    let shares: Vec<f64> = SEEDS
        .iter()
        .map(|&s| simulate(&config, s).expect("valid").totals.answered_share)
        .collect();
    agrees(&shares, exact.answered_share, 0.002, "answered share");
}

/// With patience far longer than any wait the simulator is Erlang C: every caller is
/// answered and the mean wait is the ASA.
#[test]
fn patient_callers_agree_with_erlang_c() {
    let (calls, handle, n) = (50.0, 600.0, 10); // 8.33 erlangs on 10
    let c = ErlangC::new(Load::new(calls, handle).expect("valid"), n).expect("stable");
    let config = SimConfig::stationary(calls, handle, 1e12, n, DAYS);
    let runs: Vec<_> = SEEDS
        .iter()
        .map(|&s| simulate(&config, s).expect("valid"))
        .collect();
    for r in &runs {
        assert_eq!(r.totals.abandoned, 0);
    }
    let asa: Vec<f64> = runs
        .iter()
        .map(|r| r.totals.mean_wait_answered_secs)
        .collect();
    agrees(&asa, c.asa_secs(), 3.0, "average speed of answer");
}

/// The same seed gives the same report, bit for bit; another seed does not.
#[test]
fn a_seed_determines_the_run() {
    let mut config = SimConfig::stationary(200.0, 900.0, 120.0, 30, 7.0);
    config.handle = Dist::Lognormal {
        mean_minutes: 15.0,
        cv: 0.9,
    };
    config.redial = Redial {
        probability: 0.7,
        delay: Dist::Exponential { mean_minutes: 5.0 },
        max_attempts: 10,
    };
    config.discipline = Discipline::Priority { high_share: 0.1 };
    let a = simulate(&config, 42).expect("valid");
    let b = simulate(&config, 42).expect("valid");
    let c = simulate(&config, 43).expect("valid");
    assert_eq!(a, b);
    assert_ne!(a.totals, c.totals);
}

/// `config` where four callers in five who fail dial again after about ten minutes.
fn with_redials(mut config: SimConfig, max_attempts: u32) -> SimConfig {
    config.redial = Redial {
        probability: 0.8,
        delay: Dist::Exponential { mean_minutes: 10.0 },
        max_attempts,
    };
    config
}

/// Redials: attempts, people and answered people are counted separately and add up.
#[test]
fn redials_are_counted_per_attempt_and_per_person() {
    let config = with_redials(SimConfig::stationary(300.0, 1200.0, 180.0, 34, 14.0), 20);
    let r = simulate(&config, 7).expect("valid").totals;
    assert!(r.attempts > r.people, "redials add attempts");
    // Every person is answered, lost, or still trying at the end.
    let redials_in_flight = r.people - r.people_answered - r.people_lost;
    assert!(
        redials_in_flight < 200,
        "{redials_in_flight} people unaccounted for"
    );
    assert!(r.people_answered_share > r.answered_share);
    assert!(r.people_lost_after_retrying <= r.people_lost);
}

/// Priority order answers the priority class more often; the total barely changes.
#[test]
fn priority_class_is_answered_first() {
    let mut config = SimConfig::stationary(300.0, 1200.0, 180.0, 34, 14.0);
    config.discipline = Discipline::Priority { high_share: 0.1 };
    let r = simulate(&config, 3).expect("valid");
    let [high, normal] = r.answered_share_by_class;
    // A priority caller still waits for the next listener to come free (about 35 s here).
    assert!(
        high > 0.75 && high > 2.0 * normal,
        "high {high}, normal {normal}"
    );
}

/// Chats: a listener holding two conversations is two servers.
#[test]
fn two_chats_per_listener_double_the_servers() {
    let mut chats = SimConfig::stationary(300.0, 1200.0, 180.0, 17, 14.0);
    chats.conversations_per_listener = 2;
    let phones = SimConfig::stationary(300.0, 1200.0, 180.0, 34, 14.0);
    let a = simulate(&chats, 5).expect("valid").totals;
    let b = simulate(&phones, 5).expect("valid").totals;
    assert_eq!(a.answered, b.answered);
    assert!((a.listener_hours * 2.0 - b.listener_hours).abs() < 1e-6);
}

/// A shift that ends lets the listener finish the conversation: no one is cut off, and no
/// one is answered while nobody is on duty.
#[test]
fn nobody_is_answered_off_duty() {
    let mut slots = vec![0u32; 336];
    for s in slots.iter_mut().skip(18).step_by(48) {
        *s = 5; // 09:00–09:30 every day
    }
    let mut config = SimConfig::stationary(60.0, 600.0, 120.0, 1, 14.0);
    config.staffing = Staffing::from_slots(slots).expect("336 slots");
    let r = simulate(&config, 11).expect("valid");
    for h in &r.by_hour {
        let hour = h.hour_of_week % 24;
        // Arrivals of 08:xx may still wait into 09:00 with 2 minutes of patience.
        if hour != 9 && hour != 8 {
            assert_eq!(h.answered, 0, "{} answered off duty", h.label);
        }
    }
}

/// Bad parameters are refused with the parameter's name.
#[test]
fn bad_parameters_name_themselves() {
    let mut config = SimConfig::stationary(-5.0, 600.0, 120.0, 3, 7.0);
    let err = simulate(&config, 1).expect_err("negative rate");
    assert!(err.to_string().contains("arrivals_per_hour"), "{err}");
    config = SimConfig::stationary(5.0, 600.0, 120.0, 0, 7.0);
    let err = simulate(&config, 1).expect_err("no listeners");
    assert!(err.to_string().contains("listeners"), "{err}");
    config = SimConfig::stationary(5.0, 600.0, 120.0, 3, 7.0);
    config.redial.probability = 1.5;
    let err = simulate(&config, 1).expect_err("probability");
    assert!(err.to_string().contains("redial probability"), "{err}");
}

/// Every attempt ends in exactly one outcome, and every person in exactly one state, even
/// when the run stops with callers waiting, talking and about to dial again: the counts
/// add up. A short waiting room makes some attempts blocked.
#[test]
fn outcomes_partition_the_attempts_and_the_people() {
    let mut config = with_redials(SimConfig::stationary(300.0, 1200.0, 600.0, 20, 3.0), 5);
    config.queue_capacity = Some(10);
    let r = simulate(&config, 5).expect("valid");
    let t = &r.totals;
    assert!(t.blocked > 0 && t.abandoned > 0, "{t:?}");
    assert!(t.still_waiting > 0 && t.talking_at_end > 0, "{t:?}");
    assert!(t.people_trying > 0, "{t:?}");
    assert_eq!(
        t.attempts,
        t.answered + t.abandoned + t.blocked + t.still_waiting,
        "{t:?}"
    );
    assert!(t.talking_at_end <= t.answered);
    assert_eq!(
        t.people,
        t.people_answered + t.people_lost + t.people_trying,
        "{t:?}"
    );
    // Occupancy is the conversation time over the time listeners were present.
    let present = t.listener_hours + t.overtime_hours;
    assert!(
        (t.occupancy - t.conversation_hours / present).abs() < 1e-12,
        "{t:?}"
    );
}
