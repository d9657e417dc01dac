//! Per-socket rate limits: a client may not flood the other side, the database or the server
//! (limits in `ecoute_protocol::limits`, documented in docs/protocol.md).

use ecoute_protocol::limits::{
    FRAMES_PER_SECOND, FRAME_BURST, MESSAGES_PER_SECOND, MESSAGE_BURST,
    REFUSED_FRAMES_BEFORE_CLOSE, TYPING_EVERY,
};
use std::time::Duration;
use tokio::time::Instant;

/// A token bucket: `burst` tokens, refilled at `per_second`.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    burst: f64,
    per_second: f64,
    at: Instant,
}

impl Bucket {
    fn new(per_second: u32, burst: u32, now: Instant) -> Self {
        Bucket {
            tokens: f64::from(burst),
            burst: f64::from(burst),
            per_second: f64::from(per_second),
            at: now,
        }
    }

    /// Takes a token, or says how long until one is there.
    fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - self.tokens) / self.per_second,
            ))
        }
    }
}

/// What the limits say about one received frame.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Handle it.
    Accept,
    /// Drop it without a word (a typing notice too soon after the last one).
    Drop,
    /// Refuse it; retry after this long. `notify` is false while a run of refusals is
    /// already notified (one error per run, except for messages, each of which is named).
    Refuse {
        /// When a token is back.
        retry_after: Duration,
        /// Whether to send an error frame for a frame that is not a message.
        notify: bool,
    },
    /// The client kept sending far over the limit: close the socket (1008).
    Close,
}

/// What kind of frame a limit applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `send`.
    Message,
    /// A `typing` notice.
    Typing,
    /// Anything else.
    Other,
}

/// The limits of one socket.
#[derive(Debug)]
pub struct SocketLimits {
    frames: Bucket,
    messages: Bucket,
    last_typing: Option<Instant>,
    refused_in_row: u32,
}

impl SocketLimits {
    /// Fresh limits, full buckets.
    pub fn new(now: Instant) -> Self {
        SocketLimits {
            frames: Bucket::new(FRAMES_PER_SECOND, FRAME_BURST, now),
            messages: Bucket::new(MESSAGES_PER_SECOND, MESSAGE_BURST, now),
            last_typing: None,
            refused_in_row: 0,
        }
    }

    /// Judges one received frame (malformed ones too: they cost the server as much).
    pub fn check(&mut self, kind: Kind, now: Instant) -> Verdict {
        let taken = self.frames.take(now).and_then(|()| match kind {
            Kind::Message => self.messages.take(now),
            _ => Ok(()),
        });
        match taken {
            Err(retry_after) => {
                self.refused_in_row += 1;
                if self.refused_in_row >= REFUSED_FRAMES_BEFORE_CLOSE {
                    return Verdict::Close;
                }
                Verdict::Refuse {
                    retry_after,
                    notify: self.refused_in_row == 1,
                }
            }
            Ok(()) => {
                self.refused_in_row = 0;
                if kind == Kind::Typing {
                    if self
                        .last_typing
                        .is_some_and(|at| now.saturating_duration_since(at) < TYPING_EVERY)
                    {
                        return Verdict::Drop;
                    }
                    self.last_typing = Some(now);
                }
                Verdict::Accept
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_rate_holds() {
        let t0 = Instant::now();
        let mut l = SocketLimits::new(t0);
        let accepted = (0..100)
            .filter(|_| l.check(Kind::Other, t0) == Verdict::Accept)
            .count();
        assert_eq!(accepted, FRAME_BURST as usize);
        // One second later, the rate's worth is back.
        let t1 = t0 + Duration::from_secs(1);
        let accepted = (0..100)
            .filter(|_| l.check(Kind::Other, t1) == Verdict::Accept)
            .count();
        assert_eq!(accepted, FRAMES_PER_SECOND as usize);
    }

    #[test]
    fn messages_have_their_own_tighter_budget() {
        let t0 = Instant::now();
        let mut l = SocketLimits::new(t0);
        let accepted = (0..30)
            .filter(|_| l.check(Kind::Message, t0) == Verdict::Accept)
            .count();
        assert_eq!(accepted, MESSAGE_BURST as usize);
        match l.check(Kind::Message, t0) {
            Verdict::Refuse { retry_after, .. } => {
                assert!(retry_after > Duration::ZERO && retry_after <= Duration::from_secs(1))
            }
            v => panic!("expected a refusal, got {v:?}"),
        }
    }

    #[test]
    fn typing_is_relayed_at_most_every_two_seconds() {
        let t0 = Instant::now();
        let mut l = SocketLimits::new(t0);
        assert_eq!(l.check(Kind::Typing, t0), Verdict::Accept);
        assert_eq!(l.check(Kind::Typing, t0), Verdict::Drop);
        assert_eq!(l.check(Kind::Typing, t0 + TYPING_EVERY), Verdict::Accept);
    }

    #[test]
    fn one_notice_per_run_of_refusals_then_close() {
        let t0 = Instant::now();
        let mut l = SocketLimits::new(t0);
        for _ in 0..FRAME_BURST {
            l.check(Kind::Other, t0);
        }
        let mut notices = 0;
        let mut verdict = Verdict::Accept;
        for _ in 0..REFUSED_FRAMES_BEFORE_CLOSE {
            verdict = l.check(Kind::Other, t0);
            if let Verdict::Refuse { notify: true, .. } = verdict {
                notices += 1;
            }
        }
        assert_eq!(notices, 1);
        assert_eq!(verdict, Verdict::Close);
    }
}
