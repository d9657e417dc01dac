//! The staff session: cookie in, account out.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use ecoute_domain::Permission;
use ecoute_store::User;

use super::{constant_time_eq, cookie, sha256_hex};
use crate::error::WebError;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "ecoute_session";

/// A logged-in staff member. Extracting it fails with `Unauthorized` without a live session.
#[derive(Debug, Clone)]
pub struct StaffSession {
    /// The account.
    pub user: User,
    /// Token forms must echo.
    pub csrf_token: String,
    /// Hash of the session token (to log out).
    pub token_hash: String,
}

impl StaffSession {
    /// Fails with `Forbidden` unless the account's role grants `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), WebError> {
        if self.user.role.may(permission) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// Fails with `Csrf` unless `token` is this session's CSRF token.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if constant_time_eq(token, &self.csrf_token) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(WebError::Unauthorized)?;
        if token.len() > 128 {
            return Err(WebError::Unauthorized);
        }
        let hash = sha256_hex(token);
        let session = state
            .store
            .session(&hash, state.clock.now())
            .await?
            .ok_or(WebError::Unauthorized)?;
        Ok(StaffSession {
            user: session.user,
            csrf_token: session.csrf_token,
            token_hash: session.token_hash,
        })
    }
}

/// A route's permission, named by a type so that a handler states it in its signature (see
/// [`Allowed`]).
pub trait Grant: Send + Sync + 'static {
    /// What the route needs.
    const PERMISSION: Permission;
}

/// Marks the routes of the listener workspace ([`Permission::Listen`]).
pub struct Listening;
/// Marks the accounts' routes ([`Permission::ManageAccounts`]).
pub struct Accounts;
/// Marks the campaigns' routes ([`Permission::ManageCampaigns`]).
pub struct Campaigns;
/// Marks the stories' routes ([`Permission::EditStories`]).
pub struct Stories;
/// Marks the volunteer pipeline's routes ([`Permission::ManageVolunteers`]).
pub struct Volunteers;
/// Marks the live board's routes ([`Permission::Supervise`]).
pub struct Supervising;

impl Grant for Listening {
    const PERMISSION: Permission = Permission::Listen;
}
impl Grant for Accounts {
    const PERMISSION: Permission = Permission::ManageAccounts;
}
impl Grant for Campaigns {
    const PERMISSION: Permission = Permission::ManageCampaigns;
}
impl Grant for Stories {
    const PERMISSION: Permission = Permission::EditStories;
}
impl Grant for Volunteers {
    const PERMISSION: Permission = Permission::ManageVolunteers;
}
impl Grant for Supervising {
    const PERMISSION: Permission = Permission::Supervise;
}

/// A staff session whose role grants `G`'s permission. As an extractor it runs before the
/// request's body is read: a role that may not use a route is refused (`403`) before any
/// of its input is looked at, and no session is `401` (the login page, on pages).
pub struct Allowed<G: Grant> {
    /// The session.
    pub session: StaffSession,
    grant: std::marker::PhantomData<G>,
}

impl<G: Grant> std::ops::Deref for Allowed<G> {
    type Target = StaffSession;
    fn deref(&self) -> &StaffSession {
        &self.session
    }
}

impl<G: Grant> FromRequestParts<AppState> for Allowed<G> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let session = StaffSession::from_request_parts(parts, state).await?;
        session.require(G::PERMISSION)?;
        Ok(Allowed {
            session,
            grant: std::marker::PhantomData,
        })
    }
}

/// `Set-Cookie` value that opens a session.
pub fn session_cookie(token: &str, max_age_seconds: u64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}
