//! Staff accounts: create (the admin page, the CLI and the demo share it), disable and
//! enable, passwords, sessions (opening one after a login, logging out). Whatever ends sessions publishes
//! [`Event::SessionsChanged`] after commit on the account's topic, so that its open sockets
//! close at once, on every instance the bus reaches.

use ecoute_domain::{
    CentreId, Event, Password, Pseudonym, Role, Topic, UserError, UserId, Username,
};
use ecoute_store::{NewSession, NewUser, User};

use crate::{hash_password, App, AppError, AppResult};

/// A new account's fields as typed (by an administrator or on the command line).
#[derive(Debug, Clone, Copy)]
pub struct AccountFields<'a> {
    /// Login name.
    pub username: &'a str,
    /// Name shown to callers and colleagues.
    pub pseudonym: &'a str,
    /// `listener`, `supervisor` or `admin`.
    pub role: &'a str,
    /// The password, in clear.
    pub password: &'a str,
    /// The centre the account belongs to.
    pub centre: CentreId,
}

/// Validates a new account's fields into a store record, its password hashed.
/// [`AppError::InvalidAccount`] names the rule broken.
pub async fn new_user(fields: AccountFields<'_>) -> AppResult<NewUser> {
    let username = Username::parse(fields.username)?;
    let pseudonym = Pseudonym::parse(fields.pseudonym)?;
    let role = Role::parse(fields.role).ok_or(UserError::Role)?;
    let password = Password::parse(fields.password)?;
    let password_hash = hash_password(password.expose().to_owned()).await?;
    Ok(NewUser {
        username,
        pseudonym,
        role,
        password_hash,
        centre: fields.centre,
    })
}

impl App {
    /// Creates an account. [`AppError::InvalidAccount`] for a field against the rules,
    /// [`AppError::UsernameTaken`].
    pub async fn create_account(&self, fields: AccountFields<'_>) -> AppResult<User> {
        let new = new_user(fields).await?;
        let user = self.store.create_user(&new, self.now()).await?;
        tracing::info!(
            user = user.id.0,
            role = user.role.as_str(),
            "account created"
        );
        Ok(user)
    }

    /// The account named `username` (normalised as at login).
    pub async fn account_named(&self, username: &str) -> AppResult<User> {
        let name = username.trim().to_ascii_lowercase();
        let credentials = self.store.credentials(&name).await?;
        credentials.map(|c| c.user).ok_or(AppError::NotFound)
    }

    /// Disables (ending its sessions and, at once, its open sockets) or re-enables account
    /// `id`. `by` is the administrator acting, if any: [`AppError::OwnAccount`] when they
    /// would disable themselves.
    pub async fn set_disabled(
        &self,
        id: UserId,
        disabled: bool,
        by: Option<UserId>,
    ) -> AppResult<()> {
        if disabled && by == Some(id) {
            return Err(AppError::OwnAccount);
        }
        self.store.set_disabled(id, disabled).await?;
        if disabled {
            self.sessions_changed(id).await;
        }
        Ok(())
    }

    /// Gives account `id` a new password; its open sockets re-check their sessions.
    pub async fn set_password(&self, id: UserId, password: &str) -> AppResult<()> {
        let password = Password::parse(password)?;
        let hash = hash_password(password.expose().to_owned()).await?;
        self.store.set_password_hash(id, &hash).await?;
        self.sessions_changed(id).await;
        Ok(())
    }

    /// Opens a session of `user` (after their password was checked) for `lifetime_seconds`;
    /// only the hash of its token is stored.
    pub async fn open_session(
        &self,
        user: UserId,
        token_hash: String,
        csrf_token: String,
        lifetime_seconds: u64,
    ) -> AppResult<()> {
        let now = self.now();
        let lifetime_ms = i64::try_from(lifetime_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
        self.store
            .create_session(&NewSession {
                token_hash,
                user,
                csrf_token,
                created_at: now,
                expires_at: now.plus_millis(lifetime_ms),
            })
            .await?;
        tracing::info!(user = user.0, "staff login");
        Ok(())
    }

    /// Ends `user`'s session whose token hashes to `token_hash`; that session's sockets close
    /// at once.
    pub async fn logout(&self, user: UserId, token_hash: &str) -> AppResult<()> {
        self.store.delete_session(token_hash).await?;
        self.sessions_changed(user).await;
        Ok(())
    }

    /// Tells `user`'s sockets (on every instance) to check their session now.
    async fn sessions_changed(&self, user: UserId) {
        self.publish(Topic::Listener(user), Event::SessionsChanged { user })
            .await;
    }
}
