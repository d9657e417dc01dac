//! `ecoute capacity triage`: what a risk triage changes for the people most at risk, and
//! what it costs the others, on a scenario's line — triage off (FIFO) against triage on,
//! over several seeds.

use std::io::Write;

use clap::Args;
use ecoute_capacity::sim::{compare_triage, RiskTriage, Spread, TriageFigures, TriagePair};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::flags::{above_zero_to_one, days, fraction, rename, share};
use crate::output::{json, pct, secs, FormatArgs, Table};
use crate::scenario_source::ScenarioArgs;

/// The longest "within" threshold: the simulator counts waits by the second up to three
/// hours.
const MAX_WITHIN_SECS: u32 = 3 * 3600;

/// Triage off and on for the people at high risk and the others.
#[derive(Debug, Args)]
pub struct TriageArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Share of new people at high risk (from 0 to 1), e.g. 0.03.
    #[arg(long, value_parser = fraction, allow_negative_numbers = true)]
    pub high_risk_share: f64,
    /// The triage's recall: the probability that it flags a person at high risk.
    #[arg(long, value_parser = above_zero_to_one, allow_negative_numbers = true)]
    pub recall: f64,
    /// The triage's measured precision; the false-positive rate is derived from it (see
    /// --precision-prevalence).
    #[arg(
        long,
        value_parser = above_zero_to_one,
        allow_negative_numbers = true,
        conflicts_with = "false_positive_rate",
        required_unless_present = "false_positive_rate"
    )]
    pub precision: Option<f64>,
    /// Share at high risk in the set where the precision was measured (default: the
    /// --high-risk-share, i.e. the precision is taken to hold on this line).
    #[arg(
        long,
        value_parser = share,
        allow_negative_numbers = true,
        requires = "precision"
    )]
    pub precision_prevalence: Option<f64>,
    /// The probability that the triage flags a person not at high risk, instead of
    /// --precision.
    #[arg(long, value_parser = fraction, allow_negative_numbers = true)]
    pub false_positive_rate: Option<f64>,
    /// "Answered within": after waiting less than this many seconds (1 to 10800).
    #[arg(
        long,
        default_value_t = 300,
        value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_WITHIN_SECS)),
        allow_negative_numbers = true
    )]
    pub within_secs: u32,
    /// Seed of the first run; the others take the next seeds (default: the scenario's).
    #[arg(long, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Runs, each one simulation with triage off and one with it on (1 to 20).
    #[arg(
        long,
        default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..=20),
        allow_negative_numbers = true
    )]
    pub runs: u32,
    /// Days to simulate (default: the scenario's horizon; at most 3660).
    #[arg(long, value_parser = days, allow_negative_numbers = true)]
    pub days: Option<f64>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// The triage assumed, and where its false-positive rate comes from.
#[derive(Debug, Serialize)]
struct Assumptions {
    high_risk_share: f64,
    recall: f64,
    false_positive_rate: f64,
    /// The precision given, if the false-positive rate was derived from it.
    measured_precision: Option<f64>,
    /// The share at risk where that precision was measured.
    measured_at_prevalence: Option<f64>,
    /// The precision the triage then has on this line.
    precision_on_line: f64,
    /// Share of new people flagged, expected.
    flagged_share: f64,
}

#[derive(Serialize)]
struct Row {
    key: &'static str,
    figure: String,
    off: Spread,
    on: Spread,
    /// On minus off, run by run (same seed, same callers).
    change: Spread,
}

#[derive(Serialize)]
struct Output<'a> {
    scenario: &'a str,
    title: &'a str,
    days: f64,
    within_secs: u32,
    assumptions: Assumptions,
    summary: Vec<Row>,
    runs: Vec<TriagePair>,
}

#[derive(Clone, Copy)]
enum Kind {
    Share,
    Secs,
}

/// One figure of the comparison: its JSON key, its label, and how to read it.
struct Figure {
    key: &'static str,
    label: String,
    kind: Kind,
    get: fn(&TriageFigures) -> f64,
}

impl Figure {
    fn new(key: &'static str, label: String, kind: Kind, get: fn(&TriageFigures) -> f64) -> Self {
        Figure {
            key,
            label,
            kind,
            get,
        }
    }

    /// A mean ± sd in the figure's unit.
    fn show(&self, s: &Spread) -> String {
        match self.kind {
            Kind::Share => format!("{} ± {:.1}", pct(s.mean), 100.0 * s.sd),
            Kind::Secs => format!("{} ± {:.0}s", secs(s.mean), s.sd),
        }
    }

    /// A change (on − off) ± sd: points for shares, seconds for waits.
    fn change(&self, s: &Spread) -> String {
        match self.kind {
            Kind::Share => format!("{:+.1} pts ± {:.1}", 100.0 * s.mean, 100.0 * s.sd),
            Kind::Secs => format!("{:+.0}s ± {:.0}s", s.mean, s.sd),
        }
    }
}

/// The figures compared, in the order printed.
fn figures(within: &str) -> Vec<Figure> {
    vec![
        Figure::new(
            "high_risk_answered_within",
            format!("high risk: attempts answered within {within}"),
            Kind::Share,
            |f| f.high_risk_answered_within,
        ),
        Figure::new(
            "high_risk_people_answered_within",
            format!("high risk: people answered within {within} of first dial"),
            Kind::Share,
            |f| f.high_risk_people_answered_within,
        ),
        Figure::new(
            "high_risk_answered",
            "high risk: attempts answered".into(),
            Kind::Share,
            |f| f.high_risk_answered,
        ),
        Figure::new(
            "high_risk_people_answered",
            "high risk: people answered".into(),
            Kind::Share,
            |f| f.high_risk_people_answered,
        ),
        Figure::new(
            "high_risk_mean_wait_secs",
            "high risk: mean wait, answered".into(),
            Kind::Secs,
            |f| f.high_risk_mean_wait_secs,
        ),
        Figure::new(
            "others_answered_within",
            format!("others: attempts answered within {within}"),
            Kind::Share,
            |f| f.others_answered_within,
        ),
        Figure::new(
            "others_people_answered_within",
            format!("others: people answered within {within} of first dial"),
            Kind::Share,
            |f| f.others_people_answered_within,
        ),
        Figure::new(
            "others_answered",
            "others: attempts answered".into(),
            Kind::Share,
            |f| f.others_answered,
        ),
        Figure::new(
            "others_people_answered",
            "others: people answered".into(),
            Kind::Share,
            |f| f.others_people_answered,
        ),
        Figure::new(
            "others_mean_wait_secs",
            "others: mean wait, answered".into(),
            Kind::Secs,
            |f| f.others_mean_wait_secs,
        ),
        Figure::new(
            "others_p90_wait_secs",
            "others: 90th percentile wait, answered".into(),
            Kind::Secs,
            |f| f.others_p90_wait_secs,
        ),
        Figure::new(
            "answered",
            "everyone: attempts answered".into(),
            Kind::Share,
            |f| f.answered,
        ),
        Figure::new(
            "people_answered",
            "everyone: people answered".into(),
            Kind::Share,
            |f| f.people_answered,
        ),
        Figure::new("flagged", "people flagged".into(), Kind::Share, |f| {
            f.flagged
        }),
        Figure::new(
            "flagged_at_risk",
            "flagged who are at high risk".into(),
            Kind::Share,
            |f| f.flagged_at_risk,
        ),
    ]
}

pub fn run(args: TriageArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let h = args.high_risk_share;
    let false_positive_rate = match (args.false_positive_rate, args.precision) {
        (Some(f), _) => f,
        (None, Some(p)) => RiskTriage::false_positive_rate_from_precision(
            args.recall,
            p,
            args.precision_prevalence.unwrap_or(h),
        )
        .map_err(rename(&[
            ("precision", "--precision"),
            ("recall", "--recall"),
            ("prevalence", "--precision-prevalence"),
        ]))?,
        // clap requires one of the two.
        (None, None) => anyhow::bail!("give --precision or --false-positive-rate"),
    };
    let triage = RiskTriage {
        high_risk_share: h,
        recall: args.recall,
        false_positive_rate,
    };
    let scenario = args.scenario.load()?;
    let mut config = scenario.sim_config()?;
    if let Some(days) = args.days {
        config.horizon_days = days;
    }
    let first = args.seed.unwrap_or(scenario.seed);
    let seeds: Vec<u64> = (0..u64::from(args.runs))
        .map(|i| first.wrapping_add(i))
        .collect();
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(1000)
    };
    bar.set_style(
        ProgressStyle::with_template("simulating {bar:40} {percent:>3}% {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let pairs = compare_triage(&config, triage, &seeds, args.within_secs, &mut |f| {
        bar.set_position((f * 1000.0) as u64)
    })
    .map_err(rename(&[
        ("arrivals_per_hour", "--days"),
        ("high_risk_share", "--high-risk-share"),
        ("recall", "--recall"),
        ("false_positive_rate", "--false-positive-rate"),
    ]))?;
    bar.finish_and_clear();

    let within = secs(f64::from(args.within_secs));
    let summary: Vec<Row> = figures(&within)
        .into_iter()
        .map(
            |Figure {
                 key, label, get, ..
             }| Row {
                key,
                figure: label,
                off: Spread::of(pairs.iter().map(|p| get(&p.off))),
                on: Spread::of(pairs.iter().map(|p| get(&p.on))),
                change: Spread::of(pairs.iter().map(|p| get(&p.on) - get(&p.off))),
            },
        )
        .collect();
    let assumptions = Assumptions {
        high_risk_share: h,
        recall: args.recall,
        false_positive_rate,
        measured_precision: args
            .precision
            .filter(|_| args.false_positive_rate.is_none()),
        measured_at_prevalence: args
            .precision
            .map(|_| args.precision_prevalence.unwrap_or(h)),
        precision_on_line: triage.precision(),
        flagged_share: triage.flagged_share(),
    };
    if args.format.json {
        return json(
            out,
            &Output {
                scenario: &scenario.name,
                title: &scenario.title,
                days: config.horizon_days,
                within_secs: args.within_secs,
                assumptions,
                summary,
                runs: pairs,
            },
        );
    }
    if args.format.csv {
        let mut t = Table::new(
            "",
            &[
                "figure",
                "off_mean",
                "off_sd",
                "on_mean",
                "on_sd",
                "change_mean",
                "change_sd",
            ],
        );
        for r in &summary {
            t.row(
                std::iter::once(r.key.to_string())
                    .chain(
                        [r.off, r.on, r.change]
                            .iter()
                            .flat_map(|s| [format!("{:.6}", s.mean), format!("{:.6}", s.sd)]),
                    )
                    .collect(),
            );
        }
        return t.print_csv(out).map_err(Into::into);
    }

    writeln!(out, "{}", scenario.title)?;
    let a = &assumptions;
    writeln!(
        out,
        "{} % of people at high risk; the triage flags them with probability {} (recall) \
         and the others with probability {:.4} (false-positive rate{}).",
        fmt_share(a.high_risk_share),
        a.recall,
        a.false_positive_rate,
        match (a.measured_precision, a.measured_at_prevalence) {
            (Some(p), Some(q)) => format!(
                ", from the precision {p} measured where {} % were at risk",
                fmt_share(q)
            ),
            _ => String::new(),
        }
    )?;
    writeln!(
        out,
        "On this line {} of people are flagged, {} of them at high risk (precision).",
        pct(a.flagged_share),
        pct(a.precision_on_line)
    )?;
    writeln!(
        out,
        "{:.0} days, {} run{} (seeds {}), mean ± sd over the runs; \"within {within}\": \
         answered after waiting less than {within}.\n",
        config.horizon_days,
        seeds.len(),
        if seeds.len() == 1 { "" } else { "s" },
        match (seeds.first(), seeds.last()) {
            (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
            (Some(a), _) => a.to_string(),
            _ => String::new(),
        }
    )?;
    let mut t = Table::new(
        "What triage changes (change: on − off, run by run, same callers)",
        &["figure", "triage off (FIFO)", "triage on", "change"],
    );
    for (f, r) in figures(&within).iter().zip(&summary) {
        t.row(vec![
            r.figure.clone(),
            f.show(&r.off),
            f.show(&r.on),
            f.change(&r.change),
        ]);
    }
    t.print(out)?;
    Ok(())
}

/// A share as a percentage without needless decimals: 3, 2.5, 46.5.
fn fmt_share(x: f64) -> String {
    let p = 100.0 * x;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}
