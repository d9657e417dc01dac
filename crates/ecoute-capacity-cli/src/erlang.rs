//! `ecoute capacity erlang`: Erlang C and Erlang A side by side for a range of listeners.

use std::io::Write;

use clap::Args;
use ecoute_capacity::{
    erlang_table, listeners_for_service_level, listeners_for_target, ErlangA, ErlangC, Load,
    TableRow, Target, MAX_LISTENERS, MAX_TABLE_ROWS,
};
use serde::Serialize;

use crate::flags::{non_negative, positive, rename, share};
use crate::output::{json, pct, secs, FormatArgs, Table};

/// Erlang C (nobody gives up) and Erlang A (callers give up) for one stationary hour.
#[derive(Debug, Args)]
pub struct ErlangArgs {
    /// Calls offered per hour.
    #[arg(long, value_parser = non_negative, allow_negative_numbers = true)]
    pub calls_per_hour: f64,
    /// Mean handle time (talk plus wrap-up), in seconds.
    #[arg(long, default_value_t = 1200.0, value_parser = positive, allow_negative_numbers = true)]
    pub handle_secs: f64,
    /// Mean patience of a waiting caller, in seconds (Erlang A).
    #[arg(long, default_value_t = 120.0, value_parser = positive, allow_negative_numbers = true)]
    pub patience_secs: f64,
    /// Listeners: one count, or a range such as 10..40 (at most 1,000 counts, up to
    /// 100,000 listeners).
    #[arg(long, value_parser = parse_range, allow_negative_numbers = true)]
    pub listeners: Option<(u32, u32)>,
    /// Service-level threshold, in seconds: the share answered within it (Erlang C and A).
    #[arg(long, default_value_t = 20.0, value_parser = non_negative, allow_negative_numbers = true)]
    pub service_secs: f64,
    /// Target: answered share for Erlang A and service level for Erlang C (e.g. 0.5).
    #[arg(long, value_parser = share, allow_negative_numbers = true)]
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
    if b > MAX_LISTENERS {
        return Err(format!(
            "at most {MAX_LISTENERS} listeners: the formulas cost one step per listener, and \
             no helpline's hour comes near that many"
        ));
    }
    if b - a >= MAX_TABLE_ROWS {
        return Err(format!(
            "{a}..{b} is {} counts, and a table has at most {MAX_TABLE_ROWS}, as each row is a \
             full Erlang A computation: narrow the range",
            b - a + 1
        ));
    }
    Ok((a, b))
}

/// The crate's parameters as this command's flags.
const FLAGS: &[(&str, &str)] = &[
    ("arrivals_per_hour", "--calls-per-hour"),
    ("mean_handle_secs", "--handle-secs"),
    ("mean_patience_secs", "--patience-secs"),
    ("listeners", "--listeners"),
    ("service_level_secs", "--service-secs"),
    ("target_service_level", "--target"),
    ("target_answered_share", "--target"),
];

/// The fewest listeners for the target, and what they achieve.
#[derive(Serialize)]
struct ForTarget {
    /// Erlang C: fewest listeners answering the target share within `service_secs`.
    erlang_c_listeners: u32,
    /// The share those listeners answer within `service_secs` (at least the target).
    erlang_c_service_level: f64,
    /// Erlang A: fewest listeners answering the target share of callers.
    erlang_a_listeners: u32,
    /// The share of callers those listeners answer (at least the target).
    erlang_a_answered_share: f64,
}

#[derive(Serialize)]
struct Report {
    load: Load,
    erlangs: f64,
    patience_secs: f64,
    service_secs: f64,
    rows: Vec<TableRow>,
    listeners_for_target_erlang_c: Option<u32>,
    listeners_for_target_erlang_a: Option<u32>,
    /// With `--target`: the counts above and the figures they achieve.
    for_target: Option<ForTarget>,
}

pub fn run(args: ErlangArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let flags = rename(FLAGS);
    let load = Load::new(args.calls_per_hour, args.handle_secs).map_err(&flags)?;
    let a = load.erlangs();
    let (lo, hi) = match args.listeners {
        Some(range) => range,
        None => default_range(args.calls_per_hour, args.handle_secs, a)?,
    };
    let rows = erlang_table(load, args.patience_secs, lo, hi, args.service_secs).map_err(&flags)?;
    let for_target = match args.target {
        Some(t) => {
            let c = listeners_for_service_level(load, t, args.service_secs).map_err(&flags)?;
            let a_n = listeners_for_target(
                load,
                args.patience_secs,
                Target {
                    answered_share: t,
                    max_mean_wait_secs: None,
                },
            )
            .map_err(&flags)?;
            Some(ForTarget {
                erlang_c_listeners: c,
                erlang_c_service_level: ErlangC::new(load, c)?.service_level(args.service_secs)?,
                erlang_a_listeners: a_n,
                erlang_a_answered_share: ErlangA::new(load, args.patience_secs, a_n)?
                    .metrics()?
                    .answered_share,
            })
        }
        None => None,
    };
    let report = Report {
        load,
        erlangs: a,
        patience_secs: args.patience_secs,
        service_secs: args.service_secs,
        rows,
        listeners_for_target_erlang_c: for_target.as_ref().map(|f| f.erlang_c_listeners),
        listeners_for_target_erlang_a: for_target.as_ref().map(|f| f.erlang_a_listeners),
        for_target,
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
    if let (Some(f), Some(target)) = (&report.for_target, args.target) {
        writeln!(
            out,
            "Target {}: Erlang C needs {} listeners, who answer {} within {}; Erlang A needs \
             {} listeners, who answer {} of callers.",
            pct(target),
            f.erlang_c_listeners,
            pct(f.erlang_c_service_level),
            secs(args.service_secs),
            f.erlang_a_listeners,
            pct(f.erlang_a_answered_share)
        )?;
    }
    Ok(())
}

/// Without `--listeners`: from a quarter of the load to well past it, if the table can
/// hold that many rows.
fn default_range(
    calls_per_hour: f64,
    handle_secs: f64,
    erlangs: f64,
) -> anyhow::Result<(u32, u32)> {
    let lo = (erlangs * 0.25).floor().max(1.0);
    let hi = ((erlangs * 1.5).ceil() + 2.0).max(lo);
    if hi > f64::from(MAX_LISTENERS) || hi - lo >= f64::from(MAX_TABLE_ROWS) {
        anyhow::bail!(
            "--calls-per-hour {} with --handle-secs {} is {erlangs:.1} erlangs: the default \
             table (a quarter to 1.5 times the load, {lo:.0}..{hi:.0}) would be longer than \
             {MAX_TABLE_ROWS} rows or go past {MAX_LISTENERS} listeners; give --listeners \
             FROM..TO",
            calls_per_hour,
            handle_secs
        );
    }
    Ok((lo as u32, hi as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without --listeners, a load too large for a table is refused with the reason and
    /// the flag to give, instead of computing hundreds of millions of rows.
    #[test]
    fn the_default_range_fits_a_table_or_is_refused() {
        assert_eq!(
            default_range(300.0, 1200.0, 100.0).expect("fits"),
            (25, 152)
        );
        let err = default_range(1e9, 1200.0, 1e9 * 1200.0 / 3600.0).expect_err("huge");
        let text = err.to_string();
        assert!(text.contains("give --listeners FROM..TO"), "{text}");
        assert!(text.contains("longer than 1000 rows"), "{text}");
    }
}
