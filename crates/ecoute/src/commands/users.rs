//! `ecoute user …`: staff accounts from the command line.

use clap::{Args, Subcommand};
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
    let store = ecoute_store::connect(&settings.database.url).await?;
    match cmd {
        UserCommand::Add(a) => {
            let password = read_password(a.password_stdin)?;
            let new = ecoute_web::new_user(
                &a.username,
                &a.pseudonym,
                &a.role,
                &password,
                CentreId::DEFAULT,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
            let user = store.create_user(&new, now()).await?;
            println!(
                "created {} {} (pseudonym {})",
                user.role.as_str(),
                user.username,
                user.pseudonym
            );
        }
        UserCommand::List => {
            for u in store.list_users().await? {
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
        UserCommand::Disable { username } => set_disabled(&*store, &username, true).await?,
        UserCommand::Enable { username } => set_disabled(&*store, &username, false).await?,
        UserCommand::Passwd { username } => {
            let id = find(&*store, &username).await?;
            let password = read_password(true)?;
            let hash = ecoute_web::auth::hash_password(password).await?;
            store.set_password_hash(id, &hash).await?;
            println!("password of {username} changed");
        }
    }
    Ok(())
}

async fn find(store: &dyn ecoute_store::Store, username: &str) -> anyhow::Result<UserId> {
    let name = username.trim().to_ascii_lowercase();
    store
        .credentials(&name)
        .await?
        .map(|c| c.user.id)
        .ok_or_else(|| anyhow::anyhow!("no account named {name:?}"))
}

async fn set_disabled(
    store: &dyn ecoute_store::Store,
    username: &str,
    disabled: bool,
) -> anyhow::Result<()> {
    let id = find(store, username).await?;
    store.set_disabled(id, disabled).await?;
    println!(
        "{username} {}",
        if disabled { "disabled" } else { "enabled" }
    );
    Ok(())
}

/// Now, for records made by the CLI.
pub fn now() -> ecoute_domain::Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    ecoute_domain::Timestamp(ms)
}
