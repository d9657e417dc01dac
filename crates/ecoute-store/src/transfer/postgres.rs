//! [`Transfer`] for PostgreSQL: reads in one `REPEATABLE READ` snapshot; writes in one
//! transaction that first locks every table against other writers (an instance still running
//! on the target, a second copy-data), then resets the identity generators.

use super::{
    chunk_rows, insert_into, not_empty, select_all, validate, Dump, Kind, Row, TableCount,
    Transfer, Value, DEFAULT_CENTRE_ID, GENERATED_IDS, TABLES,
};
use crate::postgres::PgStore;
use crate::records::count;
use crate::{StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row as _, Transaction};

async fn counts(conn: &mut PgConnection) -> StoreResult<Vec<TableCount>> {
    let mut out = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", table.name))
            .fetch_one(&mut *conn)
            .await?;
        out.push(TableCount {
            table: table.name,
            rows: count(n)?,
        });
    }
    Ok(out)
}

/// A read-only transaction that sees one snapshot of every table.
async fn snapshot(store: &PgStore) -> StoreResult<Transaction<'static, Postgres>> {
    let mut tx = store.pool().begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

fn value(row: &PgRow, index: usize, kind: Kind) -> Result<Value, sqlx::Error> {
    Ok(match kind {
        Kind::Int => row.try_get::<Option<i64>, _>(index)?.map(Value::Int),
        Kind::Int32 => row
            .try_get::<Option<i32>, _>(index)?
            .map(|n| Value::Int(n.into())),
        Kind::Bool => row.try_get::<Option<bool>, _>(index)?.map(Value::Bool),
        Kind::Uuid => row
            .try_get::<Option<uuid::Uuid>, _>(index)?
            .map(|u| Value::Text(u.to_string())),
        Kind::Text => row.try_get::<Option<String>, _>(index)?.map(Value::Text),
    }
    .unwrap_or(Value::Null))
}

#[async_trait]
impl Transfer for PgStore {
    async fn table_counts(&self) -> StoreResult<Vec<TableCount>> {
        let mut tx = snapshot(self).await?;
        let out = counts(&mut tx).await?;
        tx.rollback().await?;
        Ok(out)
    }

    async fn export_all(&self) -> StoreResult<Dump> {
        let mut tx = snapshot(self).await?;
        let mut dump = Dump::default();
        for table in TABLES {
            let mut rows: Vec<Row> = Vec::new();
            for row in sqlx::query(&select_all(table)).fetch_all(&mut *tx).await? {
                let values = table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, (column, kind))| {
                        value(&row, i, *kind).map_err(|e| {
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
        let mut tx = self.pool().begin().await?;
        let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        // EXCLUSIVE still lets readers read, but no one else writes until we commit: the
        // emptiness checked below stays true while we fill the tables.
        sqlx::query(&format!(
            "LOCK TABLE {} IN EXCLUSIVE MODE",
            names.join(", ")
        ))
        .execute(&mut *tx)
        .await?;
        let other_centres: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM centres WHERE id <> $1")
            .bind(DEFAULT_CENTRE_ID)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(why) = not_empty(&counts(&mut tx).await?, other_centres == 0) {
            return Err(StoreError::Conflict(why));
        }
        // The fresh store's default centre gives way to the source's centres.
        sqlx::query("DELETE FROM centres").execute(&mut *tx).await?;
        for (table, (_, rows)) in TABLES.iter().zip(&dump.tables) {
            for chunk in rows.chunks(chunk_rows(table)) {
                let mut insert = QueryBuilder::<Postgres>::new(insert_into(table));
                insert.push_values(chunk, |mut b, row| {
                    // `validate` checked every value against its column's kind, so the
                    // conversions below cannot fail; NULLs are typed for PostgreSQL.
                    for (value, (_, kind)) in row.iter().zip(table.columns) {
                        match (kind, value) {
                            (Kind::Int, v) => b.push_bind(int(v)),
                            (Kind::Int32, v) => {
                                b.push_bind(int(v).and_then(|n| i32::try_from(n).ok()))
                            }
                            (Kind::Bool, v) => b.push_bind(match v {
                                Value::Bool(v) => Some(*v),
                                _ => None,
                            }),
                            (Kind::Uuid, v) => {
                                b.push_bind(text(v).and_then(|s| uuid::Uuid::parse_str(s).ok()))
                            }
                            (Kind::Text, v) => b.push_bind(text(v).map(str::to_owned)),
                        };
                    }
                });
                insert.build().execute(&mut *tx).await?;
            }
        }
        // Identity columns do not move when ids are inserted explicitly: without this, the
        // next account created would collide with the first one copied.
        for table in GENERATED_IDS {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence($1, 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            ))
            .bind(*table)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
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
