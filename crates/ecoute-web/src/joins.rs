//! Who may join the queue, and how fast.
//!
//! Joining needs no account and must identify nobody, so two checks only:
//! - **Same site.** A join must come from ecoute's own page. A browser says where a request
//!   comes from: `Sec-Fetch-Site` when it sends it (then `same-origin` or `none` pass), else
//!   `Origin`, which must be `server.public_url` (scheme, host and port). A request with
//!   neither header, from a program such as curl, passes: no browser is being abused then,
//!   and such a client could forge either header anyway. The budget below bounds it.
//! - **A global budget.** A token bucket shared by everyone on this instance:
//!   `chat.join_burst` joins at once, refilled at `chat.joins_per_minute`. Beyond, `429
//!   rate_limited` with `Retry-After`. Nothing about the caller is counted or kept, so a
//!   flood delays every newcomer a little rather than filling the queue; time comes from the
//!   state's [`Clock`](ecoute_app::Clock).

use axum::http::{header, HeaderMap};
use ecoute_domain::Timestamp;
use std::sync::Mutex;
use std::time::Duration;

use crate::error::WebError;
use crate::state::AppState;

/// Refuses a join made by another site, then takes one join from the budget.
pub fn admit(state: &AppState, headers: &HeaderMap) -> Result<(), WebError> {
    if !same_site(headers, &state.config.public_url) {
        tracing::info!("join refused: cross-site request");
        return Err(WebError::CrossSite);
    }
    state
        .joins
        .take(state.clock.now())
        .map_err(|wait| WebError::RateLimited {
            retry_after: whole_seconds(wait),
        })
}

/// `d` in whole seconds, at least one (`Retry-After`).
pub(crate) fn whole_seconds(d: Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

/// Whether the request's browser says it comes from this site (see the module's text).
pub(crate) fn same_site(headers: &HeaderMap, public_url: &str) -> bool {
    let header = |name| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    if let Some(site) = header("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match header(header::ORIGIN.as_str()) {
        None => true,
        // The public URL's own origin only (scheme, host and port).
        Some(origin) => crate::origin::is_own_page(origin, None, public_url),
    }
}

/// A token bucket shared by everyone: `burst` at once, refilled at `per_minute` (joins of the
/// queue; checks of retrieval codes).
#[derive(Debug)]
pub struct Budget {
    burst: f64,
    per_ms: f64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Option<Timestamp>,
}

impl Budget {
    /// A full bucket.
    pub fn new(per_minute: u32, burst: u32) -> Budget {
        let burst = f64::from(burst.max(1));
        Budget {
            burst,
            per_ms: f64::from(per_minute.max(1)) / 60_000.0,
            bucket: Mutex::new(Bucket {
                tokens: burst,
                at: None,
            }),
        }
    }

    /// Takes one join at `now`, or says how long until one is free.
    pub fn take(&self, now: Timestamp) -> Result<(), Duration> {
        // A panic while holding the lock cannot leave two numbers inconsistent: go on.
        let mut b = self
            .bucket
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A clock that went back refills nothing.
        let elapsed = b.at.map_or(0, |at| (now.0 - at.0).max(0));
        b.tokens = (b.tokens + elapsed as f64 * self.per_ms).min(self.burst);
        b.at = Some(now);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let ms = ((1.0 - b.tokens) / self.per_ms).ceil();
            Err(Duration::from_millis(ms as u64))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_bucket_gives_its_burst_then_refills_at_its_rate() {
        let budget = Budget::new(60, 3);
        let t0 = Timestamp(1_000_000);
        for _ in 0..3 {
            assert_eq!(budget.take(t0), Ok(()));
        }
        assert_eq!(budget.take(t0), Err(Duration::from_secs(1)));
        assert_eq!(
            budget.take(Timestamp(t0.0 + 400)),
            Err(Duration::from_millis(600))
        );
        assert_eq!(budget.take(Timestamp(t0.0 + 1000)), Ok(()));
        // Never more than the burst, however long it rested.
        let later = Timestamp(t0.0 + 3_600_000);
        for _ in 0..3 {
            assert_eq!(budget.take(later), Ok(()));
        }
        assert!(budget.take(later).is_err());
        assert_eq!(whole_seconds(Duration::from_millis(600)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1001)), 2);
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let ours = "https://ecoute.example.org/";
        for (origin, same) in [
            ("https://ecoute.example.org", true),
            ("https://ECOUTE.example.org:443", true),
            ("http://ecoute.example.org", false),
            ("https://ecoute.example.org:8443", false),
            ("https://evil.example", false),
            ("https://ecoute.example.org.evil.example", false),
            ("wss://ecoute.example.org", false),
            ("null", false),
            ("https://user@ecoute.example.org", false),
        ] {
            let mut h = HeaderMap::new();
            h.insert("origin", HeaderValue::from_static(origin));
            assert_eq!(same_site(&h, ours), same, "{origin}");
        }
        let mut h = HeaderMap::new();
        h.insert("origin", HeaderValue::from_static("http://[::1]:8080"));
        assert!(same_site(&h, "http://[::1]:8080/"));
        assert!(
            same_site(&HeaderMap::new(), ours),
            "no header: not a browser"
        );
    }

    #[test]
    fn sec_fetch_site_decides_when_present() {
        for (site, same) in [
            ("same-origin", true),
            ("none", true),
            ("same-site", false),
            ("cross-site", false),
        ] {
            let mut h = HeaderMap::new();
            h.insert("sec-fetch-site", HeaderValue::from_static(site));
            // The browser's word wins over an Origin that names another address for us.
            h.insert("origin", HeaderValue::from_static("http://127.0.0.1:1"));
            assert_eq!(same_site(&h, "https://ecoute.example.org"), same, "{site}");
        }
    }
}
