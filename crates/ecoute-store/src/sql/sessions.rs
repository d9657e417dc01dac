//! [`SessionStore`]: staff login sessions (only a hash of each token is stored).

use super::{get, write_error, Args, Conn, Db, DbRow, Scalar, SELECT_USER};
use crate::dialect::{Dialect, SqlStore};
use crate::query::Run;
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
        let session = session.clone();
        self.write(move |tx| {
            let session = session.clone();
            Box::pin(async move {
                tx.exec(
                    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, \
                     expires_at) VALUES ($1, $2, $3, $4, $5)",
                    &[
                        session.token_hash.as_str().into(),
                        session.user.0.into(),
                        session.csrf_token.as_str().into(),
                        session.created_at.0.into(),
                        session.expires_at.0.into(),
                    ],
                )
                .await
                .map_err(|e| write_error(e, "a session with this token already exists"))?;
                Ok(())
            })
        })
        .await
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
                user: super::to_user(&row)?,
                csrf_token: get(&row, "csrf_token")?,
                expires_at: Timestamp(get(&row, "expires_at")?),
            })),
        }
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        let token_hash = token_hash.to_owned();
        self.write(move |tx| {
            let token_hash = token_hash.clone();
            Box::pin(async move {
                tx.exec(
                    "DELETE FROM sessions WHERE token_hash = $1",
                    &[token_hash.as_str().into()],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.exec(
                    "DELETE FROM sessions WHERE expires_at <= $1",
                    &[now.0.into()],
                )
                .await
            })
        })
        .await
    }
}
