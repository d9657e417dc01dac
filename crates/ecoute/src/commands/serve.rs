//! `ecoute serve` and `ecoute demo`.

use ecoute_app::accounts::AccountFields;
use ecoute_app::{App, SystemClock};
use ecoute_domain::{CentreId, Role};
use std::sync::Arc;

use crate::settings::Settings;

/// Demo accounts: (username, pseudonym, role).
const DEMO_ACCOUNTS: &[(&str, &str, Role)] = &[
    ("camille", "Camille", Role::Listener),
    ("alex", "Alex", Role::Listener),
    ("sam", "Sam", Role::Supervisor),
    ("admin", "Admin", Role::Admin),
];

/// Serves until Ctrl-C or SIGTERM.
pub async fn run(mut settings: Settings, demo: bool) -> anyhow::Result<()> {
    if demo && settings.database.url == crate::settings::DatabaseSettings::default().url {
        // The demo never touches the real database.
        settings.database.url = "sqlite://data/demo.db".into();
    }
    settings.resolve_code_key()?;
    let (store, bus) = ecoute_store::connect_with_bus(&settings.database.url).await?;
    if demo {
        let app = App::new(
            store.clone(),
            bus.clone(),
            Arc::new(SystemClock),
            settings.web().app_settings(),
        );
        print_demo_accounts(&app).await?;
    } else if store.count_users().await? == 0 {
        println!(
            "No account yet. Create the first administrator with:\n  \
             ecoute user add --role admin --username admin --pseudonym Admin\n\
             (or try ecoute with demo accounts: ecoute demo)"
        );
    }
    let server =
        ecoute_web::Server::bind(&settings.server.bind, settings.web(), store, bus).await?;
    let addr = server.local_addr()?;
    // Tests and scripts read this line to find the port.
    println!("ecoute listening on http://{addr}");
    tracing::info!(%addr, database = %scheme(&settings.database.url), "ecoute started");
    server.run(shutdown_signal()).await?;
    tracing::info!("ecoute stopped");
    Ok(())
}

fn scheme(url: &str) -> &str {
    url.split(':').next().unwrap_or("")
}

/// Creates the demo accounts, or gives them new passwords, and prints them.
async fn print_demo_accounts(app: &App) -> anyhow::Result<()> {
    println!("Demo accounts (passwords are new at every start):");
    for (username, pseudonym, role) in DEMO_ACCOUNTS {
        let password = demo_password();
        match app.store().credentials(username).await? {
            Some(c) => app.set_password(c.user.id, &password).await?,
            None => {
                app.create_account(AccountFields {
                    username,
                    pseudonym,
                    role: role.as_str(),
                    password: &password,
                    centre: CentreId::DEFAULT,
                })
                .await?;
            }
        }
        println!(
            "  {:<11} {:<8} password {}",
            role.as_str(),
            username,
            password
        );
    }
    println!(
        "Open / in one window to reach out, and /login in another (private) window to answer."
    );
    Ok(())
}

fn demo_password() -> String {
    // 16 URL-safe characters from a 256-bit token: readable enough to type.
    ecoute_web::auth::random_token()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
