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
