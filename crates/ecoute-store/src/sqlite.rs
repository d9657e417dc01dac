//! The embedded SQLite backend, the default.
//!
//! Every connection runs in WAL mode (readers never block the writer), waits up to 5 s for a
//! lock instead of failing at once, enforces foreign keys, and syncs each commit to disk
//! (`synchronous = FULL`): a message is acknowledged only once committed and must survive a
//! power loss.
//!
//! Writes go through a pool of exactly one connection and start with `BEGIN IMMEDIATE`: the
//! pool serialises this process's writers, and taking the write lock at the start means a
//! transaction that reads then writes can never fail half-way with `SQLITE_BUSY` because
//! another process (an `ecoute` command run beside the server) wrote in between. Reads use a
//! separate pool and see every committed write.

use crate::records::{
    after_take, after_transition, centre_counts, check_may_file_sheet, check_may_write,
    check_resend, count, get, parse_presence, parse_uuid, state_columns, write_error,
    ContactRecord, MessageRecord, SheetRecord, UserRecord, CONTACT_COUNTS_QUERY,
    DELETE_DEAD_INSTANCES, DETACH_DEAD_LISTENERS, DETACH_DEAD_PERSONS, DUTY_COUNTS_QUERY,
    DUTY_QUERY, HEARTBEAT, LISTENERS_AWAY_QUERY, LISTENER_STILL_AWAY, PERSON_STILL_AWAY,
    SELECT_CONTACT, SELECT_MESSAGE, SELECT_SHEET, SELECT_USER, SERVE_ORDER, SET_OFFLINE_IF_AWAY,
};
use crate::shared_impls::{presence_store, session_store};
use crate::{
    Appended, Away, CentreCounts, ContactStore, Credentials, DeadConnections, Duty, InstanceStore,
    MessageStore, NewContact, NewSession, NewUser, PresenceStore, Sender, Session, SessionStore,
    StatsStore, StoreError, StoreResult, TakeOutcome, User, UserStore,
};
use async_trait::async_trait;
use ecoute_domain::{
    CentreId, ClientMessageId, Contact, ContactId, ContactState, Message, MessageBody, Presence,
    QueueEntry, StatsSheet, Timestamp, Transition, TransitionError, UserId, Writer,
};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Sqlite, SqliteConnection, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The SQLite schema, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a connection waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Concurrent readers; SQLite in WAL mode serves them in parallel with the writer.
const READ_CONNECTIONS: u32 = 4;

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    /// One connection: every write transaction, in turn.
    write: SqlitePool,
    /// Reads (the same pool as `write` for an in-memory database, which is per connection).
    read: SqlitePool,
}

impl SqliteStore {
    /// Opens `url` (`sqlite://PATH`, `sqlite:PATH` or `sqlite::memory:`), creating the file
    /// and its folder if missing, and applies the migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .synchronous(SqliteSynchronous::Full);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            if let Some(parent) = options.get_filename().parent() {
                if !parent.as_os_str().is_empty() {
                    tokio::fs::create_dir_all(parent).await.map_err(|e| {
                        StoreError::Config(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
            }
        }
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&write).await?;
        let read = if in_memory {
            write.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(READ_CONNECTIONS)
                .connect_with(options)
                .await?
        };
        Ok(SqliteStore { write, read })
    }

    /// Writes a consistent copy of the whole database to `path` (a new file) while the store
    /// stays in use (`VACUUM INTO`).
    pub async fn backup_to(&self, path: &Path) -> StoreResult<()> {
        if path.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists: a backup never overwrites a file",
                path.display()
            )));
        }
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Config("the backup path must be valid UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.read)
            .await?;
        Ok(())
    }

    /// Closes every connection (checkpointing the WAL into the database file).
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// The write pool (one connection) and the read pool, for [`crate::transfer`].
    pub(crate) fn pools(&self) -> (&SqlitePool, &SqlitePool) {
        (&self.write, &self.read)
    }

    /// A write transaction holding the database's write lock from its first statement.
    async fn begin_write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }
}

fn contact_record(row: &SqliteRow) -> StoreResult<ContactRecord> {
    let id: String = get(row, "id")?;
    Ok(ContactRecord {
        id: parse_uuid(&id)?,
        centre: get(row, "centre_id")?,
        channel: get(row, "channel")?,
        state: get(row, "state")?,
        listener: get(row, "listener_id")?,
        priority: get(row, "priority")?,
        returning: get(row, "is_returning")?,
        created_at: get(row, "created_at")?,
        queued_at: get(row, "queued_at")?,
        answered_at: get(row, "answered_at")?,
        ended_at: get(row, "ended_at")?,
        wait_seconds: get(row, "wait_seconds")?,
        end_reason: get(row, "end_reason")?,
        last_seq: get(row, "last_seq")?,
    })
}

fn to_contact(row: &SqliteRow) -> StoreResult<Contact> {
    contact_record(row)?.into_contact()
}

fn to_user(row: &SqliteRow) -> StoreResult<User> {
    UserRecord {
        id: get(row, "id")?,
        username: get(row, "username")?,
        pseudonym: get(row, "pseudonym")?,
        role: get(row, "role")?,
        centre: get(row, "centre_id")?,
        disabled: get(row, "disabled")?,
        created_at: get(row, "created_at")?,
    }
    .into_user()
}

fn to_message(row: &SqliteRow) -> StoreResult<Message> {
    let contact: String = get(row, "contact_id")?;
    MessageRecord {
        contact: parse_uuid(&contact)?,
        seq: get(row, "seq")?,
        author: get(row, "author")?,
        client_id: get(row, "client_id")?,
        body: get(row, "body")?,
        at: get(row, "at")?,
        listener_id: get(row, "listener_id")?,
        listener: get(row, "listener")?,
    }
    .into_message()
}

async fn fetch_contact(conn: &mut SqliteConnection, id: ContactId) -> StoreResult<Contact> {
    let row = sqlx::query(&format!("{SELECT_CONTACT} WHERE id = $1"))
        .bind(id.0.to_string())
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    to_contact(&row)
}

/// Writes every column a transition or a take may change.
async fn write_contact(conn: &mut SqliteConnection, c: &Contact) -> StoreResult<()> {
    let (state, reason) = state_columns(c.state);
    sqlx::query(
        "UPDATE contacts SET state = $2, listener_id = $3, priority = $4, is_returning = $5, \
         queued_at = $6, answered_at = $7, ended_at = $8, wait_seconds = $9, end_reason = $10 \
         WHERE id = $1",
    )
    .bind(c.id.0.to_string())
    .bind(state)
    .bind(c.listener.map(|u| u.0))
    .bind(c.priority)
    .bind(c.returning)
    .bind(c.queued_at.0)
    .bind(c.answered_at.map(|t| t.0))
    .bind(c.ended_at.map(|t| t.0))
    .bind(c.wait_seconds)
    .bind(reason)
    .execute(conn)
    .await
    .map_err(|e| write_error(e, "contact update refused"))?;
    Ok(())
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn create_user(&self, new: &NewUser, now: Timestamp) -> StoreResult<User> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, pseudonym, role, password_hash, centre_id, disabled, \
             created_at) VALUES ($1, $2, $3, $4, $5, 0, $6) RETURNING id",
        )
        .bind(new.username.as_str())
        .bind(new.pseudonym.as_str())
        .bind(new.role.as_str())
        .bind(&new.password_hash)
        .bind(new.centre.0)
        .bind(now.0)
        .fetch_one(&self.write)
        .await
        .map_err(|e| {
            write_error(
                e,
                &format!("the username {:?} is already taken", new.username.as_str()),
            )
        })?;
        Ok(User {
            id: UserId(id),
            username: new.username.as_str().to_owned(),
            pseudonym: new.pseudonym.as_str().to_owned(),
            role: new.role,
            centre: new.centre,
            disabled: false,
            created_at: now,
        })
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!("{SELECT_USER} FROM users u WHERE u.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(to_user).transpose()
    }

    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
        let row = sqlx::query(&format!(
            "{SELECT_USER}, u.password_hash FROM users u WHERE u.username = $1"
        ))
        .bind(username.trim().to_ascii_lowercase())
        .fetch_optional(&self.read)
        .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some(Credentials {
                user: to_user(&row)?,
                password_hash: get(&row, "password_hash")?,
            })),
        }
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        sqlx::query(&format!("{SELECT_USER} FROM users u ORDER BY u.username"))
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(to_user)
            .collect()
    }

    async fn count_users(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.read)
            .await?;
        count(n)
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(id.0)
            .bind(hash)
            .execute(&self.write)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn set_disabled(&self, id: UserId, disabled: bool) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET disabled = $2 WHERE id = $1")
            .bind(id.0)
            .bind(disabled)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

session_store!(SqliteStore, read: read, write: write);

#[async_trait]
impl ContactStore for SqliteStore {
    async fn create_contact(&self, new: &NewContact) -> StoreResult<Contact> {
        sqlx::query(
            "INSERT INTO contacts (id, centre_id, channel, state, priority, is_returning, \
             created_at, queued_at, last_seq, resume_hash) \
             VALUES ($1, $2, $3, 'waiting', 0, 0, $4, $4, 0, $5)",
        )
        .bind(new.id.0.to_string())
        .bind(new.centre.0)
        .bind(new.channel.as_str())
        .bind(new.now.0)
        .bind(&new.resume_hash)
        .execute(&self.write)
        .await
        .map_err(|e| write_error(e, "a contact with this id or resume token already exists"))?;
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
    }

    async fn contact(&self, id: ContactId) -> StoreResult<Option<Contact>> {
        let row = sqlx::query(&format!("{SELECT_CONTACT} WHERE id = $1"))
            .bind(id.0.to_string())
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(to_contact).transpose()
    }

    async fn contact_by_resume(&self, resume_hash: &str) -> StoreResult<Option<Contact>> {
        let row = sqlx::query(&format!("{SELECT_CONTACT} WHERE resume_hash = $1"))
            .bind(resume_hash)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(to_contact).transpose()
    }

    async fn take_next(
        &self,
        centre: CentreId,
        listener: UserId,
        capacity: u32,
        now: Timestamp,
    ) -> StoreResult<TakeOutcome> {
        // The write lock is held from the first statement: counting the listener's
        // conversations, choosing the head and taking it happen as one step.
        let mut tx = self.begin_write().await?;
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
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
        // The domain's serve order (QueueEntry::serve_order); the index contacts_queue
        // serves it directly.
        let head = sqlx::query(&format!(
            "{SELECT_CONTACT} WHERE centre_id = $1 AND state = 'waiting' \
             ORDER BY {SERVE_ORDER} LIMIT 1"
        ))
        .bind(centre.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(head) = head else {
            return Ok(TakeOutcome::QueueEmpty);
        };
        let taken = after_take(&to_contact(&head)?, listener, now)?;
        write_contact(&mut tx, &taken).await?;
        tx.commit().await?;
        Ok(TakeOutcome::Taken(taken))
    }

    async fn transition(
        &self,
        id: ContactId,
        transition: Transition,
        now: Timestamp,
    ) -> StoreResult<Contact> {
        let mut tx = self.begin_write().await?;
        let contact = fetch_contact(&mut tx, id).await?;
        let next = after_transition(&contact, transition, now)?;
        write_contact(&mut tx, &next).await?;
        tx.commit().await?;
        Ok(next)
    }

    async fn transition_if_away(
        &self,
        id: ContactId,
        transition: Transition,
        away: Away,
        now: Timestamp,
    ) -> StoreResult<Option<Contact>> {
        // BEGIN IMMEDIATE: no reconnection can commit between the check and the write.
        let mut tx = self.begin_write().await?;
        let contact = fetch_contact(&mut tx, id).await?;
        let still_away = match away {
            Away::Person { before } => sqlx::query(PERSON_STILL_AWAY)
                .bind(id.0.to_string())
                .bind(before.0),
            Away::Listener { user, before } => {
                sqlx::query(LISTENER_STILL_AWAY).bind(user.0).bind(before.0)
            }
        }
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if !still_away {
            return Ok(None);
        }
        let next = after_transition(&contact, transition, now)?;
        write_contact(&mut tx, &next).await?;
        tx.commit().await?;
        Ok(Some(next))
    }

    async fn set_priority(&self, id: ContactId, priority: i32) -> StoreResult<Contact> {
        let mut tx = self.begin_write().await?;
        let mut contact = fetch_contact(&mut tx, id).await?;
        if let ContactState::Ended { .. } = contact.state {
            return Err(TransitionError::AlreadyEnded.into());
        }
        contact.priority = priority;
        write_contact(&mut tx, &contact).await?;
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
                let id: String = get(row, "id")?;
                Ok(QueueEntry {
                    id: ContactId(parse_uuid(&id)?),
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
        .map(to_contact)
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
        let done = sqlx::query(
            "UPDATE contacts SET person_conn = $2, person_away_since = NULL WHERE id = $1",
        )
        .bind(id.0.to_string())
        .bind(conn)
        .execute(&self.write)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn detach_person(&self, id: ContactId, conn: i64, now: Timestamp) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE contacts SET person_conn = NULL, person_away_since = $3 \
             WHERE id = $1 AND person_conn = $2",
        )
        .bind(id.0.to_string())
        .bind(conn)
        .bind(now.0)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn persons_away_since(&self, before: Timestamp) -> StoreResult<Vec<ContactId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM contacts WHERE state <> 'ended' AND person_away_since <= $1 \
             ORDER BY person_away_since, id",
        )
        .bind(before.0)
        .fetch_all(&self.read)
        .await?;
        ids.iter().map(|s| Ok(ContactId(parse_uuid(s)?))).collect()
    }
}

#[async_trait]
impl MessageStore for SqliteStore {
    async fn append_message(
        &self,
        contact: ContactId,
        sender: Sender,
        client_id: &ClientMessageId,
        body: &MessageBody,
        now: Timestamp,
    ) -> StoreResult<Appended> {
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query(&format!(
            "{SELECT_MESSAGE} WHERE contact_id = $1 AND client_id = $2"
        ))
        .bind(contact.0.to_string())
        .bind(client_id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = existing {
            // A resend (the acknowledgement was lost): the same answer again, whatever the
            // contact's state now.
            let message = to_message(&row)?;
            check_resend(&message, sender)?;
            return Ok(Appended {
                message,
                created: false,
            });
        }
        let current = fetch_contact(&mut tx, contact).await?;
        let author = check_may_write(&current, sender)?;
        let seq = current.last_seq + 1;
        sqlx::query("UPDATE contacts SET last_seq = $2 WHERE id = $1")
            .bind(contact.0.to_string())
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        let listener_id = sender.listener().map(|id| id.0);
        sqlx::query(
            "INSERT INTO messages (contact_id, seq, author, client_id, body, at, listener_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(contact.0.to_string())
        .bind(seq)
        .bind(author.as_str())
        .bind(client_id.as_str())
        .bind(body.as_str())
        .bind(now.0)
        .bind(listener_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| write_error(e, "this message was already stored"))?;
        let listener = match sender.listener() {
            Some(id) => Some(Writer {
                id,
                pseudonym: sqlx::query_scalar("SELECT pseudonym FROM users WHERE id = $1")
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?,
            }),
            None => None,
        };
        tx.commit().await?;
        Ok(Appended {
            message: Message {
                contact,
                seq,
                author,
                client_id: client_id.clone(),
                body: body.as_str().to_owned(),
                at: now,
                listener,
            },
            created: true,
        })
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
        .bind(contact.0.to_string())
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(to_message)
        .collect()
    }

    async fn purge_messages(&self, ended_before: Timestamp) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let deleted = sqlx::query(
            "DELETE FROM messages WHERE contact_id IN \
             (SELECT id FROM contacts WHERE state = 'ended' AND ended_at <= $1)",
        )
        .bind(ended_before.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "UPDATE contacts SET resume_hash = NULL \
             WHERE state = 'ended' AND ended_at <= $1 AND resume_hash IS NOT NULL",
        )
        .bind(ended_before.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(deleted)
    }
}

presence_store!(SqliteStore, read: read, write: write);

#[async_trait]
impl StatsStore for SqliteStore {
    async fn save_sheet(
        &self,
        sheet: &StatsSheet,
        listener: UserId,
        now: Timestamp,
    ) -> StoreResult<()> {
        const CONFLICT: &str = "this contact already has a statistics sheet";
        let mut tx = self.begin_write().await?;
        let contact = fetch_contact(&mut tx, sheet.contact).await?;
        check_may_file_sheet(&contact, listener)?;
        sqlx::query(
            "INSERT INTO stats_sheets (contact_id, listener_id, centre_id, channel, \
             duration_seconds, age_band, gender, contact_kind, risk, debrief_wanted, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(sheet.contact.0.to_string())
        .bind(listener.0)
        .bind(contact.centre.0)
        .bind(contact.channel.as_str())
        .bind(sheet.duration_seconds)
        .bind(sheet.age_band.as_str())
        .bind(sheet.gender.as_str())
        .bind(sheet.contact_kind.as_str())
        .bind(sheet.risk.as_str())
        .bind(sheet.debrief_wanted)
        .bind(now.0)
        .execute(&mut *tx)
        .await
        .map_err(|e| write_error(e, CONFLICT))?;
        for (position, theme) in sheet.themes.iter().enumerate() {
            sqlx::query(
                "INSERT INTO stats_sheet_themes (contact_id, position, theme) VALUES ($1, $2, $3)",
            )
            .bind(sheet.contact.0.to_string())
            .bind(position as i64)
            .bind(theme)
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error(e, "a theme appears twice in the sheet"))?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn sheet(&self, contact: ContactId) -> StoreResult<Option<StatsSheet>> {
        let mut conn = self.read.acquire().await?;
        let row = sqlx::query(&format!("{SELECT_SHEET} WHERE contact_id = $1"))
            .bind(contact.0.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let themes: Vec<String> = sqlx::query_scalar(
            "SELECT theme FROM stats_sheet_themes WHERE contact_id = $1 ORDER BY position",
        )
        .bind(contact.0.to_string())
        .fetch_all(&mut *conn)
        .await?;
        SheetRecord {
            contact: contact.0,
            duration_seconds: get(&row, "duration_seconds")?,
            themes,
            age_band: get(&row, "age_band")?,
            gender: get(&row, "gender")?,
            contact_kind: get(&row, "contact_kind")?,
            risk: get(&row, "risk")?,
            debrief_wanted: get(&row, "debrief_wanted")?,
        }
        .into_sheet()
        .map(Some)
    }

    async fn pending_sheets(&self, listener: UserId) -> StoreResult<Vec<Contact>> {
        sqlx::query(&format!(
            "{SELECT_CONTACT} c WHERE c.state = 'ended' AND c.listener_id = $1 \
             AND c.answered_at IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM stats_sheets s WHERE s.contact_id = c.id) \
             ORDER BY c.ended_at, c.id"
        ))
        .bind(listener.0)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(to_contact)
        .collect()
    }
}

#[async_trait]
impl InstanceStore for SqliteStore {
    async fn heartbeat(&self, instance: i64, now: Timestamp) -> StoreResult<()> {
        sqlx::query(HEARTBEAT)
            .bind(instance)
            .bind(now.0)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn detach_dead_instances(&self, stale_before: Timestamp) -> StoreResult<DeadConnections> {
        // The write lock is held from the first statement, so a concurrent call (another
        // process on the same file) finds the dead instances already deleted.
        let mut tx = self.begin_write().await?;
        let dead: Vec<(i64, i64)> = sqlx::query_as(DELETE_DEAD_INSTANCES)
            .bind(stale_before.0)
            .fetch_all(&mut *tx)
            .await?;
        let mut found = DeadConnections::default();
        for (instance, last_heartbeat) in dead {
            let persons: Vec<String> = sqlx::query_scalar(DETACH_DEAD_PERSONS)
                .bind(instance)
                .bind(last_heartbeat)
                .fetch_all(&mut *tx)
                .await?;
            for id in persons {
                found.persons.push(ContactId(parse_uuid(&id)?));
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
}
