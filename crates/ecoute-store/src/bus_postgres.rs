//! The event bus across instances: PostgreSQL LISTEN/NOTIFY in front of a [`LocalBus`].
//!
//! Publishing delivers to this instance's subscribers at once, then sends a `pg_notify` on
//! one channel; every other instance's background listener receives it and dispatches it to
//! its own [`LocalBus`] (an instance ignores its own notifications, already delivered).
//! NOTIFY delivers notifications in commit order to every listener, so all instances see one
//! publisher's events in the order published.
//!
//! A NOTIFY payload must stay under 8000 bytes. A larger event (a long message) is written to
//! the `bus_payloads` table and the notification carries only its row id; the row and the
//! notification are committed together, so the row is there when the id arrives. Such rows
//! are deleted after [`STORED_PAYLOAD_TTL_MS`].
//!
//! If the listening connection drops, the listener reconnects (with a growing pause while the
//! server stays unreachable). Notifications sent while it was away are lost to this instance,
//! as with any LISTEN: the bus carries hints, and clients re-read the store (messages after
//! the last sequence number they saw) when they reconnect, so nothing committed is lost.

use crate::bus::{EventBus, LocalBus};
use crate::StoreResult;
use async_trait::async_trait;
use ecoute_domain::{Event, Topic};
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgNotification, PgPool};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// The channel ecoute's instances notify each other on.
pub const DEFAULT_CHANNEL: &str = "ecoute_events";
/// Payloads this long or longer go through `bus_payloads` (NOTIFY's limit is 8000 bytes).
const MAX_INLINE_PAYLOAD: usize = 7900;
/// How long a stored payload is kept for the instances to read it.
pub const STORED_PAYLOAD_TTL_MS: i64 = 10 * 60 * 1000;
/// Longest pause between attempts to reconnect the listener.
const MAX_RECONNECT_PAUSE: Duration = Duration::from_secs(10);

/// An event as published.
#[derive(Serialize, Deserialize)]
struct Published {
    topic: Topic,
    event: Event,
}

/// What a notification carries (`P` is `&Published` when sending, `Published` when read).
#[derive(Serialize, Deserialize)]
struct Notice<P> {
    /// The publishing instance.
    origin: Uuid,
    body: Body<P>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Body<P> {
    /// The event itself.
    Inline(P),
    /// The id of the `bus_payloads` row holding the event.
    Stored(i64),
}

/// The PostgreSQL LISTEN/NOTIFY bus.
pub struct PgBus {
    pool: PgPool,
    channel: String,
    origin: Uuid,
    local: Arc<LocalBus>,
    listener: JoinHandle<()>,
}

impl PgBus {
    /// Starts a bus on [`DEFAULT_CHANNEL`]. `pool` must reach a database migrated by
    /// [`crate::postgres::PgStore::connect`] (the bus needs its `bus_payloads` table); the
    /// listener holds one of its connections. Returns once this instance is listening.
    pub async fn start(pool: PgPool) -> StoreResult<Self> {
        Self::start_on_channel(pool, DEFAULT_CHANNEL).await
    }

    /// Starts a bus on `channel` (instances on different channels do not hear each other).
    pub async fn start_on_channel(pool: PgPool, channel: &str) -> StoreResult<Self> {
        let local = Arc::new(LocalBus::new());
        let origin = Uuid::new_v4();
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(channel).await?;
        let task = tokio::spawn(listen(
            listener,
            pool.clone(),
            channel.to_owned(),
            origin,
            local.clone(),
        ));
        Ok(PgBus {
            pool,
            channel: channel.to_owned(),
            origin,
            local,
            listener: task,
        })
    }
}

impl Drop for PgBus {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

#[async_trait]
impl EventBus for PgBus {
    async fn publish(&self, topic: Topic, event: Event) -> StoreResult<()> {
        self.local.dispatch(topic, event.clone());
        let published = Published { topic, event };
        let inline = serde_json::to_string(&Notice {
            origin: self.origin,
            body: Body::Inline(&published),
        })
        .map_err(encode_error)?;
        if inline.len() < MAX_INLINE_PAYLOAD {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(&self.channel)
                .bind(&inline)
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        let payload = serde_json::to_string(&published).map_err(encode_error)?;
        let mut tx = self.pool.begin().await?;
        // Rows every instance has had ample time to read. The database's clock dates them:
        // the one clock every instance shares.
        sqlx::query(&format!(
            "DELETE FROM bus_payloads WHERE created_at < {DATABASE_NOW_MS} - $1"
        ))
        .bind(STORED_PAYLOAD_TTL_MS)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO bus_payloads (payload, created_at) VALUES ($1, {DATABASE_NOW_MS}) \
             RETURNING id"
        ))
        .bind(&payload)
        .fetch_one(&mut *tx)
        .await?;
        let notice = serde_json::to_string(&Notice::<&Published> {
            origin: self.origin,
            body: Body::Stored(id),
        })
        .map_err(encode_error)?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(&self.channel)
            .bind(&notice)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<std::sync::Arc<Event>> {
        self.local.subscribe(topic)
    }
}

fn encode_error(e: serde_json::Error) -> crate::StoreError {
    crate::StoreError::Corrupt(format!("event encoding: {e}"))
}

/// The database's current time in milliseconds since the epoch, in SQL.
const DATABASE_NOW_MS: &str = "(extract(epoch FROM now()) * 1000)::bigint";

/// Receives notifications until the pool closes, reconnecting whenever the connection drops.
async fn listen(
    mut listener: PgListener,
    pool: PgPool,
    channel: String,
    origin: Uuid,
    local: Arc<LocalBus>,
) {
    let mut pause = Duration::from_millis(100);
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                pause = Duration::from_millis(100);
                deliver(&notification, &pool, origin, &local).await;
            }
            // The connection dropped and sqlx reconnected (and listens again).
            Ok(None) => {
                tracing::warn!("event bus: the LISTEN connection dropped; events may be missed")
            }
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                // State unknown after an error: start over with a new listener.
                tracing::warn!("event bus: listening failed ({e}); reconnecting");
                loop {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_RECONNECT_PAUSE);
                    match reconnect(&pool, &channel).await {
                        Ok(fresh) => {
                            listener = fresh;
                            break;
                        }
                        Err(sqlx::Error::PoolClosed) => return,
                        Err(e) => tracing::warn!("event bus: cannot listen yet ({e})"),
                    }
                }
            }
        }
    }
}

async fn reconnect(pool: &PgPool, channel: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(channel).await?;
    Ok(listener)
}

/// Hands a notification from another instance to this instance's subscribers.
async fn deliver(notification: &PgNotification, pool: &PgPool, origin: Uuid, local: &LocalBus) {
    let notice: Notice<Published> = match serde_json::from_str(notification.payload()) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!("event bus: unreadable notification ignored: {e}");
            return;
        }
    };
    if notice.origin == origin {
        return; // Published here, and delivered then.
    }
    let published = match notice.body {
        Body::Inline(p) => p,
        Body::Stored(id) => {
            let payload: Result<Option<String>, _> =
                sqlx::query_scalar("SELECT payload FROM bus_payloads WHERE id = $1")
                    .bind(id)
                    .fetch_optional(pool)
                    .await;
            match payload.map(|p| p.map(|p| serde_json::from_str::<Published>(&p))) {
                Ok(Some(Ok(p))) => p,
                Ok(None) => {
                    tracing::warn!("event bus: stored event {id} is gone");
                    return;
                }
                Ok(Some(Err(e))) => {
                    tracing::warn!("event bus: stored event {id} is unreadable: {e}");
                    return;
                }
                Err(e) => {
                    tracing::warn!("event bus: cannot read stored event {id}: {e}");
                    return;
                }
            }
        }
    };
    local.dispatch(published.topic, published.event);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecoute_domain::CentreId;

    /// What is sent as `Notice<&Published>` reads back as `Notice<Published>`.
    #[test]
    fn wire_format_round_trips() {
        let published = Published {
            topic: Topic::Centre(CentreId(3)),
            event: Event::QueueChanged {
                centre: CentreId(3),
            },
        };
        let origin = Uuid::new_v4();
        let text = serde_json::to_string(&Notice {
            origin,
            body: Body::Inline(&published),
        })
        .expect("encode");
        let back: Notice<Published> = serde_json::from_str(&text).expect("decode");
        assert_eq!(back.origin, origin);
        match back.body {
            Body::Inline(p) => {
                assert_eq!(p.topic, published.topic);
                assert_eq!(p.event, published.event);
            }
            Body::Stored(_) => panic!("inline expected"),
        }
        let text = serde_json::to_string(&Notice::<&Published> {
            origin,
            body: Body::Stored(42),
        })
        .expect("encode");
        let back: Notice<Published> = serde_json::from_str(&text).expect("decode");
        assert!(matches!(back.body, Body::Stored(42)));
    }
}
