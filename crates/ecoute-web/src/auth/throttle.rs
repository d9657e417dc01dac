//! Slows password guessing. After [`FREE_FAILURES`] failed logins in a row for one
//! username, every further try must wait: [`FIRST_DELAY`], then twice as long after each
//! failure, up to [`MAX_DELAY`]. A success clears the count; so does an hour without a try.
//!
//! Counts are per username (known or not, so a lock says nothing about which accounts
//! exist) and kept in memory only: nothing about who tried is stored, and each instance
//! counts on its own. While a username is locked its password is not even checked, so the
//! lock also spares the server's argon2 work.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before the first delay.
pub const FREE_FAILURES: u32 = 5;
/// The wait after the first failure beyond the free ones.
pub const FIRST_DELAY: Duration = Duration::from_secs(30);
/// The longest wait.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// A username not tried for this long starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// Usernames tracked at most; past it, forgotten and then oldest entries make room, so
/// a flood of invented usernames cannot grow memory without bound.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

impl Failures {
    /// When the next try is allowed.
    fn next_try(&self) -> Instant {
        self.last + delay_after(self.count)
    }
}

/// The wait imposed after `failures` failures in a row.
fn delay_after(failures: u32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE_FAILURES).min(16);
    FIRST_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY)
}

/// Failed logins per username.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    /// `Err(wait)` if `username` must wait before trying again.
    pub fn check(&self, username: &str, now: Instant) -> Result<(), Duration> {
        let entries = self.lock();
        match entries.get(username) {
            Some(f) if f.next_try() > now => Err(f.next_try() - now),
            _ => Ok(()),
        }
    }

    /// Records a failed login for `username`.
    pub fn failed(&self, username: &str, now: Instant) {
        let mut entries = self.lock();
        if let Some(f) = entries.get_mut(username) {
            f.count = if now.duration_since(f.last) > FORGET_AFTER {
                1
            } else {
                f.count.saturating_add(1)
            };
            f.last = now;
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, f| now.duration_since(f.last) <= FORGET_AFTER);
        }
        if entries.len() >= MAX_ENTRIES {
            if let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, f)| f.last)
                .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            username.to_owned(),
            Failures {
                count: 1,
                last: now,
            },
        );
    }

    /// Records a successful login: the count starts again.
    pub fn succeeded(&self, username: &str) {
        self.lock().remove(username);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        // A panic while holding the lock cannot leave the map inconsistent: keep using it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_failures_pass_then_waits_double_up_to_the_ceiling() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for i in 0..FREE_FAILURES {
            assert_eq!(t.check("lou", start), Ok(()), "failure {i} is free");
            t.failed("lou", start);
        }
        // The fifth failure imposes the first delay, then each doubles.
        assert_eq!(t.check("lou", start), Err(FIRST_DELAY));
        let mut now = start;
        let mut expected = FIRST_DELAY;
        for _ in 0..10 {
            now += expected;
            assert_eq!(t.check("lou", now), Ok(()), "allowed once the wait is over");
            t.failed("lou", now);
            expected = (expected * 2).min(MAX_DELAY);
            assert_eq!(t.check("lou", now), Err(expected));
        }
        assert_eq!(expected, MAX_DELAY);
    }

    #[test]
    fn usernames_are_counted_apart_and_a_success_clears_the_count() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            t.failed("lou", now);
        }
        assert!(t.check("lou", now).is_err());
        assert_eq!(t.check("camille", now), Ok(()));
        t.succeeded("lou");
        assert_eq!(t.check("lou", now), Ok(()));
    }

    #[test]
    fn an_hour_without_trying_starts_afresh() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..FREE_FAILURES + 3 {
            t.failed("lou", start);
        }
        let later = start + FORGET_AFTER + Duration::from_secs(1);
        assert_eq!(t.check("lou", later), Ok(()));
        t.failed("lou", later);
        assert_eq!(t.check("lou", later), Ok(()), "one failure: still free");
    }

    #[test]
    fn memory_stays_bounded_by_a_flood_of_usernames() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..MAX_ENTRIES + 500 {
            t.failed(
                &format!("invented{i}"),
                now + Duration::from_millis(i as u64),
            );
        }
        assert_eq!(t.lock().len(), MAX_ENTRIES);
        // The newest are kept.
        assert!(t
            .lock()
            .contains_key(&format!("invented{}", MAX_ENTRIES + 499)));
    }
}
