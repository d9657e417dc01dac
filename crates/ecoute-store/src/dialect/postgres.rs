//! The PostgreSQL backend, for several instances sharing one database.
//!
//! Writes run in `READ COMMITTED` transactions with row locks (`FOR NO KEY UPDATE` on the
//! rows about to be written); the rules are the domain's, the SQL is `src/sql/`'s, shared
//! with SQLite. What is PostgreSQL's own is how "next" picks the head of the queue.
//!
//! # How "next" stays atomic and fair
//!
//! `take_next` must give each waiting contact to exactly one listener, never skip a waiting
//! contact, and never exceed a listener's capacity, with listeners on several instances
//! pressing "next" at once. It works like this:
//!
//! 1. The listener's own `users` row is locked (`FOR NO KEY UPDATE`): two presses by the same
//!    listener (two tabs, two instances) run one after the other, so the count of their
//!    active contacts that follows cannot be stale.
//! 2. The head of the queue is read in serve order (a plain read of committed rows), and the
//!    first of them is locked with `FOR UPDATE SKIP LOCKED`: listeners racing for the head do
//!    not queue behind each other; the loser moves on to the next row at once.
//! 3. `SKIP LOCKED` alone would be wrong: it also skips a row that is merely locked for a
//!    moment by some other write — the person sending a message while waiting (which bumps
//!    `last_seq`), reconnecting, leaving — and a listener would then be served the second
//!    person in line, or be told that the queue is empty while someone waits. So when a row
//!    cannot be locked, we ask *who* holds it. Only "next" ever locks a contact row
//!    `FOR UPDATE`; every other write to `contacts` changes no key column and therefore takes
//!    `FOR NO KEY UPDATE` (and foreign-key checks take `FOR KEY SHARE`). `FOR KEY SHARE`
//!    conflicts with `FOR UPDATE` only, so trying `FOR KEY SHARE SKIP LOCKED` (inside a
//!    savepoint, released at once) tells the two apart:
//!    - it fails: another listener is taking that contact (or it already left the queue) —
//!      skipping it is right, since it is no longer waiting once that take commits;
//!    - it succeeds: a short non-taking write holds the row. We wait for it with a plain
//!      `FOR UPDATE`, then take the contact if it is still waiting, or move on if it left.
//!
//! The one case where a contact is skipped although it ends up still waiting is another
//! taker's transaction failing after it locked the row (a database error, a crash): the
//! listener who skipped it is then served the next person, or told the queue is empty; the
//! skipped person is answered by the next "next". Everything else that could lock a waiting
//! row is waited for. Deadlocks cannot form (a taker holds at most its own `users` row while
//! it waits, and no other write waits for a `users` row lock), but a deadlock or
//! serialisation failure reported by the server is retried all the same.

use super::{Dialect, SqlStore, WriteFn};
use crate::query::{sqlx_columns, Arg, Columns, Run};
use crate::sql::{SELECT_CONTACT, SERVE_ORDER};
use crate::{StoreError, StoreResult, TakeOutcome};
use ecoute_domain::{CentreId, Contact, Timestamp, UserId};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions, PgQueryResult, PgRow};
use sqlx::query::Query;
use sqlx::{Executor, Postgres, Transaction};
use std::future::Future;
use std::str::FromStr;
use uuid::Uuid;

/// The PostgreSQL schema, embedded in the binary; same versions as SQLite's.
pub static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// Connections per instance.
const MAX_CONNECTIONS: u32 = 10;
/// Queue rows examined per read in `take_next`; more than this many listeners taking at the
/// very same instant only costs another read.
const TAKE_BATCH: i64 = 64;
/// Rounds of `take_next` before giving up (each round only repeats when every examined row
/// was being taken by someone else at that instant).
const TAKE_ROUNDS: usize = 1000;
/// Attempts of a transaction the server aborted as a deadlock or serialisation failure.
const ATTEMPTS: usize = 5;

/// What PostgreSQL says its own way.
#[derive(Debug, Clone, Copy)]
pub struct PgDialect;

/// The PostgreSQL store.
pub type PgStore = SqlStore<PgDialect>;

sqlx_columns!(PgRow, Uuid, |id| -> crate::StoreResult<Uuid> { Ok(id) });

/// A write transaction on PostgreSQL.
pub struct PgTx(Transaction<'static, Postgres>);

/// `query` with `args` bound in order.
fn bound<'q>(
    mut query: Query<'q, Postgres, PgArguments>,
    args: &[Arg<'q>],
) -> Query<'q, Postgres, PgArguments> {
    for arg in args {
        query = match *arg {
            Arg::Int(v) => query.bind(v),
            Arg::Int32(v) => query.bind(v),
            Arg::Bool(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
            Arg::Uuid(v) => query.bind(v),
        };
    }
    query
}

impl Run for PgTx {
    type Row = PgRow;

    async fn exec(&mut self, sql: &str, args: &[Arg<'_>]) -> StoreResult<u64> {
        let done = bound(sqlx::query(sql), args).execute(&mut *self.0).await?;
        Ok(done.rows_affected())
    }

    async fn optional(&mut self, sql: &str, args: &[Arg<'_>]) -> StoreResult<Option<PgRow>> {
        Ok(bound(sqlx::query(sql), args)
            .fetch_optional(&mut *self.0)
            .await?)
    }

    async fn all(&mut self, sql: &str, args: &[Arg<'_>]) -> StoreResult<Vec<PgRow>> {
        Ok(bound(sqlx::query(sql), args)
            .fetch_all(&mut *self.0)
            .await?)
    }
}

/// Whether the server aborted a transaction in a way that running it again resolves.
fn retryable(e: &StoreError) -> bool {
    match e {
        StoreError::Database(sqlx::Error::Database(db)) => {
            matches!(db.code().as_deref(), Some("40P01" | "40001"))
        }
        _ => false,
    }
}

impl Dialect for PgDialect {
    type Db = Postgres;
    type Id = Uuid;
    type Writer = PgTx;
    type Writes = PgPool;
    // Never a key column is written (see the module documentation): NO KEY UPDATE leaves
    // readers and foreign-key checks alone.
    const ROW_LOCK: &'static str = " FOR NO KEY UPDATE";
    const BYTEWISE: &'static str = "\"C\"";
    const SNAPSHOT: Option<&'static str> =
        Some("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");

    fn id(id: Uuid) -> Uuid {
        id
    }

    fn uuid(stored: Uuid) -> StoreResult<Uuid> {
        Ok(stored)
    }

    fn rows_affected(done: &PgQueryResult) -> u64 {
        done.rows_affected()
    }

    // EXCLUSIVE still lets readers read, but no one else writes until we commit.
    fn lock_tables(tables: &str) -> Option<String> {
        Some(format!("LOCK TABLE {tables} IN EXCLUSIVE MODE"))
    }

    // Identity columns do not move when ids are inserted explicitly.
    fn continue_ids(table: &str) -> Option<String> {
        Some(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ))
    }

    // Each write in its own transaction: many connections commit in parallel, ordered by
    // row locks. One the server aborted as a deadlock or serialisation failure runs again.
    async fn write<T: Send + 'static>(
        pool: &PgPool,
        write: impl WriteFn<PgTx, T>,
    ) -> StoreResult<T> {
        let mut attempt = 1;
        loop {
            let outcome = async {
                let mut tx = PgTx(pool.begin().await?);
                let value = write(&mut tx).await?;
                tx.0.commit().await?;
                Ok(value)
            }
            .await;
            match outcome {
                Err(e) if retryable(&e) && attempt < ATTEMPTS => attempt += 1,
                outcome => return outcome,
            }
        }
    }

    fn close(pool: &PgPool) -> impl Future<Output = ()> + Send {
        pool.close()
    }

    async fn take_head(
        tx: &mut PgTx,
        centre: CentreId,
        listener: UserId,
        now: Timestamp,
    ) -> StoreResult<TakeOutcome> {
        for _ in 0..TAKE_ROUNDS {
            // 2. The head of the queue as committed now.
            let heads = tx
                .all(
                    &format!(
                        "SELECT id FROM contacts WHERE centre_id = $1 AND state = 'waiting' \
                         ORDER BY {SERVE_ORDER} LIMIT $2"
                    ),
                    &[centre.0.into(), TAKE_BATCH.into()],
                )
                .await?;
            let full_batch = heads.len() as i64 == TAKE_BATCH;
            for head in heads {
                let id: ecoute_domain::ContactId = head.get("id")?;
                if let Some(contact) = lock_waiting(tx, id, "FOR UPDATE SKIP LOCKED").await? {
                    return PgStore::take(tx, &contact, listener, now).await;
                }
                // 3. Locked by someone: skip it only if that someone is taking it.
                if being_taken_or_gone(tx, id).await? {
                    continue;
                }
                if let Some(contact) = lock_waiting(tx, id, "FOR UPDATE").await? {
                    return PgStore::take(tx, &contact, listener, now).await;
                }
            }
            if !full_batch {
                return Ok(TakeOutcome::QueueEmpty);
            }
            // Every row of a full batch was being taken by others: read the head again once
            // those takes have committed.
        }
        Err(StoreError::Busy)
    }
}

/// The contact `id` if it is still waiting, locked with `lock` (`None`: not waiting, or
/// locked by someone else under `SKIP LOCKED`).
async fn lock_waiting(
    tx: &mut PgTx,
    id: ecoute_domain::ContactId,
    lock: &str,
) -> StoreResult<Option<Contact>> {
    let row = tx
        .optional(
            &format!("{SELECT_CONTACT} WHERE id = $1 AND state = 'waiting' {lock}"),
            &[id.into()],
        )
        .await?;
    row.as_ref().map(crate::sql::to_contact).transpose()
}

/// Whether the waiting contact `id`, which could not be locked, is held by another
/// `take_next` (the only writer that locks contacts `FOR UPDATE`) or has left the queue.
async fn being_taken_or_gone(tx: &mut PgTx, id: ecoute_domain::ContactId) -> StoreResult<bool> {
    // In a savepoint, rolled back at once: holding this weak lock while later waiting to
    // upgrade it could deadlock with another listener doing the same.
    tx.exec("SAVEPOINT probe", &[]).await?;
    let row = tx
        .optional(
            "SELECT id FROM contacts WHERE id = $1 AND state = 'waiting' \
             FOR KEY SHARE SKIP LOCKED",
            &[id.into()],
        )
        .await?;
    tx.exec("ROLLBACK TO SAVEPOINT probe", &[]).await?;
    tx.exec("RELEASE SAVEPOINT probe", &[]).await?;
    Ok(row.is_none())
}

impl PgStore {
    /// Connects to `url` (`postgres://` or `postgresql://`) and applies the migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?;
        Self::connect_with(options).await
    }

    /// Connects with explicit options (e.g. a `search_path` for a schema of its own) and
    /// applies the migrations.
    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await?;
        // The migrator's `CREATE TABLE IF NOT EXISTS _sqlx_migrations` draws a NOTICE
        // ("relation already exists") at every start, which sqlx logs at INFO: run the
        // migrations on a connection that does not ask for notices, then put it back as it was.
        let mut conn = pool.acquire().await?;
        conn.execute("SET client_min_messages = warning").await?;
        MIGRATOR.run(&mut *conn).await?;
        conn.execute("RESET client_min_messages").await?;
        drop(conn);
        // One pool serves reads and writes: row locks, not a single writer, order the writes.
        Ok(SqlStore::new(pool.clone(), pool))
    }

    /// The connection pool (for the event bus and maintenance commands).
    pub fn pool(&self) -> &PgPool {
        &self.read
    }
}
