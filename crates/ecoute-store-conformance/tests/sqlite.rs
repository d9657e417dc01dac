//! The conformance suite on SQLite, each test on its own fresh database file.

use ecoute_store::sqlite::SqliteStore;
use ecoute_store_conformance::Fixture;
use std::sync::Arc;

async fn fresh_store() -> Option<Fixture> {
    let dir = std::env::temp_dir().join(format!("ecoute-store-test-{}", uuid::Uuid::new_v4()));
    // A folder that does not exist yet: connecting must create it.
    let url = format!("sqlite://{}", dir.join("db").join("ecoute.db").display());
    let store = SqliteStore::connect(&url).await.expect("open SQLite store");
    Some(Fixture::new(Arc::new(store), move || {
        let _ = std::fs::remove_dir_all(&dir);
    }))
}

ecoute_store_conformance::conformance_tests!(fresh_store);
