//! [`InstanceStore`]: liveness of the instances sharing the store.

use super::{Args, Conn, Db, DbRow, Scalar};
use crate::dialect::{Dialect, SqlStore};
use crate::{DeadConnections, InstanceStore, StoreResult};
use async_trait::async_trait;
use ecoute_domain::{Timestamp, UserId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

/// Deletes the instances whose last heartbeat is at or before `$1`, returning each one's id
/// and last heartbeat. Deleting is what claims them: a concurrent caller cannot delete them
/// again, so each dead instance is processed once (SQLite: the write transaction excludes
/// the other caller; PostgreSQL: deleting the rows locks them, and a concurrent call blocks
/// on them, then finds them gone once this commits, and moves on to the others).
const DELETE_DEAD_INSTANCES: &str =
    "DELETE FROM instances WHERE heartbeat_at <= $1 RETURNING id, heartbeat_at";

/// Detaches, as of `$2`, the persons connected through instance `$1` (a connection id's
/// instance is its upper 32 bits); returns their contacts. Ended contacts are left alone:
/// nobody sweeps them, and leaving them out keeps this update off the rows the purge writes.
/// Under PostgreSQL's READ COMMITTED a row that a concurrent attach is moving to a live
/// instance is re-checked after that write commits, and then left alone.
const DETACH_DEAD_PERSONS: &str = "UPDATE contacts \
    SET person_conn = NULL, person_away_since = $2 \
    WHERE (person_conn >> 32) = $1 AND person_away_since IS NULL AND state <> 'ended' \
    RETURNING id";

/// Detaches, as of `$2`, the listeners whose workspace was connected through instance `$1`;
/// returns them.
const DETACH_DEAD_LISTENERS: &str = "UPDATE listener_presence \
    SET conn = NULL, away_since = $2 \
    WHERE (conn >> 32) = $1 AND away_since IS NULL \
    RETURNING user_id";

#[async_trait]
impl<D> InstanceStore for SqlStore<D>
where
    D: Dialect,
    for<'c> &'c mut Conn<D>: Executor<'c, Database = Db<D>>,
    for<'q> Args<'q, D>: IntoArguments<'q, Db<D>>,
    i64: Scalar<Db<D>>,
    i32: Scalar<Db<D>>,
    bool: Scalar<Db<D>>,
    String: Scalar<Db<D>>,
    Option<i64>: Scalar<Db<D>>,
    for<'q> &'q str: Encode<'q, Db<D>> + Type<Db<D>>,
    for<'q> Option<&'q str>: Encode<'q, Db<D>>,
    for<'a> &'a str: ColumnIndex<DbRow<D>>,
    usize: ColumnIndex<DbRow<D>>,
{
    async fn heartbeat(&self, instance: i64, now: Timestamp) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO instances (id, heartbeat_at) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
        )
        .bind(instance)
        .bind(now.0)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn detach_dead_instances(&self, stale_before: Timestamp) -> StoreResult<DeadConnections> {
        // This locks several contact rows in one statement; no other write does that to rows
        // that are not ended, but a deadlock reported by the server is retried all the same.
        let mut attempt = 1;
        loop {
            let outcome = async {
                let mut tx = self.begin_write().await?;
                let dead: Vec<(i64, i64)> = sqlx::query_as(DELETE_DEAD_INSTANCES)
                    .bind(stale_before.0)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut found = DeadConnections::default();
                for (instance, last_heartbeat) in dead {
                    let persons: Vec<D::Id> = sqlx::query_scalar(DETACH_DEAD_PERSONS)
                        .bind(instance)
                        .bind(last_heartbeat)
                        .fetch_all(&mut *tx)
                        .await?;
                    for id in persons {
                        found.persons.push(D::contact_id(id)?);
                    }
                    let listeners: Vec<i64> = sqlx::query_scalar(DETACH_DEAD_LISTENERS)
                        .bind(instance)
                        .bind(last_heartbeat)
                        .fetch_all(&mut *tx)
                        .await?;
                    found.listeners.extend(listeners.into_iter().map(UserId));
                }
                tx.commit().await?;
                Ok(found)
            }
            .await;
            match outcome {
                Err(e) if D::retryable(&e) && attempt < D::ATTEMPTS => attempt += 1,
                outcome => return outcome,
            }
        }
    }
}
