//! Times the simulation of the SOS Amitié 2016 year and prints the time and the totals as
//! JSON, for `benchmarks/run.sh`, which sets it beside the SimPy model of the same year.
//!
//! `cargo run --release -p ecoute-capacity --example bench_2016 -- [SEED] [REPEATS]`

use std::time::Instant;

use ecoute_capacity::{simulate, Scenario};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let scenario = Scenario::builtin("sos-amitie-2016")?;
    let seed = match args.next() {
        Some(s) => s.parse()?,
        None => scenario.seed,
    };
    let repeats: u32 = match args.next() {
        Some(s) => s.parse()?,
        None => 5,
    };
    let config = scenario.sim_config()?;
    // The best of a few runs: the machine is shared, and the minimum is the least
    // disturbed measurement of the same deterministic work.
    let mut best = f64::INFINITY;
    let mut report = None;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        let r = simulate(&config, seed)?;
        best = best.min(start.elapsed().as_secs_f64());
        report = Some(r);
    }
    let report = report.ok_or("no run")?;
    let t = &report.totals;
    let night = scenario
        .published
        .as_ref()
        .map(|p| report.answered_share_in_hours_of_day(&p.night_hours))
        .unwrap_or(0.0);
    println!(
        "{{\"seconds\": {best:.4}, \"attempts\": {}, \"people\": {}, \"answered\": {}, \
         \"abandoned\": {}, \"answered_share\": {:.4}, \"people_answered_share\": {:.4}, \
         \"night_answered_share\": {night:.4}, \"mean_wait_answered_secs\": {:.1}, \
         \"listener_hours\": {:.0}, \"occupancy\": {:.4}}}",
        t.attempts,
        t.people,
        t.answered,
        t.abandoned,
        t.answered_share,
        t.people_answered_share,
        t.mean_wait_answered_secs,
        t.listener_hours,
        t.occupancy
    );
    Ok(())
}
