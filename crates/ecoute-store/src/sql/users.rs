//! [`UserStore`]: staff accounts.

use super::{count, get, write_error, Args, Conn, Db, DbRow, Scalar, SELECT_USER};
use crate::dialect::{Dialect, SqlStore};
use crate::query::{Columns, Run};
use crate::{Credentials, NewUser, StoreError, StoreResult, User, UserStore};
use async_trait::async_trait;
use ecoute_domain::{Timestamp, UserId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

/// Maps a failed account insert. Only the username's own constraint means "taken" (SQLite
/// names no constraint; its only other unique key is the generated id); any other uniqueness
/// violation (in practice PostgreSQL's `users_pkey`, when the id generator lags behind ids
/// written by hand) is named as it is, since telling an administrator to pick another
/// username would send them looking in the wrong place.
fn create_user_error(e: StoreError, username: &str) -> StoreError {
    if let StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) = &e {
        if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE {
            return StoreError::UsernameTaken(username.into());
        }
    }
    if let StoreError::Database(sqlx::Error::Database(db)) = &e {
        if db.is_unique_violation() {
            return match db.constraint() {
                None | Some("users_username_key") => StoreError::UsernameTaken(username.into()),
                Some("users_pkey") => StoreError::Conflict(
                    "the new account's id is already in use: the users id sequence is behind \
                     the table (were accounts inserted by hand?)"
                        .into(),
                ),
                Some(other) => StoreError::Conflict(format!(
                    "the account conflicts with an existing row (constraint {other})"
                )),
            };
        }
    }
    write_error(e, "account refused")
}

impl<D: Dialect> SqlStore<D> {
    /// Inserts an account inside a write transaction ([`StoreError::UsernameTaken`]).
    pub(crate) async fn insert_user(
        tx: &mut D::Writer,
        new: &NewUser,
        now: Timestamp,
    ) -> StoreResult<User> {
        let id: i64 = tx
            .one(
                "INSERT INTO users (username, pseudonym, role, password_hash, centre_id, \
                 disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[
                    new.username.as_str().into(),
                    new.pseudonym.as_str().into(),
                    new.role.as_str().into(),
                    new.password_hash.as_str().into(),
                    new.centre.0.into(),
                    false.into(),
                    now.0.into(),
                ],
            )
            .await
            .map_err(|e| create_user_error(e, new.username.as_str()))?
            .get("id")?;
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
}

#[async_trait]
impl<D> UserStore for SqlStore<D>
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
    async fn create_user(&self, new: &NewUser, now: Timestamp) -> StoreResult<User> {
        let new = new.clone();
        self.write(move |tx| {
            let new = new.clone();
            Box::pin(async move { Self::insert_user(tx, &new, now).await })
        })
        .await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!("{SELECT_USER} FROM users u WHERE u.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(super::to_user).transpose()
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
                user: super::to_user(&row)?,
                password_hash: get(&row, "password_hash")?,
            })),
        }
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        sqlx::query(&format!(
            "{SELECT_USER} FROM users u ORDER BY u.username COLLATE {}",
            D::BYTEWISE
        ))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(super::to_user)
        .collect()
    }

    async fn count_users(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.read)
            .await?;
        count(n)
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> StoreResult<()> {
        let hash = hash.to_owned();
        self.write(move |tx| {
            let hash = hash.clone();
            Box::pin(async move {
                let changed = tx
                    .exec(
                        "UPDATE users SET password_hash = $2 WHERE id = $1",
                        &[id.0.into(), hash.as_str().into()],
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

    async fn set_disabled(&self, id: UserId, disabled: bool) -> StoreResult<()> {
        self.write(move |tx| {
            Box::pin(async move {
                let changed = tx
                    .exec(
                        "UPDATE users SET disabled = $2 WHERE id = $1",
                        &[id.0.into(), disabled.into()],
                    )
                    .await?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                if disabled {
                    tx.exec("DELETE FROM sessions WHERE user_id = $1", &[id.0.into()])
                        .await?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn account_setup(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!(
            "{SELECT_USER} FROM account_setups s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.used_at IS NULL AND s.expires_at > $2 \
             AND NOT u.disabled"
        ))
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(super::to_user).transpose()
    }

    async fn complete_account_setup(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<UserId> {
        let (token_hash, password_hash) = (token_hash.to_owned(), password_hash.to_owned());
        self.write(move |tx| {
            let (token_hash, password_hash) = (token_hash.clone(), password_hash.clone());
            Box::pin(async move {
                // Used up by the same statement that finds it: a link works once, even when
                // two submissions race.
                let user: i64 = tx
                    .optional(
                        "UPDATE account_setups SET used_at = $2 \
                         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                         AND user_id IN (SELECT id FROM users WHERE NOT disabled) \
                         RETURNING user_id",
                        &[token_hash.as_str().into(), now.0.into()],
                    )
                    .await?
                    .ok_or(StoreError::NotFound)?
                    .get("user_id")?;
                tx.exec(
                    "UPDATE users SET password_hash = $2 WHERE id = $1",
                    &[user.into(), password_hash.as_str().into()],
                )
                .await?;
                Ok(UserId(user))
            })
        })
        .await
    }
}
