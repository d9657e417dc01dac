//! Anonymous written messaging: a person who cannot wait or speak writes a message, receives a
//! private retrieval code (see [`crate::retrieval`]), and comes back with it to read the
//! replies and write again. Listeners answer from an inbox, oldest waiting first within each
//! priority, within a reply target of [`REPLY_TARGET_HOURS`].
//!
//! Two listeners never answer the same message: a listener **claims** a thread before
//! replying, for [`CLAIM_MINUTES`] (renewed by each draft saved and by the reply), and a reply
//! without that claim is refused. A claim that lapses (the listener went away) frees the
//! thread for the others.

use crate::{Author, CentreId, Timestamp, UserId, Writer};
use serde::Serialize;

pub use crate::ids::ThreadId;

/// The reply target: a person's message waits at most this long for an answer.
pub const REPLY_TARGET_HOURS: i64 = 48;
/// How long a claim holds without the listener doing anything.
pub const CLAIM_MINUTES: i64 = 30;
/// The longest written message, in characters: a letter, not a chat line.
pub const MAX_WRITTEN_CHARS: usize = 8000;
/// The most messages a thread holds; beyond, the person is asked to wait for a reply or
/// start again (a bound on what one code can fill).
pub const MAX_THREAD_MESSAGES: i64 = 200;

/// A listener's hold on a thread while they write to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// Who holds it.
    pub listener: Writer,
    /// When they took it (renewals keep it): the reply's sheet counts its time from here.
    pub since: Timestamp,
    /// When it lapses unless renewed.
    pub until: Timestamp,
}

/// A written thread as the store keeps it (its messages apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thread {
    /// Its id (staff only: the person knows their thread by their code alone).
    pub id: ThreadId,
    /// The centre whose listeners answer it.
    pub centre: CentreId,
    /// When the person first wrote.
    pub created_at: Timestamp,
    /// The last message or draft, either side: inactivity is counted from here.
    pub last_activity: Timestamp,
    /// Since when the person's oldest unanswered message waits (`None`: answered).
    pub waiting_since: Option<Timestamp>,
    /// Triage priority; higher is answered first.
    pub priority: i32,
    /// The listener writing to it now, if a claim holds (the store leaves lapsed claims out).
    pub claim: Option<Claim>,
    /// The last message's `seq` (messages are numbered 1, 2, 3…).
    pub last_seq: i64,
}

/// A message of a written thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenMessage {
    /// Position in the thread, from 1.
    pub seq: i64,
    /// Who wrote it.
    pub author: Author,
    /// The text as written.
    pub body: String,
    /// When it was committed.
    pub at: Timestamp,
    /// The listener who wrote it (`None` for the person's).
    pub listener: Option<Writer>,
}

/// Why a thread refuses what was asked of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThreadRefusal {
    /// Another listener is writing to it.
    #[error("{pseudonym} is answering this thread")]
    ClaimedByAnother {
        /// The claim holder's pseudonym.
        pseudonym: String,
    },
    /// A listener replied or saved a draft without holding the thread.
    #[error("take this thread before answering it")]
    NotClaimed,
    /// The thread holds [`MAX_THREAD_MESSAGES`].
    #[error("this thread is full; wait for a reply")]
    Full,
}

impl Thread {
    /// When the waiting message's reply is due (`None`: nothing waits).
    pub fn reply_due(&self) -> Option<Timestamp> {
        self.waiting_since
            .map(|since| Timestamp(since.0 + REPLY_TARGET_HOURS * 3_600_000))
    }

    /// The claim, if it still holds at `now`.
    pub fn claim_at(&self, now: Timestamp) -> Option<&Claim> {
        self.claim.as_ref().filter(|c| c.until > now)
    }

    /// Whether `listener` may take the thread at `now`: it is free, lapsed, or already theirs.
    pub fn may_claim(&self, listener: UserId, now: Timestamp) -> Result<(), ThreadRefusal> {
        match self.claim_at(now) {
            Some(c) if c.listener.id != listener => Err(ThreadRefusal::ClaimedByAnother {
                pseudonym: c.listener.pseudonym.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// Whether `listener` may reply (or keep a draft) at `now`: only while their claim holds.
    pub fn may_answer(&self, listener: UserId, now: Timestamp) -> Result<(), ThreadRefusal> {
        self.may_claim(listener, now)?;
        match self.claim_at(now) {
            Some(c) if c.listener.id == listener => {}
            _ => return Err(ThreadRefusal::NotClaimed),
        }
        self.has_room()
    }

    /// Whether one more message fits.
    pub fn has_room(&self) -> Result<(), ThreadRefusal> {
        if self.last_seq >= MAX_THREAD_MESSAGES {
            Err(ThreadRefusal::Full)
        } else {
            Ok(())
        }
    }

    /// The thread after a message by `author` at `now`: the person's starts the wait (unless
    /// one already runs), a listener's answers it and ends their claim.
    pub fn after_message(&self, author: Author, now: Timestamp) -> Thread {
        let mut t = self.clone();
        t.last_seq += 1;
        t.last_activity = now;
        match author {
            Author::Person => {
                t.waiting_since = t.waiting_since.or(Some(now));
            }
            Author::Listener => {
                t.waiting_since = None;
                t.claim = None;
            }
        }
        t
    }

    /// The claim that `listener` gets (or renews) at `now`: a claim of theirs that still
    /// holds keeps its start.
    pub fn claim_for(&self, listener: Writer, now: Timestamp) -> Claim {
        let since = match self.claim_at(now) {
            Some(c) if c.listener.id == listener.id => c.since,
            _ => now,
        };
        Claim {
            listener,
            since,
            until: Timestamp(now.0 + CLAIM_MINUTES * 60_000),
        }
    }
}

/// Where a waiting thread stands against the reply target, for the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Due in this many whole hours (0: within the hour).
    In { hours: i64 },
    /// Overdue by this many whole hours (0: within the hour).
    Overdue { hours: i64 },
}

impl Due {
    /// Where a reply due at `due` stands at `now`.
    pub fn at(due: Timestamp, now: Timestamp) -> Due {
        let ms = due.0 - now.0;
        if ms >= 0 {
            Due::In {
                hours: ms / 3_600_000,
            }
        } else {
            Due::Overdue {
                hours: -ms / 3_600_000,
            }
        }
    }
}

/// The inbox's order: higher priority first, then the longest waiting, then by id (a total
/// order, the same on every page load).
pub fn inbox_order(a: &Thread, b: &Thread) -> std::cmp::Ordering {
    b.priority
        .cmp(&a.priority)
        .then(a.waiting_since.cmp(&b.waiting_since))
        .then(a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer(id: i64) -> Writer {
        Writer {
            id: UserId(id),
            pseudonym: format!("L{id}"),
        }
    }

    fn thread() -> Thread {
        Thread {
            id: ThreadId::new_random(),
            centre: CentreId::DEFAULT,
            created_at: Timestamp(1_000),
            last_activity: Timestamp(1_000),
            waiting_since: Some(Timestamp(1_000)),
            priority: 0,
            claim: None,
            last_seq: 1,
        }
    }

    #[test]
    fn a_claim_keeps_others_out_until_it_lapses() {
        let now = Timestamp(10_000);
        let mut t = thread();
        assert_eq!(t.may_answer(UserId(1), now), Err(ThreadRefusal::NotClaimed));
        t.claim = Some(t.claim_for(writer(1), now));
        assert_eq!(t.may_claim(UserId(1), now), Ok(()));
        assert_eq!(t.may_answer(UserId(1), now), Ok(()));
        assert_eq!(
            t.may_claim(UserId(2), now),
            Err(ThreadRefusal::ClaimedByAnother {
                pseudonym: "L1".into()
            })
        );
        let lapsed = Timestamp(now.0 + CLAIM_MINUTES * 60_000);
        assert_eq!(t.may_claim(UserId(2), lapsed), Ok(()));
        assert_eq!(
            t.may_answer(UserId(1), lapsed),
            Err(ThreadRefusal::NotClaimed)
        );
    }

    #[test]
    fn the_wait_starts_with_the_person_and_ends_with_a_reply() {
        let t = thread();
        let later = Timestamp(5_000);
        let again = t.after_message(Author::Person, later);
        assert_eq!(
            again.waiting_since,
            Some(Timestamp(1_000)),
            "the oldest wait"
        );
        assert_eq!(again.last_seq, 2);
        let mut claimed = again.clone();
        claimed.claim = Some(claimed.claim_for(writer(1), later));
        let answered = claimed.after_message(Author::Listener, later);
        assert_eq!(answered.waiting_since, None);
        assert_eq!(answered.claim, None);
        assert_eq!(answered.reply_due(), None);
        let next = answered.after_message(Author::Person, Timestamp(9_000));
        assert_eq!(
            next.reply_due(),
            Some(Timestamp(9_000 + REPLY_TARGET_HOURS * 3_600_000))
        );
    }

    #[test]
    fn a_full_thread_takes_no_more() {
        let mut t = thread();
        t.last_seq = MAX_THREAD_MESSAGES;
        assert_eq!(t.has_room(), Err(ThreadRefusal::Full));
    }

    #[test]
    fn due_counts_whole_hours_either_side() {
        let due = Timestamp(10 * 3_600_000);
        assert_eq!(Due::at(due, Timestamp(0)), Due::In { hours: 10 });
        assert_eq!(Due::at(due, Timestamp(due.0 - 1)), Due::In { hours: 0 });
        assert_eq!(
            Due::at(due, Timestamp(due.0 + 2 * 3_600_000 + 5)),
            Due::Overdue { hours: 2 }
        );
    }

    #[test]
    fn priority_then_oldest_waiting() {
        let mut urgent = thread();
        urgent.priority = 2;
        urgent.waiting_since = Some(Timestamp(9_000));
        let mut old = thread();
        old.waiting_since = Some(Timestamp(500));
        let recent = thread();
        let mut all = [recent.clone(), old.clone(), urgent.clone()];
        all.sort_by(inbox_order);
        assert_eq!(all.map(|t| t.id), [urgent.id, old.id, recent.id]);
    }
}
