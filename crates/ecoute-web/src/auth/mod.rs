//! Staff authentication: password hashes, session tokens, CSRF, and the extractors that
//! guard staff routes.

mod password;
mod session;
mod throttle;
mod tokens;

pub use ecoute_app::hash_password;
pub use password::{Overloaded, PasswordChecks};
pub use session::{
    clear_session_cookie, session_cookie, Accounts, Allowed, Campaigns, Grant, Listening,
    StaffSession, Stories, Supervising, Volunteers, SESSION_COOKIE,
};
pub use throttle::LoginThrottle;
pub use tokens::{constant_time_eq, random_token, sha256_hex};

/// Reads one cookie from a request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}
