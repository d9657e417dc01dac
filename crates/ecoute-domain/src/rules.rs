//! The checks a write makes before it touches the database, as pure functions: the store runs
//! them inside its transaction, on the row it has just read (and locked), so the rules hold
//! even when several listeners or instances act at once.
//!
//! Each returns the contact as it must be written, or a typed refusal.

use crate::contact::{Contact, ContactState, Transition, TransitionError};
use crate::ids::UserId;
use crate::message::{Author, Message};
use crate::time::Timestamp;

/// Who sends a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The person (allowed while waiting or in conversation).
    Person,
    /// A listener (allowed only in their own conversation).
    Listener(UserId),
}

impl Sender {
    /// The listener writing, if it is one.
    pub fn listener(self) -> Option<UserId> {
        match self {
            Sender::Person => None,
            Sender::Listener(id) => Some(id),
        }
    }

    /// The author the message will carry.
    pub fn author(self) -> Author {
        match self {
            Sender::Person => Author::Person,
            Sender::Listener(_) => Author::Listener,
        }
    }
}

/// Why a resent message is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResendError {
    /// The id was already used by the other side of the conversation.
    #[error("this message id is already used by the other side of the conversation")]
    IdUsedByOtherSide,
}

impl Contact {
    /// The contact after `transition` at `now`, following [`ContactState::apply`] and filling
    /// the times statistics need. `Take` is refused ([`TransitionError::TakenOutOfOrder`]):
    /// only "next" takes, so that no contact is ever answered out of queue order or over a
    /// listener's capacity.
    pub fn after_transition(
        &self,
        transition: Transition,
        now: Timestamp,
    ) -> Result<Contact, TransitionError> {
        if matches!(transition, Transition::Take { .. }) {
            return Err(TransitionError::TakenOutOfOrder);
        }
        let state = self.state.apply(transition)?;
        let mut next = self.clone();
        next.state = state;
        match state {
            ContactState::Waiting => {
                // Requeue: back at the head of its priority, as a returning person. The last
                // listener stays recorded (they answered), only the state no longer names them.
                next.returning = true;
                next.queued_at = now;
            }
            ContactState::Ended { reason } => {
                next.ended_at = Some(now);
                // Nobody was there when the page never connected: no wait to count.
                if next.answered_at.is_none() && reason.counts_as_person() {
                    next.wait_seconds = Some(now.seconds_since(self.created_at));
                }
            }
            ContactState::Active { .. } => return Err(TransitionError::TakenOutOfOrder),
        }
        Ok(next)
    }

    /// The contact after `listener` takes it at `now` ("next").
    pub fn after_take(&self, listener: UserId, now: Timestamp) -> Result<Contact, TransitionError> {
        let state = self.state.apply(Transition::Take { listener })?;
        let mut next = self.clone();
        next.state = state;
        next.listener = Some(listener);
        if next.answered_at.is_none() {
            next.answered_at = Some(now);
            next.wait_seconds = Some(now.seconds_since(self.created_at));
        }
        Ok(next)
    }

    /// The contact after a supervisor hands its conversation to listener `to` (a warm
    /// transfer, or taking it over themselves): only a conversation in progress, to someone
    /// else. The answer time stays the first listener's: the person was answered then.
    pub fn after_transfer(&self, to: UserId) -> Result<Contact, TransitionError> {
        match self.state {
            ContactState::Active { listener } if listener == to => {
                Err(TransitionError::SameListener)
            }
            ContactState::Active { .. } => {
                let mut next = self.clone();
                next.state = ContactState::Active { listener: to };
                next.listener = Some(to);
                Ok(next)
            }
            ContactState::Waiting => Err(TransitionError::NotActive),
            ContactState::Ended { .. } => Err(TransitionError::AlreadyEnded),
        }
    }

    /// The contact with its triage priority set; an ended contact keeps its own.
    pub fn with_priority(&self, priority: i32) -> Result<Contact, TransitionError> {
        if let ContactState::Ended { .. } = self.state {
            return Err(TransitionError::AlreadyEnded);
        }
        let mut next = self.clone();
        next.priority = priority;
        Ok(next)
    }

    /// Whether `sender` may write now, and as which author: the person while waiting or in
    /// conversation, a listener only in their own conversation.
    pub fn may_write(&self, sender: Sender) -> Result<Author, TransitionError> {
        match (self.state, sender) {
            (ContactState::Ended { .. }, _) => Err(TransitionError::AlreadyEnded),
            (_, Sender::Person) => Ok(Author::Person),
            (ContactState::Active { listener }, Sender::Listener(who)) if listener == who => {
                Ok(Author::Listener)
            }
            (_, Sender::Listener(_)) => Err(TransitionError::NotYourContact),
        }
    }

    /// Whether `listener` may file the statistics sheet: the contact must have ended and they
    /// must be the last listener who answered it.
    pub fn may_file_sheet(&self, listener: UserId) -> Result<(), TransitionError> {
        if self.listener != Some(listener) || self.answered_at.is_none() {
            return Err(TransitionError::NotYourContact);
        }
        match self.state {
            ContactState::Ended { .. } => Ok(()),
            _ => Err(TransitionError::NotEnded),
        }
    }
}

impl Message {
    /// Whether `sender` may resend this committed message (same id): only its own author.
    pub fn may_resend(&self, sender: Sender) -> Result<(), ResendError> {
        if self.author == sender.author() {
            Ok(())
        } else {
            Err(ResendError::IdUsedByOtherSide)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{Channel, EndReason};
    use crate::ids::{CentreId, ClientMessageId, ContactId};

    fn contact(state: ContactState) -> Contact {
        Contact {
            id: ContactId(uuid::Uuid::nil()),
            centre: CentreId::DEFAULT,
            channel: Channel::Chat,
            state,
            listener: state.listener(),
            priority: 0,
            returning: false,
            created_at: Timestamp(0),
            queued_at: Timestamp(0),
            answered_at: state.listener().map(|_| Timestamp(30_000)),
            ended_at: None,
            wait_seconds: state.listener().map(|_| 30),
            last_seq: 0,
        }
    }

    #[test]
    fn requeue_and_ends_fill_the_times() {
        let active = contact(ContactState::Active {
            listener: UserId(3),
        });
        let back = active
            .after_transition(Transition::Requeue, Timestamp(90_000))
            .expect("allowed");
        assert_eq!(back.state, ContactState::Waiting);
        assert!(back.returning);
        assert_eq!(back.queued_at, Timestamp(90_000));
        assert_eq!(back.listener, Some(UserId(3)));
        assert_eq!(back.wait_seconds, Some(30));

        let waiting = contact(ContactState::Waiting);
        let gone = waiting
            .after_transition(Transition::PersonEnds, Timestamp(75_000))
            .expect("allowed");
        assert_eq!(gone.wait_seconds, Some(75));
        assert_eq!(gone.ended_at, Some(Timestamp(75_000)));

        let take = Transition::Take {
            listener: UserId(1),
        };
        assert_eq!(
            waiting.after_transition(take, Timestamp(1)),
            Err(TransitionError::TakenOutOfOrder)
        );
    }

    #[test]
    fn a_page_that_never_connected_counts_no_wait() {
        let waiting = contact(ContactState::Waiting);
        let gone = waiting
            .after_transition(Transition::NeverConnects, Timestamp(30_000))
            .expect("allowed");
        assert_eq!(
            gone.state,
            ContactState::Ended {
                reason: EndReason::NeverConnected
            }
        );
        assert_eq!(gone.wait_seconds, None);
        assert!(!EndReason::NeverConnected.counts_as_person());
        assert!(!EndReason::NeverConnected.was_answered());
        let active = contact(ContactState::Active {
            listener: UserId(3),
        });
        let gone = active
            .after_transition(Transition::NeverConnects, Timestamp(30_000))
            .expect("a taken contact nobody connected to ends too");
        assert_eq!(
            gone.state,
            ContactState::Ended {
                reason: EndReason::NeverConnected
            }
        );
    }

    #[test]
    fn taking_fills_the_answer_once() {
        let waiting = contact(ContactState::Waiting);
        let taken = waiting
            .after_take(UserId(2), Timestamp(40_000))
            .expect("ok");
        assert_eq!(taken.answered_at, Some(Timestamp(40_000)));
        assert_eq!(taken.wait_seconds, Some(40));
        assert_eq!(
            taken.after_take(UserId(4), Timestamp(50_000)),
            Err(TransitionError::NotWaiting)
        );
    }

    #[test]
    fn who_may_write() {
        let active = contact(ContactState::Active {
            listener: UserId(3),
        });
        assert_eq!(
            active.may_write(Sender::Listener(UserId(3))),
            Ok(Author::Listener)
        );
        assert_eq!(
            active.may_write(Sender::Listener(UserId(4))),
            Err(TransitionError::NotYourContact)
        );
        let waiting = contact(ContactState::Waiting);
        assert_eq!(waiting.may_write(Sender::Person), Ok(Author::Person));
        assert_eq!(
            waiting.may_write(Sender::Listener(UserId(3))),
            Err(TransitionError::NotYourContact)
        );
    }

    #[test]
    fn sheets_wait_for_the_end_and_the_own_listener() {
        let active = contact(ContactState::Active {
            listener: UserId(3),
        });
        assert_eq!(
            active.may_file_sheet(UserId(3)),
            Err(TransitionError::NotEnded)
        );
        let ended = active
            .after_transition(
                Transition::ListenerEnds {
                    listener: UserId(3),
                },
                Timestamp(60_000),
            )
            .expect("ends");
        assert_eq!(ended.may_file_sheet(UserId(3)), Ok(()));
        assert_eq!(
            ended.may_file_sheet(UserId(4)),
            Err(TransitionError::NotYourContact)
        );
        assert_eq!(ended.with_priority(2), Err(TransitionError::AlreadyEnded));
    }

    #[test]
    fn only_the_author_resends() {
        let m = Message {
            contact: ContactId(uuid::Uuid::nil()),
            seq: 1,
            author: Author::Person,
            client_id: ClientMessageId::parse("m1").expect("id"),
            body: "hello".into(),
            at: Timestamp(0),
            listener: None,
        };
        assert_eq!(m.may_resend(Sender::Person), Ok(()));
        assert_eq!(
            m.may_resend(Sender::Listener(UserId(1))),
            Err(ResendError::IdUsedByOtherSide)
        );
    }
}
