//! The life of a contact: waiting in the queue, in conversation with one listener, ended.
//!
//! ```text
//!            take (listener presses "next")
//!   Waiting ───────────────────────────────▶ Active
//!      ▲  │                                  │  │
//!      │  │ person leaves / vanishes         │  │ person or listener ends,
//!      │  ▼                                  │  ▼ person vanishes
//!      │ Ended(abandoned)                    │ Ended
//!      └─────────── requeue ─────────────────┘
//!        (listener lost and not back in time)
//! ```
//! The store applies these transitions atomically; [`ContactState::apply`] is the rule it follows.

use crate::ids::{CentreId, ContactId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// How the person reached out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Real-time web chat.
    Chat,
    /// A reply to a written thread (see [`crate::written`]): each reply a listener sends is
    /// one contact, ended as it is sent, whose statistics sheet they then fill in as for chat.
    Message,
}

impl Channel {
    /// Stable name used in storage and statistics.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Chat => "chat",
            Channel::Message => "message",
        }
    }

    /// Inverse of [`Channel::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "chat" => Some(Channel::Chat),
            "message" => Some(Channel::Message),
            _ => None,
        }
    }
}

/// Where a contact is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ContactState {
    /// In the queue, waiting for a listener.
    Waiting,
    /// In conversation with `listener`.
    Active {
        /// The listener who took the contact.
        listener: UserId,
    },
    /// Over; the reason says how.
    Ended {
        /// How it ended.
        reason: EndReason,
    },
}

/// Why a contact ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The person ended the conversation.
    PersonEnded,
    /// The listener ended the conversation.
    ListenerEnded,
    /// The person left (or gave up) before a listener answered.
    Abandoned,
    /// The person disappeared during the conversation and did not come back in time.
    PersonVanished,
    /// The person's page never connected (no `hello`) within the grace delay: nobody was
    /// there, so the contact does not count as a person reaching out.
    NeverConnected,
}

impl EndReason {
    /// Stable name used in storage, statistics and the protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::PersonEnded => "person_ended",
            EndReason::ListenerEnded => "listener_ended",
            EndReason::Abandoned => "abandoned",
            EndReason::PersonVanished => "person_vanished",
            EndReason::NeverConnected => "never_connected",
        }
    }

    /// Inverse of [`EndReason::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            EndReason::PersonEnded,
            EndReason::ListenerEnded,
            EndReason::Abandoned,
            EndReason::PersonVanished,
            EndReason::NeverConnected,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    /// Whether a listener answered before the end (the contact counts as answered).
    pub fn was_answered(self) -> bool {
        !matches!(self, EndReason::Abandoned | EndReason::NeverConnected)
    }

    /// Whether a person was there at all: a contact whose page never connected is left out
    /// of every count of people (offered, abandoned, waits).
    pub fn counts_as_person(self) -> bool {
        !matches!(self, EndReason::NeverConnected)
    }
}

/// Something that happens to a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// A listener takes the contact from the queue.
    Take {
        /// Who takes it.
        listener: UserId,
    },
    /// The listener was lost: the contact goes back to the head of the queue.
    Requeue,
    /// The person ends (while waiting this is an abandonment).
    PersonEnds,
    /// The listener ends.
    ListenerEnds {
        /// Who asks; only the contact's own listener may.
        listener: UserId,
    },
    /// The person is gone and did not come back in time.
    PersonVanishes,
    /// The person's page never connected within the grace delay (waiting, or already taken
    /// by a listener who would otherwise wait for nobody).
    NeverConnects,
}

/// A transition that the rules do not allow from the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The contact is over; nothing more can happen to it.
    #[error("the conversation has already ended")]
    AlreadyEnded,
    /// Only a waiting contact can be taken.
    #[error("the contact is not waiting")]
    NotWaiting,
    /// Only a contact in conversation can be requeued.
    #[error("the contact is not in conversation")]
    NotActive,
    /// A listener acted on a conversation that is not theirs.
    #[error("this conversation belongs to another listener")]
    NotYourContact,
    /// The conversation is still under way (a statistics sheet waits for its end).
    #[error("the conversation has not ended yet")]
    NotEnded,
    /// A contact is only taken by "next", in queue order (never by a direct transition).
    #[error("a contact is taken with next, in queue order")]
    TakenOutOfOrder,
    /// A conversation transferred to the listener who already holds it.
    #[error("this listener already holds the conversation")]
    SameListener,
}

impl ContactState {
    /// The state after `t`, or why `t` is not allowed now.
    pub fn apply(self, t: Transition) -> Result<ContactState, TransitionError> {
        use ContactState::*;
        match (self, t) {
            (Ended { .. }, _) => Err(TransitionError::AlreadyEnded),
            (Waiting, Transition::Take { listener }) => Ok(Active { listener }),
            (Active { .. }, Transition::Take { .. }) => Err(TransitionError::NotWaiting),
            (Active { .. }, Transition::Requeue) => Ok(Waiting),
            (Waiting, Transition::Requeue) => Err(TransitionError::NotActive),
            (Waiting, Transition::PersonEnds | Transition::PersonVanishes) => Ok(Ended {
                reason: EndReason::Abandoned,
            }),
            (Active { .. }, Transition::PersonEnds) => Ok(Ended {
                reason: EndReason::PersonEnded,
            }),
            (Active { .. }, Transition::PersonVanishes) => Ok(Ended {
                reason: EndReason::PersonVanished,
            }),
            (Active { listener }, Transition::ListenerEnds { listener: who }) => {
                if listener == who {
                    Ok(Ended {
                        reason: EndReason::ListenerEnded,
                    })
                } else {
                    Err(TransitionError::NotYourContact)
                }
            }
            (Waiting, Transition::ListenerEnds { .. }) => Err(TransitionError::NotYourContact),
            (Waiting, Transition::NeverConnects) => Ok(Ended {
                reason: EndReason::NeverConnected,
            }),
            // Taken before the grace delay ran out, by a listener who then waits for nobody:
            // it ends the same way, and the listener is told.
            (Active { .. }, Transition::NeverConnects) => Ok(Ended {
                reason: EndReason::NeverConnected,
            }),
        }
    }

    /// The listener in conversation, if any.
    pub fn listener(self) -> Option<UserId> {
        match self {
            ContactState::Active { listener } => Some(listener),
            _ => None,
        }
    }

    /// Stable name of the state: `waiting`, `active` or `ended`.
    pub fn name(self) -> &'static str {
        self.status().as_str()
    }

    /// The state without its details, as the protocol and the bus carry it.
    pub fn status(self) -> ContactStatus {
        match self {
            ContactState::Waiting => ContactStatus::Waiting,
            ContactState::Active { .. } => ContactStatus::Active,
            ContactState::Ended { .. } => ContactStatus::Ended,
        }
    }

    /// How it ended, once it has.
    pub fn end_reason(self) -> Option<EndReason> {
        match self {
            ContactState::Ended { reason } => Some(reason),
            _ => None,
        }
    }
}

/// Where a contact is, without the details: what a page is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    /// In the queue.
    Waiting,
    /// In conversation.
    Active,
    /// Over.
    Ended,
}

impl ContactStatus {
    /// Stable name: `waiting`, `active` or `ended`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Waiting => "waiting",
            ContactStatus::Active => "active",
            ContactStatus::Ended => "ended",
        }
    }
}

/// A contact as stored: its state and the times that statistics need. Holds no identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// Its id.
    pub id: ContactId,
    /// The centre whose queue it is in (or that answered it).
    pub centre: CentreId,
    /// How the person reached out.
    pub channel: Channel,
    /// Current state.
    pub state: ContactState,
    /// The listener in conversation, or the last one who answered (kept after the end so that
    /// they can fill in the statistics sheet).
    pub listener: Option<UserId>,
    /// Risk priority (0 normal; higher is served first).
    pub priority: i32,
    /// Whether it came back to the queue after losing its listener (served before others of
    /// the same priority).
    pub returning: bool,
    /// When the person arrived.
    pub created_at: Timestamp,
    /// When it (last) entered the queue.
    pub queued_at: Timestamp,
    /// When a listener first answered, if one did.
    pub answered_at: Option<Timestamp>,
    /// When it ended, if it did.
    pub ended_at: Option<Timestamp>,
    /// Seconds the person waited before the first answer (or before giving up).
    pub wait_seconds: Option<i64>,
    /// Sequence number of the last message (0 when none).
    pub last_seq: i64,
}

impl Contact {
    /// Conversation length in seconds, from first answer to end (or to `now` while active).
    pub fn talk_seconds(&self, now: Timestamp) -> Option<i64> {
        let start = self.answered_at?;
        Some(self.ended_at.unwrap_or(now).seconds_since(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContactState::*;

    const L1: UserId = UserId(1);
    const L2: UserId = UserId(2);

    #[test]
    fn a_whole_conversation() {
        let s = Waiting.apply(Transition::Take { listener: L1 }).unwrap();
        assert_eq!(s, Active { listener: L1 });
        let s = s.apply(Transition::ListenerEnds { listener: L1 }).unwrap();
        assert_eq!(
            s,
            Ended {
                reason: EndReason::ListenerEnded
            }
        );
    }

    #[test]
    fn leaving_while_waiting_is_an_abandonment() {
        for t in [Transition::PersonEnds, Transition::PersonVanishes] {
            assert_eq!(
                Waiting.apply(t),
                Ok(Ended {
                    reason: EndReason::Abandoned
                })
            );
        }
        assert!(!EndReason::Abandoned.was_answered());
        assert!(EndReason::PersonVanished.was_answered());
    }

    #[test]
    fn only_the_own_listener_ends() {
        let s = Active { listener: L1 };
        assert_eq!(
            s.apply(Transition::ListenerEnds { listener: L2 }),
            Err(TransitionError::NotYourContact)
        );
        assert_eq!(
            Waiting.apply(Transition::ListenerEnds { listener: L1 }),
            Err(TransitionError::NotYourContact)
        );
    }

    #[test]
    fn taken_twice_is_refused_and_ended_is_final() {
        let s = Active { listener: L1 };
        assert_eq!(
            s.apply(Transition::Take { listener: L2 }),
            Err(TransitionError::NotWaiting)
        );
        let ended = Ended {
            reason: EndReason::PersonEnded,
        };
        for t in [
            Transition::Take { listener: L1 },
            Transition::Requeue,
            Transition::PersonEnds,
            Transition::PersonVanishes,
            Transition::ListenerEnds { listener: L1 },
        ] {
            assert_eq!(ended.apply(t), Err(TransitionError::AlreadyEnded));
        }
    }

    #[test]
    fn requeue_only_from_conversation() {
        assert_eq!(
            Active { listener: L1 }.apply(Transition::Requeue),
            Ok(Waiting)
        );
        assert_eq!(
            Waiting.apply(Transition::Requeue),
            Err(TransitionError::NotActive)
        );
        let s = Active { listener: L1 }
            .apply(Transition::PersonVanishes)
            .unwrap();
        assert_eq!(
            s,
            Ended {
                reason: EndReason::PersonVanished
            }
        );
    }

    #[test]
    fn end_reason_names_round_trip() {
        for r in [
            EndReason::PersonEnded,
            EndReason::ListenerEnded,
            EndReason::Abandoned,
            EndReason::PersonVanished,
            EndReason::NeverConnected,
        ] {
            assert_eq!(EndReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(EndReason::parse("x"), None);
    }
}
