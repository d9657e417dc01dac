//! PostgreSQL for tests: the server named by `ECOUTE_TEST_POSTGRES_URL`, and a schema or a
//! whole database of its own per test, dropped at the end (also on panic), so that tests run
//! in parallel on one server.
//!
//! Unset, each test says it is skipped and passes (a local convenience); set with the
//! server unreachable, every test fails.

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use std::str::FromStr;

/// The variable naming the test server, e.g. `postgres://postgres@127.0.0.1:5432/test`.
pub const VAR: &str = "ECOUTE_TEST_POSTGRES_URL";

/// The server's URL, or `None` (after printing "skipped") when the tests are not configured.
pub fn server_url() -> Option<String> {
    match std::env::var(VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("skipped: {VAR} is not set");
            None
        }
    }
}

/// Runs `sql` on the server at `url` (panics if unreachable: with the variable set, an
/// unreachable server is a failure, never a skip).
async fn admin(url: &str, sql: &str) {
    let mut conn = PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("{VAR} is set but PostgreSQL is unreachable at {url}: {e}"));
    conn.execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.expect("close");
}

/// Runs `sql` from `Drop`: outside any async context we could use, so on a small runtime of
/// its own thread; a failure is printed, not raised.
fn admin_from_drop(url: String, sql: String) {
    let done = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let mut conn = PgConnection::connect(&url).await?;
            conn.execute(sql.as_str()).await?;
            conn.close().await
        })
    })
    .join();
    if let Ok(Err(e)) = done {
        eprintln!("could not clean up after a PostgreSQL test: {e}");
    }
}

/// Creates a schema with a random name on the server at `url`, and options whose
/// connections use it.
pub async fn fresh_schema(url: &str) -> (String, PgConnectOptions) {
    let schema = format!("ecoute_test_{}", uuid::Uuid::new_v4().simple());
    admin(url, &format!("CREATE SCHEMA {schema}")).await;
    let options = PgConnectOptions::from_str(url)
        .expect("valid URL")
        .options([("search_path", schema.as_str())]);
    (schema, options)
}

/// Drops `schema` (from `Drop` too: it runs on its own thread).
pub fn drop_schema(url: String, schema: String) {
    admin_from_drop(url, format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
}

/// A schema dropped when this is dropped.
pub struct Schema {
    url: String,
    /// The schema's name.
    pub name: String,
    /// Connection options that use the schema.
    pub options: PgConnectOptions,
}

impl Schema {
    /// Creates a schema with a random name on the server at `url`.
    pub async fn new(url: String) -> Self {
        let (name, options) = fresh_schema(&url).await;
        Schema { url, name, options }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        drop_schema(self.url.clone(), self.name.clone());
    }
}

/// A database of its own (for what works on whole databases: several `ecoute` processes by
/// URL, `pg_dump`), dropped when this is dropped.
pub struct Database {
    server: String,
    name: String,
    /// The database's URL.
    pub url: String,
}

impl Database {
    /// Creates `ecoute_it_<random>` on the server at `server`.
    pub async fn create(server: &str) -> Database {
        let name = format!("ecoute_it_{}", uuid::Uuid::new_v4().simple());
        admin(server, &format!("CREATE DATABASE {name}")).await;
        Database {
            server: server.to_owned(),
            url: with_database(server, &name),
            name,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        // FORCE: a killed instance's connections may linger for a moment.
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        admin_from_drop(self.server.clone(), sql);
    }
}

/// `url` naming database `db` instead of its own (its query string kept).
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn with_database_replaces_the_path_and_keeps_the_query() {
        for (url, want) in [
            ("postgres://u@h:5432/test", "postgres://u@h:5432/x"),
            ("postgres://u@h:5432", "postgres://u@h:5432/x"),
            (
                "postgres://u@h/test?sslmode=disable",
                "postgres://u@h/x?sslmode=disable",
            ),
        ] {
            assert_eq!(with_database(url, "x"), want);
        }
    }
}
