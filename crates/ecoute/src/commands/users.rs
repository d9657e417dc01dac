//! `ecoute user …`: staff accounts from the command line.

use clap::{Args, Subcommand};
use ecoute_app::accounts::AccountFields;
use ecoute_app::{App, AppError};
use ecoute_domain::{CentreId, Password, UserId};
use std::io::Read;

use crate::settings::Settings;

/// Account commands.
#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Add(AddArgs),
    /// List accounts.
    List,
    /// Disable an account (it is logged out everywhere).
    Disable {
        /// Username.
        username: String,
    },
    /// Re-enable an account.
    Enable {
        /// Username.
        username: String,
    },
    /// Set a new password (read from standard input).
    Passwd {
        /// Username.
        username: String,
    },
}

/// `ecoute user add`.
#[derive(Args)]
pub struct AddArgs {
    /// Login name (3–32 of a-z 0-9 . - _).
    #[arg(long)]
    username: String,
    /// Name shown to callers and colleagues.
    #[arg(long)]
    pseudonym: String,
    /// listener, supervisor or admin.
    #[arg(long, default_value = "listener")]
    role: String,
    /// Read the password from standard input (first line) instead of the terminal prompt.
    #[arg(long)]
    password_stdin: bool,
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if !from_stdin {
        eprint!(
            "Password (at least {} characters, input shown): ",
            Password::MIN_CHARS
        );
    }
    let mut input = String::new();
    std::io::stdin().take(4096).read_to_string(&mut input)?;
    let line = input.lines().next().unwrap_or("").to_owned();
    Password::parse(&line).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(line)
}

/// Runs an account command.
pub async fn run(settings: Settings, cmd: UserCommand) -> anyhow::Result<()> {
    let app = super::app(&settings).await?;
    match cmd {
        UserCommand::Add(a) => {
            let password = read_password(a.password_stdin)?;
            let user = app
                .create_account(AccountFields {
                    username: &a.username,
                    pseudonym: &a.pseudonym,
                    role: &a.role,
                    password: &password,
                    centre: CentreId::DEFAULT,
                })
                .await?;
            println!(
                "created {} {} (pseudonym {})",
                user.role.as_str(),
                user.username,
                user.pseudonym
            );
        }
        UserCommand::List => {
            for u in app.store().list_users().await? {
                let state = if u.disabled { "disabled" } else { "active" };
                println!(
                    "{:<24} {:<24} {:<11} {}",
                    u.username,
                    u.pseudonym,
                    u.role.as_str(),
                    state
                );
            }
        }
        UserCommand::Disable { username } => set_disabled(&app, &username, true).await?,
        UserCommand::Enable { username } => set_disabled(&app, &username, false).await?,
        UserCommand::Passwd { username } => {
            let id = find(&app, &username).await?;
            let password = read_password(true)?;
            app.set_password(id, &password).await?;
            println!("password of {username} changed");
        }
    }
    Ok(())
}

async fn find(app: &App, username: &str) -> anyhow::Result<UserId> {
    match app.account_named(username).await {
        Ok(user) => Ok(user.id),
        Err(AppError::NotFound) => Err(anyhow::anyhow!(
            "no account named {:?}",
            username.trim().to_ascii_lowercase()
        )),
        Err(e) => Err(e.into()),
    }
}

async fn set_disabled(app: &App, username: &str, disabled: bool) -> anyhow::Result<()> {
    let id = find(app, username).await?;
    app.set_disabled(id, disabled, None).await?;
    println!(
        "{username} {}",
        if disabled { "disabled" } else { "enabled" }
    );
    Ok(())
}
