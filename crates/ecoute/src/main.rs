//! `ecoute`: serve the helpline, try it with demo accounts, manage accounts and campaigns,
//! migrate the database, plan capacity, score and measure the risk triage.

mod commands;
mod settings;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use settings::Settings;

/// ecoute — an anonymous listening helpline, self-hosted.
#[derive(Parser)]
#[command(name = "ecoute", version, about)]
struct Cli {
    /// TOML configuration file (default: ./ecoute.toml if present). Also ECOUTE_CONFIG.
    #[arg(long, global = true, env = "ECOUTE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve ecoute (the default).
    Serve,
    /// Serve with demo accounts (printed with their passwords) on a separate demo database.
    Demo,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(commands::users::UserCommand),
    /// Declare campaigns and read their anonymous counts.
    #[command(subcommand)]
    Campaign(commands::campaigns::CampaignCommand),
    /// Capacity planning: Erlang formulas, simulation of a helpline year, shift plans.
    Capacity(ecoute_capacity_cli::CapacityArgs),
    /// Risk triage: score a text, or measure the scorer on its evaluation set.
    #[command(subcommand)]
    Triage(commands::triage::TriageCommand),
    /// Copy the whole database to a new file while ecoute runs (SQLite: VACUUM INTO;
    /// PostgreSQL: pg_dump).
    Backup {
        /// The backup file to create (never overwritten).
        #[arg(long)]
        to: PathBuf,
    },
    /// Copy a whole installation into an empty database (e.g. SQLite to PostgreSQL), then
    /// compare the rows per table.
    CopyData {
        /// Source database URL (sqlite://PATH or postgres://…).
        #[arg(long)]
        from: String,
        /// Target database URL; must be empty (created if a new SQLite file).
        #[arg(long)]
        to: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Planning needs neither the configuration nor a database.
    let cli = match cli.command {
        Some(Command::Capacity(args)) => {
            return match ecoute_capacity_cli::run(args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("ecoute capacity: {e:#}");
                    ExitCode::from(2)
                }
            };
        }
        // Nor does triage: the scorer is pure.
        Some(Command::Triage(cmd)) => {
            return match commands::triage::run(cmd) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("ecoute triage: {e:#}");
                    ExitCode::from(2)
                }
            };
        }
        command => Cli { command, ..cli },
    };
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ecoute: {e:#}");
            return ExitCode::from(2);
        }
    };
    commands::init_logs(&settings.server.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ecoute: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => commands::serve::run(settings, false).await,
            Command::Demo => commands::serve::run(settings, true).await,
            Command::Migrate => commands::migrate(settings).await,
            Command::User(cmd) => commands::users::run(settings, cmd).await,
            Command::Campaign(cmd) => commands::campaigns::run(settings, cmd).await,
            Command::Backup { to } => commands::backup::run(&settings, &to).await,
            Command::CopyData { from, to } => commands::copy_data::run(&from, &to).await,
            Command::Capacity(_) | Command::Triage(_) => {
                unreachable!("handled before the runtime starts")
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ecoute: {e:#}");
            ExitCode::FAILURE
        }
    }
}
