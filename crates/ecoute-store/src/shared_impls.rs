//! Store traits whose SQL and code are the same on both backends, written once. Each
//! backend instantiates them with its own pools: SQLite reads through `read` and writes
//! through its single-writer `write`; PostgreSQL uses its one `pool` for both. The bodies
//! resolve names in the backend's module: its row conversions (`to_user`) and what it
//! imports from `records`.

/// `impl SessionStore for $store`, reading through `self.$read` and writing through
/// `self.$write`.
macro_rules! session_store {
    ($store:ty, read: $read:ident, write: $write:ident) => {
        #[async_trait]
        impl SessionStore for $store {
            async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO sessions \
                     (token_hash, user_id, csrf_token, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&session.token_hash)
                .bind(session.user.0)
                .bind(&session.csrf_token)
                .bind(session.created_at.0)
                .bind(session.expires_at.0)
                .execute(&self.$write)
                .await
                .map_err(|e| write_error(e, "a session with this token already exists"))?;
                Ok(())
            }

            async fn session(
                &self,
                token_hash: &str,
                now: Timestamp,
            ) -> StoreResult<Option<Session>> {
                let row = sqlx::query(&format!(
                    "{SELECT_USER}, s.token_hash, s.csrf_token, s.expires_at \
                     FROM sessions s JOIN users u ON u.id = s.user_id \
                     WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled"
                ))
                .bind(token_hash)
                .bind(now.0)
                .fetch_optional(&self.$read)
                .await?;
                match row {
                    None => Ok(None),
                    Some(row) => Ok(Some(Session {
                        token_hash: get(&row, "token_hash")?,
                        user: to_user(&row)?,
                        csrf_token: get(&row, "csrf_token")?,
                        expires_at: Timestamp(get(&row, "expires_at")?),
                    })),
                }
            }

            async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&self.$write)
                    .await?;
                Ok(())
            }

            async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
                let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now.0)
                    .execute(&self.$write)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
pub(crate) use session_store;

/// `impl PresenceStore for $store`, reading through `self.$read` and writing through
/// `self.$write`.
macro_rules! presence_store {
    ($store:ty, read: $read:ident, write: $write:ident) => {
        #[async_trait]
        impl PresenceStore for $store {
            async fn set_presence(
                &self,
                user: UserId,
                presence: Presence,
                now: Timestamp,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO listener_presence (user_id, presence, changed_at) \
                     VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET presence = excluded.presence, \
                     changed_at = excluded.changed_at",
                )
                .bind(user.0)
                .bind(presence.as_str())
                .bind(now.0)
                .execute(&self.$write)
                .await
                .map_err(|e| write_error(e, "presence refused"))?;
                Ok(())
            }

            async fn set_offline_if_away(
                &self,
                user: UserId,
                before: Timestamp,
                now: Timestamp,
            ) -> StoreResult<bool> {
                let done = sqlx::query(SET_OFFLINE_IF_AWAY)
                    .bind(user.0)
                    .bind(before.0)
                    .bind(now.0)
                    .execute(&self.$write)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn presence(&self, user: UserId) -> StoreResult<Presence> {
                let p: Option<String> =
                    sqlx::query_scalar("SELECT presence FROM listener_presence WHERE user_id = $1")
                        .bind(user.0)
                        .fetch_optional(&self.$read)
                        .await?;
                p.map_or(Ok(Presence::Offline), |p| parse_presence(&p))
            }

            async fn attach_listener(&self, user: UserId, conn: i64) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO listener_presence (user_id, presence, conn) \
                     VALUES ($1, 'offline', $2) \
                     ON CONFLICT (user_id) DO UPDATE SET conn = excluded.conn, away_since = NULL",
                )
                .bind(user.0)
                .bind(conn)
                .execute(&self.$write)
                .await
                .map_err(|e| write_error(e, "connection refused"))?;
                Ok(())
            }

            async fn detach_listener(
                &self,
                user: UserId,
                conn: i64,
                now: Timestamp,
            ) -> StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE listener_presence SET conn = NULL, away_since = $3 \
                     WHERE user_id = $1 AND conn = $2",
                )
                .bind(user.0)
                .bind(conn)
                .bind(now.0)
                .execute(&self.$write)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn listeners_away_since(&self, before: Timestamp) -> StoreResult<Vec<UserId>> {
                let ids: Vec<i64> = sqlx::query_scalar(LISTENERS_AWAY_QUERY)
                    .bind(before.0)
                    .fetch_all(&self.$read)
                    .await?;
                Ok(ids.into_iter().map(UserId).collect())
            }

            async fn duty(&self, centre: CentreId) -> StoreResult<Duty> {
                let row = sqlx::query(DUTY_QUERY)
                    .bind(centre.0)
                    .fetch_one(&self.$read)
                    .await?;
                let on_duty: i64 = get(&row, "on_duty")?;
                let free: i64 = get(&row, "free")?;
                Ok(Duty {
                    on_duty: count(on_duty)? as usize,
                    free: count(free)? as usize,
                })
            }

            async fn live_counts(&self) -> StoreResult<Vec<CentreCounts>> {
                let contacts = sqlx::query(CONTACT_COUNTS_QUERY)
                    .fetch_all(&self.$read)
                    .await?;
                let duty = sqlx::query(DUTY_COUNTS_QUERY).fetch_all(&self.$read).await?;
                centre_counts(&contacts, &duty)
            }
        }
    };
}
pub(crate) use presence_store;
