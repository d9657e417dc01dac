//! The rate ladder (issue 8, part 3): the highest offered rate at which one-way p99 stays
//! under [`P99_BOUND`], for the bare relay, ecoute with SQLite on disk, on tmpfs, and on
//! PostgreSQL, in one run, next to an fsync probe of the database's disk — the floor of a
//! committed message.
//!
//! Each target's conversations are opened once and carried up the ladder: every rung changes
//! only the period. A target stops climbing at its first rung over the bound (the next ones
//! could only be worse, and a saturated writer would make them slow to measure).

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::load::{self, Latency, Mode};
use crate::report::{ms, percentile};
use crate::{cluster, procs, setup, Plan};

/// The bound of the ladder: one-way p99 under this counts as keeping up.
pub const P99_BOUND: Duration = Duration::from_millis(20);
/// fsyncs in the probe.
const FSYNC_SAMPLES: usize = 300;

/// One measured rung.
pub struct Rung {
    /// Offered rate, messages per second.
    pub offered: f64,
    /// One-way p50 and p99 (the worse direction), µs.
    pub p50: Option<u32>,
    /// See `p50`.
    pub p99: Option<u32>,
    /// Measured messages never delivered or never acknowledged.
    pub missing: u64,
    /// `error` frames and lost sockets.
    pub errors: u64,
}

impl Rung {
    fn from(offered: f64, l: &Latency) -> Rung {
        let worse = |q| percentile(&l.v2l, q).max(percentile(&l.l2v, q));
        Rung {
            offered,
            p50: worse(0.5),
            p99: worse(0.99),
            missing: l.missing(),
            errors: l.errors,
        }
    }

    /// Whether this rung kept up: every message delivered, p99 under the bound.
    pub fn kept_up(&self) -> bool {
        self.missing == 0
            && self.errors == 0
            && self
                .p99
                .is_some_and(|p| u128::from(p) < P99_BOUND.as_micros())
    }
}

/// One target's ladder.
pub struct Climb {
    /// What was measured.
    pub target: &'static str,
    /// The rungs, in order.
    pub rungs: Vec<Rung>,
}

impl Climb {
    /// The highest offered rate that kept up.
    pub fn highest(&self) -> Option<f64> {
        self.rungs
            .iter()
            .filter(|r| r.kept_up())
            .map(|r| r.offered)
            .fold(None, |m, r| Some(m.map_or(r, |m: f64| m.max(r))))
    }

    /// The rung at `rate`, if measured.
    pub fn at(&self, rate: f64) -> Option<&Rung> {
        self.rungs.iter().find(|r| (r.offered - rate).abs() < 0.5)
    }
}

/// fsync latency of a disk, µs, sorted.
pub fn fsync_probe(dir: &Path) -> anyhow::Result<Vec<u32>> {
    let path = dir.join(format!("ecoute-bench-fsync-{}", std::process::id()));
    let mut file = std::fs::File::create(&path)?;
    let page = [0x5au8; 4096];
    let mut samples = Vec::with_capacity(FSYNC_SAMPLES);
    for _ in 0..FSYNC_SAMPLES {
        file.write_all(&page)?;
        let t = Instant::now();
        file.sync_data()?;
        samples.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
    }
    drop(file);
    let _ = std::fs::remove_file(&path);
    samples.sort_unstable();
    Ok(samples)
}

/// The plan of one rung: the base plan with the period that offers `rate`.
fn rung_plan(base: &Plan, rate: f64) -> Plan {
    Plan {
        period: Duration::from_secs_f64(base.conversations as f64 / rate),
        ..base.clone()
    }
}

/// Climbs the relay's ladder (its pairs are cheap to open: one set per rung).
pub async fn relay(base: &Plan, rates: &[f64]) -> anyhow::Result<Climb> {
    let mut climb = Climb {
        target: "bare relay",
        rungs: Vec::new(),
    };
    for &rate in rates {
        print!("      {rate:.0} msg/s: ");
        let l = load::relay(&rung_plan(base, rate)).await?;
        let rung = Rung::from(rate, &l);
        println!("p99 {}", ms(rung.p99));
        let kept_up = rung.kept_up();
        climb.rungs.push(rung);
        if !kept_up {
            break;
        }
    }
    Ok(climb)
}

/// Climbs ecoute's ladder on the database at `url` (`dir`: the server's working folder).
pub async fn ecoute(
    target: &'static str,
    base: &Plan,
    rates: &[f64],
    bin: &Path,
    url: &str,
    dir: std::path::PathBuf,
) -> anyhow::Result<Climb> {
    let n = base.conversations;
    let cookies = setup::prepare_listeners(url, n).await?;
    let mut server = vec![procs::spawn_ecoute_on(bin, dir, url, n + 10).await?];
    print!("      ");
    let mut pairs = load::open_conversations(server[0].addr, server[0].addr, cookies).await?;
    // Opening a thousand conversations leaves the database busy for a while (SQLite's WAL
    // checkpoint of the setup's writes): a first pass at the lowest rate, not counted, lets
    // it settle, as the chat scenario's longer warm-up does.
    if let Some(&first) = rates.first() {
        print!("      settling at {first:.0} msg/s (not counted): ");
        let (_, back) =
            load::measure(pairs, &rung_plan(base, first), Mode::Open, &mut server).await?;
        pairs = back;
    }
    let mut climb = Climb {
        target,
        rungs: Vec::new(),
    };
    for &rate in rates {
        print!("      {rate:.0} msg/s: ");
        let (l, back) =
            load::measure(pairs, &rung_plan(base, rate), Mode::Open, &mut server).await?;
        pairs = back;
        let rung = Rung::from(rate, &l);
        println!(
            "p50 {}, p99 {}{}",
            ms(rung.p50),
            ms(rung.p99),
            if rung.missing + rung.errors > 0 {
                format!(", {} missing, {} errors", rung.missing, rung.errors)
            } else {
                String::new()
            }
        );
        let kept_up = rung.kept_up();
        climb.rungs.push(rung);
        if !kept_up || pairs.len() < n {
            break;
        }
    }
    Ok(climb)
}

/// The whole ladder: relay, disk, tmpfs (when there is one), PostgreSQL.
pub async fn run(
    base: &Plan,
    rates: &[f64],
    bin: &Path,
    db_dir: &Path,
    tmpfs: Option<&Path>,
    postgres_url: &str,
) -> anyhow::Result<(Vec<u32>, Vec<Climb>)> {
    let fsync = fsync_probe(db_dir)?;
    println!(
        "[fsync] {} fsyncs of a 4 KiB write in {}: p50 {}, p99 {}",
        fsync.len(),
        db_dir.display(),
        ms(percentile(&fsync, 0.5)),
        ms(percentile(&fsync, 0.99))
    );
    let mut climbs = Vec::new();
    println!("\n[ladder] bare relay");
    climbs.push(relay(base, rates).await?);
    println!("\n[ladder] ecoute, SQLite on disk ({})", db_dir.display());
    let dir = procs::fresh_dir(db_dir, "ladder")?;
    let url = procs::db_url(&dir);
    climbs.push(ecoute("ecoute, SQLite on disk", base, rates, bin, &url, dir).await?);
    if let Some(tmpfs) = tmpfs {
        println!("\n[ladder] ecoute, SQLite on tmpfs ({})", tmpfs.display());
        let dir = procs::fresh_dir(tmpfs, "ladder")?;
        let url = procs::db_url(&dir);
        climbs.push(ecoute("ecoute, SQLite on tmpfs", base, rates, bin, &url, dir).await?);
    }
    println!("\n[ladder] ecoute, PostgreSQL");
    let db = cluster::PgDatabase::create(postgres_url).await?;
    let dir = procs::fresh_dir(&std::env::temp_dir(), "ladder-pg")?;
    let climb = ecoute("ecoute, PostgreSQL", base, rates, bin, &db.url, dir).await;
    db.drop_it().await;
    climbs.push(climb?);
    Ok((fsync, climbs))
}

/// The ladder's table and the two targets, as ratios measured in the same run.
pub fn print(fsync: &[u32], climbs: &[Climb], rates: &[f64]) {
    println!(
        "\nhighest offered rate with one-way p99 under {} ms:",
        P99_BOUND.as_millis()
    );
    print!("{:<28}", "target (p99, ms)");
    for r in rates {
        print!("{:>12}", format!("{r:.0}/s"));
    }
    println!("{:>14}", "highest");
    for c in climbs {
        print!("{:<28}", c.target);
        for &r in rates {
            let cell = c.at(r).map_or("-".to_owned(), |rung| {
                let mark = if rung.kept_up() { "" } else { "*" };
                format!("{}{mark}", ms(rung.p99).trim_end_matches(" ms"))
            });
            print!("{cell:>12}");
        }
        println!(
            "{:>14}",
            c.highest()
                .map_or("none".to_owned(), |h| format!("{h:.0}/s"))
        );
    }
    println!("(* over the bound, lost messages or errors; - not measured: the target had stopped climbing)");
    let relay = climbs.iter().find(|c| c.target == "bare relay");
    let disk = climbs.iter().find(|c| c.target == "ecoute, SQLite on disk");
    if let (Some(relay), Some(disk)) = (relay, disk) {
        let fsync_p99 = percentile(fsync, 0.99).unwrap_or(0);
        match (disk.at(1000.0), relay.at(1000.0)) {
            (Some(d), Some(r)) => {
                let bound = u64::from(fsync_p99) + 3 * u64::from(r.p99.unwrap_or(0));
                let met = d.p99.is_some_and(|p| u64::from(p) <= bound) && d.missing == 0;
                println!(
                    "target 1: at 1000 msg/s on disk, p99 {} against fsync p99 + 3 × relay p99 = {}: {}",
                    ms(d.p99),
                    ms(u32::try_from(bound).ok()),
                    if met { "met" } else { "not met" }
                );
            }
            _ => println!(
                "target 1: not met — ecoute on disk stopped climbing below 1000 msg/s (p99 over {} ms)",
                P99_BOUND.as_millis()
            ),
        }
        match (disk.highest(), relay.highest()) {
            (Some(d), Some(r)) => println!(
                "target 2: ecoute on disk keeps up to {d:.0}/s, the relay to {r:.0}/s (the ladder's top): {:.2} of it, target 0.25: {}",
                d / r,
                if d / r >= 0.25 { "met" } else { "not met" }
            ),
            _ => println!("target 2: not measurable (a target kept up at no rung)"),
        }
    }
}
