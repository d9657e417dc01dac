//! The command line, driven through `run_to` as the binary will drive it.

use clap::Parser;
use ecoute_capacity_cli::{run_to, CapacityArgs};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: CapacityArgs,
}

fn parse(argv: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("capacity").chain(argv.iter().copied()))
}

fn run(argv: &[&str]) -> anyhow::Result<String> {
    let cli = parse(argv)?;
    let mut out = Vec::new();
    run_to(cli.args, &mut out)?;
    Ok(String::from_utf8(out)?)
}

/// The message clap prints for arguments refused while parsing, before any computation.
fn parse_error(argv: &[&str]) -> String {
    match parse(argv) {
        Ok(_) => panic!("{argv:?} parsed"),
        Err(e) => e.to_string(),
    }
}

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ecoute-capacity-cli-{}-{name}", std::process::id()))
}

/// A small line of four shifts, for quick planning runs.
const SMALL: &str = r#"
name = "small"
title = "A small line"
horizon_days = 28
seed = 1
[demand]
people_per_horizon = 12000
hour_of_day = [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2]
day_of_week = [1,1,1,1,1,1,1]
[handle]
distribution = "exponential"
mean_minutes = 20
[patience]
distribution = "exponential"
mean_minutes = 2
[redial]
probability = 0.8
max_attempts = 10
delay = { distribution = "exponential", mean_minutes = 10 }
[[shift]]
name = "day"
start = "08:00"
end = "14:00"
listeners = [4,4,4,4,4,4,4]
[[shift]]
name = "afternoon"
start = "14:00"
end = "20:00"
listeners = [4,4,4,4,4,4,4]
[[shift]]
name = "evening"
start = "20:00"
end = "02:00"
listeners = [4,4,4,4,4,4,4]
[[shift]]
name = "night"
start = "02:00"
end = "08:00"
listeners = [4,4,4,4,4,4,4]
"#;

#[test]
fn erlang_prints_the_worked_example() {
    let text = run(&[
        "erlang",
        "--calls-per-hour",
        "200",
        "--handle-secs",
        "180",
        "--listeners",
        "10..14",
        "--target",
        "0.8",
    ])
    .expect("runs");
    assert!(text.contains("68.2 %"), "{text}"); // P(wait) with 11 agents
    assert!(text.contains("overloaded"), "10 listeners for 10 erlangs");
    // What the counts found achieve, not the target repeated: 14 agents answer 88.8 %
    // within 20 s (Call Centre Helper's worked example).
    assert!(
        text.contains("Erlang C needs 14 listeners, who answer 88.8 % within 20s"),
        "{text}"
    );
    assert!(text.contains("Erlang A needs "), "{text}");
    assert!(!text.contains("(80.0 % within"), "{text}");
}

/// The Erlang A service level, through the command: pyworkforce's worked example (10 E,
/// 5-minute patience, 13 agents: 85.8 % answered within 20 s), in the table and the JSON.
#[test]
fn erlang_a_service_level_in_the_table_and_the_json() {
    let args = [
        "erlang",
        "--calls-per-hour",
        "200",
        "--handle-secs",
        "180",
        "--patience-secs",
        "300",
        "--service-secs",
        "20",
        "--listeners",
        "13",
    ];
    let text = run(&args).expect("runs");
    assert!(text.contains("A: service level"), "{text}");
    assert!(text.contains("85.8 %"), "{text}");
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let v: serde_json::Value =
        serde_json::from_str(&run(&json_args).expect("runs")).expect("valid JSON");
    let sl = v["rows"][0]["erlang_a_service_level"]
        .as_f64()
        .expect("service level");
    assert!((sl - 0.858).abs() < 0.0005, "{sl}");
}

#[test]
fn erlang_json_and_csv() {
    let json = run(&[
        "erlang",
        "--calls-per-hour",
        "300",
        "--listeners",
        "30..34",
        "--json",
    ])
    .expect("runs");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(5));
    let csv = run(&[
        "erlang",
        "--calls-per-hour",
        "300",
        "--listeners",
        "30..34",
        "--csv",
    ])
    .expect("runs");
    assert_eq!(csv.lines().count(), 6);
}

#[test]
fn bad_parameters_are_named() {
    let err = run(&["erlang", "--calls-per-hour=-5"]).expect_err("negative");
    assert!(format!("{err:#}").contains("--calls-per-hour"), "{err:#}");
    assert!(!format!("{err:#}").contains("arrivals_per_hour"), "{err:#}");
    let err = run(&["erlang", "--calls-per-hour", "5", "--listeners", "0"]).expect_err("zero");
    assert!(format!("{err:#}").contains("listeners"), "{err:#}");
    let err = run(&["simulate", "--scenario-file", "/nonexistent/x.toml"]).expect_err("missing");
    assert!(format!("{err:#}").contains("--scenario-file"), "{err:#}");
    let err = run(&["simulate", "--scenario", "atlantis"]).expect_err("unknown");
    assert!(format!("{err:#}").contains("sos-amitie-2016"), "{err:#}");
    let bad = temp_path("bad.toml");
    std::fs::write(
        &bad,
        SMALL.replace("probability = 0.8", "probability = 1.8"),
    )
    .expect("temp file");
    let err = run(&["simulate", "--scenario-file", bad.to_str().expect("utf-8")])
        .expect_err("bad probability");
    // The key as written in the file.
    assert!(format!("{err:#}").contains("redial.probability"), "{err:#}");
}

/// Every refusal names the flag the user typed, negative numbers included (clap took
/// `-1` for an unknown option and named nothing).
#[test]
fn every_refusal_names_the_flag() {
    for (argv, flag, reason) in [
        (
            &["erlang", "--calls-per-hour", "5", "--handle-secs", "-1"][..],
            "--handle-secs",
            "must be a positive number",
        ),
        (
            &["erlang", "--calls-per-hour", "-5"],
            "--calls-per-hour",
            "must be zero or a positive number",
        ),
        (
            &["erlang", "--calls-per-hour", "5", "--target", "1.5"],
            "--target",
            "strictly between 0 and 1",
        ),
        (
            &["erlang", "--calls-per-hour", "5", "--patience-secs", "0"],
            "--patience-secs",
            "must be a positive number",
        ),
        (
            &["erlang", "--calls-per-hour", "5", "--service-secs", "-20"],
            "--service-secs",
            "must be zero or a positive number",
        ),
        (
            &["simulate", "--days", "-3"],
            "--days",
            "positive number of days",
        ),
        (&["simulate", "--days", "1e9"], "--days", "at most 3660"),
        (&["simulate", "--seed", "-1"], "--seed", "invalid"),
        (
            &["plan", "--min-listeners", "-1"],
            "--min-listeners",
            "zero or a positive",
        ),
        (
            &["plan", "--days", "0"],
            "--days",
            "positive number of days",
        ),
        (
            &["plan", "--target", "0"],
            "--target",
            "strictly between 0 and 1",
        ),
        (&["plan", "--rounds", "0"], "--rounds", "1..=20"),
        (
            &["plan", "--answered-tolerance", "2"],
            "--answered-tolerance",
            "from 0 to 1",
        ),
        (
            &["plan", "--budget-hours-per-week", "-10"],
            "--budget-hours-per-week",
            "must be a positive number",
        ),
    ] {
        let text = parse_error(argv);
        assert!(text.contains(flag), "{argv:?}: {text}");
        assert!(text.contains(reason), "{argv:?}: {text}");
        assert!(!text.contains("unexpected argument"), "{argv:?}: {text}");
    }
}

/// A range of listeners is refused before anything is computed when it is longer than a
/// table holds or goes past the listeners the formulas take (1..100000 took two minutes,
/// 1..100000000 never finished), with the limit and why; the largest allowed table runs.
#[test]
fn listener_ranges_are_bounded() {
    let text = parse_error(&[
        "erlang",
        "--calls-per-hour",
        "300",
        "--listeners",
        "1..100000000",
    ]);
    assert!(text.contains("--listeners"), "{text}");
    assert!(text.contains("at most 100000 listeners"), "{text}");
    let text = parse_error(&[
        "erlang",
        "--calls-per-hour",
        "300",
        "--listeners",
        "1..100000",
    ]);
    assert!(text.contains("100000 counts"), "{text}");
    assert!(text.contains("at most 1000"), "{text}");
    let csv = run(&[
        "erlang",
        "--calls-per-hour",
        "300",
        "--listeners",
        "99001..100000",
        "--csv",
    ])
    .expect("the largest table allowed");
    assert_eq!(csv.lines().count(), 1_001);
}

/// A scenario whose hours all weigh zero would simulate a year without a single call: it
/// is refused, naming the key.
#[test]
fn a_scenario_where_nobody_calls_is_refused() {
    let file = temp_path("silent.toml");
    let zeros = format!("hour_of_day = [{}]", ["0"; 24].join(","));
    let silent = SMALL.replace(
        "hour_of_day = [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2]",
        &zeros,
    );
    assert_ne!(silent, SMALL);
    std::fs::write(&file, silent).expect("temp file");
    let err = run(&[
        "simulate",
        "--scenario-file",
        file.to_str().expect("utf-8"),
        "--days",
        "7",
        "--quiet",
    ])
    .expect_err("nobody calls");
    let text = format!("{err:#}");
    assert!(text.contains("demand.hour_of_day"), "{text}");
    assert!(text.contains("all 24 weights are zero"), "{text}");
}

/// The JSON totals partition the attempts and the people, and say what occupancy divides.
#[test]
fn simulated_outcomes_add_up() {
    let json = run(&["simulate", "--days", "14", "--quiet", "--json"]).expect("runs");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let t = &v["report"]["totals"];
    let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{k} in {t}"));
    assert_eq!(
        n("attempts"),
        n("answered") + n("abandoned") + n("blocked") + n("still_waiting"),
        "{t}"
    );
    assert_eq!(
        n("people"),
        n("people_answered") + n("people_lost") + n("people_trying"),
        "{t}"
    );
    let f = |k: &str| t[k].as_f64().unwrap_or_else(|| panic!("{k} in {t}"));
    let occupancy = f("conversation_hours") / (f("listener_hours") + f("overtime_hours"));
    assert!((f("occupancy") - occupancy).abs() < 1e-12, "{t}");
}

#[test]
fn simulate_the_2016_scenario_briefly() {
    let svg = temp_path("hourly.svg");
    let text = run(&[
        "simulate",
        "--days",
        "14",
        "--quiet",
        "--svg",
        svg.to_str().expect("utf-8"),
    ])
    .expect("runs");
    assert!(
        text.contains("Totals") && text.contains("listener occupancy"),
        "{text}"
    );
    let chart = std::fs::read_to_string(&svg).expect("chart written");
    assert!(chart.starts_with("<svg") && chart.contains("answered share"));
    // Ticks in their unit: days and hours, percent, seconds; never a bare "80.0".
    for tick in ["Tue 0 h", "80 %", " s\n"] {
        assert!(chart.contains(tick), "no {tick:?} tick");
    }
    assert!(!chart.contains("80.0\n"), "a bare tick");
    let csv = run(&["simulate", "--days", "7", "--quiet", "--csv"]).expect("runs");
    assert_eq!(csv.lines().count(), 169);
}

#[test]
fn simulate_a_full_year_compares_with_published_figures() {
    let json = run(&["simulate", "--quiet", "--json"]).expect("runs");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let published = v["published"].as_array().expect("comparisons");
    assert_eq!(published.len(), 5);
    assert!(
        published.iter().all(|c| c["within_tolerance"] == true),
        "{published:?}"
    );
}

#[test]
fn plan_a_small_line() {
    let file = temp_path("small.toml");
    std::fs::write(&file, SMALL).expect("temp file");
    let dir = temp_path("charts");
    let text = run(&[
        "plan",
        "--scenario-file",
        file.to_str().expect("utf-8"),
        "--days",
        "14",
        "--quiet",
        "--min-listeners",
        "1",
        "--svg-dir",
        dir.to_str().expect("utf-8"),
    ])
    .expect("runs");
    for needle in [
        "Listener-hours to answer 50.0 %",
        "Each volunteer more",
        "Erlang A: listeners",
        "Shift plan",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(dir.join("answered-vs-listener-hours.svg").exists());
    let by_hour = std::fs::read_to_string(dir.join("optimised-by-hour.svg")).expect("chart");
    // This optimised plan differs from the current one: both are drawn and named.
    assert!(!text.contains("kept the current plan"), "{text}");
    assert!(by_hour.contains("\noptimised\n") && by_hour.contains("\ncurrent\n"));
}

/// With four listeners at least every hour and a budget of four listeners all week, the
/// only plan is the current one: the text and the chart say that it was kept, and the
/// chart draws one curve named for both instead of hiding one under the other. The
/// listener-hours chart marks the target and the plans found for it.
#[test]
fn a_kept_plan_and_the_target_are_shown() {
    let file = temp_path("kept.toml");
    std::fs::write(&file, SMALL).expect("temp file");
    let dir = temp_path("kept-charts");
    let text = run(&[
        "plan",
        "--scenario-file",
        file.to_str().expect("utf-8"),
        "--days",
        "14",
        "--quiet",
        "--min-listeners",
        "4",
        "--svg-dir",
        dir.to_str().expect("utf-8"),
    ])
    .expect("runs");
    assert!(
        text.contains("The optimiser kept the current plan"),
        "{text}"
    );
    let by_hour = std::fs::read_to_string(dir.join("optimised-by-hour.svg")).expect("chart");
    assert!(by_hour.contains("The optimiser kept the current plan"));
    assert!(by_hour.contains("\ncurrent = optimised\n"));
    assert!(!by_hour.contains("\noptimised\n"), "a second, hidden curve");
    let curve = std::fs::read_to_string(dir.join("answered-vs-listener-hours.svg")).expect("chart");
    for label in [
        "target 50.0 %",
        "50.0 % of attempts: ",
        "50.0 % of people: ",
        "current: ",
    ] {
        assert!(curve.contains(label), "no {label:?} mark");
    }
    assert!(curve.contains(",000 h\n"), "listener-hour ticks");
}

/// `triage` on the small line: the people at high risk whom the triage flags are
/// answered sooner; the false-positive rate comes from the precision at the prevalence it
/// was measured at; the table shows both sides.
#[test]
fn triage_off_and_on_on_a_small_line() {
    let file = temp_path("triage.toml");
    std::fs::write(&file, SMALL).expect("temp file");
    let path = file.to_str().expect("utf-8");
    let args = [
        "triage",
        "--scenario-file",
        path,
        "--days",
        "14",
        "--runs",
        "2",
        "--high-risk-share",
        "0.05",
        "--recall",
        "0.875",
        "--precision",
        "0.9722",
        "--precision-prevalence",
        "0.4651",
        "--quiet",
    ];
    let text = run(&args).expect("runs");
    for s in [
        "triage off (FIFO)",
        "triage on",
        "high risk: people answered within 5m00s of first dial",
        "others: 90th percentile wait, answered",
        "measured where 46.5 % were at risk",
        "seeds 1–2",
    ] {
        assert!(text.contains(s), "{s:?} in {text}");
    }
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let v: serde_json::Value =
        serde_json::from_str(&run(&json_args).expect("runs")).expect("valid JSON");
    let f = v["assumptions"]["false_positive_rate"]
        .as_f64()
        .expect("rate");
    assert!((f - 1.0 / 46.0).abs() < 2e-4, "{f}");
    let row = |key: &str| {
        v["summary"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["key"] == key))
            .unwrap_or_else(|| panic!("{key} in {v}"))
            .clone()
    };
    let within = row("high_risk_people_answered_within");
    let (off, on) = (
        within["off"]["mean"].as_f64().expect("off"),
        within["on"]["mean"].as_f64().expect("on"),
    );
    // Four listeners who free up every five minutes or so, for callers of two minutes'
    // patience: even a flagged person often hangs up before anyone is free.
    assert!(on > off + 0.05, "{within}");
    assert_eq!(v["runs"].as_array().map(Vec::len), Some(2));
    let mut csv_args = args.to_vec();
    csv_args.push("--csv");
    let csv = run(&csv_args).expect("runs");
    assert_eq!(csv.lines().count(), 16, "{csv}");
    assert!(csv.starts_with("figure,off_mean,off_sd,on_mean"), "{csv}");
}

/// Every `triage` input is bounded and refused naming its flag.
#[test]
fn triage_refusals_name_the_flag() {
    // Each case replaces the inputs it names (a flag may be given only once).
    let base = [
        ("--high-risk-share", "0.03"),
        ("--recall", "0.9"),
        ("--precision", "0.9"),
    ];
    for (extra, flag, reason) in [
        (
            &["--high-risk-share", "1.5"][..],
            "--high-risk-share",
            "from 0 to 1",
        ),
        (&["--recall", "0"], "--recall", "above 0 and at most 1"),
        (
            &["--precision", "1.2"],
            "--precision",
            "above 0 and at most 1",
        ),
        (
            &["--precision", "0.9", "--precision-prevalence", "1"],
            "--precision-prevalence",
            "strictly between 0 and 1",
        ),
        (
            &["--false-positive-rate", "-0.1"],
            "--false-positive-rate",
            "from 0 to 1",
        ),
        (&["--runs", "0"], "--runs", "1..=20"),
        (&["--runs", "21"], "--runs", "1..=20"),
        (&["--within-secs", "0"], "--within-secs", "1..=10800"),
        (&["--days", "0"], "--days", "positive number of days"),
        (&["--precision"], "--precision", "a value is required"),
        (
            &["--precision", "0.9", "--false-positive-rate", "0.1"],
            "--false-positive-rate",
            "cannot be used with",
        ),
    ] {
        let mut argv = vec!["triage"];
        for (name, value) in base {
            let replaced = extra.contains(&name)
                || (name == "--precision" && extra.contains(&"--false-positive-rate"));
            if !replaced {
                argv.extend([name, value]);
            }
        }
        argv.extend(extra.iter().copied());
        let text = parse_error(&argv);
        assert!(text.contains(flag), "{argv:?}: {text}");
        assert!(text.contains(reason), "{argv:?}: {text}");
    }
    // Neither --precision nor --false-positive-rate: one is required.
    let text = parse_error(&["triage", "--high-risk-share", "0.03", "--recall", "0.9"]);
    assert!(
        text.contains("--precision") && text.contains("required"),
        "{text}"
    );
    // A precision that would flag more people than there are is refused before simulating.
    let err = run(&[
        "triage",
        "--high-risk-share",
        "0.03",
        "--recall",
        "1",
        "--precision",
        "0.01",
        "--precision-prevalence",
        "0.5",
        "--quiet",
    ])
    .expect_err("99 false flags per true one");
    let text = format!("{err:#}");
    assert!(text.contains("--precision"), "{text}");
    assert!(text.contains("do not fit together"), "{text}");
}
