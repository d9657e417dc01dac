//! What the PostgreSQL tests share: the server's URL and a schema of their own per test, so
//! that tests run in parallel on one database.
//!
//! `ECOUTE_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/test`) names the
//! server. Unset, each test says it is skipped and passes (a local convenience); set with the
//! server unreachable, every test fails.

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use std::str::FromStr;

const VAR: &str = "ECOUTE_TEST_POSTGRES_URL";

/// The server's URL, or `None` (after saying so) when the tests are not configured.
pub fn server_url() -> Option<String> {
    match std::env::var(VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("skipped: {VAR} is not set");
            None
        }
    }
}

/// Creates a schema with a random name and options whose connections use it.
pub async fn fresh_schema(url: &str) -> (String, PgConnectOptions) {
    let schema = format!("ecoute_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("{VAR} is set but PostgreSQL is unreachable at {url}: {e}"));
    admin
        .execute(format!("CREATE SCHEMA {schema}").as_str())
        .await
        .expect("create the test schema");
    admin.close().await.expect("close");
    let options = PgConnectOptions::from_str(url)
        .expect("valid URL")
        .options([("search_path", schema.as_str())]);
    (schema, options)
}

/// Drops `schema`; called from `Drop`, so it runs its own small runtime on its own thread.
pub fn drop_schema(url: String, schema: String) {
    let done = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let mut admin = PgConnection::connect(&url).await?;
            admin
                .execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
                .await?;
            admin.close().await
        })
    })
    .join();
    if let Ok(Err(e)) = done {
        eprintln!("could not drop a test schema: {e}");
    }
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
