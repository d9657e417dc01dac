//! `ecoute capacity simulate`: a year (or any horizon) of a scenario, compared with its
//! published figures.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use ecoute_capacity::roster::HOURS_PER_WEEK;
use ecoute_capacity::scenario::Comparison;
use ecoute_capacity::sim::occupancy;
use ecoute_capacity::{simulate_with_progress, SimReport};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::charts::{self, Chart, Panel, Unit};
use crate::flags::{days, rename};
use crate::output::{json, pct, secs, thousands, FormatArgs, Table};
use crate::scenario_source::ScenarioArgs;

/// Simulate a scenario and compare it with what was published.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Seed of the random streams (default: the scenario's own).
    #[arg(long, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Days to simulate (default: the scenario's horizon; at most 3660).
    #[arg(long, value_parser = days, allow_negative_numbers = true)]
    pub days: Option<f64>,
    /// Write an SVG chart of answered share and waits by hour of the week.
    #[arg(long, value_name = "PATH")]
    pub svg: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Serialize)]
struct Output<'a> {
    scenario: &'a str,
    title: &'a str,
    report: &'a SimReport,
    published: Vec<Comparison>,
}

pub fn run(args: SimulateArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let scenario = args.scenario.load()?;
    let mut config = scenario.sim_config()?;
    if let Some(days) = args.days {
        config.horizon_days = days;
    }
    let seed = args.seed.unwrap_or(scenario.seed);
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(1000)
    };
    bar.set_style(
        ProgressStyle::with_template("simulating {bar:40} {percent:>3}% {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Only --days changes a validated scenario: the bound on people over the horizon.
    let report = simulate_with_progress(&config, seed, &mut |f| {
        bar.set_position((f * 1000.0) as u64)
    })
    .map_err(rename(&[("arrivals_per_hour", "--days")]))?;
    bar.finish_and_clear();
    // The published totals are for the scenario's horizon; other horizons are not comparable.
    let published = if args.days.is_none() {
        scenario.compare(&report)
    } else {
        Vec::new()
    };

    if let Some(path) = &args.svg {
        charts::write(path, &hourly_chart(&scenario.title, &report)?)?;
    }
    if args.format.json {
        return json(
            out,
            &Output {
                scenario: &scenario.name,
                title: &scenario.title,
                report: &report,
                published,
            },
        );
    }
    if args.format.csv {
        return hour_of_week_table(&report)
            .print_csv(out)
            .map_err(Into::into);
    }
    print_tables(out, &scenario.title, &report, &published)
}

fn print_tables(
    out: &mut dyn Write,
    title: &str,
    r: &SimReport,
    published: &[Comparison],
) -> anyhow::Result<()> {
    let t = &r.totals;
    writeln!(out, "{title}")?;
    writeln!(
        out,
        "{:.0} days simulated, seed {}\n",
        r.horizon_days, r.seed
    )?;
    let mut totals = Table::new("Totals", &["figure", "value"]);
    for (k, v) in [
        ("attempts (redials included)", thousands(t.attempts as f64)),
        ("people (episodes of attempts)", thousands(t.people as f64)),
        ("answered", thousands(t.answered as f64)),
        ("answered share of attempts", pct(t.answered_share)),
        ("answered share of people", pct(t.people_answered_share)),
        (
            "attempts per person",
            format!("{:.2}", t.attempts_per_person),
        ),
        ("gave up while waiting", thousands(t.abandoned as f64)),
        ("found the line full", thousands(t.blocked as f64)),
        (
            "still waiting when the run ended",
            thousands(t.still_waiting as f64),
        ),
        (
            "answered, still talking when the run ended",
            thousands(t.talking_at_end as f64),
        ),
        (
            "people lost after retrying",
            thousands(t.people_lost_after_retrying as f64),
        ),
        ("mean wait, answered", secs(t.mean_wait_answered_secs)),
        (
            "90th percentile wait, answered",
            secs(t.p90_wait_answered_secs),
        ),
        (
            "mean time before giving up",
            secs(t.mean_wait_abandoned_secs),
        ),
        ("listener-hours", thousands(t.listener_hours)),
        (
            "overtime listener-hours (finishing a call)",
            thousands(t.overtime_hours),
        ),
        (
            "conversation listener-hours",
            thousands(t.conversation_hours),
        ),
        (
            "listener occupancy (conversation / on duty + overtime)",
            pct(t.occupancy),
        ),
    ] {
        totals.row(vec![k.to_string(), v]);
    }
    totals.print(out)?;
    if !published.is_empty() {
        let mut p = Table::new(
            "Published vs simulated",
            &["figure", "published", "simulated", "tolerance", "within"],
        );
        for c in published {
            let f = |x: f64| {
                if x <= 1.0 {
                    pct(x)
                } else {
                    thousands(x)
                }
            };
            p.row(vec![
                c.figure.to_string(),
                f(c.published),
                f(c.simulated),
                c.tolerance.clone(),
                if c.within_tolerance { "yes" } else { "NO" }.to_string(),
            ]);
        }
        p.print(out)?;
    }
    let mut by_hour = Table::new(
        "By hour of the day (all days)",
        &[
            "hour",
            "listeners",
            "overtime",
            "attempts/h",
            "answered",
            "mean wait",
            "occupancy",
        ],
    );
    for h in 0..24 {
        let rows: Vec<_> = r
            .by_hour
            .iter()
            .filter(|s| s.hour_of_week % 24 == h)
            .collect();
        let sum = |f: &dyn Fn(&ecoute_capacity::sim::HourStats) -> f64| {
            rows.iter().map(|s| f(s)).sum::<f64>()
        };
        let attempts = sum(&|s| s.attempts as f64);
        let answered = sum(&|s| s.answered as f64);
        let days = r.horizon_days;
        by_hour.row(vec![
            format!("{h:02}:00"),
            format!("{:.1}", sum(&|s| s.on_duty_secs) / 3600.0 / days),
            format!("{:.1}", sum(&|s| s.overtime_secs) / 3600.0 / days),
            format!("{:.0}", attempts / days),
            pct(ratio(answered, attempts)),
            secs(ratio(sum(&|s| s.wait_answered_secs), answered)),
            pct(occupancy(
                sum(&|s| s.busy_secs),
                sum(&|s| s.on_duty_secs + s.overtime_secs),
                r.conversations_per_listener,
            )),
        ]);
    }
    by_hour.print(out)?;
    Ok(())
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

/// One CSV row per hour of the week.
fn hour_of_week_table(r: &SimReport) -> Table {
    let mut t = Table::new(
        "",
        &[
            "hour_of_week",
            "label",
            "mean_listeners",
            "mean_overtime_listeners",
            "attempts",
            "first_attempts",
            "answered",
            "abandoned",
            "blocked",
            "answered_share",
            "mean_wait_answered_secs",
            "occupancy",
        ],
    );
    for h in &r.by_hour {
        t.row(vec![
            h.hour_of_week.to_string(),
            h.label.clone(),
            format!("{:.2}", h.mean_on_duty(r.weeks())),
            format!("{:.2}", h.overtime_secs / 3600.0 / r.weeks()),
            h.attempts.to_string(),
            h.first_attempts.to_string(),
            h.answered.to_string(),
            h.abandoned.to_string(),
            h.blocked.to_string(),
            format!("{:.4}", h.answered_share()),
            format!("{:.1}", h.mean_wait_answered_secs()),
            format!("{:.4}", h.occupancy(r.conversations_per_listener)),
        ]);
    }
    t
}

fn hourly_chart(title: &str, r: &SimReport) -> anyhow::Result<String> {
    let pts = |f: &dyn Fn(&ecoute_capacity::sim::HourStats) -> f64| -> Vec<(f64, f64)> {
        r.by_hour
            .iter()
            .take(HOURS_PER_WEEK)
            .map(|h| (h.hour_of_week as f64, f(h)))
            .collect()
    };
    charts::draw(&Chart {
        title: &format!("{title} — by hour of the week"),
        note: None,
        x_label: "hour of the week",
        x_unit: Unit::HourOfWeek,
        panels: vec![
            Panel::lines(
                "answered share of attempts",
                Unit::Percent,
                vec![("answered".into(), pts(&|h| 100.0 * h.answered_share()))],
            ),
            Panel::lines(
                "mean wait of answered",
                Unit::Seconds,
                vec![("wait".into(), pts(&|h| h.mean_wait_answered_secs()))],
            ),
            Panel::lines(
                "listeners on duty",
                Unit::Count,
                vec![("listeners".into(), pts(&|h| h.mean_on_duty(r.weeks())))],
            ),
        ],
    })
}
