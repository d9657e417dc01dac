//! [`PresenceStore`]: listeners' presence and workspace connections.

use super::{count, get, write_error, Args, Conn, Db, DbRow, Scalar};
use crate::dialect::{Dialect, SqlStore};
use crate::query::Run;
use crate::{CentreCounts, Duty, PresenceStore, StoreError, StoreResult};
use async_trait::async_trait;
use ecoute_domain::{CentreId, Presence, Timestamp, UserId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Row, Type};
use std::collections::BTreeMap;

/// Sets listener `$1` offline at `$3` if away since `$2` or earlier and not offline yet.
const SET_OFFLINE_IF_AWAY: &str = "UPDATE listener_presence \
    SET presence = 'offline', changed_at = $3 WHERE user_id = $1 AND presence <> 'offline' \
    AND away_since IS NOT NULL AND away_since <= $2";

/// Listeners away since `$1` or earlier who still hold a presence or a conversation.
const LISTENERS_AWAY_QUERY: &str = "SELECT p.user_id FROM listener_presence p \
    WHERE p.away_since <= $1 AND (p.presence <> 'offline' OR EXISTS (SELECT 1 FROM contacts c \
        WHERE c.state = 'active' AND c.listener_id = p.user_id)) \
    ORDER BY p.away_since, p.user_id";

/// Available, enabled listeners per centre, and those of them with no conversation; the
/// `WHERE` that follows chooses the centres.
const DUTY_QUERY: &str = "SELECT u.centre_id, COUNT(*) AS on_duty, \
    COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM contacts c \
        WHERE c.state = 'active' AND c.listener_id = u.id) THEN 0 ELSE 1 END), 0) AS free \
    FROM users u JOIN listener_presence p ON p.user_id = u.id \
    WHERE p.presence = 'available' AND NOT u.disabled";

/// Waiting and active contacts per centre.
const CONTACT_COUNTS_QUERY: &str = "SELECT centre_id, \
    SUM(CASE WHEN state = 'waiting' THEN 1 ELSE 0 END) AS waiting, \
    SUM(CASE WHEN state = 'active' THEN 1 ELSE 0 END) AS active \
    FROM contacts WHERE state IN ('waiting', 'active') GROUP BY centre_id";

fn slot(map: &mut BTreeMap<i64, CentreCounts>, centre: i64) -> &mut CentreCounts {
    map.entry(centre).or_insert(CentreCounts {
        centre: CentreId(centre),
        waiting: 0,
        active: 0,
        on_duty: 0,
        free: 0,
    })
}

#[async_trait]
impl<D> PresenceStore for SqlStore<D>
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
    async fn set_presence(
        &self,
        user: UserId,
        presence: Presence,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.exec(
                    // The same presence again keeps its time: "since when" is the duty cap's.
                    "INSERT INTO listener_presence (user_id, presence, changed_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE \
                     SET presence = excluded.presence, changed_at = CASE \
                     WHEN listener_presence.presence = excluded.presence \
                     AND listener_presence.changed_at IS NOT NULL \
                     THEN listener_presence.changed_at ELSE excluded.changed_at END",
                    &[user.0.into(), presence.as_str().into(), now.0.into()],
                )
                .await
                .map_err(|e| write_error(e, "presence refused"))?;
                Ok(())
            })
        })
        .await
    }

    async fn set_offline_if_away(
        &self,
        user: UserId,
        before: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.write(move |tx| {
            Box::pin(async move {
                let changed = tx
                    .exec(
                        SET_OFFLINE_IF_AWAY,
                        &[user.0.into(), before.0.into(), now.0.into()],
                    )
                    .await?;
                Ok(changed > 0)
            })
        })
        .await
    }

    async fn presence(&self, user: UserId) -> StoreResult<Presence> {
        let p: Option<String> =
            sqlx::query_scalar("SELECT presence FROM listener_presence WHERE user_id = $1")
                .bind(user.0)
                .fetch_optional(&self.read)
                .await?;
        match p {
            None => Ok(Presence::Offline),
            Some(p) => {
                Presence::parse(&p).ok_or_else(|| StoreError::Corrupt(format!("presence {p:?}")))
            }
        }
    }

    async fn presence_since(&self, user: UserId) -> StoreResult<(Presence, Option<Timestamp>)> {
        let row =
            sqlx::query("SELECT presence, changed_at FROM listener_presence WHERE user_id = $1")
                .bind(user.0)
                .fetch_optional(&self.read)
                .await?;
        let Some(row) = row else {
            return Ok((Presence::Offline, None));
        };
        let p: String = get(&row, "presence")?;
        let presence =
            Presence::parse(&p).ok_or_else(|| StoreError::Corrupt(format!("presence {p:?}")))?;
        let since: Option<i64> = get(&row, "changed_at")?;
        Ok((presence, since.map(Timestamp)))
    }

    async fn attach_listener(&self, user: UserId, conn: i64) -> StoreResult<()> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.exec(
                    "INSERT INTO listener_presence (user_id, presence, conn) \
                     VALUES ($1, 'offline', $2) ON CONFLICT (user_id) \
                     DO UPDATE SET conn = excluded.conn, away_since = NULL",
                    &[user.0.into(), conn.into()],
                )
                .await
                .map_err(|e| write_error(e, "connection refused"))?;
                Ok(())
            })
        })
        .await
    }

    async fn detach_listener(&self, user: UserId, conn: i64, now: Timestamp) -> StoreResult<bool> {
        self.write(move |tx| {
            Box::pin(async move {
                let changed = tx
                    .exec(
                        "UPDATE listener_presence SET conn = NULL, away_since = $3 \
                         WHERE user_id = $1 AND conn = $2",
                        &[user.0.into(), conn.into(), now.0.into()],
                    )
                    .await?;
                Ok(changed > 0)
            })
        })
        .await
    }

    async fn listeners_away_since(&self, before: Timestamp) -> StoreResult<Vec<UserId>> {
        let ids: Vec<i64> = sqlx::query_scalar(LISTENERS_AWAY_QUERY)
            .bind(before.0)
            .fetch_all(&self.read)
            .await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    async fn duty(&self, centre: CentreId) -> StoreResult<Duty> {
        let row = sqlx::query(&format!(
            "{DUTY_QUERY} AND u.centre_id = $1 GROUP BY u.centre_id"
        ))
        .bind(centre.0)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else {
            return Ok(Duty::default());
        };
        Ok(Duty {
            on_duty: count(get(&row, "on_duty")?)? as usize,
            free: count(get(&row, "free")?)? as usize,
        })
    }

    async fn live_counts(&self) -> StoreResult<Vec<CentreCounts>> {
        let contacts = sqlx::query(CONTACT_COUNTS_QUERY)
            .fetch_all(&self.read)
            .await?;
        let duty = sqlx::query(&format!("{DUTY_QUERY} GROUP BY u.centre_id"))
            .fetch_all(&self.read)
            .await?;
        let mut by_centre = BTreeMap::new();
        for row in &contacts {
            let c = slot(&mut by_centre, get(row, "centre_id")?);
            c.waiting = count(get(row, "waiting")?)?;
            c.active = count(get(row, "active")?)?;
        }
        for row in &duty {
            let c = slot(&mut by_centre, row.try_get("centre_id")?);
            c.on_duty = count(get(row, "on_duty")?)?;
            c.free = count(get(row, "free")?)?;
        }
        Ok(by_centre.into_values().collect())
    }
}
