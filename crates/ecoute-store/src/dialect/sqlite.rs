//! The embedded SQLite backend, the default.
//!
//! Every connection runs in WAL mode (readers never block the writer), waits up to 5 s for a
//! lock instead of failing at once, enforces foreign keys, and syncs each commit to disk
//! (`synchronous = FULL`): a message is acknowledged only once committed and must survive a
//! power loss.
//!
//! Writes go through a pool of exactly one connection and start with `BEGIN IMMEDIATE`: the
//! pool serialises this process's writers (and the frequent ones share transactions, see
//! [`crate::group_commit`], so that one fsync commits many), and taking the write lock at the start means a
//! transaction that reads then writes can never fail half-way with `SQLITE_BUSY` because
//! another process (an `ecoute` command run beside the server) wrote in between. Reads use a
//! separate pool and see every committed write. Row locks are therefore never needed.

use super::{Dialect, SqlStore};
use crate::group_commit::GroupCommit;
use crate::sql::SELECT_CONTACT;
use crate::sql::SERVE_ORDER;
use crate::{StoreError, StoreResult, TakeOutcome};
use ecoute_domain::{CentreId, ContactId, Timestamp, UserId};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteQueryResult,
    SqliteSynchronous,
};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The SQLite schema, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a connection waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Concurrent readers; SQLite in WAL mode serves them in parallel with the writer.
/// (At most; one per core below that. Each reader keeps its own page cache and thread: more
/// readers than cores only add copies of the same pages, about 0.2 KiB per waiting person
/// each.)
const READ_CONNECTIONS: u32 = 4;

/// How often the write-ahead log is copied into the database file. The log grows by a few
/// MiB a second at the most the writer sustains; a checkpoint this often keeps it small, and
/// is a no-op when nothing was written.
const CHECKPOINT_PERIOD: Duration = Duration::from_millis(500);

/// Checkpoints through `read` every `period` until the pool closes (holding only the pool,
/// not the store, so that dropping the store stops its writer).
async fn checkpoint_every(period: Duration, read: SqlitePool) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match checkpoint(&read).await {
            Ok(_) => {}
            Err(StoreError::Database(sqlx::Error::PoolClosed)) => return,
            // Busy or failing now; the next period tries again, and nothing is lost meanwhile
            // (the log keeps every commit).
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
        }
    }
}

/// Readers for this machine: one per core, at least 2, at most [`READ_CONNECTIONS`].
fn read_connections() -> u32 {
    std::thread::available_parallelism()
        .map_or(READ_CONNECTIONS, |n| {
            u32::try_from(n.get()).unwrap_or(u32::MAX)
        })
        .clamp(2, READ_CONNECTIONS)
}

/// See [`SqliteStore::checkpoint`].
async fn checkpoint(read: &SqlitePool) -> StoreResult<(i64, i64)> {
    let (_busy, log, done): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(read)
        .await?;
    Ok((log, done))
}

/// What SQLite says its own way.
#[derive(Debug, Clone, Copy)]
pub struct SqliteDialect;

/// The SQLite store.
pub type SqliteStore = SqlStore<SqliteDialect>;

impl Dialect for SqliteDialect {
    type Db = Sqlite;
    type Id = String;
    // The write lock from the first statement (see the module documentation).
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const ROW_LOCK: &'static str = "";
    const BYTEWISE: &'static str = "BINARY";
    // With the write lock held from the start, nothing a retry would resolve can happen.
    const ATTEMPTS: usize = 1;
    // A read transaction sees one WAL snapshot from its first read.
    const SNAPSHOT: Option<&'static str> = None;

    fn id(id: ContactId) -> String {
        id.0.to_string()
    }

    fn contact_id(stored: String) -> StoreResult<ContactId> {
        uuid::Uuid::parse_str(&stored)
            .map(ContactId)
            .map_err(|_| StoreError::Corrupt(format!("contact id {stored:?}")))
    }

    fn rows_affected(done: &SqliteQueryResult) -> u64 {
        done.rows_affected()
    }

    fn retryable(_: &StoreError) -> bool {
        false
    }

    fn lock_tables(_: &str) -> Option<String> {
        None
    }

    // `INTEGER PRIMARY KEY` continues after the largest id present.
    fn continue_ids(_: &str) -> Option<String> {
        None
    }

    async fn take_head(
        mut tx: Transaction<'static, Sqlite>,
        centre: CentreId,
        listener: UserId,
        now: Timestamp,
    ) -> StoreResult<TakeOutcome> {
        // The write lock is held since the transaction's first statement: counting the
        // listener's conversations, choosing the head and taking it happen as one step.
        let head = sqlx::query(&format!(
            "{SELECT_CONTACT} WHERE centre_id = $1 AND state = 'waiting' \
             ORDER BY {SERVE_ORDER} LIMIT 1"
        ))
        .bind(centre.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(head) = head else {
            return Ok(TakeOutcome::QueueEmpty);
        };
        let contact = SqliteStore::to_contact(&head)?;
        SqliteStore::take(tx, &contact, listener, now).await
    }
}

impl SqliteStore {
    /// Opens `url` (`sqlite://PATH`, `sqlite:PATH` or `sqlite::memory:`), creating the file
    /// and its folder if missing, and applies the migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .synchronous(SqliteSynchronous::Full);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            if let Some(parent) = options.get_filename().parent() {
                if !parent.as_os_str().is_empty() {
                    tokio::fs::create_dir_all(parent).await.map_err(|e| {
                        StoreError::Config(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
            }
        }
        // The writer never checkpoints: a checkpoint inside a commit stalls every write
        // queued behind it for milliseconds. A task checkpoints from a reading connection
        // instead, concurrently with the writes (see `checkpoint`).
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone().pragma("wal_autocheckpoint", "0"))
            .await?;
        MIGRATOR.run(&write).await?;
        // An in-memory database is per connection: reads then share the write pool.
        let read = if in_memory {
            write.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(read_connections())
                .connect_with(options)
                .await?
        };
        let group = GroupCommit::start(write.clone(), SqliteDialect::BEGIN_WRITE);
        let store = SqlStore::with_pools(write, read, Some(group));
        if !in_memory {
            tokio::spawn(checkpoint_every(CHECKPOINT_PERIOD, store.read.clone()));
        }
        Ok(store)
    }

    /// Copies what the write-ahead log holds into the database file, as far as readers allow,
    /// without blocking the writer (`PRAGMA wal_checkpoint(PASSIVE)`); returns the log's
    /// frames and how many of them are now in the database file.
    pub async fn checkpoint(&self) -> StoreResult<(i64, i64)> {
        checkpoint(&self.read).await
    }

    /// Writes a consistent copy of the whole database to `path` (a new file) while the store
    /// stays in use (`VACUUM INTO`).
    pub async fn backup_to(&self, path: &Path) -> StoreResult<()> {
        if path.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists: a backup never overwrites a file",
                path.display()
            )));
        }
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Config("the backup path must be valid UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.read)
            .await?;
        Ok(())
    }

    /// The read pool, for tests of the schema.
    #[cfg(test)]
    pub(crate) fn read_pool(&self) -> &sqlx::SqlitePool {
        &self.read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A checkpoint inside a commit would stall every write queued behind it: the writing
    /// connection leaves them to the periodic task.
    #[tokio::test]
    async fn the_writer_never_checkpoints() {
        let path = std::env::temp_dir().join(format!("ecoute-wal-{}.db", uuid::Uuid::new_v4()));
        let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("connect");
        let writer: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(&store.write)
            .await
            .expect("read the pragma");
        assert_eq!(writer, 0);
        store.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
