//! [`Transfer`] for SQLite: reads in one read transaction (a WAL snapshot), writes in one
//! `BEGIN IMMEDIATE` transaction (no other writer in between).

use super::{
    chunk_rows, insert_into, not_empty, select_all, validate, Dump, Kind, Row, TableCount,
    Transfer, Value, DEFAULT_CENTRE_ID, TABLES,
};
use crate::records::count;
use crate::sqlite::SqliteStore;
use crate::{StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row as _, Sqlite, SqliteConnection};

async fn counts(conn: &mut SqliteConnection) -> StoreResult<Vec<TableCount>> {
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

fn value(row: &SqliteRow, index: usize, kind: Kind) -> Result<Value, sqlx::Error> {
    Ok(match kind {
        Kind::Int | Kind::Int32 => row.try_get::<Option<i64>, _>(index)?.map(Value::Int),
        Kind::Bool => row.try_get::<Option<bool>, _>(index)?.map(Value::Bool),
        Kind::Uuid | Kind::Text => row.try_get::<Option<String>, _>(index)?.map(Value::Text),
    }
    .unwrap_or(Value::Null))
}

#[async_trait]
impl Transfer for SqliteStore {
    async fn table_counts(&self) -> StoreResult<Vec<TableCount>> {
        let mut tx = self.pools().1.begin().await?;
        let out = counts(&mut tx).await?;
        tx.rollback().await?;
        Ok(out)
    }

    async fn export_all(&self) -> StoreResult<Dump> {
        let mut tx = self.pools().1.begin().await?;
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
        let mut tx = self.pools().0.begin_with("BEGIN IMMEDIATE").await?;
        let other_centres: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM centres WHERE id <> $1")
            .bind(DEFAULT_CENTRE_ID)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(why) = not_empty(&counts(&mut tx).await?, other_centres == 0) {
            return Err(StoreError::Conflict(why));
        }
        // The fresh store's default centre gives way to the source's centres (which include
        // it, under whatever name the source gave it).
        sqlx::query("DELETE FROM centres").execute(&mut *tx).await?;
        for (table, (_, rows)) in TABLES.iter().zip(&dump.tables) {
            for chunk in rows.chunks(chunk_rows(table)) {
                let mut insert = QueryBuilder::<Sqlite>::new(insert_into(table));
                insert.push_values(chunk, |mut b, row| {
                    for value in row {
                        match value {
                            Value::Null => b.push_bind(None::<i64>),
                            Value::Int(n) => b.push_bind(*n),
                            Value::Bool(v) => b.push_bind(*v),
                            Value::Text(s) => b.push_bind(s.as_str()),
                        };
                    }
                });
                insert.build().execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
