//! What is SQLite's own: connecting by URL, in-memory stores, backups. (The conformance
//! suite runs on SQLite in crate `ecoute-store-conformance`.)

use ecoute_store::sqlite::SqliteStore;

/// A temporary folder removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new() -> Self {
        TempDir(std::env::temp_dir().join(format!("ecoute-store-test-{}", uuid::Uuid::new_v4())))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn some_contact(now: i64) -> ecoute_store::NewContact {
    let id = ecoute_domain::ContactId::new_random();
    ecoute_store::NewContact {
        id,
        centre: ecoute_domain::CentreId::DEFAULT,
        channel: ecoute_domain::Channel::Chat,
        resume_hash: format!("r-{id}"),
        now: ecoute_domain::Timestamp(now),
        max_waiting: 1000,
    }
}

/// `connect` picks SQLite from the URL; what was committed is there after reopening (the
/// migrations run again harmlessly).
#[tokio::test]
async fn connect_by_url_and_reopen() {
    let dir = TempDir::new();
    let url = format!("sqlite://{}", dir.0.join("ecoute.db").display());
    let new = some_contact(1);
    {
        let store = ecoute_store::connect(&url).await.expect("connect");
        store.create_contact(&new).await.expect("create");
    }
    let store = SqliteStore::connect(&url).await.expect("reopen");
    use ecoute_store::ContactStore as _;
    assert!(store.contact(new.id).await.expect("read").is_some());
    store.close().await;
}

/// An in-memory store works (one connection serves reads and writes).
#[tokio::test]
async fn in_memory() {
    use ecoute_store::ContactStore as _;
    let store = SqliteStore::connect("sqlite::memory:")
        .await
        .expect("connect");
    let new = some_contact(1);
    store.create_contact(&new).await.expect("create");
    assert!(store.contact(new.id).await.expect("read").is_some());
}

/// Unknown schemes are refused with a configuration error.
#[tokio::test]
async fn unknown_scheme_is_refused() {
    match ecoute_store::connect("mysql://localhost/x").await {
        Err(ecoute_store::StoreError::Config(msg)) => assert!(msg.contains("mysql"), "{msg}"),
        Err(e) => panic!("expected a configuration error, got {e}"),
        Ok(_) => panic!("expected a configuration error, got a store"),
    }
}

/// A backup is a complete database that opens as a store; it never overwrites a file.
#[tokio::test]
async fn backup_to_a_new_file() {
    use ecoute_store::ContactStore as _;
    let dir = TempDir::new();
    let store = SqliteStore::connect(&format!("sqlite://{}", dir.0.join("live.db").display()))
        .await
        .expect("connect");
    let new = some_contact(1);
    store.create_contact(&new).await.expect("create");
    let copy = dir.0.join("backup.db");
    store.backup_to(&copy).await.expect("backup");
    assert!(matches!(
        store.backup_to(&copy).await,
        Err(ecoute_store::StoreError::Conflict(_))
    ));
    let restored = SqliteStore::connect(&format!("sqlite://{}", copy.display()))
        .await
        .expect("open the backup");
    assert!(restored.contact(new.id).await.expect("read").is_some());
}

/// `checkpoint` copies the write-ahead log into the database file while the store is in use
/// (the writer itself never does: see the unit test of the pragma).
#[tokio::test]
async fn the_log_is_checkpointed_beside_the_writer() {
    use ecoute_store::ContactStore as _;
    let dir = TempDir::new();
    let store = SqliteStore::connect(&format!("sqlite://{}", dir.0.join("e.db").display()))
        .await
        .expect("connect");
    for i in 0..200 {
        store
            .create_contact(&some_contact(i))
            .await
            .expect("create");
    }
    let (log, done) = store.checkpoint().await.expect("checkpoint");
    assert_eq!(
        done, log,
        "a passive checkpoint with no reader copies the whole log"
    );
    store.close().await;
}
