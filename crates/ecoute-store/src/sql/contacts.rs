//! [`ContactStore`]: the queue and the lifecycle of conversations.

use super::{count, get, write_error, Args, Conn, Db, DbRow, Scalar, SELECT_CONTACT};
use crate::dialect::{Dialect, SqlStore};
use crate::query::{Columns, Run};
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
        self.write(move |tx| {
            let new = new.clone();
            Box::pin(async move {
                // Count and insert as one step, so that `max_waiting` holds under a burst of
                // joins: the centre's row is locked first (PostgreSQL: joins to one queue wait
                // for each other, while the foreign-key checks of other inserts, which only
                // take KEY SHARE, do not; SQLite: the write transaction already holds the
                // database's write lock).
                tx.optional(
                    &format!("SELECT id FROM centres WHERE id = $1{}", D::ROW_LOCK),
                    &[new.centre.0.into()],
                )
                .await?
                .ok_or(StoreError::NotFound)?;
                let waiting: i64 = tx
                    .one(
                        "SELECT COUNT(*) AS n FROM contacts \
                         WHERE centre_id = $1 AND state = 'waiting'",
                        &[new.centre.0.into()],
                    )
                    .await?
                    .get("n")?;
                if count(waiting)? >= new.max_waiting {
                    return Err(StoreError::QueueFull);
                }
                tx.exec(
                    "INSERT INTO contacts (id, centre_id, channel, state, priority, \
                     is_returning, created_at, queued_at, last_seq, resume_hash) \
                     VALUES ($1, $2, $3, 'waiting', 0, $4, $5, $5, 0, $6)",
                    &[
                        new.id.into(),
                        new.centre.0.into(),
                        new.channel.as_str().into(),
                        false.into(),
                        new.now.0.into(),
                        new.resume_hash.as_str().into(),
                    ],
                )
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
            .bind(D::id(id.0))
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(super::to_contact).transpose()
    }

    async fn contact_by_resume(&self, resume_hash: &str) -> StoreResult<Option<Contact>> {
        let row = sqlx::query(&format!("{SELECT_CONTACT} WHERE resume_hash = $1"))
            .bind(resume_hash)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(super::to_contact).transpose()
    }

    async fn take_next(
        &self,
        centre: CentreId,
        listener: UserId,
        capacity: u32,
        now: Timestamp,
    ) -> StoreResult<TakeOutcome> {
        self.write(move |tx| {
            Box::pin(async move {
                // One press at a time per listener, so that the capacity count that follows
                // cannot be stale (two tabs, two instances): PostgreSQL locks the listener's
                // own row; SQLite's write transaction holds the write lock from its first
                // statement.
                let known = tx
                    .optional(
                        &format!("SELECT id FROM users WHERE id = $1{}", D::ROW_LOCK),
                        &[listener.0.into()],
                    )
                    .await?;
                if known.is_none() {
                    return Err(StoreError::NotFound);
                }
                let active: i64 = tx
                    .one(
                        "SELECT COUNT(*) AS n FROM contacts \
                         WHERE state = 'active' AND listener_id = $1",
                        &[listener.0.into()],
                    )
                    .await?
                    .get("n")?;
                if active >= i64::from(capacity) {
                    return Ok(TakeOutcome::AtCapacity);
                }
                D::take_head(tx, centre, listener, now).await
            })
        })
        .await
    }

    async fn transition(
        &self,
        id: ContactId,
        transition: Transition,
        now: Timestamp,
    ) -> StoreResult<Contact> {
        self.write(move |tx| {
            Box::pin(async move {
                let contact = Self::lock_contact(tx, id).await?;
                let next = contact.after_transition(transition, now)?;
                Self::write_contact(tx, &next).await?;
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
        self.write(move |tx| {
            Box::pin(async move {
                // No reconnection can commit between the check and the write: SQLite's write
                // transaction excludes every other writer; on PostgreSQL the contact's row
                // lock holds off a reconnecting person (attach_person updates it), and a
                // reconnecting listener updates their presence row, locked here too.
                let contact = Self::lock_contact(tx, id).await?;
                let still_away = match away {
                    Away::Person { before } => {
                        tx.optional(PERSON_STILL_AWAY, &[id.into(), before.0.into()])
                            .await?
                    }
                    Away::Listener { user, before } => {
                        tx.optional(
                            &format!("{LISTENER_STILL_AWAY}{}", D::ROW_LOCK),
                            &[user.0.into(), before.0.into()],
                        )
                        .await?
                    }
                }
                .is_some();
                if !still_away {
                    return Ok(None);
                }
                let next = contact.after_transition(transition, now)?;
                Self::write_contact(tx, &next).await?;
                Ok(Some(next))
            })
        })
        .await
    }

    async fn end_never_connected(
        &self,
        created_before: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Vec<Contact>> {
        self.write(move |tx| {
            Box::pin(async move {
                // Locked in id order; a page attaching meanwhile (PostgreSQL) is waited for,
                // and its contact then no longer matches and is left alone.
                let rows = tx
                    .all(
                        &format!(
                            "{SELECT_CONTACT} {NEVER_CONNECTED} ORDER BY id{}",
                            D::ROW_LOCK
                        ),
                        &[created_before.0.into()],
                    )
                    .await?;
                let mut ended = Vec::with_capacity(rows.len());
                for row in &rows {
                    let next =
                        super::to_contact(row)?.after_transition(Transition::NeverConnects, now)?;
                    Self::write_contact(tx, &next).await?;
                    ended.push(next);
                }
                Ok(ended)
            })
        })
        .await
    }

    async fn set_priority(&self, id: ContactId, priority: i32) -> StoreResult<Contact> {
        self.write(move |tx| {
            Box::pin(async move {
                let contact = Self::lock_contact(tx, id).await?.with_priority(priority)?;
                Self::write_contact(tx, &contact).await?;
                Ok(contact)
            })
        })
        .await
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
                    id: Columns::get(row, "id")?,
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
        .map(super::to_contact)
        .collect()
    }

    async fn recent_talk_seconds(&self, centre: CentreId, limit: u32) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT answered_at, ended_at FROM contacts \
             WHERE centre_id = $1 AND channel = 'chat' AND state = 'ended' \
             AND answered_at IS NOT NULL \
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
                let changed = tx
                    .exec(
                        "UPDATE contacts SET person_conn = $2, person_away_since = NULL \
                         WHERE id = $1",
                        &[id.into(), conn.into()],
                    )
                    .await?;
                if changed == 0 {
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
                let changed = tx
                    .exec(
                        "UPDATE contacts SET person_conn = NULL, person_away_since = $3 \
                         WHERE id = $1 AND person_conn = $2",
                        &[id.into(), conn.into(), now.0.into()],
                    )
                    .await?;
                Ok(changed > 0)
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
        ids.into_iter()
            .map(|id| D::uuid(id).map(ContactId))
            .collect()
    }
}
