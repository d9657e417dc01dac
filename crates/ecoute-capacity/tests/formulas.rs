//! The queueing formulas against published worked examples and independent exact
//! computations.

use ecoute_capacity::{
    erlang_b, listeners_for_service_level, listeners_for_target, ErlangA, ErlangC, Load, Target,
};

fn close(actual: f64, expected: f64, tol: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: got {actual}, expected {expected} ± {tol}"
    );
}

/// Standard Erlang B tables (e.g. the table at the end of V. B. Iversen, *Teletraffic
/// Engineering and Network Planning*, DTU/ITU-D, and any traffic-table appendix) give the
/// traffic that n circuits carry at 1 % blocking: n = 10 → 4.461 E, n = 20 → 12.031 E,
/// n = 50 → 37.901 E, n = 100 → 84.064 E, to three decimals. So B(n, A) must cross 1 %
/// within ±0.0005 E of the tabulated A.
#[test]
fn erlang_b_matches_the_one_percent_table() {
    for (n, a) in [(10, 4.461), (20, 12.031), (50, 37.901), (100, 84.064)] {
        let below = erlang_b(n, a - 0.0005).expect("valid");
        let above = erlang_b(n, a + 0.0005).expect("valid");
        assert!(below < 0.01 && above > 0.01, "n = {n}: {below} .. {above}");
    }
}

/// The worked example of Call Centre Helper's "Erlang C Formula – Made Simple With an Easy
/// Worked Example": 100 calls in 30 minutes, 3-minute handle time (10 erlangs), target 80 %
/// answered within 20 s; "For N = 14: P[w] = 0.1741, Service Level = 88.8 %, ASA = 7.8
/// seconds, % of calls answered immediately = 82.6 %", and 14 agents are the fewest that
/// meet 80/20. The CRAN package ErlangC 0.1.0 reruns it in its README to seven digits:
/// with 14 agents wait probability 0.1741319, service level 0.88835, average speed of
/// answer 7.83593701177724 s, immediate answer 0.8258681, occupancy 0.7142857, agents 14;
/// with 11 agents wait probability 0.6821182 and service level 0.3896138.
#[test]
fn erlang_c_call_centre_helper_worked_example() {
    let load = Load::new(200.0, 180.0).expect("valid");
    close(load.erlangs(), 10.0, 1e-12, "traffic intensity");
    let c11 = ErlangC::new(load, 11).expect("stable");
    close(c11.prob_wait(), 0.6821182, 5e-8, "P(wait) with 11 agents");
    close(
        c11.service_level(20.0).expect("ok"),
        0.3896138,
        5e-8,
        "service level with 11 agents",
    );
    assert_eq!(
        listeners_for_service_level(load, 0.8, 20.0).expect("reachable"),
        14
    );
    let c14 = ErlangC::new(load, 14).expect("stable");
    close(c14.prob_wait(), 0.1741319, 5e-8, "P(wait) with 14 agents");
    close(
        c14.service_level(20.0).expect("ok"),
        0.88835,
        5e-6,
        "service level with 14 agents",
    );
    close(c14.asa_secs(), 7.83593701177724, 1e-9, "ASA with 14 agents");
    close(
        1.0 - c14.prob_wait(),
        0.8258681,
        5e-8,
        "answered immediately",
    );
    close(c14.occupancy(), 0.7142857, 5e-8, "occupancy with 14 agents");
    // With 13 agents the service level is just short.
    let sl13 = ErlangC::new(load, 13)
        .expect("stable")
        .service_level(20.0)
        .expect("ok");
    assert!(sl13 < 0.8, "{sl13}");
}

/// The step-by-step example of the web page "The Erlang-C Formula" ("given here for people
/// who want to see the actual mathematical definition … using an example of 360 calls per
/// half hour, with an average call duration of 4 minutes, and 55 agents. The target answer
/// time for service level is 15 seconds"). Its results, reproduced in the Maxima write-up
/// "Expressing well-known formulas for service waiting time" ("the numerical values agree
/// with those stated on the web page"): probability of waiting 0.2387, average speed of
/// answer 8.184 s, 84.59 % answered within 15 s. Read through those copies; the page's
/// publisher is not named in them.
#[test]
fn erlang_c_step_by_step_worked_example() {
    let load = Load::new(720.0, 240.0).expect("valid");
    close(load.erlangs(), 48.0, 1e-12, "traffic intensity");
    let c = ErlangC::new(load, 55).expect("stable");
    close(c.prob_wait(), 0.2387, 0.00005, "P(wait)");
    close(c.asa_secs(), 8.184, 0.0005, "ASA");
    close(
        c.service_level(15.0).expect("ok"),
        0.8459,
        0.00005,
        "service level within 15 s",
    );
}

/// pyworkforce's Erlang A guide (R. Arenas, pyworkforce documentation, "Erlang A
/// (abandonment)"): 100 transactions in 30 minutes, AHT 3 minutes, patience 5 minutes,
/// target 80 % within 20 s, at most 5 % abandonment and 85 % occupancy. It finds 13 raw
/// positions with service level 0.858, occupancy 0.750, abandonment probability 0.025,
/// waiting probability 0.226 and average speed of answer 0.125 minutes (its ASA is the mean
/// wait over all callers, E[Q]/λ, and its service level counts abandoners as failures: the
/// conventions of `mean_wait_secs` and `ErlangA::service_level`). Three decimals.
#[test]
fn erlang_a_pyworkforce_worked_example() {
    let load = Load::new(200.0, 180.0).expect("valid");
    let model = ErlangA::new(load, 300.0, 13).expect("valid");
    let m = model.metrics().expect("ok");
    close(m.prob_wait, 0.226, 0.0005, "waiting probability");
    close(m.prob_abandon, 0.025, 0.0005, "abandonment probability");
    close(m.occupancy, 0.750, 0.0005, "occupancy");
    close(m.mean_wait_secs / 60.0, 0.125, 0.0005, "ASA in minutes");
    let sl = model.service_level(20.0).expect("ok");
    close(sl, 0.858, 0.0005, "service level within 20 s");
    // 13 is the fewest positions for 80 % within 20 s: 12 fall short.
    let sl12 = ErlangA::new(load, 300.0, 12)
        .expect("valid")
        .service_level(20.0)
        .expect("ok");
    assert!(sl12 < 0.8, "{sl12}");
}

/// With endless patience nobody gives up: the Erlang A service level is Erlang C's
/// `1 − C·e^{−(nμ−λ)t}`, an independent closed form.
#[test]
fn erlang_a_service_level_tends_to_erlang_c() {
    let load = Load::new(200.0, 180.0).expect("valid");
    for (n, t) in [
        (11_u32, 20.0),
        (13, 20.0),
        (14, 20.0),
        (14, 0.0),
        (12, 300.0),
    ] {
        let c = ErlangC::new(load, n)
            .expect("stable")
            .service_level(t)
            .expect("ok");
        let a = ErlangA::new(load, 1e12, n)
            .expect("valid")
            .service_level(t)
            .expect("ok");
        close(a, c, 1e-6, &format!("{n} listeners within {t} s"));
    }
}

/// An independent exact computation of the service level: the stationary law from the
/// numerically solved chain, then the tagged caller's own chain (positions, answered, gave
/// up) integrated forward with Runge–Kutta 4 in small steps.
#[test]
fn erlang_a_service_level_matches_the_tagged_caller_chain() {
    let cases = [
        // (calls/h, handle s, patience s, listeners, within s)
        (100.0, 180.0, 60.0, 4_u32, 20.0),
        (200.0, 180.0, 120.0, 11, 30.0),
        (300.0, 1200.0, 180.0, 34, 60.0), // the saturated helpline hour
        (40.0, 1200.0, 600.0, 20, 10.0),
    ];
    for (calls, handle, patience, n, t) in cases {
        let sl = ErlangA::new(Load::new(calls, handle).expect("valid"), patience, n)
            .expect("valid")
            .service_level(t)
            .expect("ok");
        let (lambda, mu, theta) = (calls / 3600.0, 1.0 / handle, 1.0 / patience);
        let pi = solve_chain(lambda, mu, theta, n as usize, 400);
        let nmu = n as f64 * mu;
        // x[q] for positions q = 1..P at x[q - 1]; answered mass accumulates separately.
        let positions = pi.len() - n as usize;
        let x0: Vec<f64> = pi[n as usize..].to_vec();
        let derivative = |x: &[f64]| -> (Vec<f64>, f64) {
            let mut dx = vec![0.0; positions];
            for q in 1..=positions {
                let out = nmu + q as f64 * theta;
                dx[q - 1] -= out * x[q - 1];
                if q >= 2 {
                    dx[q - 2] += (nmu + (q - 1) as f64 * theta) * x[q - 1];
                }
            }
            (dx, nmu * x[0])
        };
        let dt = 0.005;
        let steps = (t / dt).round() as usize;
        let (mut x, mut answered) = (x0, 0.0);
        for _ in 0..steps {
            let axpy = |x: &[f64], k: &[f64], h: f64| -> Vec<f64> {
                x.iter().zip(k).map(|(a, b)| a + h * b).collect()
            };
            let (k1, a1) = derivative(&x);
            let (k2, a2) = derivative(&axpy(&x, &k1, dt / 2.0));
            let (k3, a3) = derivative(&axpy(&x, &k2, dt / 2.0));
            let (k4, a4) = derivative(&axpy(&x, &k3, dt));
            for i in 0..positions {
                x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
            }
            answered += dt / 6.0 * (a1 + 2.0 * a2 + 2.0 * a3 + a4);
        }
        let immediate: f64 = pi[..n as usize].iter().sum();
        close(
            sl,
            immediate + answered,
            1e-8,
            &format!("{calls}/h on {n} within {t} s"),
        );
    }
}

/// Textbook closed forms (Kleinrock, *Queueing Systems* vol. 1, §3.4): M/M/1 waits with
/// probability ρ and W = ρ/(μ − λ); M/M/2 waits with probability 2ρ²/(1 + ρ), ρ = a/2.
#[test]
fn erlang_c_matches_mm1_and_mm2_closed_forms() {
    let h = 300.0;
    for a in [0.1, 0.5, 0.9, 0.99] {
        let load = Load::new(a * 3600.0 / h, h).expect("valid");
        let mm1 = ErlangC::new(load, 1).expect("stable");
        close(mm1.prob_wait(), a, 1e-12, "M/M/1 P(wait)");
        close(
            mm1.asa_secs(),
            a * h / (1.0 - a),
            1e-9 * h,
            "M/M/1 mean wait",
        );
        close(mm1.occupancy(), a, 1e-12, "M/M/1 occupancy");
    }
    for a in [0.5, 1.0, 1.9] {
        let load = Load::new(a * 3600.0 / h, h).expect("valid");
        let rho = a / 2.0;
        let mm2 = ErlangC::new(load, 2).expect("stable");
        close(
            mm2.prob_wait(),
            2.0 * rho * rho / (1.0 + rho),
            1e-12,
            "M/M/2 P(wait)",
        );
    }
}

/// Stability for hundreds of listeners near saturation: figures stay finite, ordered, and
/// the Erlang A limit of infinite patience is the Erlang C value.
#[test]
fn formulas_are_stable_for_large_systems_near_saturation() {
    let load = Load::new(499.0 * 3600.0 / 1200.0, 1200.0).expect("valid"); // 499 E
    let c = ErlangC::new(load, 500).expect("stable");
    assert!(c.prob_wait() > 0.9 && c.prob_wait() < 1.0);
    assert!(c.asa_secs().is_finite());
    let a = ErlangA::new(load, 1e9, 500)
        .expect("valid")
        .metrics()
        .expect("converges");
    close(a.prob_wait, c.prob_wait(), 1e-3, "Erlang A → Erlang C");
    // A load three times the listeners is the helpline's daily life: Erlang A copes.
    let heavy = Load::new(1500.0 * 3600.0 / 1200.0, 1200.0).expect("valid");
    let m = ErlangA::new(heavy, 120.0, 500)
        .expect("valid")
        .metrics()
        .expect("converges");
    assert!(m.prob_wait > 0.999);
    close(
        m.answered_share,
        1.0 / 3.0,
        0.01,
        "answered share at 3× saturation",
    );
}

/// When patience equals handle time (θ = μ) every caller leaves at rate μ whether answered
/// or waiting, so the number in the system is Poisson(a) exactly (M/M/∞). Then
/// P(wait) = P(K ≥ n) and P(abandon) = E[(K − n)⁺] / a: an independent closed form.
#[test]
fn erlang_a_with_patience_equal_to_handle_time_is_poisson() {
    let h = 900.0;
    for (a, n) in [
        (3.0, 2_u32),
        (10.0, 8),
        (30.0, 25),
        (30.0, 40),
        (120.0, 100),
    ] {
        let load = Load::new(a * 3600.0 / h, h).expect("valid");
        let m = ErlangA::new(load, h, n)
            .expect("valid")
            .metrics()
            .expect("converges");
        // Poisson probabilities by recursion, far into the tail.
        let mut p = (-a).exp();
        let (mut tail, mut excess) = (0.0, 0.0);
        for k in 0..2000_u32 {
            if k >= n {
                tail += p;
                excess += f64::from(k - n) * p;
            }
            p *= a / f64::from(k + 1);
        }
        close(m.prob_wait, tail, 1e-12, "P(wait) vs Poisson tail");
        close(
            m.prob_abandon,
            excess / a,
            1e-12,
            "P(abandon) vs E[(K−n)+]/a",
        );
    }
}

/// An independent exact computation: the truncated birth–death generator solved by
/// Gaussian elimination (global balance, not the product form used by the crate). From π:
/// P(wait) = Σ_{k≥n} π_k, P(abandon) = θ·E[Q]/λ, mean wait = E[Q]/λ (Little).
#[test]
fn erlang_a_matches_a_numerically_solved_birth_death_chain() {
    let cases = [
        // (calls/h, handle s, patience s, listeners)
        (100.0, 180.0, 60.0, 4_u32),
        (200.0, 180.0, 120.0, 11),
        (300.0, 1200.0, 180.0, 34), // a saturated helpline hour: 100 E on 34 listeners
        (40.0, 1200.0, 600.0, 20),
    ];
    for (calls, handle, patience, n) in cases {
        let load = Load::new(calls, handle).expect("valid");
        let m = ErlangA::new(load, patience, n)
            .expect("valid")
            .metrics()
            .expect("ok");
        let pi = solve_chain(
            calls / 3600.0,
            1.0 / handle,
            1.0 / patience,
            n as usize,
            400,
        );
        let lambda = calls / 3600.0;
        let p_wait: f64 = pi[n as usize..].iter().sum();
        let queue: f64 = pi
            .iter()
            .enumerate()
            .skip(n as usize)
            .map(|(k, p)| (k - n as usize) as f64 * p)
            .sum();
        close(m.prob_wait, p_wait, 1e-9, "P(wait)");
        close(
            m.prob_abandon,
            queue / patience / lambda,
            1e-9,
            "P(abandon)",
        );
        close(m.mean_wait_secs, queue / lambda, 1e-6, "mean wait");
        close(m.mean_queue, queue, 1e-8, "mean queue");
        // The per-caller split is consistent: answered and abandoned waits average to all.
        let mixed = m.answered_share * m.mean_wait_answered_secs
            + m.prob_abandon * m.mean_wait_abandoned_secs;
        close(mixed, m.mean_wait_secs, 1e-6, "wait split");
    }
}

/// Solves πQ = 0, Σπ = 1 for the chain truncated at `states` by Gaussian elimination with
/// partial pivoting (one balance equation replaced by the normalisation).
fn solve_chain(lambda: f64, mu: f64, theta: f64, n: usize, states: usize) -> Vec<f64> {
    let s = states;
    let death = |k: usize| k.min(n) as f64 * mu + k.saturating_sub(n) as f64 * theta;
    // Rows: balance equations (Qᵀ π = 0), last row replaced by Σπ = 1.
    let mut m = vec![vec![0.0; s + 1]; s];
    for k in 0..s {
        let out = if k + 1 < s { lambda } else { 0.0 } + death(k);
        m[k][k] = -out;
        if k > 0 {
            m[k][k - 1] = lambda;
        }
        if k + 1 < s {
            m[k][k + 1] = death(k + 1);
        }
    }
    for cell in m[s - 1].iter_mut().take(s) {
        *cell = 1.0;
    }
    m[s - 1][s] = 1.0;
    for col in 0..s {
        let pivot = (col..s)
            .max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            .expect("non-empty");
        m.swap(col, pivot);
        for row in 0..s {
            if row != col && m[row][col] != 0.0 {
                let f = m[row][col] / m[col][col];
                let pivot_row = m[col].clone();
                for (cell, p) in m[row].iter_mut().zip(&pivot_row).skip(col) {
                    *cell -= f * p;
                }
            }
        }
    }
    (0..s).map(|k| m[k][s] / m[k][k]).collect()
}

/// The staffing search returns the first count meeting the target, and its neighbour below
/// does not.
#[test]
fn listeners_for_target_is_the_smallest_meeting_it() {
    let load = Load::new(300.0, 1200.0).expect("valid");
    let target = Target {
        answered_share: 0.5,
        max_mean_wait_secs: None,
    };
    let n = listeners_for_target(load, 180.0, target).expect("reachable");
    let share = |k| {
        ErlangA::new(load, 180.0, k)
            .expect("valid")
            .metrics()
            .expect("ok")
            .answered_share
    };
    assert!(share(n) >= 0.5 && share(n - 1) < 0.5, "n = {n}");
    // A wait ceiling can only add listeners.
    let strict = Target {
        answered_share: 0.5,
        max_mean_wait_secs: Some(20.0),
    };
    assert!(listeners_for_target(load, 180.0, strict).expect("reachable") >= n);
}
