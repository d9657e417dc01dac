//! What truly differs between the two backends, and the one store written over it.
//!
//! [`SqlStore`] holds the read pool and the way to the writes; every store method's SQL and
//! logic is written once, in `src/sql/` (one file per store trait), generic over a
//! [`Dialect`]: reads through `sqlx`, writes over [`crate::query::Run`]. A dialect names the
//! `sqlx` database and the writing connection, and says what SQL cannot say the same way on
//! both: how a contact id is stored, how a write transaction runs (and which failures it runs
//! again), the row-locking clause, and how "next" picks the head of the queue. Connecting,
//! pools, backups and the migrations live in each dialect's own module.
//!
//! SQL text is shared as is: SQLite accepts PostgreSQL's `$1` placeholders.

pub mod postgres;
pub mod sqlite;

use crate::query::{Columns, Run};
use crate::{StoreResult, TakeOutcome};
use ecoute_domain::{CentreId, Timestamp, UserId};
use sqlx::{Database, Decode, Encode, Pool, Type};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use uuid::Uuid;

/// A boxed future that may borrow for `'a`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A write: given the connection of a write transaction, the future of its outcome. It may
/// run more than once (PostgreSQL runs it again when the server aborted its transaction as a
/// deadlock), so it is `Fn`; an `Err` commits nothing of it.
pub trait WriteFn<W, T>:
    for<'c> Fn(&'c mut W) -> BoxFuture<'c, StoreResult<T>> + Send + Sync + 'static
{
}

impl<W, T, F> WriteFn<W, T> for F where
    F: for<'c> Fn(&'c mut W) -> BoxFuture<'c, StoreResult<T>> + Send + Sync + 'static
{
}

/// What differs between SQLite and PostgreSQL.
pub trait Dialect: Send + Sync + Sized + 'static {
    /// The `sqlx` database that reads go to.
    type Db: Database<Row: Columns>;
    /// How a contact id is stored: lowercase hyphenated `TEXT` in SQLite, `UUID` in PostgreSQL.
    type Id: for<'q> Encode<'q, Self::Db>
        + for<'r> Decode<'r, Self::Db>
        + Type<Self::Db>
        + Send
        + Sync
        + Unpin
        + 'static;
    /// The connection a write transaction runs its statements on.
    type Writer: Run;
    /// Where writes go: the writing thread (SQLite) or the pool (PostgreSQL).
    type Writes: Clone + Send + Sync + 'static;
    /// Appended to a `SELECT` of rows the transaction is about to write: locks them against
    /// other writers until it ends (empty where the write transaction already excludes them).
    const ROW_LOCK: &'static str;
    /// A collation that sorts text byte by byte, the same on both backends whatever the
    /// database's locale.
    const BYTEWISE: &'static str;
    /// Run first in a read transaction that must see every table as of one instant (`None`:
    /// a read transaction already does).
    const SNAPSHOT: Option<&'static str>;

    /// The stored form of an id (a contact's, a thread's).
    fn id(id: Uuid) -> Self::Id;
    /// An id read back; one the code cannot read is [`crate::StoreError::Corrupt`].
    fn uuid(stored: Self::Id) -> StoreResult<Uuid>;
    /// Rows a statement changed.
    fn rows_affected(done: &<Self::Db as Database>::QueryResult) -> u64;
    /// A statement that keeps every other writer off `tables` (a comma-separated list) until
    /// the transaction ends (`None`: the write transaction already does).
    fn lock_tables(tables: &str) -> Option<String>;
    /// A statement that makes the generated ids of `table` continue after its largest id,
    /// once rows were inserted with explicit ids (`None`: they always do).
    fn continue_ids(table: &str) -> Option<String>;
    /// Runs `write` in a write transaction and returns its outcome once committed.
    fn write<T: Send + 'static>(
        writes: &Self::Writes,
        write: impl WriteFn<Self::Writer, T>,
    ) -> impl Future<Output = StoreResult<T>> + Send;
    /// Closes the writing side (SQLite: commits what is queued and closes the connection).
    fn close(writes: &Self::Writes) -> impl Future<Output = ()> + Send;
    /// "Next", once the listener is known and under capacity: gives `listener` the head of
    /// `centre`'s queue in serve order, inside the write transaction of `tx` (see each
    /// dialect for how two listeners never get the same contact and nobody waiting is
    /// skipped).
    fn take_head(
        tx: &mut Self::Writer,
        centre: CentreId,
        listener: UserId,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<TakeOutcome>> + Send;
}

/// The store, over either backend: [`sqlite::SqliteStore`] or [`postgres::PgStore`].
pub struct SqlStore<D: Dialect> {
    /// Reads (PostgreSQL: the same pool as the writes).
    pub(crate) read: Pool<D::Db>,
    /// Where every write goes (see [`SqlStore::write`]).
    pub(crate) writes: D::Writes,
    dialect: PhantomData<D>,
}

impl<D: Dialect> Clone for SqlStore<D> {
    fn clone(&self) -> Self {
        SqlStore {
            read: self.read.clone(),
            writes: self.writes.clone(),
            dialect: PhantomData,
        }
    }
}

impl<D: Dialect> SqlStore<D> {
    /// A store that reads from `read` and writes through `writes`.
    pub(crate) fn new(read: Pool<D::Db>, writes: D::Writes) -> Self {
        SqlStore {
            read,
            writes,
            dialect: PhantomData,
        }
    }

    /// Runs `write` in a write transaction and returns its outcome once committed: SQLite
    /// shares the transaction with the other writes waiting (see `dialect/sqlite/writer.rs`),
    /// PostgreSQL gives each its own. An `Err` from `write` commits nothing of it.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        write: impl WriteFn<D::Writer, T>,
    ) -> StoreResult<T> {
        D::write(&self.writes, write).await
    }

    /// Closes every connection (SQLite: checkpointing the WAL into the database file).
    pub async fn close(&self) {
        self.read.close().await;
        D::close(&self.writes).await;
    }
}
