//! The command line, driven through `run_to` as the binary will drive it.

use clap::Parser;
use ecoute_capacity_cli::{run_to, CapacityArgs};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: CapacityArgs,
}

fn run(argv: &[&str]) -> anyhow::Result<String> {
    let cli = Cli::try_parse_from(std::iter::once("capacity").chain(argv.iter().copied()))?;
    let mut out = Vec::new();
    run_to(cli.args, &mut out)?;
    Ok(String::from_utf8(out)?)
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
    assert!(text.contains("Erlang C needs 14 listeners"), "{text}");
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
    assert!(format!("{err:#}").contains("arrivals_per_hour"), "{err:#}");
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
    assert!(format!("{err:#}").contains("redial probability"), "{err:#}");
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
    assert!(dir.join("optimised-by-hour.svg").exists());
}
