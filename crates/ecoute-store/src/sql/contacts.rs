//! [`ContactStore`]: the queue and the lifecycle of conversations.

use super::{count, get, write_error, Args, Conn, Db, DbRow, Scalar, SELECT_CONTACT};
use crate::dialect::{Dialect, SqlStore};
use crate::{Away, ContactStore, NewContact, StoreError, StoreResult, TakeOutcome};
use async_trait::async_trait;
use ecoute_domain::{
    CentreId, Contact, ContactId, ContactState, QueueEntry, Timestamp, Transition, UserId,
};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

/// One row if contact `$1`'s person has been away since `$2` or earlier.
const PERSON_STILL_AWAY: &str = "SELECT 1 FROM contacts \
    WHERE id = $1 AND person_away_since IS NOT NULL AND person_away_since <= $2";

/// One row if listener `$1` has been away since `$2` or earlier.
const LISTENER_STILL_AWAY: &str = "SELECT 1 FROM listener_presence \
    WHERE user_id = $1 AND away_since IS NOT NULL AND away_since <= $2";

/// Waiting or taken contacts that arrived at `$1` or earlier and whose page never attached (no
/// connection now, and no absence recorded, which a connection closing would have left).
const NEVER_CONNECTED: &str = "WHERE state IN ('waiting', 'active') AND person_conn IS NULL \
    AND person_away_since IS NULL AND created_at <= $1";

#[async_trait]
impl<D> ContactStore for SqlStore<D>
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
    async fn create_contact(&self, new: &NewContact) -> StoreResult<Contact> {
        let new = new.clone();
        self.write(move |conn| {
            Box::pin(async move {
                // Count and insert as one step, so that `max_waiting` holds under a burst of joins:
                // the centre's row is locked first (PostgreSQL: joins to one queue wait for each
                // other, while the foreign-key checks of other inserts, which only take KEY SHARE,
                // do not; SQLite: the write transaction already holds the database's write lock).
                sqlx::query(&format!(
                    "SELECT id FROM centres WHERE id = $1{}",
                    D::ROW_LOCK
                ))
                .bind(new.centre.0)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound)?;
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM contacts WHERE centre_id = $1 AND state = 'waiting'",
                )
                .bind(new.centre.0)
                .fetch_one(&mut *conn)
                .await?;
                if count(waiting)? >= new.max_waiting {
                    return Err(StoreError::QueueFull);
                }
                sqlx::query(
                    "INSERT INTO contacts (id, centre_id, channel, state, priority, is_returning, \
                     created_at, queued_at, last_seq, resume_hash) \
                     VALUES ($1, $2, $3, 'waiting', 0, $4, $5, $5, 0, $6)",
                )
                .bind(D::id(new.id))
                .bind(new.centre.0)
                .bind(new.channel.as_str())
                .bind(false)
                .bind(new.now.0)
                .bind(new.resume_hash.as_str())
                .execute(&mut *conn)
                .await
                .map_err(|e| {
                    write_error(e, "a contact with this id or resume token already exists")
                })?;
                Ok(Contact {
                    id: new.id,
                    centre: new.centre,
                    channel: new.channel,
                    state: ContactState::Waiting,
                    listener: None,
                    priority: 0,
                    returning: false,
                    created_at: new.now,
                    queued_at: new.now,
                    answered_at: None,
                    ended_at: None,
                    wait_seconds: None,
                    last_seq: 0,
                })
            })
        })
        .await
    }

    async fn contact(&self, id: ContactId) -> StoreResult<Option<Contact>> {
        let row = sqlx::query(&format!("{SELECT_CONTACT} WHERE id = $1"))
            .bind(D::id(id))
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(Self::to_contact).transpose()
    }

    async fn contact_by_resume(&self, resume_hash: &str) -> StoreResult<Option<Contact>> {
        let row = sqlx::query(&format!("{SELECT_CONTACT} WHERE resume_hash = $1"))
            .bind(resume_hash)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(Self::to_contact).transpose()
    }

    async fn take_next(
        &self,
        centre: CentreId,
        listener: UserId,
        capacity: u32,
        now: Timestamp,
    ) -> StoreResult<TakeOutcome> {
        let mut attempt = 1;
        loop {
            let outcome = async {
                let mut tx = self.begin_write().await?;
                // One press at a time per listener, so that the capacity count that follows
                // cannot be stale (two tabs, two instances): PostgreSQL locks the listener's
                // own row; SQLite's write transaction holds the write lock from this first
                // statement.
                let known: Option<i64> = sqlx::query_scalar(&format!(
                    "SELECT id FROM users WHERE id = $1{}",
                    D::ROW_LOCK
                ))
                .bind(listener.0)
                .fetch_optional(&mut *tx)
                .await?;
                if known.is_none() {
                    return Err(StoreError::NotFound);
                }
                let active: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM contacts WHERE state = 'active' AND listener_id = $1",
                )
                .bind(listener.0)
                .fetch_one(&mut *tx)
                .await?;
                if active >= i64::from(capacity) {
                    return Ok(TakeOutcome::AtCapacity);
                }
                D::take_head(tx, centre, listener, now).await
            }
            .await;
            match outcome {
                Err(e) if D::retryable(&e) && attempt < D::ATTEMPTS => attempt += 1,
                outcome => return outcome,
            }
        }
    }

    async fn transition(
        &self,
        id: ContactId,
        transition: Transition,
        now: Timestamp,
    ) -> StoreResult<Contact> {
        self.write(move |conn| {
            Box::pin(async move {
                let contact = Self::lock_contact(conn, id).await?;
                let next = contact.after_transition(transition, now)?;
                Self::write_contact(conn, &next).await?;
                Ok(next)
            })
        })
        .await
    }

    async fn transition_if_away(
        &self,
        id: ContactId,
        transition: Transition,
        away: Away,
        now: Timestamp,
    ) -> StoreResult<Option<Contact>> {
        let mut tx = self.begin_write().await?;
        // No reconnection can commit between the check and the write: SQLite's write
        // transaction excludes every other writer; on PostgreSQL the contact's row lock holds
        // off a reconnecting person (attach_person updates it), and a reconnecting listener
        // updates their presence row, locked here too.
        let contact = Self::lock_contact(&mut tx, id).await?;
        let listener_still_away = format!("{LISTENER_STILL_AWAY}{}", D::ROW_LOCK);
        let still_away = match away {
            Away::Person { before } => sqlx::query(PERSON_STILL_AWAY)
                .bind(D::id(id))
                .bind(before.0)
                .fetch_optional(&mut *tx),
            Away::Listener { user, before } => sqlx::query(&listener_still_away)
                .bind(user.0)
                .bind(before.0)
                .fetch_optional(&mut *tx),
        }
        .await?
        .is_some();
        if !still_away {
            return Ok(None);
        }
        let next = contact.after_transition(transition, now)?;
        Self::write_contact(&mut tx, &next).await?;
        tx.commit().await?;
        Ok(Some(next))
    }

    async fn end_never_connected(
        &self,
        created_before: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Vec<Contact>> {
        let mut attempt = 1;
        loop {
            let outcome = async {
                let mut tx = self.begin_write().await?;
                // Locked in id order; a page attaching meanwhile (PostgreSQL) is waited for,
                // and its contact then no longer matches and is left alone.
                let rows = sqlx::query(&format!(
                    "{SELECT_CONTACT} {NEVER_CONNECTED} ORDER BY id{}",
                    D::ROW_LOCK
                ))
                .bind(created_before.0)
                .fetch_all(&mut *tx)
                .await?;
                let mut ended = Vec::with_capacity(rows.len());
                for row in &rows {
                    let next =
                        Self::to_contact(row)?.after_transition(Transition::NeverConnects, now)?;
                    Self::write_contact(&mut tx, &next).await?;
                    ended.push(next);
                }
                tx.commit().await?;
                Ok(ended)
            }
            .await;
            match outcome {
                Err(e) if D::retryable(&e) && attempt < D::ATTEMPTS => attempt += 1,
                outcome => return outcome,
            }
        }
    }

    async fn set_priority(&self, id: ContactId, priority: i32) -> StoreResult<Contact> {
        let mut tx = self.begin_write().await?;
        let contact = Self::lock_contact(&mut tx, id)
            .await?
            .with_priority(priority)?;
        Self::write_contact(&mut tx, &contact).await?;
        tx.commit().await?;
        Ok(contact)
    }

    async fn waiting(&self, centre: CentreId) -> StoreResult<Vec<QueueEntry>> {
        let rows = sqlx::query(
            "SELECT id, priority, is_returning, queued_at FROM contacts \
             WHERE centre_id = $1 AND state = 'waiting'",
        )
        .bind(centre.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(QueueEntry {
                    id: Self::contact_id_at(row, "id")?,
                    priority: get(row, "priority")?,
                    returning: get(row, "is_returning")?,
                    queued_at: Timestamp(get(row, "queued_at")?),
                })
            })
            .collect()
    }

    async fn active_for_listener(&self, listener: UserId) -> StoreResult<Vec<Contact>> {
        sqlx::query(&format!(
            "{SELECT_CONTACT} WHERE state = 'active' AND listener_id = $1 ORDER BY answered_at, id"
        ))
        .bind(listener.0)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(Self::to_contact)
        .collect()
    }

    async fn recent_talk_seconds(&self, centre: CentreId, limit: u32) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT answered_at, ended_at FROM contacts \
             WHERE centre_id = $1 AND state = 'ended' AND answered_at IS NOT NULL \
             ORDER BY ended_at DESC, id LIMIT $2",
        )
        .bind(centre.0)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                let answered = Timestamp(get(row, "answered_at")?);
                let ended = Timestamp(get(row, "ended_at")?);
                Ok(ended.seconds_since(answered))
            })
            .collect()
    }

    async fn attach_person(&self, id: ContactId, conn: i64) -> StoreResult<()> {
        // Through the shared write path: a burst of people connecting commits in groups.
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE contacts SET person_conn = $2, person_away_since = NULL WHERE id = $1",
                )
                .bind(D::id(id))
                .bind(conn)
                .execute(tx)
                .await?;
                if D::rows_affected(&done) == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
        })
        .await
    }

    async fn detach_person(&self, id: ContactId, conn: i64, now: Timestamp) -> StoreResult<bool> {
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE contacts SET person_conn = NULL, person_away_since = $3 \
                     WHERE id = $1 AND person_conn = $2",
                )
                .bind(D::id(id))
                .bind(conn)
                .bind(now.0)
                .execute(tx)
                .await?;
                Ok(D::rows_affected(&done) > 0)
            })
        })
        .await
    }

    async fn persons_away_since(&self, before: Timestamp) -> StoreResult<Vec<ContactId>> {
        let ids: Vec<D::Id> = sqlx::query_scalar(
            "SELECT id FROM contacts WHERE state <> 'ended' AND person_away_since <= $1 \
             ORDER BY person_away_since, id",
        )
        .bind(before.0)
        .fetch_all(&self.read)
        .await?;
        ids.into_iter().map(D::contact_id).collect()
    }
}
