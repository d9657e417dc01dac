//! `ecoute backup` and `ecoute copy-data` as an operator runs them: real processes on real
//! databases. The PostgreSQL cases run when `ECOUTE_TEST_POSTGRES_URL` is set.

mod common;

use common::{add_listener, pg_url, run, run_ok, FreshDb};
use std::path::PathBuf;

/// A temporary folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("ecoute-it-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn sqlite(&self, name: &str) -> String {
        format!("sqlite://{}", self.0.join(name).display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn usernames(db_url: &str) -> Vec<String> {
    run_ok(db_url, &["user", "list"], "")
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// The line of copy-data's table for `table`, as `[source, target]`.
fn counts(stdout: &str, table: &str) -> Vec<String> {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(table))
        .unwrap_or_else(|| panic!("no line for {table} in {stdout}"))
        .split_whitespace()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

/// A SQLite backup is a database that opens with what was there; it never overwrites.
#[test]
fn sqlite_backup_opens_and_never_overwrites() {
    let dir = TempDir::new();
    let live = dir.sqlite("live.db");
    add_listener(&live, "lina", "Lina");
    let backup = dir.0.join("backup.db");
    let to = backup.to_str().expect("utf-8 path");
    run_ok(&live, &["backup", "--to", to], "");
    let again = run(&live, &["backup", "--to", to], "");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists"),
        "{again:?}"
    );
    assert_eq!(usernames(&dir.sqlite("backup.db")), ["lina"]);
}

/// copy-data copies into an empty database, prints equal counts, and refuses a target that
/// holds something.
#[test]
fn copy_data_between_sqlite_files() {
    let dir = TempDir::new();
    let (src, dst) = (dir.sqlite("src.db"), dir.sqlite("dst.db"));
    add_listener(&src, "lina", "Lina");
    add_listener(&src, "marc", "Marc");
    let out = run_ok(&src, &["copy-data", "--from", &src, "--to", &dst], "");
    assert_eq!(counts(&out, "users"), ["2", "2"], "{out}");
    assert_eq!(counts(&out, "centres"), ["1", "1"], "{out}");
    assert!(out.contains("copy complete"), "{out}");
    assert_eq!(usernames(&dst), ["lina", "marc"]);

    let again = run(&src, &["copy-data", "--from", &src, "--to", &dst], "");
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(usernames(&dst), ["lina", "marc"], "nothing written twice");
}

/// SQLite → PostgreSQL → SQLite: accounts arrive with their passwords (the copy logs in
/// through the CLI's own checks), new accounts get fresh ids, and the way back works.
#[tokio::test]
async fn copy_data_sqlite_to_postgres_and_back() {
    let Some(server) = pg_url() else { return };
    let pg = FreshDb::create(&server).await;
    let dir = TempDir::new();
    let src = dir.sqlite("src.db");
    add_listener(&src, "lina", "Lina");
    let out = run_ok(&src, &["copy-data", "--from", &src, "--to", &pg.url], "");
    assert_eq!(counts(&out, "users"), ["1", "1"], "{out}");
    // The identity sequence continues after the copied ids.
    add_listener(&pg.url, "zoe", "Zoe");
    assert_eq!(usernames(&pg.url), ["lina", "zoe"]);

    let back = dir.sqlite("back.db");
    let out = run_ok(&src, &["copy-data", "--from", &pg.url, "--to", &back], "");
    assert_eq!(counts(&out, "users"), ["2", "2"], "{out}");
    assert_eq!(usernames(&back), ["lina", "zoe"]);
}

/// On PostgreSQL, `ecoute backup` runs pg_dump into a new file (a custom-format archive).
#[tokio::test]
async fn postgres_backup_with_pg_dump() {
    let Some(server) = pg_url() else { return };
    let has_pg_dump = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("pg_dump").is_file()));
    if !has_pg_dump {
        eprintln!("skipped: pg_dump is not installed");
        return;
    }
    let pg = FreshDb::create(&server).await;
    add_listener(&pg.url, "lina", "Lina");
    let dir = TempDir::new();
    let file = dir.0.join("ecoute.dump");
    let to = file.to_str().expect("utf-8 path");
    run_ok(&pg.url, &["backup", "--to", to], "");
    let archive = std::fs::read(&file).expect("archive");
    assert!(archive.starts_with(b"PGDMP"), "a pg_dump custom archive");
    let again = run(&pg.url, &["backup", "--to", to], "");
    assert!(!again.status.success(), "never overwrites");
}
