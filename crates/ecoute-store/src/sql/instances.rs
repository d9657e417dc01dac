//! [`InstanceStore`]: liveness of the instances sharing the store.

use crate::dialect::{Dialect, SqlStore};
use crate::query::{Columns, Run};
use crate::{DeadConnections, InstanceStore, StoreResult};
use async_trait::async_trait;
use ecoute_domain::{Timestamp, UserId};

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
impl<D: Dialect> InstanceStore for SqlStore<D> {
    async fn heartbeat(&self, instance: i64, now: Timestamp) -> StoreResult<()> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.exec(
                    "INSERT INTO instances (id, heartbeat_at) VALUES ($1, $2) \
                     ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
                    &[instance.into(), now.0.into()],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    // This locks several contact rows in one statement; no other write does that to rows
    // that are not ended, but a deadlock reported by the server is run again all the same
    // (as every write on PostgreSQL).
    async fn detach_dead_instances(&self, stale_before: Timestamp) -> StoreResult<DeadConnections> {
        self.write(move |tx| {
            Box::pin(async move {
                let dead = tx
                    .all(DELETE_DEAD_INSTANCES, &[stale_before.0.into()])
                    .await?;
                let mut found = DeadConnections::default();
                for row in dead {
                    let instance: i64 = row.get("id")?;
                    let last_heartbeat: i64 = row.get("heartbeat_at")?;
                    let args = [instance.into(), last_heartbeat.into()];
                    for person in tx.all(DETACH_DEAD_PERSONS, &args).await? {
                        found.persons.push(person.get("id")?);
                    }
                    for listener in tx.all(DETACH_DEAD_LISTENERS, &args).await? {
                        found.listeners.push(UserId(listener.get("user_id")?));
                    }
                }
                Ok(found)
            })
        })
        .await
    }
}
