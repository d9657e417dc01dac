//! argon2id password hashes for new accounts and new passwords: one code path for the admin
//! page, the CLI and the demo. (Checking a password at login, bounded per core, is the web
//! layer's, which owns the login form.)

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;

use crate::{AppError, AppResult};

/// Hashes `password` with argon2id (the crate's defaults: 19 MiB, 2 passes, as OWASP advises)
/// and returns the PHC string. Hashing is deliberately slow, so it runs off the async threads.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::getrandom(&mut salt)
            .map_err(|e| AppError::Hash(format!("random source: {e}")))?;
        let salt =
            SaltString::encode_b64(&salt).map_err(|e| AppError::Hash(format!("salt: {e}")))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Hash(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Hash(format!("hashing task: {e}")))?
}
