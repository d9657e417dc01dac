//! SQLite's one writing connection, on a thread of its own, committing in groups.
//!
//! **One thread.** `sqlx` runs each SQLite connection on a worker thread and sends every
//! statement there and back: a message, five or six statements, cost about 45 µs of thread
//! wake-ups each on a small machine, more than SQLite's own work. Here the writing connection
//! (`rusqlite`) lives on this module's thread, which runs a whole group of writes, statement
//! after statement, without a hand-off: one to receive the group, one to answer each caller.
//! Writes are written once over [`Run`]; on this thread every statement completes at once, so
//! each write's future is ready the first time it is polled.
//!
//! **Group commit.** Each commit waits for the disk (`synchronous = FULL`): one transaction
//! per message caps the store at one message per fsync-and-then-some. The thread takes every
//! write waiting in a bounded queue (at most [`MAX_BATCH`]), runs each inside its own
//! savepoint of one transaction, commits once, and only then answers each caller. So:
//!
//! - a write is acknowledged only after the commit that holds it;
//! - each write keeps its own outcome: one that fails is rolled back to its savepoint and
//!   answered with its own error, the others commit;
//! - writes run in arrival order and see the ones before them, so the messages of one
//!   conversation keep their order and a resend in the same batch finds the first copy;
//! - when the queue is full the write is refused at once with [`StoreError::Overloaded`]
//!   (nothing written; retry later) instead of waiting behind seconds of backlog.

use crate::dialect::BoxFuture;
use crate::query::{uuid_from_text, Arg, Columns, Run};
use crate::{StoreError, StoreResult};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use tokio::sync::oneshot;

/// Writes committed together at most; bounds how long one transaction holds the database.
pub const MAX_BATCH: usize = 256;
/// Writes waiting for their turn at most; beyond, a write is refused with
/// [`StoreError::Overloaded`]. A few batches' worth: at a few thousand writes a second this is
/// well under a second of backlog.
pub const QUEUE_CAPACITY: usize = 4 * MAX_BATCH;

/// Prepared statements kept per connection: every statement the store writes with, a few
/// times over.
const STATEMENT_CACHE: usize = 64;

/// Work the writer does after each group (SQLite: finishing the checkpoint that a reading
/// connection did the bulk of, so that the log starts over).
pub type Upkeep = Box<dyn FnMut(&mut SqliteConn) + Send>;

/// The writing connection, as the writes see it.
pub struct SqliteConn(rusqlite::Connection);

impl SqliteConn {
    /// Wraps an open connection.
    pub fn new(conn: rusqlite::Connection) -> Self {
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        SqliteConn(conn)
    }

    /// Runs statements that take no arguments (`BEGIN`, `COMMIT`, pragmas).
    pub fn batch(&mut self, sql: &str) -> StoreResult<()> {
        Ok(self.0.execute_batch(sql)?)
    }

    /// A prepared statement with `args` bound to its `$N` placeholders.
    fn prepare(&self, sql: &str, args: &[Arg<'_>]) -> StoreResult<rusqlite::CachedStatement<'_>> {
        let mut stmt = self.0.prepare_cached(sql)?;
        for index in 1..=stmt.parameter_count() {
            // SQLite numbers placeholders in the order the text first uses them; `$N` names
            // the argument.
            let n = stmt
                .parameter_name(index)
                .and_then(|name| name.strip_prefix('$'))
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| StoreError::Config(format!("placeholder {index} of {sql:?}")))?;
            let arg = args
                .get(n - 1)
                .ok_or_else(|| StoreError::Config(format!("no argument ${n} for {sql:?}")))?;
            stmt.raw_bind_parameter(index, SqlArg(*arg))?;
        }
        Ok(stmt)
    }

    fn exec_now(&mut self, sql: &str, args: &[Arg<'_>]) -> StoreResult<u64> {
        let mut stmt = self.prepare(sql, args)?;
        let changed = stmt.raw_execute()?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    fn rows_now(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        limit: usize,
    ) -> StoreResult<Vec<SqliteRow>> {
        let mut stmt = self.prepare(sql, args)?;
        let names: Arc<[String]> = stmt.column_names().into_iter().map(str::to_owned).collect();
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while out.len() < limit {
            let Some(row) = rows.next()? else { break };
            let values = (0..names.len())
                .map(|i| row.get_ref(i).map(Value::from))
                .collect::<Result<Vec<_>, _>>()?;
            out.push(SqliteRow {
                names: names.clone(),
                values,
            });
        }
        Ok(out)
    }
}

impl Run for SqliteConn {
    type Row = SqliteRow;

    fn exec(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<u64>> + Send {
        std::future::ready(self.exec_now(sql, args))
    }

    fn optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<Option<SqliteRow>>> + Send {
        std::future::ready(
            self.rows_now(sql, args, 1)
                .map(|rows| rows.into_iter().next()),
        )
    }

    fn all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<Vec<SqliteRow>>> + Send {
        std::future::ready(self.rows_now(sql, args, usize::MAX))
    }
}

/// An argument as SQLite stores it.
struct SqlArg<'a>(Arg<'a>);

impl rusqlite::ToSql for SqlArg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Arg::Int(Some(v)) => ToSqlOutput::Owned(Value::Integer(v)),
            Arg::Int32(Some(v)) => ToSqlOutput::Owned(Value::Integer(v.into())),
            Arg::Bool(Some(v)) => ToSqlOutput::Owned(Value::Integer(v.into())),
            Arg::Text(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Arg::Uuid(Some(id)) => ToSqlOutput::Owned(Value::Text(id.to_string())),
            Arg::Int(None)
            | Arg::Int32(None)
            | Arg::Bool(None)
            | Arg::Text(None)
            | Arg::Uuid(None) => ToSqlOutput::Owned(Value::Null),
        })
    }
}

/// A row read on the writing connection.
#[derive(Debug)]
pub struct SqliteRow {
    names: Arc<[String]>,
    values: Vec<Value>,
}

impl SqliteRow {
    fn value(&self, col: &str) -> StoreResult<&Value> {
        self.names
            .iter()
            .position(|name| name == col)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| StoreError::Corrupt(format!("no column {col}")))
    }

    fn integer(&self, col: &str) -> StoreResult<Option<i64>> {
        match self.value(col)? {
            Value::Null => Ok(None),
            Value::Integer(n) => Ok(Some(*n)),
            other => Err(wrong_type(col, other)),
        }
    }
}

fn wrong_type(col: &str, value: &Value) -> StoreError {
    StoreError::Corrupt(format!("column {col}: unexpected {:?}", value.data_type()))
}

impl Columns for SqliteRow {
    fn int(&self, col: &str) -> StoreResult<Option<i64>> {
        self.integer(col)
    }

    fn int32(&self, col: &str) -> StoreResult<Option<i32>> {
        self.integer(col)?
            .map(|n| {
                i32::try_from(n).map_err(|_| StoreError::Corrupt(format!("column {col}: {n}")))
            })
            .transpose()
    }

    fn flag(&self, col: &str) -> StoreResult<Option<bool>> {
        Ok(self.integer(col)?.map(|n| n != 0))
    }

    fn text(&self, col: &str) -> StoreResult<Option<String>> {
        match self.value(col)? {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s.clone())),
            other => Err(wrong_type(col, other)),
        }
    }

    fn uuid(&self, col: &str) -> StoreResult<Option<uuid::Uuid>> {
        self.text(col)?.map(uuid_from_text).transpose()
    }
}

/// Answers a caller once the fate of the shared transaction is known: `Ok(())` once it
/// committed, or why it did not.
type Answer = Box<dyn FnOnce(Result<(), &StoreError>) + Send>;

/// One write waiting in the queue.
trait Job: Send {
    /// Runs the write on the shared transaction: whether to keep its changes, and how to
    /// answer its caller after the commit.
    fn run(self: Box<Self>, conn: &mut SqliteConn) -> (bool, Answer);
    /// Answers the caller without running (the transaction could not begin or broke).
    fn abandon(self: Box<Self>, why: &StoreError);
}

/// A write and the channel its caller waits on.
struct Pending<F, T> {
    write: F,
    answer: oneshot::Sender<StoreResult<T>>,
}

impl<F, T> Job for Pending<F, T>
where
    F: for<'c> FnOnce(&'c mut SqliteConn) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
    T: Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut SqliteConn) -> (bool, Answer) {
        let Pending { write, answer } = *self;
        let outcome = now(write(conn));
        let keep = outcome.is_ok();
        let answer: Answer = Box::new(move |fate| {
            // A refused write is answered with its own error whatever the others did.
            let result = match (outcome, fate) {
                (Err(e), _) => Err(e),
                (Ok(value), Ok(())) => Ok(value),
                (Ok(_), Err(why)) => Err(StoreError::Aborted(why.to_string())),
            };
            // The caller may have gone (its socket closed): the write stands regardless.
            let _ = answer.send(result);
        });
        (keep, answer)
    }

    fn abandon(self: Box<Self>, why: &StoreError) {
        let _ = self.answer.send(Err(StoreError::Aborted(why.to_string())));
    }
}

/// The outcome of a write's future, which on this thread is ready at its first poll (every
/// statement completes at once). A write that waits for something else is a bug: it is
/// refused rather than left to block every write behind it.
fn now<T>(mut write: BoxFuture<'_, StoreResult<T>>) -> StoreResult<T> {
    match write.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(outcome) => outcome,
        Poll::Pending => Err(StoreError::Aborted(
            "a write waited for something other than the database".into(),
        )),
    }
}

/// What the thread receives.
enum Message {
    Write(Box<dyn Job>),
    /// Finish what is queued before, close the connection, then answer.
    Stop(oneshot::Sender<()>),
}

/// The queue of writes and the thread that commits them in groups.
#[derive(Clone)]
pub struct Writer {
    queue: SyncSender<Message>,
    /// Writes sent and not yet taken by the thread.
    waiting: Arc<AtomicUsize>,
}

impl Writer {
    /// Starts the thread on the connection that `open` opens there (its failure is returned
    /// here). Each transaction begins with `BEGIN IMMEDIATE`; `upkeep` runs after each group.
    /// The thread stops at [`Writer::stop`] or once every handle is dropped.
    pub async fn start(
        open: impl FnOnce() -> StoreResult<SqliteConn> + Send + 'static,
        upkeep: Option<Upkeep>,
    ) -> StoreResult<Self> {
        let (queue, jobs) = mpsc::sync_channel(QUEUE_CAPACITY);
        let waiting = Arc::new(AtomicUsize::new(0));
        let taken = waiting.clone();
        let (opened, ready) = oneshot::channel();
        std::thread::Builder::new()
            .name("ecoute-sqlite-writer".into())
            .spawn(move || match open() {
                Ok(conn) => {
                    let _ = opened.send(Ok(()));
                    commit_in_groups(conn, &jobs, &taken, upkeep);
                }
                Err(e) => {
                    let _ = opened.send(Err(e));
                }
            })
            .map_err(|e| StoreError::Config(format!("cannot start the SQLite writer: {e}")))?;
        ready
            .await
            .map_err(|_| StoreError::Aborted("the SQLite writer did not start".into()))??;
        Ok(Writer { queue, waiting })
    }

    /// Runs `write` in the next shared transaction and returns its outcome once that
    /// transaction committed. An `Err` from `write` rolls back its own changes only.
    pub async fn write<T, F>(&self, write: F) -> StoreResult<T>
    where
        F: for<'c> FnOnce(&'c mut SqliteConn) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job = Box::new(Pending { write, answer });
        // Counted before sending, so that the thread never takes one not yet counted.
        self.waiting.fetch_add(1, Ordering::AcqRel);
        if let Err(e) = self.queue.try_send(Message::Write(job)) {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(match e {
                TrySendError::Full(_) => StoreError::Overloaded,
                TrySendError::Disconnected(_) => {
                    StoreError::Aborted("the store's writer has stopped".into())
                }
            });
        }
        // Dropped unanswered: the writer stopped, or the group holding this write panicked.
        answered.await.map_err(|_| {
            StoreError::Aborted("the write was abandoned by the store's writer".into())
        })?
    }

    /// Commits what is queued, closes the connection and stops the thread; later writes are
    /// refused. (Waits for room in the queue.)
    pub async fn stop(&self) {
        let (done, stopped) = oneshot::channel();
        let mut message = Message::Stop(done);
        loop {
            match self.queue.try_send(message) {
                Ok(()) => break,
                Err(TrySendError::Disconnected(_)) => return,
                Err(TrySendError::Full(back)) => {
                    message = back;
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
            }
        }
        let _ = stopped.await;
    }

    /// Writes sent and not yet taken into a group.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }
}

/// The thread: one transaction per group of waiting writes.
fn commit_in_groups(
    mut conn: SqliteConn,
    jobs: &Receiver<Message>,
    waiting: &AtomicUsize,
    mut upkeep: Option<Upkeep>,
) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    let mut stop = None;
    while stop.is_none() {
        // Waits for one write, then takes whatever else waits, up to MAX_BATCH, without
        // waiting for more: no write is delayed to fill a batch; the batch grows by itself
        // while a commit is in flight.
        let Ok(first) = jobs.recv() else { break };
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Write(job) => {
                    waiting.fetch_sub(1, Ordering::AcqRel);
                    batch.push(job);
                }
                Message::Stop(done) => {
                    stop = Some(done);
                    break;
                }
            }
            if batch.len() < MAX_BATCH {
                next = jobs.try_recv().ok();
            }
        }
        if batch.is_empty() {
            continue;
        }
        // A write that panics (a bug) must not stop the writer, and every write after it,
        // while the server looks healthy: its group is rolled back, its callers are told
        // their write was abandoned, and the next group goes on.
        let group =
            std::panic::catch_unwind(AssertUnwindSafe(|| commit_group(&mut conn, &mut batch)));
        if group.is_err() {
            tracing::error!(
                "a write panicked: its group of writes was rolled back and refused; the writer goes on"
            );
            batch.clear();
            if !conn.0.is_autocommit() {
                let _ = conn.batch("ROLLBACK");
            }
        }
        if let Some(upkeep) = upkeep.as_mut() {
            // Nor may a panicking upkeep: the writes come first.
            let done = std::panic::catch_unwind(AssertUnwindSafe(|| upkeep(&mut conn)));
            if done.is_err() {
                tracing::error!("the writer's upkeep panicked; the writer goes on");
            }
        }
    }
    if let Err((_, e)) = conn.0.close() {
        tracing::warn!(error = %e, "closing the SQLite writer failed");
    }
    if let Some(done) = stop {
        let _ = done.send(());
    }
}

/// Runs and commits one group, then answers every caller in it.
fn commit_group(conn: &mut SqliteConn, batch: &mut Vec<Box<dyn Job>>) {
    let mut jobs = batch.drain(..);
    let mut answers: Vec<Answer> = Vec::with_capacity(jobs.len());
    let fate: StoreResult<()> = (|| {
        conn.batch("BEGIN IMMEDIATE")?;
        if jobs.len() == 1 {
            // Alone in its transaction (the common case below a few hundred writes a second):
            // no savepoint, two statements fewer; a failure rolls the transaction back.
            for job in jobs.by_ref() {
                let (keep, answer) = job.run(conn);
                answers.push(answer);
                if !keep {
                    return conn.batch("ROLLBACK");
                }
            }
        } else {
            for job in jobs.by_ref() {
                // Each write in its own savepoint, so that one failing takes only itself back.
                conn.batch("SAVEPOINT write")?;
                let (keep, answer) = job.run(conn);
                answers.push(answer);
                if keep {
                    conn.batch("RELEASE write")?;
                } else {
                    conn.batch("ROLLBACK TO write; RELEASE write")?;
                }
            }
        }
        conn.batch("COMMIT")
    })();
    if let Err(e) = &fate {
        tracing::error!(error = %e, writes = answers.len() + jobs.len(), "a group commit failed");
        if !conn.0.is_autocommit() {
            let _ = conn.batch("ROLLBACK");
        }
        for job in jobs {
            job.abandon(e);
        }
    }
    for answer in answers {
        answer(fate.as_ref().map(|_| ()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::write_error;
    use std::path::PathBuf;
    use tokio::task::JoinHandle;

    /// A fresh database file with table `t(x INTEGER UNIQUE)`, written by a [`Writer`] and
    /// read back on a connection of its own.
    struct Db {
        path: PathBuf,
        writer: Writer,
    }

    impl Db {
        async fn new(name: &str) -> Db {
            Db::with_upkeep(name, None).await
        }

        async fn with_upkeep(name: &str, upkeep: Option<Upkeep>) -> Db {
            let path = std::env::temp_dir()
                .join(format!("ecoute-writer-{}-{name}.db", std::process::id()));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            let open = {
                let path = path.clone();
                move || {
                    let mut conn = SqliteConn::new(rusqlite::Connection::open(&path)?);
                    conn.batch(
                        "PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER NOT NULL UNIQUE)",
                    )?;
                    Ok(conn)
                }
            };
            let writer = Writer::start(open, upkeep).await.expect("start the writer");
            Db { path, writer }
        }

        /// What another connection sees committed.
        fn committed(&self) -> Vec<i64> {
            let conn = rusqlite::Connection::open(&self.path).expect("open a reader");
            let mut stmt = conn.prepare("SELECT x FROM t ORDER BY x").expect("prepare");
            let rows = stmt.query_map([], |row| row.get(0)).expect("query");
            rows.collect::<Result<_, _>>().expect("read")
        }

        /// Waits until `n` writes wait in the queue.
        async fn until_waiting(&self, n: usize) {
            while self.writer.waiting() < n {
                tokio::task::yield_now().await;
            }
        }
    }

    impl Drop for Db {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
            }
        }
    }

    async fn insert(conn: &mut SqliteConn, x: i64) -> StoreResult<()> {
        conn.exec("INSERT INTO t (x) VALUES ($1)", &[x.into()])
            .await
            .map_err(|e| write_error(e, "x is taken"))?;
        Ok(())
    }

    fn spawn_insert(writer: &Writer, x: i64) -> JoinHandle<StoreResult<()>> {
        let writer = writer.clone();
        tokio::spawn(async move { writer.write(move |c| Box::pin(insert(c, x))).await })
    }

    /// A write that holds the writer inside its transaction until the returned gate opens,
    /// so that the writes sent meanwhile wait in the queue and form the next group. Returns
    /// once the writer runs it.
    async fn gated(writer: &Writer, x: i64) -> (mpsc::SyncSender<()>, JoinHandle<StoreResult<()>>) {
        let (open, gate) = mpsc::sync_channel::<()>(1);
        let (running, started) = oneshot::channel::<()>();
        let writer = writer.clone();
        let task = tokio::spawn(async move {
            writer
                .write(move |c| {
                    let _ = running.send(());
                    // The writer's thread blocks here, as on a slow disk.
                    let _ = gate.recv();
                    Box::pin(insert(c, x))
                })
                .await
        });
        started.await.expect("the writer runs the gated write");
        (open, task)
    }

    #[tokio::test]
    async fn each_write_in_a_group_keeps_its_own_outcome() {
        let db = Db::new("outcomes").await;
        let (open, first) = gated(&db.writer, 1).await;
        let fine = spawn_insert(&db.writer, 2);
        // Writes a row, then fails: its row must go with it, and only its row.
        let writer = db.writer.clone();
        let half = tokio::spawn(async move {
            writer
                .write(|c| {
                    Box::pin(async move {
                        insert(c, 3).await?;
                        Err::<(), _>(StoreError::NotFound)
                    })
                })
                .await
        });
        let taken = spawn_insert(&db.writer, 2);
        let last = spawn_insert(&db.writer, 4);
        db.until_waiting(4).await;
        open.send(()).expect("the gated write waits");
        first.await.expect("join").expect("the gated write commits");
        fine.await
            .expect("join")
            .expect("a write beside failing ones commits");
        assert!(matches!(
            half.await.expect("join"),
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            taken.await.expect("join"),
            Err(StoreError::Conflict(_))
        ));
        last.await
            .expect("join")
            .expect("a write after failing ones commits");
        assert_eq!(db.committed(), vec![1, 2, 4]);
    }

    #[tokio::test]
    async fn a_lone_failing_write_leaves_nothing() {
        let db = Db::new("alone").await;
        let refused = db
            .writer
            .write(|c| {
                Box::pin(async move {
                    insert(c, 7).await?;
                    Err::<(), _>(StoreError::NotFound)
                })
            })
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)));
        db.writer
            .write(|c| Box::pin(insert(c, 8)))
            .await
            .expect("the next write commits");
        assert_eq!(db.committed(), vec![8]);
    }

    #[tokio::test]
    async fn answered_only_once_committed_and_in_order() {
        let db = Db::new("order").await;
        let (open, first) = gated(&db.writer, 0).await;
        // Each write appends max + 1: in one group they see the ones before them.
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let writer = db.writer.clone();
                tokio::spawn(async move {
                    writer
                        .write(|c| {
                            Box::pin(async move {
                                let next: i64 = c
                                    .one("SELECT MAX(x) + 1 AS next FROM t", &[])
                                    .await?
                                    .get("next")?;
                                insert(c, next).await?;
                                Ok(next)
                            })
                        })
                        .await
                })
            })
            .collect();
        db.until_waiting(50).await;
        open.send(()).expect("the gated write waits");
        first.await.expect("join").expect("commit");
        let mut got = Vec::new();
        for task in tasks {
            let x = task.await.expect("join").expect("commit");
            // Answered: another connection sees it.
            assert!(db.committed().contains(&x));
            got.push(x);
        }
        got.sort_unstable();
        assert_eq!(got, (1..=50).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_loses_nothing() {
        let db = Db::new("overload").await;
        let (open, first) = gated(&db.writer, 0).await;
        let queued: Vec<_> = (1..=QUEUE_CAPACITY as i64)
            .map(|x| spawn_insert(&db.writer, x))
            .collect();
        db.until_waiting(QUEUE_CAPACITY).await;
        let refused = db
            .writer
            .write(|c| Box::pin(insert(c, -1)))
            .await
            .expect_err("the queue is full");
        assert!(matches!(refused, StoreError::Overloaded), "{refused:?}");
        open.send(()).expect("the gated write waits");
        first.await.expect("join").expect("commit");
        for task in queued {
            task.await
                .expect("join")
                .expect("every queued write commits");
        }
        let committed = db.committed();
        assert_eq!(committed.len(), QUEUE_CAPACITY + 1);
        assert!(!committed.contains(&-1));
        // Once drained, writes are taken again.
        db.writer
            .write(|c| Box::pin(insert(c, -2)))
            .await
            .expect("the queue has room again");
    }

    /// The upkeep runs after a group and before the next one, on the writing connection.
    #[tokio::test]
    async fn upkeep_runs_between_two_groups() {
        let mut runs = 0;
        let upkeep: Upkeep = Box::new(move |conn| {
            runs += 1;
            if runs == 1 {
                conn.batch("INSERT INTO t (x) VALUES (100)")
                    .expect("the upkeep's write");
            }
        });
        let db = Db::with_upkeep("upkeep", Some(upkeep)).await;
        db.writer
            .write(|c| Box::pin(insert(c, 1)))
            .await
            .expect("first group");
        // The upkeep after the first group took 100 before this group ran.
        let second = db.writer.write(|c| Box::pin(insert(c, 100))).await;
        assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");
        assert_eq!(db.committed(), vec![1, 100]);
    }

    /// A write that panics takes its group with it, uncommitted, but not the writer: the
    /// writes after it are committed as usual.
    #[tokio::test]
    async fn a_panicking_write_does_not_stop_the_writer() {
        let db = Db::new("panic").await;
        let (open, first) = gated(&db.writer, 1).await;
        let beside = spawn_insert(&db.writer, 2);
        let writer = db.writer.clone();
        let panics = tokio::spawn(async move {
            writer
                .write(|c| {
                    Box::pin(async move {
                        insert(c, 3).await?;
                        panic!("a bug in a write");
                    })
                })
                .await
        });
        db.until_waiting(2).await;
        open.send(()).expect("the gated write waits");
        first.await.expect("join").expect("the gated write commits");
        assert!(matches!(
            beside.await.expect("join"),
            Err(StoreError::Aborted(_))
        ));
        let panicked: StoreResult<()> = panics.await.expect("join");
        assert!(matches!(panicked, Err(StoreError::Aborted(_))));
        db.writer
            .write(|c| Box::pin(insert(c, 4)))
            .await
            .expect("a write after the panic commits");
        assert_eq!(db.committed(), vec![1, 4]);
    }

    /// A write whose future is not ready at once (it awaits something besides the
    /// database) would block every write behind it: it is refused, and the writer goes on.
    #[tokio::test]
    async fn a_write_that_waits_is_refused() {
        let db = Db::new("waits").await;
        let refused = db
            .writer
            .write(|c| {
                Box::pin(async move {
                    insert(c, 1).await?;
                    tokio::task::yield_now().await;
                    Ok(())
                })
            })
            .await;
        assert!(
            matches!(refused, Err(StoreError::Aborted(_))),
            "{refused:?}"
        );
        db.writer
            .write(|c| Box::pin(insert(c, 2)))
            .await
            .expect("the next write commits");
        assert_eq!(db.committed(), vec![2]);
    }

    /// Placeholders name their argument, whatever order the text uses them in.
    #[tokio::test]
    async fn placeholders_bind_by_number() {
        let db = Db::new("placeholders").await;
        let row = db
            .writer
            .write(|c| {
                Box::pin(async move {
                    c.one(
                        "SELECT $2 AS b, $1 AS a, $2 + $1 AS sum",
                        &[1_i64.into(), 10_i64.into()],
                    )
                    .await
                })
            })
            .await
            .expect("select");
        assert_eq!(row.get::<i64>("b").expect("b"), 10);
        assert_eq!(row.get::<i64>("a").expect("a"), 1);
        assert_eq!(row.get::<i64>("sum").expect("sum"), 11);
        let missing = db
            .writer
            .write(|c| Box::pin(async move { c.one("SELECT $2 AS b", &[1_i64.into()]).await }))
            .await
            .expect_err("no second argument");
        assert!(matches!(missing, StoreError::Config(_)), "{missing:?}");
    }

    /// After `stop`, what was queued is committed and later writes are refused.
    #[tokio::test]
    async fn stop_commits_the_queue_then_refuses() {
        let db = Db::new("stop").await;
        let (open, first) = gated(&db.writer, 1).await;
        let queued = spawn_insert(&db.writer, 2);
        db.until_waiting(1).await;
        let writer = db.writer.clone();
        let stopping = tokio::spawn(async move { writer.stop().await });
        open.send(()).expect("the gated write waits");
        first.await.expect("join").expect("commit");
        queued.await.expect("join").expect("a queued write commits");
        stopping.await.expect("stopped");
        let after = db.writer.write(|c| Box::pin(insert(c, 3))).await;
        assert!(matches!(after, Err(StoreError::Aborted(_))), "{after:?}");
        assert_eq!(db.committed(), vec![1, 2]);
    }
}
