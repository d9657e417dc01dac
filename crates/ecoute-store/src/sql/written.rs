//! [`WrittenStore`]: anonymous written threads, their messages and the listeners' drafts.

use super::{corrupt, count, write_error, Args, Conn, Db, DbRow, Scalar};
use crate::dialect::{Dialect, SqlStore};
use crate::query::{Columns, Run};
use crate::{NewThread, Sender, StoreError, StoreResult, Written, WrittenStore};
use async_trait::async_trait;
use ecoute_domain::{
    Author, CentreId, Channel, Claim, ClientMessageId, ContactId, EndReason, MessageBody, Thread,
    ThreadId, Timestamp, UserId, Writer, WrittenMessage,
};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

/// The columns of a thread, with its claim holder's pseudonym, then `FROM written_threads t`
/// (a `WHERE` and a row lock may follow: the pseudonym is a subquery, not a join, so that
/// PostgreSQL can lock the thread's row alone).
const SELECT_THREAD: &str = "SELECT t.id, t.centre_id, t.created_at, t.last_activity, \
    t.waiting_since, t.priority, t.claimed_by, t.claimed_at, t.claimed_until, t.last_seq, \
    (SELECT u.pseudonym FROM users u WHERE u.id = t.claimed_by) AS claimed_pseudonym \
    FROM written_threads t";

/// The columns of a written message, with the writing listener's pseudonym (a `WHERE` on
/// `m`'s columns may follow).
const SELECT_WRITTEN: &str = "SELECT m.seq, m.author, m.body, m.at, m.listener_id, \
    u.pseudonym AS listener FROM written_messages m LEFT JOIN users u ON u.id = m.listener_id";

/// A thread from a row of [`SELECT_THREAD`].
fn to_thread<R: Columns + ?Sized>(row: &R) -> StoreResult<Thread> {
    let claimed_by: Option<i64> = row.get("claimed_by")?;
    let since: Option<i64> = row.get("claimed_at")?;
    let until: Option<i64> = row.get("claimed_until")?;
    let claim = match (claimed_by, since, until) {
        (Some(id), Some(since), Some(until)) => Some(Claim {
            listener: Writer {
                id: UserId(id),
                pseudonym: row.get("claimed_pseudonym")?,
            },
            since: Timestamp(since),
            until: Timestamp(until),
        }),
        (None, None, None) => None,
        _ => return Err(corrupt("thread claim", "half set")),
    };
    Ok(Thread {
        id: row.get("id")?,
        centre: CentreId(row.get("centre_id")?),
        created_at: Timestamp(row.get("created_at")?),
        last_activity: Timestamp(row.get("last_activity")?),
        waiting_since: row.get::<Option<i64>>("waiting_since")?.map(Timestamp),
        priority: row.get("priority")?,
        claim,
        last_seq: row.get("last_seq")?,
    })
}

/// A message from a row of [`SELECT_WRITTEN`].
fn to_written<R: Columns + ?Sized>(row: &R) -> StoreResult<WrittenMessage> {
    let author: String = row.get("author")?;
    let listener_id: Option<i64> = row.get("listener_id")?;
    let listener: Option<String> = row.get("listener")?;
    Ok(WrittenMessage {
        seq: row.get("seq")?,
        author: Author::parse(&author).ok_or_else(|| corrupt("author", &author))?,
        body: row.get("body")?,
        at: Timestamp(row.get("at")?),
        listener: super::writer(listener_id, listener),
    })
}

impl<D: Dialect> SqlStore<D> {
    /// Thread `id` inside a write transaction, locked against other writers until it ends.
    async fn lock_thread(tx: &mut D::Writer, id: ThreadId) -> StoreResult<Thread> {
        let row = tx
            .optional(
                &format!("{SELECT_THREAD} WHERE t.id = $1{}", D::ROW_LOCK),
                &[id.into()],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        to_thread(&row)
    }

    /// The message of thread `id` with this client id, if stored.
    async fn stored_written(
        tx: &mut D::Writer,
        id: ThreadId,
        client_id: &ClientMessageId,
    ) -> StoreResult<Option<WrittenMessage>> {
        tx.optional(
            &format!("{SELECT_WRITTEN} WHERE m.thread_id = $1 AND m.client_id = $2"),
            &[id.into(), client_id.as_str().into()],
        )
        .await?
        .as_ref()
        .map(to_written)
        .transpose()
    }

    /// Writes the columns a message or a claim changes.
    async fn write_thread(tx: &mut D::Writer, t: &Thread) -> StoreResult<()> {
        tx.exec(
            "UPDATE written_threads SET last_activity = $2, waiting_since = $3, \
             claimed_by = $4, claimed_at = $5, claimed_until = $6, last_seq = $7 WHERE id = $1",
            &[
                t.id.into(),
                t.last_activity.0.into(),
                t.waiting_since.map(|w| w.0).into(),
                t.claim.as_ref().map(|c| c.listener.id.0).into(),
                t.claim.as_ref().map(|c| c.since.0).into(),
                t.claim.as_ref().map(|c| c.until.0).into(),
                t.last_seq.into(),
            ],
        )
        .await?;
        Ok(())
    }

    /// Appends a message to the locked thread `t` (the rules already checked), and returns
    /// the thread after it.
    async fn append_written(
        tx: &mut D::Writer,
        t: &Thread,
        sender: Sender,
        client_id: &ClientMessageId,
        body: &MessageBody,
        now: Timestamp,
    ) -> StoreResult<Written> {
        let author = sender.author();
        let after = t.after_message(author, now);
        tx.exec(
            "INSERT INTO written_messages \
             (thread_id, seq, author, client_id, body, at, listener_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                t.id.into(),
                after.last_seq.into(),
                author.as_str().into(),
                client_id.as_str().into(),
                body.as_str().into(),
                now.0.into(),
                sender.listener().map(|id| id.0).into(),
            ],
        )
        .await
        .map_err(|e| write_error(e, "this message was already stored"))?;
        Self::write_thread(tx, &after).await?;
        let mut sheet = None;
        let listener = match sender.listener() {
            Some(id) => {
                tx.exec(
                    "DELETE FROM written_drafts WHERE thread_id = $1 AND listener_id = $2",
                    &[t.id.into(), id.0.into()],
                )
                .await?;
                sheet = Some(Self::reply_contact(tx, t, id, now).await?);
                Some(Writer {
                    id,
                    pseudonym: tx
                        .one("SELECT pseudonym FROM users WHERE id = $1", &[id.0.into()])
                        .await?
                        .get("pseudonym")?,
                })
            }
            None => None,
        };
        Ok(Written {
            message: WrittenMessage {
                seq: after.last_seq,
                author,
                body: body.as_str().to_owned(),
                at: now,
                listener,
            },
            thread: after,
            created: true,
            sheet,
        })
    }

    /// Records `listener`'s reply to `t` at `now` as a contact of the `message` channel,
    /// ended as it is sent, so that its statistics sheet is owed and filled in as for chat:
    /// the person waited from their oldest unanswered message to the claim, and the
    /// listener's time runs from the claim to the reply.
    async fn reply_contact(
        tx: &mut D::Writer,
        t: &Thread,
        listener: UserId,
        now: Timestamp,
    ) -> StoreResult<ContactId> {
        let answered = t.claim_at(now).map_or(now, |c| c.since);
        let arrived = t.waiting_since.unwrap_or(answered).min(answered);
        let id = ContactId::new_random();
        tx.exec(
            "INSERT INTO contacts (id, centre_id, channel, state, listener_id, priority, \
             is_returning, created_at, queued_at, answered_at, ended_at, wait_seconds, \
             end_reason, last_seq) \
             VALUES ($1, $2, $3, 'ended', $4, $5, $6, $7, $7, $8, $9, $10, $11, 0)",
            &[
                id.into(),
                t.centre.0.into(),
                Channel::Message.as_str().into(),
                listener.0.into(),
                t.priority.into(),
                false.into(),
                arrived.0.into(),
                answered.0.into(),
                now.0.into(),
                answered.seconds_since(arrived).into(),
                EndReason::ListenerEnded.as_str().into(),
            ],
        )
        .await?;
        Ok(id)
    }

    /// Deletes threads matching `condition` (on `written_threads`, arguments `args`) and all
    /// they hold, children first (whatever the foreign keys' cascade); how many threads.
    async fn delete_threads(
        tx: &mut D::Writer,
        condition: &str,
        args: &[crate::query::Arg<'_>],
    ) -> StoreResult<u64> {
        for child in ["written_messages", "written_drafts"] {
            tx.exec(
                &format!(
                    "DELETE FROM {child} WHERE thread_id IN \
                     (SELECT id FROM written_threads WHERE {condition})"
                ),
                args,
            )
            .await?;
        }
        tx.exec(
            &format!("DELETE FROM written_threads WHERE {condition}"),
            args,
        )
        .await
    }
}

#[async_trait]
impl<D> WrittenStore for SqlStore<D>
where
    D: Dialect,
    for<'c> &'c mut Conn<D>: Executor<'c, Database = Db<D>>,
    for<'q> Args<'q, D>: IntoArguments<'q, Db<D>>,
    i64: Scalar<Db<D>>,
    String: Scalar<Db<D>>,
    for<'q> &'q str: Encode<'q, Db<D>> + Type<Db<D>>,
    for<'a> &'a str: ColumnIndex<DbRow<D>>,
    usize: ColumnIndex<DbRow<D>>,
{
    async fn open_thread(&self, new: &NewThread) -> StoreResult<Written> {
        let new = new.clone();
        self.write(move |tx| {
            let new = new.clone();
            Box::pin(async move {
                if let Some(row) = tx
                    .optional(
                        &format!("{SELECT_THREAD} WHERE t.code_hash = $1{}", D::ROW_LOCK),
                        &[new.code_hash.as_str().into()],
                    )
                    .await?
                {
                    // The same form again: its first message is there already.
                    let thread = to_thread(&row)?;
                    let message = Self::stored_written(tx, thread.id, &new.client_id)
                        .await?
                        .ok_or_else(|| StoreError::Conflict("this code is taken".into()))?;
                    return Ok(Written {
                        thread,
                        message,
                        created: false,
                        sheet: None,
                    });
                }
                // Count and insert as one step, as joins of the queue do: the centre's row
                // is locked first (SQLite: the write transaction holds the write lock).
                tx.optional(
                    &format!("SELECT id FROM centres WHERE id = $1{}", D::ROW_LOCK),
                    &[new.centre.0.into()],
                )
                .await?
                .ok_or(StoreError::NotFound)?;
                let open: i64 = tx
                    .one("SELECT COUNT(*) AS n FROM written_threads", &[])
                    .await?
                    .get("n")?;
                if count(open)? >= new.max_threads {
                    return Err(StoreError::InboxFull);
                }
                tx.exec(
                    "INSERT INTO written_threads (id, code_hash, centre_id, created_at, \
                     last_activity, priority, last_seq) VALUES ($1, $2, $3, $4, $4, 0, 0)",
                    &[
                        new.id.into(),
                        new.code_hash.as_str().into(),
                        new.centre.0.into(),
                        new.now.0.into(),
                    ],
                )
                .await
                .map_err(|e| write_error(e, "a thread with this id or code exists"))?;
                let thread = Thread {
                    id: new.id,
                    centre: new.centre,
                    created_at: new.now,
                    last_activity: new.now,
                    waiting_since: None,
                    priority: 0,
                    claim: None,
                    last_seq: 0,
                };
                Self::append_written(
                    tx,
                    &thread,
                    Sender::Person,
                    &new.client_id,
                    &new.body,
                    new.now,
                )
                .await
            })
        })
        .await
    }

    async fn thread_by_code(&self, code_hash: &str) -> StoreResult<Option<Thread>> {
        sqlx::query(&format!("{SELECT_THREAD} WHERE t.code_hash = $1"))
            .bind(code_hash)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(to_thread)
            .transpose()
    }

    async fn thread(&self, id: ThreadId) -> StoreResult<Option<Thread>> {
        sqlx::query(&format!("{SELECT_THREAD} WHERE t.id = $1"))
            .bind(D::id(id.0))
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(to_thread)
            .transpose()
    }

    async fn thread_messages(&self, id: ThreadId) -> StoreResult<Vec<WrittenMessage>> {
        sqlx::query(&format!(
            "{SELECT_WRITTEN} WHERE m.thread_id = $1 ORDER BY m.seq"
        ))
        .bind(D::id(id.0))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(to_written)
        .collect()
    }

    async fn write_to_thread(
        &self,
        id: ThreadId,
        sender: Sender,
        client_id: &ClientMessageId,
        body: &MessageBody,
        now: Timestamp,
    ) -> StoreResult<Written> {
        let (client_id, body) = (client_id.clone(), body.clone());
        self.write(move |tx| {
            let (client_id, body) = (client_id.clone(), body.clone());
            Box::pin(async move {
                let thread = Self::lock_thread(tx, id).await?;
                // A resend gets the first answer again, whatever the thread's state now.
                if let Some(message) = Self::stored_written(tx, id, &client_id).await? {
                    if message.author != sender.author()
                        || message.listener.as_ref().map(|w| w.id) != sender.listener()
                    {
                        return Err(StoreError::Conflict(
                            "this message id is already used in the thread".into(),
                        ));
                    }
                    return Ok(Written {
                        thread,
                        message,
                        created: false,
                        sheet: None,
                    });
                }
                match sender {
                    Sender::Person => thread.has_room()?,
                    Sender::Listener(listener) => thread.may_answer(listener, now)?,
                }
                Self::append_written(tx, &thread, sender, &client_id, &body, now).await
            })
        })
        .await
    }

    async fn claim_thread(
        &self,
        id: ThreadId,
        listener: UserId,
        now: Timestamp,
    ) -> StoreResult<Thread> {
        self.write(move |tx| {
            Box::pin(async move {
                let mut thread = Self::lock_thread(tx, id).await?;
                thread.may_claim(listener, now)?;
                let pseudonym: String = tx
                    .optional(
                        "SELECT pseudonym FROM users WHERE id = $1",
                        &[listener.0.into()],
                    )
                    .await?
                    .ok_or(StoreError::NotFound)?
                    .get("pseudonym")?;
                thread.claim = Some(thread.claim_for(
                    Writer {
                        id: listener,
                        pseudonym,
                    },
                    now,
                ));
                Self::write_thread(tx, &thread).await?;
                Ok(thread)
            })
        })
        .await
    }

    async fn release_thread(&self, id: ThreadId, listener: UserId) -> StoreResult<()> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.exec(
                    "UPDATE written_threads SET claimed_by = NULL, claimed_at = NULL, \
                     claimed_until = NULL \
                     WHERE id = $1 AND claimed_by = $2",
                    &[id.into(), listener.0.into()],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    async fn save_draft(
        &self,
        id: ThreadId,
        listener: UserId,
        body: &str,
        now: Timestamp,
    ) -> StoreResult<Thread> {
        let body = body.to_owned();
        self.write(move |tx| {
            let body = body.clone();
            Box::pin(async move {
                let mut thread = Self::lock_thread(tx, id).await?;
                thread.may_claim(listener, now)?;
                let Some(claim) = thread.claim_at(now).cloned() else {
                    return Err(StoreError::Thread(ecoute_domain::ThreadRefusal::NotClaimed));
                };
                tx.exec(
                    "INSERT INTO written_drafts (thread_id, listener_id, body, saved_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (thread_id, listener_id) \
                     DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                    &[
                        id.into(),
                        listener.0.into(),
                        body.as_str().into(),
                        now.0.into(),
                    ],
                )
                .await?;
                thread.claim = Some(thread.claim_for(claim.listener, now));
                thread.last_activity = now;
                Self::write_thread(tx, &thread).await?;
                Ok(thread)
            })
        })
        .await
    }

    async fn draft(&self, id: ThreadId, listener: UserId) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT body FROM written_drafts WHERE thread_id = $1 AND listener_id = $2",
        )
        .bind(D::id(id.0))
        .bind(listener.0)
        .fetch_optional(&self.read)
        .await?)
    }

    async fn inbox(&self, centre: CentreId, limit: u32) -> StoreResult<Vec<Thread>> {
        sqlx::query(&format!(
            "{SELECT_THREAD} WHERE t.centre_id = $1 AND t.waiting_since IS NOT NULL \
             ORDER BY t.priority DESC, t.waiting_since ASC, t.id ASC LIMIT $2"
        ))
        .bind(centre.0)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(to_thread)
        .collect()
    }

    async fn delete_thread(&self, id: ThreadId) -> StoreResult<bool> {
        self.write(move |tx| {
            Box::pin(
                async move { Ok(Self::delete_threads(tx, "id = $1", &[id.into()]).await? > 0) },
            )
        })
        .await
    }

    async fn purge_threads(&self, inactive_before: Timestamp) -> StoreResult<u64> {
        self.write(move |tx| {
            Box::pin(async move {
                Self::delete_threads(tx, "last_activity <= $1", &[inactive_before.0.into()]).await
            })
        })
        .await
    }
}
