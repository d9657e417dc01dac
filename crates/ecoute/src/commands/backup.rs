//! `ecoute backup --to PATH`: a consistent copy of the whole database, taken while ecoute
//! keeps serving.
//!
//! - SQLite: `VACUUM INTO` a new file, which is itself a ready-to-use database (restore = stop
//!   ecoute, put the file in place of the database, start ecoute).
//! - PostgreSQL: `pg_dump --format=custom` into a new file when `pg_dump` is on the `PATH`
//!   (restore with `pg_restore`); otherwise the command fails and prints the exact `pg_dump`
//!   command to run. ecoute does not reimplement pg_dump: it is the tool operators know, and
//!   its archives restore on any PostgreSQL server.
//!
//! A backup never overwrites an existing file: an older backup is worth more than a typo.

use crate::settings::Settings;
use anyhow::Context;
use std::path::Path;

/// Runs `ecoute backup --to PATH` for the configured database.
pub async fn run(settings: &Settings, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        anyhow::bail!(
            "{} already exists: a backup never overwrites a file, choose a new name",
            to.display()
        );
    }
    let url = settings.database.url.as_str();
    if url.starts_with("sqlite:") {
        let store = ecoute_store::sqlite::SqliteStore::connect(url).await?;
        let result = store.backup_to(to).await;
        store.close().await;
        result.with_context(|| format!("backup to {} failed", to.display()))?;
        println!("backup written to {}", to.display());
        Ok(())
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        pg_dump(url, to).await
    } else {
        anyhow::bail!(
            "cannot back up {:?}: not a sqlite:// or postgres:// URL",
            scheme(url)
        )
    }
}

fn scheme(url: &str) -> &str {
    url.split(':').next().unwrap_or("")
}

/// Dumps with `pg_dump` into a file created here (so that an existing file is never
/// truncated, even by a race), or explains how to when `pg_dump` is missing.
async fn pg_dump(url: &str, to: &Path) -> anyhow::Result<()> {
    let conn = PgUrl::split(url);
    if !on_path("pg_dump") {
        anyhow::bail!(
            "pg_dump is not installed (Debian/Ubuntu: apt-get install postgresql-client). \
             Back up PostgreSQL with:\n  {}pg_dump --format=custom --file={} '{}'\n\
             and restore into an empty database with:\n  \
             pg_restore --no-owner --dbname='<target URL>' {}",
            if conn.password.is_some() {
                "PGPASSWORD=… "
            } else {
                ""
            },
            to.display(),
            conn.url_without_password,
            to.display()
        );
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .with_context(|| format!("cannot create {}", to.display()))?;
    let mut cmd = tokio::process::Command::new("pg_dump");
    cmd.arg("--format=custom")
        .arg(format!("--dbname={}", conn.url_without_password))
        .stdout(file);
    // The password goes through the environment, not the command line that every local
    // user can read with `ps`.
    if let Some(password) = &conn.password {
        cmd.env("PGPASSWORD", password);
    }
    let status = cmd.status().await.context("cannot run pg_dump")?;
    if !status.success() {
        // A partial archive must not pass for a backup.
        let _ = std::fs::remove_file(to);
        anyhow::bail!("pg_dump failed ({status}); no backup written");
    }
    println!(
        "backup written to {} (pg_dump custom format; restore with pg_restore)",
        to.display()
    );
    Ok(())
}

/// Whether an executable named `name` is in one of the `PATH` folders.
fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
        .unwrap_or(false)
}

/// A PostgreSQL URL with its password taken out.
#[derive(Debug, PartialEq, Eq)]
struct PgUrl {
    url_without_password: String,
    /// Percent-decoded, as libpq expects it in `PGPASSWORD`.
    password: Option<String>,
}

impl PgUrl {
    /// `postgres://user:secret@host/db?x` → `postgres://user@host/db?x` and `secret`.
    fn split(url: &str) -> PgUrl {
        let unchanged = || PgUrl {
            url_without_password: url.to_owned(),
            password: None,
        };
        let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
            return unchanged();
        };
        let rest = &url[scheme_end..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let Some(at) = authority.rfind('@') else {
            return unchanged();
        };
        let userinfo = &authority[..at];
        let Some(colon) = userinfo.find(':') else {
            return unchanged();
        };
        PgUrl {
            url_without_password: format!(
                "{}{}{}",
                &url[..scheme_end],
                &userinfo[..colon],
                &rest[at..]
            ),
            password: Some(percent_decode(&userinfo[colon + 1..])),
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_taken_out_of_the_url() {
        assert_eq!(
            PgUrl::split("postgres://ecoute:s%40cr%3At@db.local:5432/ecoute?sslmode=require"),
            PgUrl {
                url_without_password: "postgres://ecoute@db.local:5432/ecoute?sslmode=require"
                    .into(),
                password: Some("s@cr:t".into()),
            }
        );
    }

    #[test]
    fn urls_without_password_are_unchanged() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/test",
            "postgresql://localhost/ecoute",
            "postgres:///ecoute?host=/run/postgresql",
        ] {
            assert_eq!(
                PgUrl::split(url),
                PgUrl {
                    url_without_password: url.into(),
                    password: None
                }
            );
        }
    }
}
