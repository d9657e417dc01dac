//! Checking argon2id password hashes at login, bounded. Hashing is deliberately slow, so it
//! runs off the async threads. (Making hashes is the application layer's:
//! [`ecoute_app::hash_password`].)

use argon2::password_hash::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Whether `password` matches the PHC string `hash`, computed in `blocks` (grown as the
/// hash's parameters need, and kept for the next check). A malformed hash never matches.
/// Slow: call it through [`PasswordChecks::verify`].
fn matches(password: &str, hash: &str, blocks: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let Ok(version) = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from)
    else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if blocks.len() < params.block_count() {
        blocks.resize(params.block_count(), Block::default());
    }
    let mut computed = vec![0u8; expected.len()];
    // Reusing the blocks is sound: argon2's first pass writes every block before any read.
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, &mut blocks[..])
        .is_ok()
        // `Output`'s equality is constant-time.
        && Output::new(&computed).is_ok_and(|c| c == expected)
}

/// Every password check of a login needs 19 MiB. Unbounded, a burst of 128 logins took the
/// server to 2.4 GB (and the allocator kept it); so at most one check per core runs at once,
/// each in one of as many memory areas allocated once and reused, the other logins wait
/// their turn for a short while, then are refused ([`Overloaded`]).
#[derive(Debug)]
pub struct PasswordChecks {
    permits: Arc<Semaphore>,
    size: usize,
    wait: Duration,
    in_flight: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    /// The checks' memory, one area per permit at most, reused: freed memory given back to
    /// the allocator would stay in as many of its per-thread arenas as threads ran a check.
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
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
            memory: Arc::default(),
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
        let memory = self.memory.clone();
        // The permit moves into the blocking task: if the login is abandoned (the client
        // went away), the check still running keeps its place until it ends.
        let check = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            // A permit held means an area is free or may be made (never more than permits).
            let mut blocks = lock(&memory).pop().unwrap_or_default();
            let result = matches(&password, &hash, &mut blocks);
            lock(&memory).push(blocks);
            in_flight.fetch_sub(1, Ordering::SeqCst);
            result
        });
        Ok(check.await.unwrap_or(false))
    }
}

fn lock(memory: &Mutex<Vec<Vec<Block>>>) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
    // A panic while holding the lock leaves a list of buffers, still usable.
    memory
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, SaltString};
    use ecoute_app::hash_password;

    #[tokio::test]
    async fn round_trip() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        // One memory area for every check, as the server reuses them.
        let mut blocks = Vec::new();
        assert!(matches("correct horse battery", &h, &mut blocks));
        assert!(!matches("wrong", &h, &mut blocks));
        assert!(matches("correct horse battery", &h, &mut blocks));
        assert!(!matches("x", "not a hash", &mut blocks));
        // A hash of other parameters, from the reference verifier's point of view too.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 3, 1, Some(16)).unwrap(),
        );
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let other = small.hash_password(b"other", &salt).unwrap().to_string();
        assert!(matches("other", &other, &mut blocks));
        assert!(!matches("Other", &other, &mut blocks));
        assert!(blocks.len() >= Params::DEFAULT_M_COST as usize);
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
