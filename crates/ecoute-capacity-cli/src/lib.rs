//! The `ecoute capacity …` command line: Erlang tables, year simulations, shift plans and
//! what the risk triage changes, over the pure [`ecoute_capacity`] crate, printed as
//! tables, JSON or CSV, with SVG charts.
//!
//! The binary crate mounts [`CapacityArgs`] under `ecoute capacity` and calls [`run`].

mod charts;
mod erlang;
mod flags;
mod output;
mod plan;
mod scenario_source;
mod simulate;
mod triage;

use std::io::Write;

use clap::{Args, Subcommand};

pub use erlang::ErlangArgs;
pub use plan::PlanArgs;
pub use simulate::SimulateArgs;
pub use triage::TriageArgs;

/// `ecoute capacity`: plan listener capacity.
#[derive(Debug, Args)]
pub struct CapacityArgs {
    /// What to compute.
    #[command(subcommand)]
    pub command: CapacityCommand,
}

/// The capacity sub-commands.
#[derive(Debug, Subcommand)]
pub enum CapacityCommand {
    /// Erlang C and Erlang A figures for one stationary hour.
    Erlang(ErlangArgs),
    /// Simulate a helpline over weeks or a year (the 2016 SOS Amitié year by default).
    Simulate(SimulateArgs),
    /// Listener-hours for a target, the worth of a volunteer, Erlang A per hour, and the
    /// best placement of the shifts — each checked by simulation.
    Plan(PlanArgs),
    /// What the risk triage changes for the people at high risk, and what it costs the
    /// others: the scenario's line with triage off (FIFO) and on, over several seeds.
    Triage(TriageArgs),
}

/// Runs a capacity command, printing to standard output.
pub fn run(args: CapacityArgs) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run_to(args, &mut out)
}

/// Runs a capacity command, printing to `out` (for tests and embedding).
pub fn run_to(args: CapacityArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    match args.command {
        CapacityCommand::Erlang(a) => erlang::run(a, out),
        CapacityCommand::Simulate(a) => simulate::run(a, out),
        CapacityCommand::Plan(a) => plan::run(a, out),
        CapacityCommand::Triage(a) => triage::run(a, out),
    }
}
