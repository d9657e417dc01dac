//! The sub-commands.

pub mod backup;
pub mod copy_data;
pub mod serve;
pub mod users;

use crate::settings::Settings;
use std::str::FromStr;

/// Logs to stderr with the configured filter (stdout is for what commands print).
pub fn init_logs(filter: &str) {
    let targets = tracing_subscriber::filter::Targets::from_str(filter).unwrap_or_else(|_| {
        tracing_subscriber::filter::Targets::new().with_default(tracing::Level::INFO)
    });
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(targets)
        .try_init();
}

/// `ecoute migrate`.
pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    ecoute_store::connect(&settings.database.url).await?;
    println!("database is up to date");
    Ok(())
}
