//! The PostgreSQL backend, for several instances sharing one database.
//!
//! Writes run in `READ COMMITTED` transactions with row locks; the rules are those of
//! `records.rs`, shared with SQLite.
//!
//! # How "next" stays atomic and fair
//!
//! [`PgStore::take_next`] must give each waiting contact to exactly one listener, never skip
//! a waiting contact, and never exceed a listener's capacity, with listeners on several
//! instances pressing "next" at once. It works like this:
//!
//! 1. The listener's own `users` row is locked (`FOR NO KEY UPDATE`): two presses by the same
//!    listener (two tabs, two instances) run one after the other, so the count of their
//!    active contacts that follows cannot be stale.
//! 2. The head of the queue is read in serve order (a plain read of committed rows), and the
//!    first of them is locked with `FOR UPDATE SKIP LOCKED`: listeners racing for the head do
//!    not queue behind each other; the loser moves on to the next row at once.
//! 3. `SKIP LOCKED` alone would be wrong: it also skips a row that is merely locked for a
//!    moment by some other write — the person sending a message while waiting (which bumps
//!    `last_seq`), reconnecting, leaving — and a listener would then be served the second
//!    person in line, or be told that the queue is empty while someone waits. So when a row
//!    cannot be locked, we ask *who* holds it. Only "next" ever locks a contact row
//!    `FOR UPDATE`; every other write to `contacts` changes no key column and therefore takes
//!    `FOR NO KEY UPDATE` (and foreign-key checks take `FOR KEY SHARE`). `FOR KEY SHARE`
//!    conflicts with `FOR UPDATE` only, so trying `FOR KEY SHARE SKIP LOCKED` (inside a
//!    savepoint, released at once) tells the two apart:
//!    - it fails: another listener is taking that contact (or it already left the queue) —
//!      skipping it is right, since it is no longer waiting once that take commits;
//!    - it succeeds: a short non-taking write holds the row. We wait for it with a plain
//!      `FOR UPDATE`, then take the contact if it is still waiting, or move on if it left.
//!
//! The one case where a contact is skipped although it ends up still waiting is another
//! taker's transaction failing after it locked the row (a database error, a crash): the
//! listener who skipped it is then served the next person, or told the queue is empty; the
//! skipped person is answered by the next "next". Everything else that could lock a waiting
//! row is waited for. Deadlocks cannot form (a taker holds at most its own `users` row while
//! it waits, and no other write waits for a `users` row lock), but a deadlock or
//! serialisation failure reported by the server is retried all the same.

use crate::records::{
    after_take, after_transition, centre_counts, check_may_file_sheet, check_may_write,
    check_resend, count, get, parse_presence, state_columns, write_error, ContactRecord,
    MessageRecord, SheetRecord, UserRecord, CONTACT_COUNTS_QUERY, DELETE_DEAD_INSTANCES,
    DETACH_DEAD_LISTENERS, DETACH_DEAD_PERSONS, DUTY_COUNTS_QUERY, DUTY_QUERY, HEARTBEAT,
    LISTENERS_AWAY_QUERY, LISTENER_STILL_AWAY, PERSON_STILL_AWAY, SELECT_CONTACT, SELECT_MESSAGE,
    SELECT_SHEET, SELECT_USER, SERVE_ORDER, SET_OFFLINE_IF_AWAY,
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
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::{Acquire, Executor, Postgres, Transaction};
use std::str::FromStr;
use std::sync::LazyLock;
use uuid::Uuid;

/// The PostgreSQL schema, embedded in the binary; same versions as SQLite's.
pub static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// Connections per instance.
const MAX_CONNECTIONS: u32 = 10;
/// Queue rows examined per read in `take_next`; more than this many listeners taking at the
/// very same instant only costs another read.
const TAKE_BATCH: i64 = 64;
/// Rounds of `take_next` before giving up (each round only repeats when every examined row
/// was being taken by someone else at that instant).
const TAKE_ROUNDS: usize = 1000;
/// Attempts of a transaction the server aborted as a deadlock or serialisation failure.
const ATTEMPTS: usize = 5;

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://` or `postgresql://`) and applies the migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?;
        Self::connect_with(options).await
    }

    /// Connects with explicit options (e.g. a `search_path` for a schema of its own) and
    /// applies the migrations.
    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await?;
        // The migrator's `CREATE TABLE IF NOT EXISTS _sqlx_migrations` draws a NOTICE
        // ("relation already exists") at every start, which sqlx logs at INFO: run the
        // migrations on a connection that does not ask for notices, then put it back as it was.
        let mut conn = pool.acquire().await?;
        conn.execute("SET client_min_messages = warning").await?;
        MIGRATOR.run(&mut *conn).await?;
        conn.execute("RESET client_min_messages").await?;
        drop(conn);
        Ok(PgStore { pool })
    }

    /// The connection pool (for the event bus and maintenance commands).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn try_detach_dead_instances(
        &self,
        stale_before: Timestamp,
    ) -> StoreResult<DeadConnections> {
        let mut tx = self.pool.begin().await?;
        // Deleting the rows locks them: a concurrent call blocks on them, then finds them
        // gone once this commits, and moves on to the others.
        let dead: Vec<(i64, i64)> = sqlx::query_as(DELETE_DEAD_INSTANCES)
            .bind(stale_before.0)
            .fetch_all(&mut *tx)
            .await?;
        let mut found = DeadConnections::default();
        for (instance, last_heartbeat) in dead {
            // Under READ COMMITTED a row that a concurrent attach is moving to a live
            // instance is re-checked after that write commits, and then left alone.
            let persons: Vec<Uuid> = sqlx::query_scalar(DETACH_DEAD_PERSONS)
                .bind(instance)
                .bind(last_heartbeat)
                .fetch_all(&mut *tx)
                .await?;
            found.persons.extend(persons.into_iter().map(ContactId));
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

    async fn try_take_next(
        &self,
        centre: CentreId,
        listener: UserId,
        capacity: u32,
        now: Timestamp,
    ) -> StoreResult<TakeOutcome> {
        let mut tx = self.pool.begin().await?;
        // 1. One press at a time per listener, so that the capacity count holds.
        let known: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE")
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
        for _ in 0..TAKE_ROUNDS {
            // 2. The head of the queue as committed now.
            let heads: Vec<Uuid> = sqlx::query_scalar(&format!(
                "SELECT id FROM contacts WHERE centre_id = $1 AND state = 'waiting' \
                 ORDER BY {SERVE_ORDER} LIMIT $2"
            ))
            .bind(centre.0)
            .bind(TAKE_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            let full_batch = heads.len() as i64 == TAKE_BATCH;
            for id in heads {
                if let Some(contact) = lock_waiting(&mut tx, id, "FOR UPDATE SKIP LOCKED").await? {
                    return take(tx, &contact, listener, now).await;
                }
                // 3. Locked by someone: skip it only if that someone is taking it.
                if being_taken_or_gone(&mut tx, id).await? {
                    continue;
                }
                if let Some(contact) = lock_waiting(&mut tx, id, "FOR UPDATE").await? {
                    return take(tx, &contact, listener, now).await;
                }
            }
            if !full_batch {
                return Ok(TakeOutcome::QueueEmpty);
            }
            // Every row of a full batch was being taken by others: read the head again once
            // those takes have committed.
        }
        Err(StoreError::Conflict(
            "the queue is too busy right now; press next again".into(),
        ))
    }
}

/// The contact `id` if it is still waiting, locked with `lock` (`None`: not waiting, or
/// locked by someone else under `SKIP LOCKED`).
async fn lock_waiting(
    tx: &mut Transaction<'static, Postgres>,
    id: Uuid,
    lock: &str,
) -> StoreResult<Option<Contact>> {
    let row = sqlx::query(&format!(
        "{SELECT_CONTACT} WHERE id = $1 AND state = 'waiting' {lock}"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(to_contact).transpose()
}

/// Whether the waiting contact `id`, which could not be locked, is held by another
/// `take_next` (the only writer that locks contacts `FOR UPDATE`) or has left the queue.
async fn being_taken_or_gone(
    tx: &mut Transaction<'static, Postgres>,
    id: Uuid,
) -> StoreResult<bool> {
    // In a savepoint, rolled back at once: holding this weak lock while later waiting to
    // upgrade it could deadlock with another listener doing the same.
    let mut probe = tx.begin().await?;
    let row = sqlx::query(
        "SELECT id FROM contacts WHERE id = $1 AND state = 'waiting' FOR KEY SHARE SKIP LOCKED",
    )
    .bind(id)
    .fetch_optional(&mut *probe)
    .await?;
    probe.rollback().await?;
    Ok(row.is_none())
}

/// Gives the locked, waiting `contact` to `listener` and commits.
async fn take(
    mut tx: Transaction<'static, Postgres>,
    contact: &Contact,
    listener: UserId,
    now: Timestamp,
) -> StoreResult<TakeOutcome> {
    let taken = after_take(contact, listener, now)?;
    write_contact(&mut tx, &taken).await?;
    tx.commit().await?;
    Ok(TakeOutcome::Taken(taken))
}

/// Whether the server aborted the transaction in a way that a retry resolves.
fn retryable(e: &StoreError) -> bool {
    match e {
        StoreError::Database(sqlx::Error::Database(db)) => {
            matches!(db.code().as_deref(), Some("40P01" | "40001"))
        }
        _ => false,
    }
}

/// Maps a failed account insert. Only the username's own constraint means "taken"; any other
/// uniqueness violation (in practice `users_pkey`, when the id generator lags behind ids
/// written by hand) is named as it is, since telling an administrator to pick another
/// username would send them looking in the wrong place.
fn create_user_error(e: sqlx::Error, username: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Conflict(match db.constraint() {
                Some("users_username_key") => {
                    format!("the username {username:?} is already taken")
                }
                Some("users_pkey") => "the new account's id is already in use: the users id \
                    sequence is behind the table (were accounts inserted by hand?)"
                    .to_owned(),
                other => format!(
                    "the account conflicts with an existing row (constraint {})",
                    other.unwrap_or("unknown")
                ),
            });
        }
    }
    write_error(e, "account refused")
}

fn to_contact(row: &PgRow) -> StoreResult<Contact> {
    ContactRecord {
        id: get(row, "id")?,
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
    }
    .into_contact()
}

fn to_user(row: &PgRow) -> StoreResult<User> {
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

fn to_message(row: &PgRow) -> StoreResult<Message> {
    MessageRecord {
        contact: get(row, "contact_id")?,
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

/// The contact `id`, locked against other writes (not against readers, nor against the
/// foreign-key checks of inserted messages) until the transaction ends.
async fn lock_contact(conn: &mut PgConnection, id: ContactId) -> StoreResult<Contact> {
    let row = sqlx::query(&format!("{SELECT_CONTACT} WHERE id = $1 FOR NO KEY UPDATE"))
        .bind(id.0)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    to_contact(&row)
}

/// [`LISTENER_STILL_AWAY`] holding the presence row until the transaction ends.
static LISTENER_STILL_AWAY_LOCKED: LazyLock<String> =
    LazyLock::new(|| format!("{LISTENER_STILL_AWAY} FOR UPDATE"));

/// Writes every column a transition or a take may change (never a key column: see the
/// module documentation).
async fn write_contact(conn: &mut PgConnection, c: &Contact) -> StoreResult<()> {
    let (state, reason) = state_columns(c.state);
    sqlx::query(
        "UPDATE contacts SET state = $2, listener_id = $3, priority = $4, is_returning = $5, \
         queued_at = $6, answered_at = $7, ended_at = $8, wait_seconds = $9, end_reason = $10 \
         WHERE id = $1",
    )
    .bind(c.id.0)
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
impl UserStore for PgStore {
    async fn create_user(&self, new: &NewUser, now: Timestamp) -> StoreResult<User> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, pseudonym, role, password_hash, centre_id, disabled, \
             created_at) VALUES ($1, $2, $3, $4, $5, FALSE, $6) RETURNING id",
        )
        .bind(new.username.as_str())
        .bind(new.pseudonym.as_str())
        .bind(new.role.as_str())
        .bind(&new.password_hash)
        .bind(new.centre.0)
        .bind(now.0)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| create_user_error(e, new.username.as_str()))?;
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
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(to_user).transpose()
    }

    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
        let row = sqlx::query(&format!(
            "{SELECT_USER}, u.password_hash FROM users u WHERE u.username = $1"
        ))
        .bind(username.trim().to_ascii_lowercase())
        .fetch_optional(&self.pool)
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
        // COLLATE "C": the same byte order as SQLite, whatever the database's locale.
        sqlx::query(&format!(
            "{SELECT_USER} FROM users u ORDER BY u.username COLLATE \"C\""
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(to_user)
        .collect()
    }

    async fn count_users(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        count(n)
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(id.0)
            .bind(hash)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn set_disabled(&self, id: UserId, disabled: bool) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
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

session_store!(PgStore, read: pool, write: pool);

#[async_trait]
impl ContactStore for PgStore {
    async fn create_contact(&self, new: &NewContact) -> StoreResult<Contact> {
        sqlx::query(
            "INSERT INTO contacts (id, centre_id, channel, state, priority, is_returning, \
             created_at, queued_at, last_seq, resume_hash) \
             VALUES ($1, $2, $3, 'waiting', 0, FALSE, $4, $4, 0, $5)",
        )
        .bind(new.id.0)
        .bind(new.centre.0)
        .bind(new.channel.as_str())
        .bind(new.now.0)
        .bind(&new.resume_hash)
        .execute(&self.pool)
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
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(to_contact).transpose()
    }

    async fn contact_by_resume(&self, resume_hash: &str) -> StoreResult<Option<Contact>> {
        let row = sqlx::query(&format!("{SELECT_CONTACT} WHERE resume_hash = $1"))
            .bind(resume_hash)
            .fetch_optional(&self.pool)
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
        let mut attempt = 1;
        loop {
            match self.try_take_next(centre, listener, capacity, now).await {
                Err(e) if retryable(&e) && attempt < ATTEMPTS => attempt += 1,
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
        let mut tx = self.pool.begin().await?;
        let contact = lock_contact(&mut tx, id).await?;
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
        let mut tx = self.pool.begin().await?;
        // The contact's row lock holds off a reconnecting person (attach_person updates
        // it); a reconnecting listener updates their presence row, locked here too.
        let contact = lock_contact(&mut tx, id).await?;
        let still_away = match away {
            Away::Person { before } => sqlx::query(PERSON_STILL_AWAY).bind(id.0).bind(before.0),
            Away::Listener { user, before } => sqlx::query(&LISTENER_STILL_AWAY_LOCKED)
                .bind(user.0)
                .bind(before.0),
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
        let mut tx = self.pool.begin().await?;
        let mut contact = lock_contact(&mut tx, id).await?;
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
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(QueueEntry {
                    id: ContactId(get(row, "id")?),
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
        .fetch_all(&self.pool)
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
        .fetch_all(&self.pool)
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
        .bind(id.0)
        .bind(conn)
        .execute(&self.pool)
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
        .bind(id.0)
        .bind(conn)
        .bind(now.0)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn persons_away_since(&self, before: Timestamp) -> StoreResult<Vec<ContactId>> {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM contacts WHERE state <> 'ended' AND person_away_since <= $1 \
             ORDER BY person_away_since, id",
        )
        .bind(before.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(ContactId).collect())
    }
}

#[async_trait]
impl MessageStore for PgStore {
    async fn append_message(
        &self,
        contact: ContactId,
        sender: Sender,
        client_id: &ClientMessageId,
        body: &MessageBody,
        now: Timestamp,
    ) -> StoreResult<Appended> {
        let mut tx = self.pool.begin().await?;
        // The contact's row lock orders concurrent appends (and resends of one message).
        let current = lock_contact(&mut tx, contact).await?;
        let existing = sqlx::query(&format!(
            "{SELECT_MESSAGE} WHERE contact_id = $1 AND client_id = $2"
        ))
        .bind(contact.0)
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
        let author = check_may_write(&current, sender)?;
        let seq = current.last_seq + 1;
        sqlx::query("UPDATE contacts SET last_seq = $2 WHERE id = $1")
            .bind(contact.0)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        let listener_id = sender.listener().map(|id| id.0);
        sqlx::query(
            "INSERT INTO messages (contact_id, seq, author, client_id, body, at, listener_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(contact.0)
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
        .bind(contact.0)
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(to_message)
        .collect()
    }

    async fn purge_messages(&self, ended_before: Timestamp) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await?;
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

presence_store!(PgStore, read: pool, write: pool);

#[async_trait]
impl StatsStore for PgStore {
    async fn save_sheet(
        &self,
        sheet: &StatsSheet,
        listener: UserId,
        now: Timestamp,
    ) -> StoreResult<()> {
        const CONFLICT: &str = "this contact already has a statistics sheet";
        let mut tx = self.pool.begin().await?;
        // An ended contact never changes again: a plain read is enough to check it.
        let row = sqlx::query(&format!("{SELECT_CONTACT} WHERE id = $1"))
            .bind(sheet.contact.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let contact = to_contact(&row)?;
        check_may_file_sheet(&contact, listener)?;
        sqlx::query(
            "INSERT INTO stats_sheets (contact_id, listener_id, centre_id, channel, \
             duration_seconds, age_band, gender, contact_kind, risk, debrief_wanted, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(sheet.contact.0)
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
            let position = i32::try_from(position)
                .map_err(|_| StoreError::Conflict("too many themes".into()))?;
            sqlx::query(
                "INSERT INTO stats_sheet_themes (contact_id, position, theme) VALUES ($1, $2, $3)",
            )
            .bind(sheet.contact.0)
            .bind(position)
            .bind(theme)
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error(e, "a theme appears twice in the sheet"))?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn sheet(&self, contact: ContactId) -> StoreResult<Option<StatsSheet>> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(&format!("{SELECT_SHEET} WHERE contact_id = $1"))
            .bind(contact.0)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let themes: Vec<String> = sqlx::query_scalar(
            "SELECT theme FROM stats_sheet_themes WHERE contact_id = $1 ORDER BY position",
        )
        .bind(contact.0)
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
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(to_contact)
        .collect()
    }
}

#[async_trait]
impl InstanceStore for PgStore {
    async fn heartbeat(&self, instance: i64, now: Timestamp) -> StoreResult<()> {
        sqlx::query(HEARTBEAT)
            .bind(instance)
            .bind(now.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn detach_dead_instances(&self, stale_before: Timestamp) -> StoreResult<DeadConnections> {
        // This locks several contact rows in one statement; no other write does that to rows
        // that are not ended, but a deadlock reported by the server is retried all the same.
        let mut attempt = 1;
        loop {
            match self.try_detach_dead_instances(stale_before).await {
                Err(e) if retryable(&e) && attempt < ATTEMPTS => attempt += 1,
                outcome => return outcome,
            }
        }
    }
}
