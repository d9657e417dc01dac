//! The embedded SQLite backend, the default.
//!
//! Every connection runs in WAL mode (readers never block the writer), waits up to 5 s for a
//! lock instead of failing at once, enforces foreign keys, and syncs each commit to disk
//! (`synchronous = FULL`): a message is acknowledged only once committed and must survive a
//! power loss.
//!
//! Every write goes to one connection, on a thread of its own ([`writer`]), in transactions
//! that start with `BEGIN IMMEDIATE` and that the frequent writes share, so that one fsync
//! commits many. Taking the write lock at the start means a transaction that reads then
//! writes can never fail half-way with `SQLITE_BUSY` because another process (an `ecoute`
//! command run beside the server) wrote in between. Reads use a separate pool and see every
//! committed write. Row locks are therefore never needed.
//!
//! An in-memory store (`sqlite::memory:`) is a scratch file instead, removed with the store:
//! the writer and the readers are separate connections, which must share one database.

pub mod writer;

use super::{BoxFuture, Dialect, SqlStore, WriteFn};
use crate::query::{sqlx_columns, uuid_from_text, Run};
use crate::sql::{SELECT_CONTACT, SERVE_ORDER};
use crate::{StoreError, StoreResult, TakeOutcome};
use ecoute_domain::{CentreId, Timestamp, UserId};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteQueryResult, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Sqlite, SqlitePool};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;
use writer::{SqliteConn, Upkeep, Writer};

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

sqlx_columns!(SqliteRow, String, uuid_from_text);

/// Checkpoints through `read` every `period` until the pool closes, and asks the writer to
/// finish once the log is long (`tail_due`).
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
fn checkpoint_tail(tail_due: Arc<AtomicBool>) -> Upkeep {
    Box::new(move |conn| {
        if tail_due.swap(false, Ordering::AcqRel) {
            if let Err(e) = conn.batch("PRAGMA wal_checkpoint(PASSIVE)") {
                tracing::warn!(error = %e, "WAL checkpoint by the writer failed");
            }
        }
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

/// Opens the writing connection on `path` as every connection is opened (see the module
/// documentation), and as a writer: it never checkpoints on its own (a checkpoint inside a
/// commit stalls every write queued behind it for milliseconds; a task checkpoints from a
/// reading connection instead, and the writer only finishes what it did).
fn open_writer(path: &Path, synchronous: &str) -> StoreResult<SqliteConn> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_CREATE
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mut conn = SqliteConn::new(conn);
    conn.batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = {synchronous}; \
         PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {LOG_SIZE_KEPT};"
    ))?;
    Ok(conn)
}

/// What SQLite says its own way.
#[derive(Debug, Clone, Copy)]
pub struct SqliteDialect;

/// The SQLite store.
pub type SqliteStore = SqlStore<SqliteDialect>;

/// The writing side of a SQLite store: the writer's thread, and the scratch file of an
/// in-memory store.
#[derive(Clone)]
pub struct SqliteWrites {
    writer: Writer,
    /// Set to ask the writer to finish a checkpoint after its next group.
    tail_due: Arc<AtomicBool>,
    _scratch: Option<Arc<Scratch>>,
}

/// The file behind an in-memory store, removed once the store is gone.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

impl Dialect for SqliteDialect {
    type Db = Sqlite;
    type Id = String;
    type Writer = SqliteConn;
    type Writes = SqliteWrites;
    const ROW_LOCK: &'static str = "";
    const BYTEWISE: &'static str = "BINARY";
    // A read transaction sees one WAL snapshot from its first read.
    const SNAPSHOT: Option<&'static str> = None;

    fn id(id: Uuid) -> String {
        id.to_string()
    }

    fn uuid(stored: String) -> StoreResult<Uuid> {
        uuid_from_text(stored)
    }

    fn rows_affected(done: &SqliteQueryResult) -> u64 {
        done.rows_affected()
    }

    fn lock_tables(_: &str) -> Option<String> {
        None
    }

    // `INTEGER PRIMARY KEY` continues after the largest id present.
    fn continue_ids(_: &str) -> Option<String> {
        None
    }

    // With the write lock held from the start, nothing a retry would resolve can happen: each
    // write runs once.
    fn write<T: Send + 'static>(
        writes: &SqliteWrites,
        write: impl WriteFn<SqliteConn, T>,
    ) -> impl Future<Output = StoreResult<T>> + Send {
        writes
            .writer
            .write(move |conn: &mut SqliteConn| -> BoxFuture<'_, StoreResult<T>> { write(conn) })
    }

    async fn close(writes: &SqliteWrites) {
        writes.writer.stop().await;
    }

    async fn take_head(
        tx: &mut SqliteConn,
        centre: CentreId,
        listener: UserId,
        now: Timestamp,
    ) -> StoreResult<TakeOutcome> {
        // The write lock is held since the transaction's first statement: counting the
        // listener's conversations, choosing the head and taking it happen as one step.
        let head = tx
            .optional(
                &format!(
                    "{SELECT_CONTACT} WHERE centre_id = $1 AND state = 'waiting' \
                     ORDER BY {SERVE_ORDER} LIMIT 1"
                ),
                &[centre.0.into()],
            )
            .await?;
        let Some(head) = head else {
            return Ok(TakeOutcome::QueueEmpty);
        };
        let contact = crate::sql::to_contact(&head)?;
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
        let mut options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .synchronous(SqliteSynchronous::Full);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let scratch = if in_memory {
            // Nothing of a scratch store needs to survive: no fsync.
            let path =
                std::env::temp_dir().join(format!("ecoute-scratch-{}.db", uuid::Uuid::new_v4()));
            options = SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(BUSY_TIMEOUT)
                .foreign_keys(true)
                .synchronous(SqliteSynchronous::Off);
            Some(Arc::new(Scratch(path)))
        } else {
            None
        };
        let path = options.get_filename().to_path_buf();
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                tokio::fs::create_dir_all(parent).await.map_err(|e| {
                    StoreError::Config(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
        }
        let mut migrating = options.connect().await?;
        MIGRATOR.run(&mut migrating).await?;
        migrating.close().await?;
        let read = SqlitePoolOptions::new()
            .max_connections(read_connections())
            .connect_with(options)
            .await?;
        let tail_due = Arc::new(AtomicBool::new(false));
        let upkeep = checkpoint_tail(tail_due.clone());
        let synchronous = if in_memory { "OFF" } else { "FULL" };
        let writer = Writer::start(move || open_writer(&path, synchronous), Some(upkeep)).await?;
        let store: SqliteStore = SqlStore::new(
            read,
            SqliteWrites {
                writer,
                tail_due,
                _scratch: scratch,
            },
        );
        if let Some(period) = checkpoint_period {
            let tail_due = store.writes.tail_due.clone();
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
    use crate::query::Columns;

    /// A checkpoint inside a commit would stall every write queued behind it: the writing
    /// connection leaves them to the periodic task.
    #[tokio::test]
    async fn the_writer_never_checkpoints() {
        let db = Scratch::open(Some(CHECKPOINT_PERIOD)).await;
        let writer: i64 = db
            .store
            .write(|tx| Box::pin(async move { tx.one("PRAGMA wal_autocheckpoint", &[]).await }))
            .await
            .expect("read the pragma")
            .get("wal_autocheckpoint")
            .expect("its value");
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
        let run = |sql: &'static str| {
            store.write(move |tx| {
                Box::pin(async move {
                    tx.exec(sql, &[]).await?;
                    Ok(())
                })
            })
        };
        run("CREATE TABLE t (x BLOB)").await.expect("create");
        let write = |rows: usize| async move {
            for _ in 0..rows {
                run("INSERT INTO t VALUES (randomblob(3000))")
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

        // Asked for, the writer finishes the checkpoint after its next group (once its
        // callers are answered); the write after that starts the log over.
        store.writes.tail_due.store(true, Ordering::Release);
        write(2).await;
        assert!(
            !store.writes.tail_due.load(Ordering::Acquire),
            "done once per request"
        );
        let (after, _) = checkpoint(&store.read).await.expect("checkpoint");
        assert!(
            after < log / 4,
            "the log holds {after} frames, it held {log}"
        );
        db.remove().await;
    }

    /// The communication role's migration edits the stored definition of `users` in place:
    /// the schema stays sound and says so, and a new connection (the readers', opened after
    /// the migrations) reads the widened check.
    #[tokio::test]
    async fn the_role_migration_leaves_a_sound_schema() {
        let db = Scratch::open(None).await;
        let read = &db.store.read;
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(read)
            .await
            .expect("integrity check");
        assert_eq!(check, "ok");
        let users: String = sqlx::query_scalar(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'users'",
        )
        .fetch_one(read)
        .await
        .expect("schema");
        assert!(users.contains("'admin', 'communication'"), "{users}");
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
