//! The conformance suite on PostgreSQL, each test in a schema of its own so that tests run in
//! parallel on one database, then the tests of what is PostgreSQL's own.
//!
//! Set `ECOUTE_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/test`) to run
//! them. Unset, each test says it is skipped and passes (a local convenience); set with the
//! server unreachable, every test fails.

use ecoute_store::postgres::PgStore;
use ecoute_store_conformance::pg::{drop_schema, fresh_schema, server_url, Schema};
use ecoute_store_conformance::Fixture;
use sqlx::{Connection, Executor, PgConnection};
use std::sync::Arc;

async fn fresh_store() -> Option<Fixture> {
    let schema = Schema::new(server_url()?).await;
    let store = PgStore::connect_with(schema.options.clone())
        .await
        .expect("open the PostgreSQL store");
    Some(Fixture::new(Arc::new(store), move || drop(schema)))
}

ecoute_store_conformance::conformance_tests!(fresh_store);

// ---------------------------------------------------------------------------------------
// PostgreSQL only: connecting by URL, and the backend's own behaviour.

/// `connect` picks PostgreSQL from the URL scheme (both spellings).
#[tokio::test]
async fn connect_by_url() {
    let Some(url) = server_url() else { return };
    for scheme in ["postgres://", "postgresql://"] {
        let url = url.replacen("postgres://", scheme, 1);
        let (schema, _) = fresh_schema(&url).await;
        let url_in_schema = format!(
            "{url}{}options=-c%20search_path%3D{schema}",
            if url.contains('?') { '&' } else { '?' }
        );
        let store = ecoute_store::connect(&url_in_schema)
            .await
            .expect("connect by URL");
        assert_eq!(store.count_users().await.expect("count"), 0);
        drop(store);
        drop_schema(url.clone(), schema);
    }
}

// ---------------------------------------------------------------------------------------
// PostgreSQL only: what SKIP LOCKED must and must not skip (see ecoute-store's
// src/dialect/postgres.rs), made deterministic by holding the row locks by hand from a
// second connection.

use ecoute_domain::{CentreId, Channel, ContactId, Pseudonym, Role, Timestamp, Username};
use ecoute_store::{ContactStore, NewContact, NewUser, TakeOutcome, UserStore};
use std::time::Duration;

async fn listener(store: &PgStore, name: &str) -> ecoute_domain::UserId {
    store
        .create_user(
            &NewUser {
                username: Username::parse(name).expect("username"),
                pseudonym: Pseudonym::parse(name).expect("pseudonym"),
                role: Role::Listener,
                password_hash: "x".into(),
                centre: CentreId::DEFAULT,
            },
            Timestamp(0),
        )
        .await
        .expect("listener")
        .id
}

async fn waiting(store: &PgStore, at: i64) -> ContactId {
    let id = ContactId::new_random();
    store
        .create_contact(&NewContact {
            id,
            centre: CentreId::DEFAULT,
            channel: Channel::Chat,
            resume_hash: format!("r-{id}"),
            now: Timestamp(at),
            max_waiting: 1000,
        })
        .await
        .expect("contact");
    id
}

fn taken_id(outcome: TakeOutcome) -> ContactId {
    match outcome {
        TakeOutcome::Taken(c) => c.id,
        other => panic!("expected a contact, got {other:?}"),
    }
}

/// A person writing while waiting locks their row for a moment: "next" waits for that write
/// and serves them, instead of skipping to the second person in line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_waits_for_a_write_instead_of_skipping() {
    let Some(url) = server_url() else { return };
    let schema = Schema::new(url).await;
    let store = Arc::new(
        PgStore::connect_with(schema.options.clone())
            .await
            .expect("store"),
    );
    let l = listener(&store, "lina").await;
    let head = waiting(&store, 0).await;
    let second = waiting(&store, 1).await;

    // What append_message holds while it commits a message: a NO KEY UPDATE row lock.
    let mut other = PgConnection::connect_with(&schema.options)
        .await
        .expect("connect");
    other.execute("BEGIN").await.expect("begin");
    sqlx::query("UPDATE contacts SET last_seq = last_seq WHERE id = $1")
        .bind(head.0)
        .execute(&mut other)
        .await
        .expect("lock the head");

    let next = {
        let store = store.clone();
        tokio::spawn(async move { store.take_next(CentreId::DEFAULT, l, 2, Timestamp(5)).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!next.is_finished(), "next did not wait for the write");
    other.execute("COMMIT").await.expect("commit");
    let got = taken_id(next.await.expect("task").expect("take"));
    assert_eq!(got, head, "the head of the queue, not {second}");
}

/// A contact another listener is taking is skipped at once: the next person is served, and
/// when nobody else waits the answer is "queue empty" without waiting for the other take.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_skips_a_contact_being_taken() {
    let Some(url) = server_url() else { return };
    let schema = Schema::new(url).await;
    let store = PgStore::connect_with(schema.options.clone())
        .await
        .expect("store");
    let ls = [
        listener(&store, "lina").await,
        listener(&store, "marc").await,
    ];
    let head = waiting(&store, 0).await;
    let second = waiting(&store, 1).await;

    // What take_next holds on the contact it is taking: a FOR UPDATE row lock.
    let mut other = PgConnection::connect_with(&schema.options)
        .await
        .expect("connect");
    other.execute("BEGIN").await.expect("begin");
    sqlx::query("SELECT id FROM contacts WHERE id = $1 FOR UPDATE")
        .bind(head.0)
        .execute(&mut other)
        .await
        .expect("lock the head");

    let quick = Duration::from_secs(3);
    let got = tokio::time::timeout(
        quick,
        store.take_next(CentreId::DEFAULT, ls[0], 2, Timestamp(5)),
    )
    .await
    .expect("next did not wait for the other take")
    .expect("take");
    assert_eq!(taken_id(got), second);
    let got = tokio::time::timeout(
        quick,
        store.take_next(CentreId::DEFAULT, ls[1], 2, Timestamp(6)),
    )
    .await
    .expect("next did not wait for the other take")
    .expect("take");
    assert_eq!(got, TakeOutcome::QueueEmpty);
    other.execute("ROLLBACK").await.expect("rollback");
}

/// Only a taken username is reported as one: an id collision (the identity sequence behind
/// accounts inserted by hand) names the id, not the username.
#[tokio::test]
async fn create_user_names_the_constraint_that_refused_it() {
    use ecoute_store::StoreError;
    let Some(url) = server_url() else { return };
    let schema = Schema::new(url).await;
    let store = PgStore::connect_with(schema.options.clone())
        .await
        .expect("store");
    listener(&store, "lina").await;
    let again = |name: &str| NewUser {
        username: Username::parse(name).expect("username"),
        pseudonym: Pseudonym::parse(name).expect("pseudonym"),
        role: Role::Listener,
        password_hash: "x".into(),
        centre: CentreId::DEFAULT,
    };
    match store.create_user(&again("lina"), Timestamp(0)).await {
        Err(StoreError::UsernameTaken(name)) => assert_eq!(name, "lina"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // An account inserted by hand with the id the sequence hands out next.
    sqlx::query(
        "INSERT INTO users (id, username, pseudonym, role, password_hash, centre_id, \
         created_at) VALUES (100, 'by_hand', 'By hand', 'listener', 'x', 1, 0)",
    )
    .execute(store.pool())
    .await
    .expect("insert by hand");
    sqlx::query("SELECT setval(pg_get_serial_sequence('users', 'id'), 99)")
        .execute(store.pool())
        .await
        .expect("sequence behind");
    match store.create_user(&again("marc"), Timestamp(0)).await {
        Err(StoreError::Conflict(m)) => {
            assert!(!m.contains("taken") && m.contains("id"), "{m}")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// Every PostgreSQL table is either copied by copy-data or deliberately left out as runtime
/// state (the SQLite side is checked in `transfer`'s own tests; PostgreSQL has tables of its
/// own, such as `bus_payloads`).
#[tokio::test]
async fn transfer_tables_cover_the_postgres_schema() {
    use ecoute_store::transfer::{RUNTIME_TABLES, TABLES};
    let Some(url) = server_url() else { return };
    let schema = Schema::new(url).await;
    let store = PgStore::connect_with(schema.options.clone())
        .await
        .expect("store");
    let mut tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = $1 AND table_name <> '_sqlx_migrations'",
    )
    .bind(&schema.name)
    .fetch_all(store.pool())
    .await
    .expect("tables");
    tables.sort();
    let mut known: Vec<String> = TABLES
        .iter()
        .map(|t| t.name)
        .chain(RUNTIME_TABLES.iter().copied())
        .map(str::to_owned)
        .collect();
    known.sort();
    assert_eq!(tables, known);
}
