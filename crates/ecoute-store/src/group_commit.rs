//! Group commit: the writes that arrive while a commit is in flight share the next
//! transaction.
//!
//! SQLite has one writer, and each commit waits for the disk (`synchronous = FULL`): one
//! transaction per message caps the store at one message per fsync-and-then-some, and beyond
//! that rate callers queue on the pool for seconds. Here one task owns the writing: it takes
//! every write waiting in a bounded queue (at most [`MAX_BATCH`]), runs each inside its own
//! savepoint of one transaction, commits once, and only then answers each caller. So:
//!
//! - a write is acknowledged only after the commit that holds it;
//! - each write keeps its own outcome: one that fails is rolled back to its savepoint and
//!   answered with its own error, the others commit;
//! - writes run in arrival order and see the ones before them, so the messages of one
//!   conversation keep their order and a resend in the same batch finds the first copy;
//! - when the queue is full the write is refused at once with [`StoreError::Overloaded`]
//!   (nothing written; retry later) instead of waiting behind seconds of backlog.

use crate::{StoreError, StoreResult};
use futures_util::FutureExt;
use sqlx::{Connection, Database, Pool};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use tokio::sync::{mpsc, oneshot};

/// Writes committed together at most; bounds how long one transaction holds the database.
pub const MAX_BATCH: usize = 256;
/// Writes waiting for their turn at most; beyond, a write is refused with
/// [`StoreError::Overloaded`]. A few batches' worth: at a few thousand writes a second this is
/// well under a second of backlog.
pub const QUEUE_CAPACITY: usize = 4 * MAX_BATCH;

/// A boxed future that may borrow for `'a`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Work the writer does between two groups, when there is some: called after every group,
/// it returns the work to run now on the writing pool, or `None`. (SQLite: finishing the
/// checkpoint that a reading connection did the bulk of, so that the log starts over.)
pub type Upkeep<DB> = Box<dyn FnMut(&Pool<DB>) -> Option<BoxFuture<'static, ()>> + Send>;

/// Answers a caller once the fate of the shared transaction is known: `Ok(())` once it
/// committed, or why it did not.
type Answer = Box<dyn FnOnce(Result<(), &StoreError>) + Send>;

/// One write waiting in the queue.
trait Job<DB: Database>: Send {
    /// Runs the write on the shared transaction: whether to keep its changes, and how to
    /// answer its caller after the commit.
    fn run<'c>(self: Box<Self>, conn: &'c mut DB::Connection) -> BoxFuture<'c, (bool, Answer)>;
    /// Answers the caller without running (the transaction could not begin or broke).
    fn abandon(self: Box<Self>, why: &StoreError);
}

/// A write and the channel its caller waits on.
struct Pending<F, T> {
    write: F,
    answer: oneshot::Sender<StoreResult<T>>,
}

impl<DB, F, T> Job<DB> for Pending<F, T>
where
    DB: Database,
    F: for<'c> FnOnce(&'c mut DB::Connection) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
    T: Send + 'static,
{
    fn run<'c>(self: Box<Self>, conn: &'c mut DB::Connection) -> BoxFuture<'c, (bool, Answer)> {
        let Pending { write, answer } = *self;
        Box::pin(async move {
            let outcome = write(conn).await;
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
        })
    }

    fn abandon(self: Box<Self>, why: &StoreError) {
        let _ = self.answer.send(Err(StoreError::Aborted(why.to_string())));
    }
}

/// The queue of writes and the task that commits them in groups.
pub struct GroupCommit<DB: Database> {
    jobs: mpsc::Sender<Box<dyn Job<DB>>>,
}

impl<DB: Database> Clone for GroupCommit<DB> {
    fn clone(&self) -> Self {
        GroupCommit {
            jobs: self.jobs.clone(),
        }
    }
}

impl<DB: Database> GroupCommit<DB> {
    /// Starts the committing task on the current runtime. It writes through `pool`, opening
    /// each transaction with `begin`, runs `upkeep` between groups, and stops once every
    /// handle is dropped.
    pub fn start(pool: Pool<DB>, begin: &'static str, upkeep: Option<Upkeep<DB>>) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(commit_in_groups(pool, begin, queue, upkeep));
        GroupCommit { jobs }
    }

    /// Runs `write` in the next shared transaction and returns its outcome once that
    /// transaction committed. An `Err` from `write` rolls back its own changes only.
    pub async fn write<T, F>(&self, write: F) -> StoreResult<T>
    where
        F: for<'c> FnOnce(&'c mut DB::Connection) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Box<dyn Job<DB>> = Box::new(Pending { write, answer });
        self.jobs.try_send(job).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => StoreError::Overloaded,
            mpsc::error::TrySendError::Closed(_) => {
                StoreError::Aborted("the store's writer has stopped".into())
            }
        })?;
        // Dropped unanswered: the writer stopped, or the group holding this write panicked.
        answered.await.map_err(|_| {
            StoreError::Aborted("the write was abandoned by the store's writer".into())
        })?
    }
}

/// The committing task: one transaction per group of waiting writes.
async fn commit_in_groups<DB: Database>(
    pool: Pool<DB>,
    begin: &'static str,
    mut queue: mpsc::Receiver<Box<dyn Job<DB>>>,
    mut upkeep: Option<Upkeep<DB>>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // Takes whatever waits, up to MAX_BATCH, without waiting for more: no write is delayed
    // to fill a batch; the batch grows by itself while a commit is in flight.
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // A write that panics (a bug) must not stop the writer, and every write after it,
        // while the server looks healthy: its group is dropped uncommitted (the transaction
        // rolls back), its callers are told their write was abandoned, and the next group
        // goes on.
        let group = AssertUnwindSafe(commit_group(&pool, begin, &mut batch));
        if group.catch_unwind().await.is_err() {
            tracing::error!(
                "a write panicked: its group of writes was rolled back and refused; the writer goes on"
            );
            batch.clear();
        }
        if let Some(work) = upkeep.as_mut().and_then(|upkeep| upkeep(&pool)) {
            work.await;
        }
    }
}

/// Runs and commits one group, then answers every caller in it.
async fn commit_group<DB: Database>(
    pool: &Pool<DB>,
    begin: &'static str,
    batch: &mut Vec<Box<dyn Job<DB>>>,
) {
    let mut jobs = batch.drain(..);
    let mut answers: Vec<Answer> = Vec::with_capacity(jobs.len());
    let fate: StoreResult<()> = async {
        let mut tx = pool.begin_with(begin).await?;
        if jobs.len() == 1 {
            // Alone in its transaction (the common case below a few hundred writes a second):
            // no savepoint, two statements fewer; a failure rolls the transaction back.
            for job in jobs.by_ref() {
                let (keep, answer) = job.run(&mut tx).await;
                answers.push(answer);
                if !keep {
                    tx.rollback().await?;
                    return Ok(());
                }
            }
        } else {
            for job in jobs.by_ref() {
                // Each write in its own savepoint, so that one failing takes only itself back.
                let mut savepoint = Connection::begin(&mut *tx).await?;
                let (keep, answer) = job.run(&mut savepoint).await;
                answers.push(answer);
                if keep {
                    savepoint.commit().await?;
                } else {
                    savepoint.rollback().await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(e) = &fate {
        tracing::error!(error = %e, writes = answers.len() + jobs.len(), "a group commit failed");
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
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
    use sqlx::{Sqlite, SqliteConnection, SqlitePool};
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tokio::task::JoinHandle;

    /// A fresh database file with table `t(x INTEGER UNIQUE)`, as the store opens SQLite:
    /// WAL, one writing connection, and a separate pool to read what was committed.
    struct Db {
        path: PathBuf,
        group: GroupCommit<Sqlite>,
        read: SqlitePool,
    }

    impl Db {
        async fn new(name: &str) -> Db {
            Db::with_upkeep(name, None).await
        }

        async fn with_upkeep(name: &str, upkeep: Option<Upkeep<Sqlite>>) -> Db {
            let path = std::env::temp_dir().join(format!(
                "ecoute-group-commit-{}-{name}.db",
                std::process::id()
            ));
            let _ = std::fs::remove_file(&path);
            let options = SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal);
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone())
                .await
                .expect("open the test database");
            sqlx::query("CREATE TABLE t (x INTEGER NOT NULL UNIQUE)")
                .execute(&write)
                .await
                .expect("create the table");
            let read = SqlitePoolOptions::new()
                .connect_with(options)
                .await
                .expect("open the read pool");
            Db {
                path,
                group: GroupCommit::start(write, "BEGIN IMMEDIATE", upkeep),
                read,
            }
        }

        async fn committed(&self) -> Vec<i64> {
            sqlx::query_scalar("SELECT x FROM t ORDER BY x")
                .fetch_all(&self.read)
                .await
                .expect("read the table")
        }

        /// Writes waiting in the queue now.
        fn waiting(&self) -> usize {
            QUEUE_CAPACITY - self.group.jobs.capacity()
        }

        /// Waits until `n` writes wait in the queue.
        async fn until_waiting(&self, n: usize) {
            while self.waiting() < n {
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

    async fn insert(conn: &mut SqliteConnection, x: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO t (x) VALUES ($1)")
            .bind(x)
            .execute(conn)
            .await
            .map_err(|e| crate::sql::write_error(e, "x is taken"))?;
        Ok(())
    }

    fn spawn_insert(group: &GroupCommit<Sqlite>, x: i64) -> JoinHandle<StoreResult<()>> {
        let group = group.clone();
        tokio::spawn(async move { group.write(move |c| Box::pin(insert(c, x))).await })
    }

    /// A write that holds the writer inside its transaction until the returned gate opens,
    /// so that the writes sent meanwhile wait in the queue and form the next group. Returns
    /// once the writer runs it.
    async fn gated(
        group: &GroupCommit<Sqlite>,
        x: i64,
    ) -> (oneshot::Sender<()>, JoinHandle<StoreResult<()>>) {
        let (open, gate) = oneshot::channel::<()>();
        let (running, started) = oneshot::channel::<()>();
        let group = group.clone();
        let task = tokio::spawn(async move {
            group
                .write(move |c| {
                    Box::pin(async move {
                        let _ = running.send(());
                        let _ = gate.await;
                        insert(c, x).await
                    })
                })
                .await
        });
        started.await.expect("the writer runs the gated write");
        (open, task)
    }

    #[tokio::test]
    async fn each_write_in_a_group_keeps_its_own_outcome() {
        let db = Db::new("outcomes").await;
        let (open, first) = gated(&db.group, 1).await;
        let fine = spawn_insert(&db.group, 2);
        // Writes a row, then fails: its row must go with it, and only its row.
        let group = db.group.clone();
        let half = tokio::spawn(async move {
            group
                .write(|c| {
                    Box::pin(async move {
                        insert(c, 3).await?;
                        Err::<(), _>(StoreError::NotFound)
                    })
                })
                .await
        });
        let taken = spawn_insert(&db.group, 2);
        let last = spawn_insert(&db.group, 4);
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
        assert_eq!(db.committed().await, vec![1, 2, 4]);
    }

    #[tokio::test]
    async fn a_lone_failing_write_leaves_nothing() {
        let db = Db::new("alone").await;
        let refused = db
            .group
            .write(|c| {
                Box::pin(async move {
                    insert(c, 7).await?;
                    Err::<(), _>(StoreError::NotFound)
                })
            })
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)));
        db.group
            .write(|c| Box::pin(insert(c, 8)))
            .await
            .expect("the next write commits");
        assert_eq!(db.committed().await, vec![8]);
    }

    #[tokio::test]
    async fn answered_only_once_committed_and_in_order() {
        let db = Db::new("order").await;
        let (open, first) = gated(&db.group, 0).await;
        // Each write appends max + 1: in one group they see the ones before them.
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let group = db.group.clone();
                tokio::spawn(async move {
                    group
                        .write(|c| {
                            Box::pin(async move {
                                let next: i64 = sqlx::query_scalar("SELECT MAX(x) + 1 FROM t")
                                    .fetch_one(&mut *c)
                                    .await?;
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
            assert!(db.committed().await.contains(&x));
            got.push(x);
        }
        got.sort_unstable();
        assert_eq!(got, (1..=50).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_loses_nothing() {
        let db = Db::new("overload").await;
        let (open, first) = gated(&db.group, 0).await;
        let queued: Vec<_> = (1..=QUEUE_CAPACITY as i64)
            .map(|x| spawn_insert(&db.group, x))
            .collect();
        db.until_waiting(QUEUE_CAPACITY).await;
        let refused = db
            .group
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
        let committed = db.committed().await;
        assert_eq!(committed.len(), QUEUE_CAPACITY + 1);
        assert!(!committed.contains(&-1));
        // Once drained, writes are taken again.
        db.group
            .write(|c| Box::pin(insert(c, -2)))
            .await
            .expect("the queue has room again");
    }

    /// The upkeep runs after a group and before the next one, on the writing pool.
    #[tokio::test]
    async fn upkeep_runs_between_two_groups() {
        let asked = Arc::new(AtomicUsize::new(0));
        let upkeep: Upkeep<Sqlite> = {
            let asked = asked.clone();
            Box::new(move |pool| {
                if asked.fetch_add(1, Ordering::SeqCst) > 0 {
                    return None;
                }
                let pool = pool.clone();
                Some(Box::pin(async move {
                    sqlx::query("INSERT INTO t (x) VALUES (100)")
                        .execute(&pool)
                        .await
                        .expect("the upkeep's write");
                }))
            })
        };
        let db = Db::with_upkeep("upkeep", Some(upkeep)).await;
        db.group
            .write(|c| Box::pin(insert(c, 1)))
            .await
            .expect("first group");
        // The upkeep after the first group took 100 before this group ran.
        let second = db.group.write(|c| Box::pin(insert(c, 100))).await;
        assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");
        assert_eq!(db.committed().await, vec![1, 100]);
        assert!(asked.load(Ordering::SeqCst) >= 1);
    }

    /// A write that panics takes its group with it, uncommitted, but not the writer: the
    /// writes after it are committed as usual.
    #[tokio::test]
    async fn a_panicking_write_does_not_stop_the_writer() {
        let db = Db::new("panic").await;
        let (open, first) = gated(&db.group, 1).await;
        let beside = spawn_insert(&db.group, 2);
        let group = db.group.clone();
        let panics = tokio::spawn(async move {
            group
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
        db.group
            .write(|c| Box::pin(insert(c, 4)))
            .await
            .expect("a write after the panic commits");
        assert_eq!(db.committed().await, vec![1, 4]);
    }
}
