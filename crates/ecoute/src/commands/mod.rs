//! The sub-commands.

pub mod backup;
pub mod campaigns;
pub mod copy_data;
pub mod serve;
pub mod triage;
pub mod users;

use crate::settings::Settings;
use ecoute_app::{App, SystemClock};
use std::str::FromStr;
use std::sync::Arc;

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

/// The use cases over the configured database. On PostgreSQL the bus is LISTEN/NOTIFY, so
/// that disabling an account or changing its password closes its sockets on every running
/// instance at once; on SQLite (one instance, another process) nothing hears the bus, and the
/// server's periodic session check closes them within 30 s.
pub async fn app(settings: &Settings) -> anyhow::Result<App> {
    let (store, bus) = ecoute_store::connect_with_bus(&settings.database.url).await?;
    Ok(App::new(
        store,
        bus,
        Arc::new(SystemClock),
        settings.web().app_settings(),
    ))
}
