//! The statements a write runs, said the same way on every backend.
//!
//! Every write of the store is written once over [`Run`]: it runs statements (`exec`,
//! `optional`, `all`) with arguments ([`Arg`]) and reads rows by column name ([`Columns`]).
//! PostgreSQL runs it through `sqlx`, in a transaction of its own; SQLite on its one writing
//! connection through `rusqlite`, on a thread of its own, where a whole group of writes runs
//! without a thread hand-off per statement (see `dialect/sqlite/writer.rs` on why). Reads
//! run through `sqlx` on both, and read their rows with the same [`Columns`].
//!
//! SQL text is shared as is: both backends number placeholders `$1`, `$2`, … in the order of
//! the arguments, whatever order the text uses them in.

use crate::{StoreError, StoreResult};
use ecoute_domain::{AlertId, ApplicationId, ContactId, ThreadId};
use std::future::Future;
use uuid::Uuid;

/// A value bound to a placeholder. Each is typed even when it is NULL (PostgreSQL needs it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arg<'a> {
    /// A 64-bit integer (`INTEGER` / `BIGINT`).
    Int(Option<i64>),
    /// A 32-bit integer (`INTEGER` / `INT`).
    Int32(Option<i32>),
    /// A boolean (`INTEGER` 0 or 1 / `BOOLEAN`).
    Bool(Option<bool>),
    /// Text.
    Text(Option<&'a str>),
    /// A UUID: a contact's or a thread's id (lowercase hyphenated `TEXT` / `UUID`).
    Uuid(Option<Uuid>),
}

macro_rules! arg_from {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl<'a> From<$t> for Arg<'a> {
            fn from(v: $t) -> Self {
                Arg::$variant(Some(v))
            }
        }
        impl<'a> From<Option<$t>> for Arg<'a> {
            fn from(v: Option<$t>) -> Self {
                Arg::$variant(v)
            }
        }
    )*};
}

arg_from!(i64 => Int, i32 => Int32, bool => Bool, &'a str => Text, Uuid => Uuid);

macro_rules! uuid_arg_from {
    ($($t:ty),*) => {$(
        impl<'a> From<$t> for Arg<'a> {
            fn from(v: $t) -> Self {
                Arg::Uuid(Some(v.0))
            }
        }
        impl<'a> From<Option<$t>> for Arg<'a> {
            fn from(v: Option<$t>) -> Self {
                Arg::Uuid(v.map(|id| id.0))
            }
        }
    )*};
}

uuid_arg_from!(ContactId, ThreadId, ApplicationId, AlertId);

/// Runs statements: the connection of a write transaction.
pub trait Run: Send {
    /// A row read back, owned.
    type Row: Columns + Send + Sync;

    /// Runs a statement that returns no rows; how many rows it changed.
    fn exec(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<u64>> + Send;

    /// The first row of a query, if any.
    fn optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<Option<Self::Row>>> + Send;

    /// Every row of a query.
    fn all(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<Vec<Self::Row>>> + Send;

    /// The first row of a query that always returns one (a count, `RETURNING`); none is
    /// [`StoreError::NotFound`].
    fn one(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<Self::Row>> + Send
    where
        Self: Sized,
    {
        async move { self.optional(sql, args).await?.ok_or(StoreError::NotFound) }
    }
}

/// A row's columns, read by name; a missing column, an unexpected NULL or a value of another
/// type is [`StoreError::Corrupt`], never a panic.
pub trait Columns {
    /// An integer column.
    fn int(&self, col: &str) -> StoreResult<Option<i64>>;
    /// A 32-bit integer column.
    fn int32(&self, col: &str) -> StoreResult<Option<i32>>;
    /// A boolean column.
    fn flag(&self, col: &str) -> StoreResult<Option<bool>>;
    /// A text column.
    fn text(&self, col: &str) -> StoreResult<Option<String>>;
    /// A UUID column (a contact's or a thread's id).
    fn uuid(&self, col: &str) -> StoreResult<Option<Uuid>>;

    /// Column `col` as a `T`.
    fn get<T: Column>(&self, col: &str) -> StoreResult<T> {
        T::read(self, col)
    }
}

/// A type a column is read as (see [`Columns::get`]); `Option<T>` reads NULL as `None`.
pub trait Column: Sized {
    /// Reads column `col` of `row`.
    fn read<R: Columns + ?Sized>(row: &R, col: &str) -> StoreResult<Self>;
}

macro_rules! column {
    ($($t:ty => $method:ident),* $(,)?) => {$(
        impl Column for Option<$t> {
            fn read<R: Columns + ?Sized>(row: &R, col: &str) -> StoreResult<Self> {
                row.$method(col)
            }
        }
        impl Column for $t {
            fn read<R: Columns + ?Sized>(row: &R, col: &str) -> StoreResult<Self> {
                row.$method(col)?
                    .ok_or_else(|| StoreError::Corrupt(format!("column {col}: NULL")))
            }
        }
    )*};
}

column!(i64 => int, i32 => int32, bool => flag, String => text, Uuid => uuid);

macro_rules! uuid_column {
    ($($t:ident),*) => {$(
        impl Column for Option<$t> {
            fn read<R: Columns + ?Sized>(row: &R, col: &str) -> StoreResult<Self> {
                Ok(row.uuid(col)?.map($t))
            }
        }
        impl Column for $t {
            fn read<R: Columns + ?Sized>(row: &R, col: &str) -> StoreResult<Self> {
                Ok($t(row.get(col)?))
            }
        }
    )*};
}

uuid_column!(ContactId, ThreadId, ApplicationId, AlertId);

/// Implements [`Columns`] for a `sqlx` row type whose UUIDs are stored as `$id`.
macro_rules! sqlx_columns {
    ($row:ty, $id:ty, $to_uuid:expr) => {
        impl $crate::query::Columns for $row {
            fn int(&self, col: &str) -> $crate::StoreResult<Option<i64>> {
                $crate::query::sqlx_get(self, col)
            }
            fn int32(&self, col: &str) -> $crate::StoreResult<Option<i32>> {
                $crate::query::sqlx_get(self, col)
            }
            fn flag(&self, col: &str) -> $crate::StoreResult<Option<bool>> {
                $crate::query::sqlx_get(self, col)
            }
            fn text(&self, col: &str) -> $crate::StoreResult<Option<String>> {
                $crate::query::sqlx_get(self, col)
            }
            fn uuid(&self, col: &str) -> $crate::StoreResult<Option<uuid::Uuid>> {
                $crate::query::sqlx_get::<_, Option<$id>>(self, col)?
                    .map($to_uuid)
                    .transpose()
            }
        }
    };
}
pub(crate) use sqlx_columns;

/// Column `col` of a `sqlx` row; a missing column or an undecodable value is corrupt.
pub(crate) fn sqlx_get<'r, R, T>(row: &'r R, col: &str) -> StoreResult<T>
where
    R: sqlx::Row,
    T: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    row.try_get(col)
        .map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
}

/// A UUID read back from its text form; one the code cannot read is corrupt.
pub(crate) fn uuid_from_text(stored: String) -> StoreResult<Uuid> {
    Uuid::parse_str(&stored).map_err(|_| StoreError::Corrupt(format!("id {stored:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of two columns, `n` (an integer) and `s` (NULL).
    struct Two;

    impl Columns for Two {
        fn int(&self, col: &str) -> StoreResult<Option<i64>> {
            match col {
                "n" => Ok(Some(7)),
                "s" => Ok(None),
                _ => Err(StoreError::Corrupt(format!("no column {col}"))),
            }
        }
        fn int32(&self, col: &str) -> StoreResult<Option<i32>> {
            Err(StoreError::Corrupt(format!("column {col}: not INT")))
        }
        fn flag(&self, col: &str) -> StoreResult<Option<bool>> {
            self.int32(col).map(|_| None)
        }
        fn text(&self, col: &str) -> StoreResult<Option<String>> {
            self.int(col).map(|v| v.map(|n| n.to_string()))
        }
        fn uuid(&self, col: &str) -> StoreResult<Option<Uuid>> {
            self.int32(col).map(|_| None)
        }
    }

    #[test]
    fn a_null_reads_as_none_or_as_corrupt() {
        assert_eq!(Two.get::<i64>("n").expect("n"), 7);
        assert_eq!(Two.get::<Option<i64>>("s").expect("s"), None);
        assert!(matches!(Two.get::<i64>("s"), Err(StoreError::Corrupt(m)) if m.contains("NULL")));
        assert!(matches!(Two.get::<i64>("x"), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn arguments_keep_their_type_when_null() {
        assert_eq!(Arg::from(None::<&str>), Arg::Text(None));
        assert_eq!(Arg::from(3_i32), Arg::Int32(Some(3)));
    }

    #[test]
    fn ids_are_read_back_or_corrupt() {
        let id = Uuid::new_v4();
        assert_eq!(uuid_from_text(id.to_string()).expect("parse"), id);
        assert_eq!(Arg::from(ThreadId(id)), Arg::Uuid(Some(id)));
        assert_eq!(Arg::from(None::<ContactId>), Arg::Uuid(None));
        assert!(matches!(
            uuid_from_text("nope".into()),
            Err(StoreError::Corrupt(_))
        ));
    }
}
