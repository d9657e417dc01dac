//! [`SessionStore`]: staff login sessions (only a hash of each token is stored).

use super::{get, write_error, Args, Conn, Db, DbRow, Scalar, SELECT_USER};
use crate::dialect::{Dialect, SqlStore};
use crate::{NewSession, Session, SessionStore, StoreResult};
use async_trait::async_trait;
use ecoute_domain::Timestamp;
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

#[async_trait]
impl<D> SessionStore for SqlStore<D>
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
    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session.token_hash.as_str())
        .bind(session.user.0)
        .bind(session.csrf_token.as_str())
        .bind(session.created_at.0)
        .bind(session.expires_at.0)
        .execute(&self.write)
        .await
        .map_err(|e| write_error(e, "a session with this token already exists"))?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<Session>> {
        let row = sqlx::query(&format!(
            "{SELECT_USER}, s.token_hash, s.csrf_token, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled"
        ))
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&self.read)
        .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some(Session {
                token_hash: get(&row, "token_hash")?,
                user: Self::to_user(&row)?,
                csrf_token: get(&row, "csrf_token")?,
                expires_at: Timestamp(get(&row, "expires_at")?),
            })),
        }
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now.0)
            .execute(&self.write)
            .await?;
        Ok(D::rows_affected(&done))
    }
}
