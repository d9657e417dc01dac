//! [`MessageStore`]: the messages of conversations.

use super::{to_message, write_error, Args, Conn, Db, DbRow, Scalar, SELECT_MESSAGE};
use crate::dialect::{Dialect, SqlStore};
use crate::query::{Columns, Run};
use crate::{Appended, MessageStore, StoreError, StoreResult};
use async_trait::async_trait;
use ecoute_domain::{ClientMessageId, ContactId, Message, MessageBody, Sender, Timestamp, Writer};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

#[async_trait]
impl<D> MessageStore for SqlStore<D>
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
    async fn append_message(
        &self,
        contact: ContactId,
        sender: Sender,
        client_id: &ClientMessageId,
        body: &MessageBody,
        now: Timestamp,
    ) -> StoreResult<Appended> {
        let (client_id, body) = (client_id.clone(), body.clone());
        self.write(move |tx| {
            let (client_id, body) = (client_id.clone(), body.clone());
            Box::pin(async move {
                // The contact's row lock orders concurrent appends (and resends of one message).
                let current = Self::lock_contact(tx, contact).await?;
                let author = match current.may_write(sender) {
                    Ok(author) => author,
                    // Refused now, but a resend of a message stored before (its acknowledgement
                    // was lost) gets the same answer again, whatever the contact's state now.
                    Err(refusal) => {
                        return match Self::stored_message(tx, contact, &client_id).await? {
                            Some(message) => resent(message, sender),
                            None => Err(refusal.into()),
                        }
                    }
                };
                let seq = current.last_seq + 1;
                // Inserting first and ignoring only a taken id tells a resend apart without a
                // read in the common case: one statement fewer for every message.
                let inserted = tx
                    .exec(
                        "INSERT INTO messages \
                         (contact_id, seq, author, client_id, body, at, listener_id) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (contact_id, client_id) DO NOTHING",
                        &[
                            contact.into(),
                            seq.into(),
                            author.as_str().into(),
                            client_id.as_str().into(),
                            body.as_str().into(),
                            now.0.into(),
                            sender.listener().map(|id| id.0).into(),
                        ],
                    )
                    .await
                    .map_err(|e| write_error(e, "this message was already stored"))?;
                if inserted == 0 {
                    let message = Self::stored_message(tx, contact, &client_id)
                        .await?
                        .ok_or_else(|| {
                            StoreError::Corrupt("a message id both taken and absent".into())
                        })?;
                    return resent(message, sender);
                }
                tx.exec(
                    "UPDATE contacts SET last_seq = $2 WHERE id = $1",
                    &[contact.into(), seq.into()],
                )
                .await?;
                let listener = match sender.listener() {
                    Some(id) => Some(Writer {
                        id,
                        pseudonym: tx
                            .one("SELECT pseudonym FROM users WHERE id = $1", &[id.0.into()])
                            .await?
                            .get("pseudonym")?,
                    }),
                    None => None,
                };
                Ok(Appended {
                    message: Message {
                        contact,
                        seq,
                        author,
                        client_id,
                        body: body.into_string(),
                        at: now,
                        listener,
                    },
                    created: true,
                })
            })
        })
        .await
    }

    async fn messages_after(
        &self,
        contact: ContactId,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        sqlx::query(&format!(
            "{SELECT_MESSAGE} WHERE contact_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
        ))
        .bind(D::id(contact.0))
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(to_message)
        .collect()
    }

    async fn purge_messages(&self, ended_before: Timestamp) -> StoreResult<u64> {
        self.write(move |tx| {
            Box::pin(async move {
                let purged = tx
                    .exec(
                        "DELETE FROM messages WHERE contact_id IN \
                         (SELECT id FROM contacts WHERE state = 'ended' AND ended_at <= $1)",
                        &[ended_before.0.into()],
                    )
                    .await?;
                // A supervisor's notes, and the words triage read, are conversation text too.
                for table in ["whispers", "triage_scores"] {
                    tx.exec(
                        &format!(
                            "DELETE FROM {table} WHERE contact_id IN \
                             (SELECT id FROM contacts WHERE state = 'ended' AND ended_at <= $1)"
                        ),
                        &[ended_before.0.into()],
                    )
                    .await?;
                }
                tx.exec(
                    "UPDATE contacts SET resume_hash = NULL \
                     WHERE state = 'ended' AND ended_at <= $1 AND resume_hash IS NOT NULL",
                    &[ended_before.0.into()],
                )
                .await?;
                Ok(purged)
            })
        })
        .await
    }
}

/// The answer to a resend of `message` by `sender`: the first answer again, if the id is
/// theirs.
fn resent(message: Message, sender: Sender) -> StoreResult<Appended> {
    message.may_resend(sender)?;
    Ok(Appended {
        message,
        created: false,
    })
}
