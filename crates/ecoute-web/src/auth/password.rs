//! argon2id password hashes. Hashing is deliberately slow, so it runs off the async threads.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Hashes `password` with argon2id (the crate's defaults: 19 MiB, 2 passes, as OWASP advises)
/// and returns the PHC string.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::getrandom(&mut salt).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing: {e}"))
    })
    .await?
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches. Slow:
/// call it through [`PasswordChecks::verify`].
fn matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Every password check of a login needs 19 MiB for a moment. Unbounded, a burst of 128
/// logins took the server to 2.3 GB (and glibc kept it); so at most one check per core runs
/// at once, the others wait their turn for a short while, then are refused
/// ([`Overloaded`]), and the memory stays at a few checks' worth.
#[derive(Debug)]
pub struct PasswordChecks {
    permits: Arc<Semaphore>,
    size: usize,
    wait: Duration,
    in_flight: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

/// Every password check is taken and none freed up in time: try again in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overloaded;

impl PasswordChecks {
    /// How long a login waits for a free check before it is refused.
    pub const WAIT: Duration = Duration::from_secs(2);

    /// `size` checks at once (at least one); a login waits up to `wait` for one.
    pub fn new(size: usize, wait: Duration) -> PasswordChecks {
        let size = size.max(1);
        PasswordChecks {
            permits: Arc::new(Semaphore::new(size)),
            size,
            wait,
            in_flight: Arc::default(),
            peak: Arc::default(),
        }
    }

    /// One check per core of this machine, waiting up to [`Self::WAIT`].
    pub fn per_core() -> PasswordChecks {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        PasswordChecks::new(cores, Self::WAIT)
    }

    /// How many checks may run at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The most checks that have run at once since the start (never above [`Self::size`]).
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// Whether `password` matches `hash`, checked on the blocking pool once a check is free.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, Overloaded> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Overloaded)?
            .map_err(|_| Overloaded)?;
        let in_flight = self.in_flight.clone();
        let peak = self.peak.clone();
        // The permit moves into the blocking task: if the login is abandoned (the client
        // went away), the check still running keeps its place until it ends.
        let check = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let result = matches(&password, &hash);
            in_flight.fetch_sub(1, Ordering::SeqCst);
            result
        });
        Ok(check.await.unwrap_or(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trip() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(matches("correct horse battery", &h));
        assert!(!matches("wrong", &h));
        assert!(!matches("x", "not a hash"));
    }

    #[tokio::test]
    async fn checks_beyond_the_bound_wait_then_are_refused() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        let checks = Arc::new(PasswordChecks::new(1, Duration::ZERO));
        // Hold the only permit: a check cannot start and is refused at once.
        let held = checks.permits.clone().acquire_owned().await.unwrap();
        assert_eq!(checks.verify("x".into(), h.clone()).await, Err(Overloaded));
        drop(held);
        assert_eq!(
            checks.verify("correct horse battery".into(), h).await,
            Ok(true)
        );
        assert_eq!(checks.peak(), 1);
    }
}
