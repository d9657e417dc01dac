//! `--scenario NAME` or `--scenario-file PATH`: where a scenario comes from.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use ecoute_capacity::Scenario;

#[derive(Debug, Clone, Args)]
pub struct ScenarioArgs {
    /// A scenario shipped with ecoute (e.g. sos-amitie-2016).
    #[arg(
        long,
        default_value = "sos-amitie-2016",
        conflicts_with = "scenario_file"
    )]
    pub scenario: String,
    /// A scenario TOML file of your own (see docs/capacity.md for the format).
    #[arg(long, value_name = "PATH")]
    pub scenario_file: Option<PathBuf>,
}

impl ScenarioArgs {
    pub fn load(&self) -> anyhow::Result<Scenario> {
        match &self.scenario_file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("--scenario-file: cannot read {}", path.display()))?;
                Scenario::from_toml(&text)
                    .with_context(|| format!("--scenario-file: {}", path.display()))
            }
            None => Scenario::builtin(&self.scenario).context("--scenario"),
        }
    }
}
