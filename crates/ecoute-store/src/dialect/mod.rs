//! What truly differs between the two backends, and the one store written over it.
//!
//! [`SqlStore`] holds the pools; every store method's SQL and logic is written once, in
//! `src/sql/` (one file per store trait), generic over a [`Dialect`]. A dialect names the
//! `sqlx` database and says what SQL cannot say the same way on both: how a contact id is
//! stored, how a write transaction begins, the row-locking clause, how joins to one queue are
//! serialised, which failures a retry resolves, and how "next" picks the head of the queue.
//! Connecting, pools, backups and the migrations live in each dialect's own file.
//!
//! SQL text is shared as is: SQLite accepts PostgreSQL's `$1` placeholders.

pub mod postgres;
pub mod sqlite;

use crate::group_commit::{BoxFuture, GroupCommit};
use crate::{StoreError, StoreResult, TakeOutcome};
use ecoute_domain::{CentreId, ContactId, Timestamp, UserId};
use sqlx::{Database, Decode, Encode, Pool, Transaction, Type};
use std::future::Future;
use std::marker::PhantomData;

/// What differs between SQLite and PostgreSQL.
pub trait Dialect: Send + Sync + Sized + 'static {
    /// The `sqlx` database.
    type Db: Database;
    /// How a contact id is stored: lowercase hyphenated `TEXT` in SQLite, `UUID` in PostgreSQL.
    type Id: for<'q> Encode<'q, Self::Db>
        + for<'r> Decode<'r, Self::Db>
        + Type<Self::Db>
        + Send
        + Sync
        + Unpin
        + 'static;
    /// The statement that opens a write transaction.
    const BEGIN_WRITE: &'static str;
    /// Appended to a `SELECT` of rows the transaction is about to write: locks them against
    /// other writers until it ends (empty where the write transaction already excludes them).
    const ROW_LOCK: &'static str;
    /// A collation that sorts text byte by byte, the same on both backends whatever the
    /// database's locale.
    const BYTEWISE: &'static str;
    /// Transactions that fail in a way a retry resolves are run this many times at most.
    const ATTEMPTS: usize;
    /// Run first in a read transaction that must see every table as of one instant (`None`:
    /// a read transaction already does).
    const SNAPSHOT: Option<&'static str>;

    /// The stored form of a contact id.
    fn id(id: ContactId) -> Self::Id;
    /// A contact id read back; one the code cannot read is [`StoreError::Corrupt`].
    fn contact_id(stored: Self::Id) -> StoreResult<ContactId>;
    /// Rows a statement changed.
    fn rows_affected(done: &<Self::Db as Database>::QueryResult) -> u64;
    /// Whether the server aborted a transaction in a way that running it again resolves.
    fn retryable(e: &StoreError) -> bool;
    /// A statement that keeps every other writer off `tables` (a comma-separated list) until
    /// the transaction ends (`None`: the write transaction already does).
    fn lock_tables(tables: &str) -> Option<String>;
    /// A statement that makes the generated ids of `table` continue after its largest id,
    /// once rows were inserted with explicit ids (`None`: they always do).
    fn continue_ids(table: &str) -> Option<String>;
    /// "Next", once the listener is known and under capacity: gives `listener` the head of
    /// `centre`'s queue in serve order and commits `tx` (see each dialect for how two
    /// listeners never get the same contact and nobody waiting is skipped).
    fn take_head(
        tx: Transaction<'static, Self::Db>,
        centre: CentreId,
        listener: UserId,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<TakeOutcome>> + Send;
}

/// The store, over either backend: [`sqlite::SqliteStore`] or [`postgres::PgStore`].
pub struct SqlStore<D: Dialect> {
    /// Every write transaction (SQLite: one connection, so writers go one at a time).
    pub(crate) write: Pool<D::Db>,
    /// Reads (PostgreSQL: the same pool as `write`).
    pub(crate) read: Pool<D::Db>,
    /// Where writes share transactions (SQLite, with its one writer); `None`: each write has
    /// its own (PostgreSQL, whose many connections commit in parallel).
    group: Option<GroupCommit<D::Db>>,
    dialect: PhantomData<D>,
}

impl<D: Dialect> Clone for SqlStore<D> {
    fn clone(&self) -> Self {
        SqlStore {
            write: self.write.clone(),
            read: self.read.clone(),
            group: self.group.clone(),
            dialect: PhantomData,
        }
    }
}

impl<D: Dialect> SqlStore<D> {
    /// A store over these pools; with `group`, its [`SqlStore::write`]s share transactions.
    pub(crate) fn with_pools(
        write: Pool<D::Db>,
        read: Pool<D::Db>,
        group: Option<GroupCommit<D::Db>>,
    ) -> Self {
        SqlStore {
            write,
            read,
            group,
            dialect: PhantomData,
        }
    }

    /// Runs `write` in a write transaction and returns its outcome once committed: a
    /// transaction shared with the other writes waiting (see [`crate::group_commit`]) where
    /// the backend has one writer, its own otherwise. An `Err` from `write` commits nothing
    /// of it.
    pub(crate) async fn write<T, F>(&self, write: F) -> StoreResult<T>
    where
        F: for<'c> FnOnce(&'c mut <D::Db as Database>::Connection) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + 'static,
        T: Send + 'static,
    {
        match &self.group {
            Some(group) => group.write(write).await,
            None => {
                let mut tx = self.begin_write().await?;
                let value = write(&mut tx).await?;
                tx.commit().await?;
                Ok(value)
            }
        }
    }

    /// A write transaction, begun as the dialect says.
    pub(crate) async fn begin_write(&self) -> StoreResult<Transaction<'static, D::Db>> {
        Ok(self.write.begin_with(D::BEGIN_WRITE).await?)
    }

    /// Closes every connection (SQLite: checkpointing the WAL into the database file).
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
