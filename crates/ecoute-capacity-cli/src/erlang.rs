//! `ecoute capacity erlang`: Erlang C and Erlang A side by side for a range of listeners.

use std::io::Write;

use clap::Args;
use ecoute_capacity::{
    listeners_for_service_level, listeners_for_target, CapacityError, ErlangA, ErlangC, Load,
    Target,
};
use serde::Serialize;

use crate::output::{json, pct, secs, FormatArgs, Table};

/// Erlang C (nobody gives up) and Erlang A (callers give up) for one stationary hour.
#[derive(Debug, Args)]
pub struct ErlangArgs {
    /// Calls offered per hour.
    #[arg(long)]
    pub calls_per_hour: f64,
    /// Mean handle time (talk plus wrap-up), in seconds.
    #[arg(long, default_value_t = 1200.0)]
    pub handle_secs: f64,
    /// Mean patience of a waiting caller, in seconds (Erlang A).
    #[arg(long, default_value_t = 120.0)]
    pub patience_secs: f64,
    /// Listeners: one count, or a range such as 10..40.
    #[arg(long, value_parser = parse_range)]
    pub listeners: Option<(u32, u32)>,
    /// Service-level threshold, in seconds: the share answered within it (Erlang C and A).
    #[arg(long, default_value_t = 20.0)]
    pub service_secs: f64,
    /// Target: answered share for Erlang A and service level for Erlang C (e.g. 0.5).
    #[arg(long)]
    pub target: Option<f64>,
    #[command(flatten)]
    pub format: FormatArgs,
}

fn parse_range(s: &str) -> Result<(u32, u32), String> {
    let parse = |t: &str| {
        t.trim()
            .parse::<u32>()
            .map_err(|_| format!("{t:?} is not a number of listeners"))
    };
    let (a, b) = match s.split_once("..") {
        Some((a, b)) => (parse(a)?, parse(b.trim_start_matches('='))?),
        None => (parse(s)?, parse(s)?),
    };
    if a == 0 || b < a {
        return Err("listeners must be at least 1 and the range increasing".into());
    }
    Ok((a, b))
}

#[derive(Serialize)]
struct Row {
    listeners: u32,
    erlang_c: Option<ErlangCRow>,
    erlang_a: ecoute_capacity::ErlangAMetrics,
    /// Erlang A share of all callers answered within `service_secs`.
    erlang_a_service_level: f64,
}

#[derive(Serialize)]
struct ErlangCRow {
    prob_wait: f64,
    asa_secs: f64,
    service_level: f64,
    occupancy: f64,
}

#[derive(Serialize)]
struct Report {
    load: Load,
    erlangs: f64,
    patience_secs: f64,
    service_secs: f64,
    rows: Vec<Row>,
    listeners_for_target_erlang_c: Option<u32>,
    listeners_for_target_erlang_a: Option<u32>,
}

pub fn run(args: ErlangArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let load = Load::new(args.calls_per_hour, args.handle_secs)?;
    let a = load.erlangs();
    // Default range: from a quarter of the load to well past it.
    let (lo, hi) = args.listeners.unwrap_or_else(|| {
        let lo = ((a * 0.25).floor() as u32).max(1);
        (lo, ((a * 1.5).ceil() as u32 + 2).max(lo))
    });
    let mut rows = Vec::new();
    for n in lo..=hi {
        let erlang_c = match ErlangC::new(load, n) {
            Ok(c) => Some(ErlangCRow {
                prob_wait: c.prob_wait(),
                asa_secs: c.asa_secs(),
                service_level: c.service_level(args.service_secs)?,
                occupancy: c.occupancy(),
            }),
            // Below the load, Erlang C has no answer: the table says so.
            Err(CapacityError::BeyondModel(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let model = ErlangA::new(load, args.patience_secs, n)?;
        rows.push(Row {
            listeners: n,
            erlang_c,
            erlang_a: model.metrics()?,
            erlang_a_service_level: model.service_level(args.service_secs)?,
        });
    }
    let (c_target, a_target) = match args.target {
        Some(t) => (
            Some(listeners_for_service_level(load, t, args.service_secs)?),
            Some(listeners_for_target(
                load,
                args.patience_secs,
                Target {
                    answered_share: t,
                    max_mean_wait_secs: None,
                },
            )?),
        ),
        None => (None, None),
    };
    let report = Report {
        load,
        erlangs: a,
        patience_secs: args.patience_secs,
        service_secs: args.service_secs,
        rows,
        listeners_for_target_erlang_c: c_target,
        listeners_for_target_erlang_a: a_target,
    };
    if args.format.json {
        return json(out, &report);
    }
    let mut t = Table::new(
        format!(
            "{:.0} calls/h × {} = {:.2} erlangs; patience {} (Erlang A); service level within {}",
            args.calls_per_hour,
            secs(args.handle_secs),
            a,
            secs(args.patience_secs),
            secs(args.service_secs)
        ),
        &[
            "listeners",
            "C: P(wait)",
            "C: ASA",
            "C: service level",
            "C: occupancy",
            "A: P(wait)",
            "A: answered",
            "A: service level",
            "A: abandoned",
            "A: wait answered",
            "A: wait abandoned",
            "A: occupancy",
        ],
    );
    for r in &report.rows {
        let c = match &r.erlang_c {
            Some(c) => vec![
                pct(c.prob_wait),
                secs(c.asa_secs),
                pct(c.service_level),
                pct(c.occupancy),
            ],
            None => vec!["overloaded".into(), "-".into(), "-".into(), "-".into()],
        };
        let m = &r.erlang_a;
        let mut row = vec![r.listeners.to_string()];
        row.extend(c);
        row.extend([
            pct(m.prob_wait),
            pct(m.answered_share),
            pct(r.erlang_a_service_level),
            pct(m.prob_abandon),
            secs(m.mean_wait_answered_secs),
            secs(m.mean_wait_abandoned_secs),
            pct(m.occupancy),
        ]);
        t.row(row);
    }
    if args.format.csv {
        t.print_csv(out)?;
        return Ok(());
    }
    t.print(out)?;
    if let (Some(c), Some(a_n), Some(target)) = (c_target, a_target, args.target) {
        writeln!(
            out,
            "Target {}: Erlang C needs {c} listeners ({} within {}); Erlang A needs {a_n} \
             listeners ({} answered).",
            pct(target),
            pct(target),
            secs(args.service_secs),
            pct(target)
        )?;
    }
    Ok(())
}
