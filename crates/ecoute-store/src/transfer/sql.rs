//! [`Transfer`] for both backends, written once: reads every table in one snapshot (SQLite:
//! a read transaction sees one WAL snapshot; PostgreSQL: `REPEATABLE READ`), writes in one
//! write transaction that first holds off every other writer (SQLite: `BEGIN IMMEDIATE`;
//! PostgreSQL: `LOCK TABLE … IN EXCLUSIVE MODE`, which still lets readers read), then makes
//! generated ids continue after the largest one copied.

use super::{
    chunk_rows, insert_into, not_empty, select_all, validate, Dump, Kind, Row, TableCount,
    Transfer, Value, DEFAULT_CENTRE_ID, GENERATED_IDS, TABLES,
};
use crate::dialect::{Dialect, SqlStore};
use crate::query::{Arg, Columns, Run};
use crate::sql::{count, Args, Conn, Db, DbRow, Scalar};
use crate::{StoreError, StoreResult};
use async_trait::async_trait;
use ecoute_domain::ContactId;
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Row as _, Type};
use std::sync::Arc;

#[async_trait]
impl<D> Transfer for SqlStore<D>
where
    D: Dialect,
    for<'c> &'c mut Conn<D>: Executor<'c, Database = Db<D>>,
    for<'q> Args<'q, D>: IntoArguments<'q, Db<D>>,
    i64: Scalar<Db<D>>,
    i32: Scalar<Db<D>>,
    bool: Scalar<Db<D>>,
    String: Scalar<Db<D>>,
    Option<i64>: Scalar<Db<D>>,
    Option<i32>: Scalar<Db<D>>,
    Option<bool>: Scalar<Db<D>>,
    Option<D::Id>: Scalar<Db<D>>,
    Option<String>: Scalar<Db<D>>,
    for<'q> &'q str: Encode<'q, Db<D>> + Type<Db<D>>,
    for<'q> Option<&'q str>: Encode<'q, Db<D>>,
    for<'a> &'a str: ColumnIndex<DbRow<D>>,
    usize: ColumnIndex<DbRow<D>>,
{
    async fn table_counts(&self) -> StoreResult<Vec<TableCount>> {
        let mut tx = self.snapshot().await?;
        let row = sqlx::query(&count_all()).fetch_one(&mut *tx).await?;
        tx.rollback().await?;
        counts_of(&row)
    }

    async fn export_all(&self) -> StoreResult<Dump> {
        let mut tx = self.snapshot().await?;
        let mut dump = Dump::default();
        for table in TABLES {
            let mut rows: Vec<Row> = Vec::new();
            for row in sqlx::query(&select_all(table)).fetch_all(&mut *tx).await? {
                let values = table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, (column, kind))| {
                        Self::value(&row, i, *kind).map_err(|e| {
                            StoreError::Corrupt(format!("{}.{column}: {e}", table.name))
                        })
                    })
                    .collect::<StoreResult<Row>>()?;
                rows.push(values);
            }
            rows.sort();
            dump.tables.push((table.name, rows));
        }
        tx.rollback().await?;
        Ok(dump)
    }

    async fn import_all(&self, dump: &Dump) -> StoreResult<()> {
        validate(dump)?;
        let dump = Arc::new(dump.clone());
        self.write(move |tx| {
            let dump = dump.clone();
            Box::pin(async move {
                let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
                // No one else writes until we commit: the emptiness checked below stays true
                // while we fill the tables.
                if let Some(lock) = D::lock_tables(&names.join(", ")) {
                    tx.exec(&lock, &[]).await?;
                }
                let other_centres: i64 = tx
                    .one(
                        "SELECT COUNT(*) AS n FROM centres WHERE id <> $1",
                        &[DEFAULT_CENTRE_ID.into()],
                    )
                    .await?
                    .get("n")?;
                let counts = counts_of(&tx.one(&count_all(), &[]).await?)?;
                if let Some(why) = not_empty(&counts, other_centres == 0) {
                    return Err(StoreError::Conflict(why));
                }
                // The fresh store's default centre gives way to the source's centres (which
                // include it, under whatever name the source gave it).
                tx.exec("DELETE FROM centres", &[]).await?;
                for (table, (_, rows)) in TABLES.iter().zip(&dump.tables) {
                    for chunk in rows.chunks(chunk_rows(table)) {
                        let mut sql = insert_into(table);
                        sql.push_str("VALUES ");
                        let mut args = Vec::with_capacity(chunk.len() * table.columns.len());
                        for (r, row) in chunk.iter().enumerate() {
                            sql.push_str(if r == 0 { "(" } else { ", (" });
                            for (c, (value, (_, kind))) in row.iter().zip(table.columns).enumerate()
                            {
                                if c > 0 {
                                    sql.push_str(", ");
                                }
                                args.push(arg(value, *kind));
                                sql.push_str(&format!("${}", args.len()));
                            }
                            sql.push(')');
                        }
                        tx.exec(&sql, &args).await?;
                    }
                }
                // Identity columns do not move when ids are inserted explicitly: without
                // this, the next account created would collide with the first one copied.
                for table in GENERATED_IDS {
                    if let Some(reset) = D::continue_ids(table) {
                        tx.optional(&reset, &[]).await?;
                    }
                }
                Ok(())
            })
        })
        .await
    }
}

/// One row that counts the rows of every table of [`TABLES`], a column per table.
fn count_all() -> String {
    let counts: Vec<String> = TABLES
        .iter()
        .map(|t| format!("(SELECT COUNT(*) FROM {0}) AS {0}", t.name))
        .collect();
    format!("SELECT {}", counts.join(", "))
}

/// The counts of a row of [`count_all`].
fn counts_of<R: Columns>(row: &R) -> StoreResult<Vec<TableCount>> {
    TABLES
        .iter()
        .map(|table| {
            Ok(TableCount {
                table: table.name,
                rows: count(row.get(table.name)?)?,
            })
        })
        .collect()
}

/// `value` as an argument of its column's `kind`. `validate` checked every value against its
/// kind, so the conversions cannot fail; NULLs are typed too (PostgreSQL needs it).
fn arg(value: &Value, kind: Kind) -> Arg<'_> {
    match kind {
        Kind::Int => int(value).into(),
        Kind::Int32 => int(value).and_then(|n| i32::try_from(n).ok()).into(),
        Kind::Bool => match value {
            Value::Bool(v) => Some(*v),
            _ => None,
        }
        .into(),
        Kind::Uuid => text(value)
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .map(ContactId)
            .into(),
        Kind::Text => text(value).into(),
    }
}

impl<D> SqlStore<D>
where
    D: Dialect,
    for<'c> &'c mut Conn<D>: Executor<'c, Database = Db<D>>,
    for<'q> Args<'q, D>: IntoArguments<'q, Db<D>>,
    i64: Scalar<Db<D>>,
    i32: Scalar<Db<D>>,
    bool: Scalar<Db<D>>,
    String: Scalar<Db<D>>,
    Option<i64>: Scalar<Db<D>>,
    Option<i32>: Scalar<Db<D>>,
    Option<bool>: Scalar<Db<D>>,
    Option<D::Id>: Scalar<Db<D>>,
    Option<String>: Scalar<Db<D>>,
    usize: ColumnIndex<DbRow<D>>,
{
    /// A read transaction that sees one snapshot of every table.
    async fn snapshot(&self) -> StoreResult<sqlx::Transaction<'static, Db<D>>> {
        let mut tx = self.read.begin().await?;
        if let Some(snapshot) = D::SNAPSHOT {
            sqlx::query(snapshot).execute(&mut *tx).await?;
        }
        Ok(tx)
    }

    /// Column `index` of `row` as a backend-neutral value.
    fn value(row: &DbRow<D>, index: usize, kind: Kind) -> StoreResult<Value> {
        Ok(match kind {
            Kind::Int => row.try_get::<Option<i64>, _>(index)?.map(Value::Int),
            Kind::Int32 => row
                .try_get::<Option<i32>, _>(index)?
                .map(|n| Value::Int(n.into())),
            Kind::Bool => row.try_get::<Option<bool>, _>(index)?.map(Value::Bool),
            Kind::Uuid => match row.try_get::<Option<D::Id>, _>(index)? {
                Some(id) => Some(Value::Text(D::uuid(id)?.to_string())),
                None => None,
            },
            Kind::Text => row.try_get::<Option<String>, _>(index)?.map(Value::Text),
        }
        .unwrap_or(Value::Null))
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(n) => Some(*n),
        _ => None,
    }
}

fn text(v: &Value) -> Option<&str> {
    match v {
        Value::Text(s) => Some(s),
        _ => None,
    }
}
