//! `ecoute capacity …` without the rest of ecoute: the same commands, for building and
//! running only the capacity crates (`cargo run --release -p ecoute-capacity-cli
//! --example capacity -- triage …`).

use clap::Parser;

#[derive(Parser)]
#[command(name = "capacity")]
struct Cli {
    #[command(flatten)]
    args: ecoute_capacity_cli::CapacityArgs,
}

fn main() -> anyhow::Result<()> {
    ecoute_capacity_cli::run(Cli::parse().args)
}
