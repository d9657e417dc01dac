//! `ecoute capacity plan`: the questions a helpline really has, each answered by formula
//! and checked by simulation.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use ecoute_capacity::plan::hourly::{hourly_requirements, HourlyRequirement};
use ecoute_capacity::plan::optimise::{optimise_shifts, OptimiseOptions, ShiftPlan};
use ecoute_capacity::plan::staffing::{
    hours_for_share, scale_staffing, volunteer_effect, Measure, StaffingAnswer, VolunteerEffect,
};
use ecoute_capacity::plan::{evaluate, Check, Outcome};
use ecoute_capacity::roster::Staffing;
use ecoute_capacity::Target;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::charts::{self, Chart, Mark, Panel, Series, Unit};
use crate::flags::{days, fraction, non_negative, positive, rename, share};
use crate::output::{json, pct, secs, thousands, FormatArgs, Table};
use crate::scenario_source::ScenarioArgs;

/// Staffing for a target, the worth of a volunteer, and where to place the shifts.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Target answered share (of attempts, and separately of people).
    #[arg(long, default_value_t = 0.5, value_parser = share, allow_negative_numbers = true)]
    pub target: f64,
    /// Ceiling on the mean wait of answered callers for the hourly Erlang A staffing, s.
    #[arg(long, default_value_t = 60.0, value_parser = positive, allow_negative_numbers = true)]
    pub max_wait_secs: f64,
    /// Listener-hours a volunteer gives in a year (46 four-hour shifts).
    #[arg(long, default_value_t = 184.0, value_parser = positive, allow_negative_numbers = true)]
    pub hours_per_volunteer: f64,
    /// Volunteers added to measure what each one brings.
    #[arg(long, default_value_t = 100.0, value_parser = positive, allow_negative_numbers = true)]
    pub extra_volunteers: f64,
    /// Days simulated for every check (at most 3660).
    #[arg(long, default_value_t = 91.0, value_parser = days, allow_negative_numbers = true)]
    pub days: f64,
    /// Seeds for every check, comma-separated (each plan sees the same callers; at most 64).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1",
        allow_negative_numbers = true
    )]
    pub seeds: Vec<u64>,
    /// Listener-hours per week the optimiser places (default: the scenario's roster).
    #[arg(long, value_parser = positive, allow_negative_numbers = true)]
    pub budget_hours_per_week: Option<f64>,
    /// Fewest listeners on duty in any hour of an optimised plan.
    #[arg(long, default_value_t = 4.0, value_parser = non_negative, allow_negative_numbers = true)]
    pub min_listeners: f64,
    /// Answered people the optimised plan may give up (share of the current) to lift its
    /// worst hours.
    #[arg(long, default_value_t = 0.005, value_parser = fraction, allow_negative_numbers = true)]
    pub answered_tolerance: f64,
    /// Optimiser rounds (solve, simulate, re-measure demand), 1 to 20.
    #[arg(
        long,
        default_value_t = 2,
        value_parser = clap::value_parser!(u32).range(1..=20),
        allow_negative_numbers = true
    )]
    pub rounds: u32,
    /// Skip the shift optimiser (the slowest step).
    #[arg(long)]
    pub no_optimise: bool,
    /// Directory for SVG charts (answered share against listener-hours; hours before/after).
    #[arg(long, value_name = "DIR")]
    pub svg_dir: Option<PathBuf>,
    /// No progress display.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// The crate's parameters as this command's flags.
const FLAGS: &[(&str, &str)] = &[
    ("horizon_days", "--days"),
    ("seeds", "--seeds"),
    // Only --days can take a validated scenario past the bound on people per run.
    ("arrivals_per_hour", "--days"),
    ("target share", "--target"),
    ("target_answered_share", "--target"),
    ("max_mean_wait_secs", "--max-wait-secs"),
    ("hours_per_volunteer", "--hours-per-volunteer"),
    ("extra volunteers", "--extra-volunteers"),
    ("budget_hours_per_week", "--budget-hours-per-week"),
    ("min_listeners", "--min-listeners"),
    ("answered_tolerance", "--answered-tolerance"),
];

#[derive(Serialize)]
struct Report {
    scenario: String,
    check: Check,
    current: Outcome,
    for_attempts: StaffingAnswer,
    for_people: StaffingAnswer,
    volunteer: VolunteerEffect,
    hourly: Vec<HourlyRequirement>,
    hourly_listener_hours_per_week: f64,
    hourly_checked: Outcome,
    optimiser: Option<ShiftPlan>,
}

pub fn run(args: PlanArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let scenario = args.scenario.load()?;
    let config = scenario.sim_config()?;
    let roster = scenario.roster()?;
    let check = Check {
        seeds: args.seeds.clone(),
        horizon_days: args.days,
    };
    let flags = rename(FLAGS);
    check.validate().map_err(&flags)?;
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));

    bar.set_message("simulating the current roster");
    let current = evaluate(&config, &check).map_err(&flags)?;
    bar.set_message(format!(
        "listener-hours for {} of attempts",
        pct(args.target)
    ));
    let for_attempts = hours_for_share(
        &config,
        args.target,
        Measure::Attempts,
        args.hours_per_volunteer,
        &check,
    )
    .map_err(&flags)
    .context("--target")?;
    bar.set_message(format!("listener-hours for {} of people", pct(args.target)));
    let for_people = hours_for_share(
        &config,
        args.target,
        Measure::People,
        args.hours_per_volunteer,
        &check,
    )
    .map_err(&flags)
    .context("--target")?;
    bar.set_message("what one more volunteer brings");
    let volunteer = volunteer_effect(
        &config,
        args.extra_volunteers,
        args.hours_per_volunteer,
        &check,
    )
    .map_err(&flags)?;
    bar.set_message("Erlang A hour by hour");
    let hourly = hourly_requirements(
        &config,
        Target {
            answered_share: args.target,
            max_mean_wait_secs: Some(args.max_wait_secs),
        },
    )
    .map_err(&flags)?;
    let slots: Vec<u32> = hourly
        .iter()
        .flat_map(|h| [h.listeners, h.listeners])
        .collect();
    let hourly_staffing = Staffing::from_slots(slots)?;
    let mut hourly_config = config.clone();
    hourly_config.staffing = hourly_staffing.clone();
    let hourly_checked = evaluate(&hourly_config, &check).map_err(&flags)?;

    let optimiser = if args.no_optimise {
        None
    } else {
        bar.set_message("optimising the shifts (LP, then simulation)");
        let options = OptimiseOptions {
            budget_hours_per_week: args
                .budget_hours_per_week
                .unwrap_or_else(|| roster.listener_hours_per_week()),
            min_listeners: args.min_listeners,
            rounds: args.rounds,
            answered_tolerance: args.answered_tolerance,
            check: check.clone(),
        };
        Some(optimise_shifts(&config, &roster, &options).map_err(&flags)?)
    };

    let curve = if args.svg_dir.is_some() {
        bar.set_message("answered share against listener-hours");
        let mut points = Vec::new();
        for factor in [0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0] {
            let mut c = config.clone();
            c.staffing = scale_staffing(&config.staffing, factor)?;
            points.push(evaluate(&c, &check).map_err(&flags)?);
        }
        points
    } else {
        Vec::new()
    };
    bar.finish_and_clear();

    let report = Report {
        scenario: scenario.name.clone(),
        check,
        current,
        for_attempts,
        for_people,
        volunteer,
        hourly,
        hourly_listener_hours_per_week: hourly_staffing.listener_hours_per_week(),
        hourly_checked,
        optimiser,
    };
    if let Some(dir) = &args.svg_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("--svg-dir: cannot create {}", dir.display()))?;
        charts::write(
            &dir.join("answered-vs-listener-hours.svg"),
            &curve_chart(&curve, &report, args.target)?,
        )?;
        if let Some(plan) = &report.optimiser {
            charts::write(&dir.join("optimised-by-hour.svg"), &plan_chart(plan)?)?;
        }
    }
    if args.format.json {
        return json(out, &report);
    }
    if args.format.csv {
        return hourly_csv(&report).print_csv(out).map_err(Into::into);
    }
    print(out, &report, &args)
}

fn print(out: &mut dyn Write, r: &Report, args: &PlanArgs) -> anyhow::Result<()> {
    writeln!(
        out,
        "{}: every figure below is simulated over {:.0} days × {} seed(s) and scaled to a year.\n",
        r.scenario,
        r.check.horizon_days,
        r.check.seeds.len()
    )?;
    let mut t = Table::new(
        format!("Listener-hours to answer {}", pct(args.target)),
        &[
            "plan",
            "listener-hours/yr",
            "volunteers",
            "answered/yr",
            "of attempts",
            "of people",
            "mean wait",
        ],
    );
    let vol = |h: f64| format!("{:.0}", h / args.hours_per_volunteer);
    let row = |name: &str, o: &Outcome| {
        vec![
            name.to_string(),
            thousands(o.listener_hours_per_year),
            vol(o.listener_hours_per_year),
            thousands(o.answered),
            pct(o.answered_share),
            pct(o.people_answered_share),
            secs(o.mean_wait_answered_secs),
        ]
    };
    t.row(row("current roster", &r.current));
    t.row(row(
        &format!(
            "{} of attempts (×{:.2})",
            pct(args.target),
            r.for_attempts.scale
        ),
        &r.for_attempts.outcome,
    ));
    t.row(row(
        &format!(
            "{} of people (×{:.2})",
            pct(args.target),
            r.for_people.scale
        ),
        &r.for_people.outcome,
    ));
    t.row(row("Erlang A hour by hour", &r.hourly_checked));
    t.print(out)?;
    writeln!(
        out,
        "Each volunteer more ({} h a year) lets the line hear {:.0} more people a year \
         ({:.0} fewer give up after retrying), measured by adding {:.0} volunteers.\n",
        args.hours_per_volunteer,
        r.volunteer.people_answered_per_volunteer,
        r.volunteer.fewer_lost_after_retrying_per_volunteer,
        r.volunteer.extra_volunteers
    )?;
    let mut h = Table::new(
        format!(
            "Erlang A: listeners for {} answered and a mean wait under {} (Monday; {:.0} \
             listener-hours a week in all)",
            pct(args.target),
            secs(args.max_wait_secs),
            r.hourly_listener_hours_per_week
        ),
        &["hour", "attempts/h", "listeners", "answered", "mean wait"],
    );
    for req in r.hourly.iter().take(24) {
        h.row(vec![
            req.label.clone(),
            format!("{:.0}", req.attempts_per_hour),
            req.listeners.to_string(),
            pct(req.answered_share),
            secs(req.mean_wait_answered_secs),
        ]);
    }
    h.print(out)?;
    if let Some(plan) = &r.optimiser {
        print_plan(out, plan)?;
    }
    Ok(())
}

fn print_plan(out: &mut dyn Write, plan: &ShiftPlan) -> anyhow::Result<()> {
    let mut t = Table::new(
        if plan.kept_start {
            format!(
                "Shift plan: the same {:.0} listener-hours a week. {KEPT}",
                plan.start.listener_hours_per_week()
            )
        } else {
            format!(
                "Shift plan: the same {:.0} listener-hours a week, placed differently",
                plan.start.listener_hours_per_week()
            )
        },
        &["shift", "current (Mon..Sun)", "optimised (Mon..Sun)"],
    );
    for ((p, before), after) in plan
        .start
        .patterns
        .iter()
        .zip(&plan.start.counts)
        .zip(&plan.optimised.counts)
    {
        let days = |c: &[u32; 7]| c.iter().map(u32::to_string).collect::<Vec<_>>().join(" ");
        t.row(vec![
            format!("{} {}", p.name, p.span_label()),
            days(before),
            days(after),
        ]);
    }
    t.print(out)?;
    let (a, b) = (&plan.start_outcome, &plan.optimised_outcome);
    let mut s = Table::new(
        if plan.kept_start {
            "Simulated: no candidate beat the current plan, which is kept".to_string()
        } else {
            "Simulated outcome".to_string()
        },
        &["figure", "current", "optimised"],
    );
    s.row(vec![
        "answered/yr".into(),
        thousands(a.answered),
        thousands(b.answered),
    ]);
    s.row(vec![
        "share of attempts".into(),
        pct(a.answered_share),
        pct(b.answered_share),
    ]);
    s.row(vec![
        "share of people".into(),
        pct(a.people_answered_share),
        pct(b.people_answered_share),
    ]);
    s.row(vec![
        "worst hour's share".into(),
        pct(a.min_hourly_answered_share),
        pct(b.min_hourly_answered_share),
    ]);
    s.row(vec![
        "gave up after retrying/yr".into(),
        thousands(a.people_lost_after_retrying),
        thousands(b.people_lost_after_retrying),
    ]);
    s.row(vec![
        "mean wait".into(),
        secs(a.mean_wait_answered_secs),
        secs(b.mean_wait_answered_secs),
    ]);
    s.print(out)?;
    let f = &plan.formula;
    writeln!(
        out,
        "Formula (Erlang A per hour): at most {:.0} answered a week whatever the placement; \
         the plan answers {:.0} with a worst hour at {} of its new callers (LP bound {}).\n",
        f.max_answered_per_week,
        f.plan_answered_per_week,
        pct(f.plan_min_share),
        pct(f.best_min_share)
    )?;
    let mut h = Table::new(
        "By hour of the day (mean over the week)",
        &[
            "hour",
            "listeners before",
            "after",
            "answered before",
            "after",
            "wait before",
            "after",
        ],
    );
    for hour in 0..24 {
        let rows: Vec<_> = plan
            .hours
            .iter()
            .filter(|c| c.hour_of_week % 24 == hour)
            .collect();
        let mean = |f: &dyn Fn(&&ecoute_capacity::plan::optimise::HourChange) -> f64| {
            rows.iter().map(f).sum::<f64>() / rows.len() as f64
        };
        h.row(vec![
            format!("{hour:02}:00"),
            format!("{:.1}", mean(&|c| c.listeners_before)),
            format!("{:.1}", mean(&|c| c.listeners_after)),
            pct(mean(&|c| c.answered_share_before)),
            pct(mean(&|c| c.answered_share_after)),
            secs(mean(&|c| c.mean_wait_before_secs)),
            secs(mean(&|c| c.mean_wait_after_secs)),
        ]);
    }
    h.print(out)?;
    Ok(())
}

fn hourly_csv(r: &Report) -> Table {
    let mut t = Table::new(
        "",
        &[
            "hour_of_week",
            "label",
            "erlang_a_attempts_per_hour",
            "erlang_a_listeners",
            "listeners_before",
            "listeners_after",
            "answered_share_before",
            "answered_share_after",
        ],
    );
    for (i, req) in r.hourly.iter().enumerate() {
        let change = r.optimiser.as_ref().map(|p| &p.hours[i]);
        let f = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v:.4}"));
        t.row(vec![
            req.hour_of_week.to_string(),
            req.label.clone(),
            format!("{:.2}", req.attempts_per_hour),
            req.listeners.to_string(),
            f(change.map(|c| c.listeners_before)),
            f(change.map(|c| c.listeners_after)),
            f(change.map(|c| c.answered_share_before)),
            f(change.map(|c| c.answered_share_after)),
        ]);
    }
    t
}

/// Answered shares against listener-hours, with the target and the plans found for it
/// marked on the curves.
fn curve_chart(points: &[Outcome], r: &Report, target: f64) -> anyhow::Result<String> {
    let series = |name: &str, f: &dyn Fn(&Outcome) -> f64| Series {
        name: name.into(),
        points: points
            .iter()
            .map(|o| (o.listener_hours_per_year, 100.0 * f(o)))
            .collect(),
        dots: true,
    };
    // A plan found, labelled with its listener-hours.
    let mark = |name: String, o: &Outcome, share: f64| Mark {
        label: format!("{name}: {} h", thousands(o.listener_hours_per_year)),
        at: (o.listener_hours_per_year, 100.0 * share),
    };
    let (attempts, people) = (&r.for_attempts.outcome, &r.for_people.outcome);
    charts::draw(&Chart {
        title: "Answered share against listener-hours (the current roster scaled)",
        note: None,
        x_label: "listener-hours per year",
        x_unit: Unit::Hours,
        panels: vec![Panel {
            y_label: "answered".into(),
            y_unit: Unit::Percent,
            series: vec![
                series("share of attempts", &|o| o.answered_share),
                series("share of people", &|o| o.people_answered_share),
            ],
            marks: vec![
                mark("current".into(), &r.current, r.current.answered_share),
                mark(
                    format!("{} of attempts", pct(target)),
                    attempts,
                    attempts.answered_share,
                ),
                mark(
                    format!("{} of people", pct(target)),
                    people,
                    people.people_answered_share,
                ),
            ],
            lines: vec![(100.0 * target, format!("target {}", pct(target)))],
        }],
    })
}

/// Said in the chart and the text when the optimiser kept the current plan.
const KEPT: &str = "The optimiser kept the current plan: no placement of the same hours \
                    simulated better, so optimised = current.";

fn plan_chart(plan: &ShiftPlan) -> anyhow::Result<String> {
    let pts = |f: &dyn Fn(&ecoute_capacity::plan::optimise::HourChange) -> f64| {
        plan.hours
            .iter()
            .map(|h| (h.hour_of_week as f64, f(h)))
            .collect::<Vec<_>>()
    };
    type Pick = fn(&ecoute_capacity::plan::optimise::HourChange) -> f64;
    // With the plan kept, the two curves are one: draw it once, named for both.
    let pair = |before: Pick, after: Pick| {
        if plan.kept_start {
            vec![("current = optimised".to_string(), pts(&before))]
        } else {
            vec![
                ("current".to_string(), pts(&before)),
                ("optimised".to_string(), pts(&after)),
            ]
        }
    };
    charts::draw(&Chart {
        title: "Same listener-hours, current and optimised placement",
        note: plan.kept_start.then(|| KEPT.to_string()),
        x_label: "hour of the week",
        x_unit: Unit::HourOfWeek,
        panels: vec![
            Panel::lines(
                "answered share",
                Unit::Percent,
                pair(
                    |h| 100.0 * h.answered_share_before,
                    |h| 100.0 * h.answered_share_after,
                ),
            ),
            Panel::lines(
                "mean wait of answered",
                Unit::Seconds,
                pair(|h| h.mean_wait_before_secs, |h| h.mean_wait_after_secs),
            ),
            Panel::lines(
                "listeners on duty",
                Unit::Count,
                pair(|h| h.listeners_before, |h| h.listeners_after),
            ),
        ],
    })
}
