//! Every store method, written once for both backends: one file per store trait, each an
//! `impl … for SqlStore<D>` over any [`Dialect`]. Writes run their statements over
//! [`crate::query::Run`] (`self.write(|tx| …)`), reads through `sqlx` on the read pool. This
//! file holds what they share: reading rows into domain types (a value the code cannot read
//! is [`StoreError::Corrupt`], never a panic), reading and writing a contact inside a write
//! transaction, and mapping failed writes.
//!
//! Each impl with reads repeats the same `where` clause: what `sqlx` needs to know about a
//! database to run a query on it and bind and read our column types. Rust does not carry such
//! bounds from a trait's definition to its users, so they are spelled out where they are used.

mod campaigns;
mod contacts;
mod instances;
mod messages;
mod presence;
mod sessions;
mod stats;
mod stories;
mod supervision;
mod users;
mod volunteers;
mod written;

use crate::dialect::{Dialect, SqlStore};
use crate::query::{Columns, Run};
use crate::{StoreError, StoreResult, TakeOutcome, User};
use ecoute_domain::{
    Author, CentreId, Channel, ClientMessageId, Contact, ContactId, ContactState, EndReason,
    Message, Role, Timestamp, UserId, Writer,
};
use sqlx::{Database, Decode, Encode, Type};

/// The database of dialect `D`.
pub type Db<D> = <D as Dialect>::Db;
/// A connection to it.
pub type Conn<D> = <Db<D> as Database>::Connection;
/// The arguments of its queries.
pub type Args<'q, D> = <Db<D> as Database>::Arguments<'q>;
/// One of its rows.
pub type DbRow<D> = <Db<D> as Database>::Row;

/// A column type bound and read alike on a database.
pub trait Scalar<DB: Database>:
    Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Send
{
}

impl<DB: Database, T> Scalar<DB> for T where
    T: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Send
{
}

/// The columns of a contact, then `FROM contacts` (an alias may follow).
pub(crate) const SELECT_CONTACT: &str = "SELECT id, centre_id, channel, state, listener_id, \
    priority, is_returning, created_at, queued_at, answered_at, ended_at, wait_seconds, \
    end_reason, last_seq FROM contacts";

/// The columns of an account from a table aliased `u` (more columns and `FROM` follow).
pub(crate) const SELECT_USER: &str =
    "SELECT u.id, u.username, u.pseudonym, u.role, u.centre_id, u.disabled, u.created_at";

/// The columns of a message, with the writing listener's pseudonym, from `messages` (a
/// `WHERE` on its columns may follow).
pub(crate) const SELECT_MESSAGE: &str =
    "SELECT m.contact_id, m.seq, m.author, m.client_id, m.body, m.at, m.listener_id, \
     u.pseudonym AS listener FROM messages m LEFT JOIN users u ON u.id = m.listener_id";

/// The serve order of [`ecoute_domain::QueueEntry::serve_order`] in SQL; the index
/// `contacts_queue` serves it directly.
pub(crate) const SERVE_ORDER: &str = "priority DESC, is_returning DESC, queued_at ASC, id ASC";

/// Reads column `col` of a `sqlx` row (a read); a missing column or an undecodable value is a
/// corrupt store.
pub(crate) use crate::query::sqlx_get as get;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// Converts a count read from the database.
pub(crate) fn count(n: i64) -> StoreResult<u64> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative count {n}")))
}

/// Maps a failed write: a uniqueness violation becomes [`StoreError::Conflict`] with
/// `conflict`, a missing referenced row (foreign key) [`StoreError::NotFound`].
pub(crate) fn write_error(e: StoreError, conflict: &str) -> StoreError {
    match &e {
        StoreError::Database(sqlx::Error::Database(db)) => {
            if db.is_unique_violation() {
                return StoreError::Conflict(conflict.to_owned());
            }
            if db.is_foreign_key_violation() {
                return StoreError::NotFound;
            }
        }
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => {
            use rusqlite::ffi;
            match failure.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    return StoreError::Conflict(conflict.to_owned());
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return StoreError::NotFound,
                _ => {}
            }
        }
        _ => {}
    }
    e
}

/// The stored name of a state and its end reason, the inverse of reading a contact.
pub(crate) fn state_columns(state: ContactState) -> (&'static str, Option<&'static str>) {
    match state {
        ContactState::Ended { reason } => ("ended", Some(reason.as_str())),
        other => (other.name(), None),
    }
}

/// A contact's state from its stored columns.
fn parse_state(
    state: &str,
    listener: Option<i64>,
    reason: Option<&str>,
) -> StoreResult<ContactState> {
    Ok(match state {
        "waiting" => ContactState::Waiting,
        "active" => ContactState::Active {
            listener: UserId(
                listener.ok_or_else(|| corrupt("active contact without listener", ""))?,
            ),
        },
        "ended" => {
            let reason = reason.unwrap_or("");
            ContactState::Ended {
                reason: EndReason::parse(reason).ok_or_else(|| corrupt("end reason", reason))?,
            }
        }
        other => return Err(corrupt("contact state", other)),
    })
}

/// A contact from a row of [`SELECT_CONTACT`].
pub(crate) fn to_contact<R: Columns + ?Sized>(row: &R) -> StoreResult<Contact> {
    let listener: Option<i64> = row.get("listener_id")?;
    let state: String = row.get("state")?;
    let reason: Option<String> = row.get("end_reason")?;
    let channel: String = row.get("channel")?;
    Ok(Contact {
        id: row.get("id")?,
        centre: CentreId(row.get("centre_id")?),
        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        state: parse_state(&state, listener, reason.as_deref())?,
        listener: listener.map(UserId),
        priority: row.get("priority")?,
        returning: row.get("is_returning")?,
        created_at: Timestamp(row.get("created_at")?),
        queued_at: Timestamp(row.get("queued_at")?),
        answered_at: row.get::<Option<i64>>("answered_at")?.map(Timestamp),
        ended_at: row.get::<Option<i64>>("ended_at")?.map(Timestamp),
        wait_seconds: row.get("wait_seconds")?,
        last_seq: row.get("last_seq")?,
    })
}

/// An account from a row of [`SELECT_USER`].
pub(crate) fn to_user<R: Columns + ?Sized>(row: &R) -> StoreResult<User> {
    let role: String = row.get("role")?;
    Ok(User {
        id: UserId(row.get("id")?),
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        username: row.get("username")?,
        pseudonym: row.get("pseudonym")?,
        centre: CentreId(row.get("centre_id")?),
        disabled: row.get("disabled")?,
        created_at: Timestamp(row.get("created_at")?),
    })
}

/// A message from a row of [`SELECT_MESSAGE`].
pub(crate) fn to_message<R: Columns + ?Sized>(row: &R) -> StoreResult<Message> {
    let author: String = row.get("author")?;
    let client_id: String = row.get("client_id")?;
    let listener_id: Option<i64> = row.get("listener_id")?;
    let listener: Option<String> = row.get("listener")?;
    Ok(Message {
        contact: row.get("contact_id")?,
        seq: row.get("seq")?,
        author: Author::parse(&author).ok_or_else(|| corrupt("author", &author))?,
        client_id: ClientMessageId::parse(&client_id)
            .map_err(|_| corrupt("client message id", &client_id))?,
        body: row.get("body")?,
        at: Timestamp(row.get("at")?),
        listener: writer(listener_id, listener),
    })
}

/// The listener who wrote a message, from its `listener_id` and joined pseudonym columns
/// (`None` for the person's messages).
pub(crate) fn writer(id: Option<i64>, pseudonym: Option<String>) -> Option<Writer> {
    match (id, pseudonym) {
        (Some(id), Some(pseudonym)) => Some(Writer {
            id: UserId(id),
            pseudonym,
        }),
        _ => None,
    }
}

impl<D: Dialect> SqlStore<D> {
    /// The contact `id` inside a write transaction, locked against other writers until it
    /// ends (PostgreSQL: `FOR NO KEY UPDATE`, which blocks neither readers nor the
    /// foreign-key checks of inserted messages; SQLite: the transaction holds the write lock).
    pub(crate) async fn lock_contact(tx: &mut D::Writer, id: ContactId) -> StoreResult<Contact> {
        let row = tx
            .optional(
                &format!("{SELECT_CONTACT} WHERE id = $1{}", D::ROW_LOCK),
                &[id.into()],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        to_contact(&row)
    }

    /// The message of `contact` with this client id, if stored.
    pub(crate) async fn stored_message(
        tx: &mut D::Writer,
        contact: ContactId,
        client_id: &ClientMessageId,
    ) -> StoreResult<Option<Message>> {
        tx.optional(
            &format!("{SELECT_MESSAGE} WHERE contact_id = $1 AND client_id = $2"),
            &[contact.into(), client_id.as_str().into()],
        )
        .await?
        .as_ref()
        .map(to_message)
        .transpose()
    }

    /// Writes every column a transition or a take may change (never a key column: see
    /// `dialect/postgres.rs` on why that matters to "next").
    pub(crate) async fn write_contact(tx: &mut D::Writer, c: &Contact) -> StoreResult<()> {
        let (state, reason) = state_columns(c.state);
        tx.exec(
            "UPDATE contacts SET state = $2, listener_id = $3, priority = $4, \
             is_returning = $5, queued_at = $6, answered_at = $7, ended_at = $8, \
             wait_seconds = $9, end_reason = $10 WHERE id = $1",
            &[
                c.id.into(),
                state.into(),
                c.listener.map(|u| u.0).into(),
                c.priority.into(),
                c.returning.into(),
                c.queued_at.0.into(),
                c.answered_at.map(|t| t.0).into(),
                c.ended_at.map(|t| t.0).into(),
                c.wait_seconds.into(),
                reason.into(),
            ],
        )
        .await
        .map_err(|e| write_error(e, "contact update refused"))?;
        Ok(())
    }

    /// Gives the locked, waiting `contact` to `listener`, in the write transaction of `tx`.
    pub(crate) async fn take(
        tx: &mut D::Writer,
        contact: &Contact,
        listener: UserId,
        now: Timestamp,
    ) -> StoreResult<TakeOutcome> {
        let taken = contact.after_take(listener, now)?;
        Self::write_contact(tx, &taken).await?;
        Ok(TakeOutcome::Taken(taken))
    }
}
