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
use crate::group_commit::{GroupCommit, Upkeep};
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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
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

/// Frames in the log (4 KiB pages, about 5 per message) beyond which the writer finishes a
/// checkpoint so that the log starts over: each time stalls the writes queued for about a
/// millisecond, so not more often than needed to keep the log a few tens of MB.
const RESTART_AFTER_FRAMES: i64 = 4096;

/// What the log may keep of its size once it starts over (`journal_size_limit`): a burst of
/// writes may grow it beyond, the next start over truncates it back.
const LOG_SIZE_KEPT: &str = "67108864";

/// Checkpoints through `read` every `period` until the pool closes (holding only the pool,
/// not the store, so that dropping the store stops its writer), then asks the writer to
/// finish (`tail_due`).
///
/// The log starts over from its beginning only when a write begins with every frame of it
/// already copied into the database file. Under sustained writes a checkpoint from another
/// connection never gets there (frames are added while it copies), so the log would grow
/// without end: by 20 MB a second at 1,000 messages a second, and each commit appended to a
/// growing file costs the file system a journal commit too. So this task does the bulk of
/// the copying beside the writes, and once the log is long the writer, between two groups,
/// copies the few frames committed meanwhile; its next transaction starts the log over.
async fn checkpoint_every(period: Duration, read: SqlitePool, tail_due: Arc<AtomicBool>) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match checkpoint(&read).await {
            Ok((log, copied)) => {
                if copied > 0 && log >= RESTART_AFTER_FRAMES {
                    tail_due.store(true, Ordering::Release);
                }
            }
            Err(StoreError::Database(sqlx::Error::PoolClosed)) => return,
            // Busy or failing now; the next period tries again, and nothing is lost meanwhile
            // (the log keeps every commit).
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
        }
    }
}

/// The writer's part of the checkpoint (see [`checkpoint_every`]): once asked, after the
/// next group, the frames committed since the last checkpoint.
fn checkpoint_tail(tail_due: Arc<AtomicBool>) -> Upkeep<Sqlite> {
    Box::new(move |write| {
        if !tail_due.swap(false, Ordering::AcqRel) {
            return None;
        }
        let write = write.clone();
        Some(Box::pin(async move {
            if let Err(e) = checkpoint(&write).await {
                tracing::warn!(error = %e, "WAL checkpoint by the writer failed");
            }
        }))
    })
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
        Self::open(url, Some(CHECKPOINT_PERIOD)).await
    }

    /// [`SqliteStore::connect`], checkpointing every `checkpoint_period` (`None`: never, for
    /// tests that checkpoint by hand).
    async fn open(url: &str, checkpoint_period: Option<Duration>) -> StoreResult<Self> {
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
        // The writer never checkpoints on its own: a checkpoint inside a commit stalls every
        // write queued behind it for milliseconds. A task checkpoints from a reading
        // connection instead, concurrently with the writes, and the writer only finishes
        // what it did (see `checkpoint_every`).
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                options
                    .clone()
                    .pragma("wal_autocheckpoint", "0")
                    .pragma("journal_size_limit", LOG_SIZE_KEPT),
            )
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
        let tail_due = Arc::new(AtomicBool::new(false));
        let checkpoint_period = checkpoint_period.filter(|_| !in_memory);
        let upkeep = checkpoint_period.map(|_| checkpoint_tail(tail_due.clone()));
        let group = GroupCommit::start(write.clone(), SqliteDialect::BEGIN_WRITE, upkeep);
        let store = SqlStore::with_pools(write, read, Some(group));
        if let Some(period) = checkpoint_period {
            tokio::spawn(checkpoint_every(period, store.read.clone(), tail_due));
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
        let db = Scratch::open(Some(CHECKPOINT_PERIOD)).await;
        let writer: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(&db.store.write)
            .await
            .expect("read the pragma");
        assert_eq!(writer, 0);
        db.remove().await;
    }

    /// Under sustained writes a checkpoint from a reading connection never copies the whole
    /// log (frames are added while it copies), so the log would never start over and would
    /// grow without end. Here a reader's snapshot stands for those writes: the periodic
    /// checkpoint cannot finish, the writer's part does, and the next write starts over.
    #[tokio::test]
    async fn the_writer_finishes_a_checkpoint_and_the_log_starts_over() {
        let db = Scratch::open(None).await;
        let store = &db.store;
        sqlx::query("CREATE TABLE t (x BLOB)")
            .execute(&store.write)
            .await
            .expect("create");
        let write = |rows: usize| async move {
            for _ in 0..rows {
                sqlx::query("INSERT INTO t VALUES (randomblob(3000))")
                    .execute(&store.write)
                    .await
                    .expect("insert");
            }
        };
        write(20).await;
        let mut reader = store.read.acquire().await.expect("reader");
        sqlx::query("BEGIN")
            .execute(&mut *reader)
            .await
            .expect("begin");
        let _: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(&mut *reader)
            .await
            .expect("read");
        write(20).await;
        let (log, copied) = checkpoint(&store.read).await.expect("checkpoint");
        assert!(
            copied < log,
            "{copied} of {log} frames copied past a reader"
        );
        sqlx::query("COMMIT")
            .execute(&mut *reader)
            .await
            .expect("end");
        drop(reader);

        let due = Arc::new(AtomicBool::new(true));
        let mut tail = checkpoint_tail(due.clone());
        tail(&store.write).expect("asked for").await;
        assert!(tail(&store.write).is_none(), "done once per request");
        write(1).await;
        let (after, _) = checkpoint(&store.read).await.expect("checkpoint");
        assert!(
            after < log / 4,
            "the log holds {after} frames, it held {log}"
        );
        db.remove().await;
    }

    /// A store on a fresh file, removed by [`Scratch::remove`].
    struct Scratch {
        store: SqliteStore,
        path: std::path::PathBuf,
    }

    impl Scratch {
        async fn open(checkpoint_period: Option<Duration>) -> Self {
            let path = std::env::temp_dir().join(format!("ecoute-wal-{}.db", uuid::Uuid::new_v4()));
            let store =
                SqliteStore::open(&format!("sqlite://{}", path.display()), checkpoint_period)
                    .await
                    .expect("connect");
            Scratch { store, path }
        }

        async fn remove(self) {
            self.store.close().await;
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
            }
        }
    }
}
