//! The conformance suite: what every backend must do, written once against [`Store`].
//!
//! Each case is a function taking a fresh, empty store. A backend's test file runs them all
//! with [`conformance_tests!`](crate::conformance_tests), so every backend gets the same
//! named tests:
//!
//! ```text
//! async fn fresh_store() -> Option<ecoute_store::conformance::Fixture> { /* … */ }
//! ecoute_store::conformance_tests!(fresh_store);
//! ```
//!
//! A feature that adds a store method adds its cases here, so both backends stay first-class.

use crate::{
    Appended, Away, CentreCounts, DeadConnections, NewContact, NewSession, NewUser, Sender, Store,
    StoreError, TakeOutcome,
};
use ecoute_domain::{
    AgeBand, Author, CentreId, Channel, ClientMessageId, ConnectionId, Contact, ContactId,
    ContactKind, ContactState, EndReason, Gender, MessageBody, Presence, Pseudonym, QueueEntry,
    RiskLevel, Role, StatsSheet, Timestamp, Transition, TransitionError, UserId, Username,
};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A fresh, empty store for one test, and what must be cleaned up after it (run on drop, so
/// also when the test panics).
pub struct Fixture {
    /// The store under test.
    pub store: Arc<dyn Store>,
    cleanup: Option<Box<dyn FnOnce() + Send>>,
}

impl Fixture {
    /// A store and its cleanup (deleting a file, dropping a schema…).
    pub fn new(store: Arc<dyn Store>, cleanup: impl FnOnce() + Send + 'static) -> Self {
        Fixture {
            store,
            cleanup: Some(Box::new(cleanup)),
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(cleanup) = self.cleanup.take() {
            cleanup();
        }
    }
}

/// Expands to one `#[tokio::test]` per conformance case. `$fresh` names an
/// `async fn() -> Option<Fixture>` giving a fresh store for each test (`None`: the backend is
/// not configured here, and the test returns after saying so).
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@cases $fresh;
            users_create_read_and_conflict,
            users_password_and_disable_end_sessions,
            sessions_expire_and_end,
            contacts_create_read_and_resume,
            queue_order_priority_returning_arrival,
            take_next_capacity_and_empty,
            take_next_is_atomic,
            transitions_end_by_person_and_listener,
            transitions_refused,
            requeue_goes_to_the_head_as_returning,
            abandonment_sets_wait_seconds,
            set_priority_rules,
            active_and_recent_talk_times,
            person_attach_detach_and_away,
            guarded_transitions_yield_to_a_return,
            append_numbers_without_gaps,
            append_resend_is_idempotent,
            messages_name_the_listener_who_wrote_them,
            append_refusals,
            concurrent_appends_get_consecutive_seqs,
            purge_respects_cutoff_and_keeps_sheets,
            presence_and_listener_connections,
            duty_counts_available_and_free,
            sheet_save_read_and_conflict,
            sheet_refusals,
            pending_sheets_lists_what_is_owed,
            transfer_copies_everything,
            dead_instances_connections_are_detached,
            dead_instances_are_processed_once_concurrently,
        );
    };
    (@cases $fresh:path; $($case:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let Some(fixture) = $fresh().await else {
                    return;
                };
                $crate::conformance::$case(fixture.store.clone()).await;
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------
// Helpers

/// An arbitrary origin for the tests' clocks.
const T0: Timestamp = Timestamp(1_700_000_000_000);
const CENTRE: CentreId = CentreId::DEFAULT;

/// `secs` seconds after the origin.
fn at(secs: i64) -> Timestamp {
    T0.plus_millis(secs * 1000)
}

fn new_user(name: &str, role: Role) -> NewUser {
    NewUser {
        username: Username::parse(name).expect("valid username"),
        pseudonym: Pseudonym::parse(&format!("P {name}")).expect("valid pseudonym"),
        role,
        password_hash: format!("$argon2id$hash-of-{name}"),
        centre: CENTRE,
    }
}

async fn listener(store: &dyn Store, name: &str) -> UserId {
    store
        .create_user(&new_user(name, Role::Listener), at(0))
        .await
        .expect("create listener")
        .id
}

async fn listeners(store: &dyn Store, n: usize) -> Vec<UserId> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(listener(store, &format!("listener{i}")).await);
    }
    ids
}

fn new_contact(secs: i64) -> NewContact {
    let id = ContactId::new_random();
    NewContact {
        id,
        centre: CENTRE,
        channel: Channel::Chat,
        resume_hash: format!("resume-{id}"),
        now: at(secs),
    }
}

async fn waiting(store: &dyn Store, secs: i64) -> Contact {
    store
        .create_contact(&new_contact(secs))
        .await
        .expect("create contact")
}

async fn take(store: &dyn Store, who: UserId, secs: i64) -> Contact {
    match store
        .take_next(CENTRE, who, 10, at(secs))
        .await
        .expect("take_next")
    {
        TakeOutcome::Taken(c) => c,
        other => panic!("expected a contact, got {other:?}"),
    }
}

/// A contact taken by `who` at `answer` and ended by them at `end` (seconds).
async fn ended(store: &dyn Store, who: UserId, arrive: i64, answer: i64, end: i64) -> Contact {
    let c = waiting(store, arrive).await;
    let taken = take(store, who, answer).await;
    assert_eq!(taken.id, c.id, "the only waiting contact is taken");
    store
        .transition(c.id, Transition::ListenerEnds { listener: who }, at(end))
        .await
        .expect("end")
}

/// Background tasks stopped when the test ends, even by a panic (they would otherwise keep
/// using a store whose database is being removed).
struct AbortOnDrop<T>(Vec<tokio::task::JoinHandle<T>>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

fn cid(s: &str) -> ClientMessageId {
    ClientMessageId::parse(s).expect("valid client id")
}

fn body(s: &str) -> MessageBody {
    MessageBody::parse(s, MessageBody::DEFAULT_MAX_CHARS).expect("valid body")
}

async fn say(store: &dyn Store, c: ContactId, sender: Sender, id: &str) -> Appended {
    store
        .append_message(c, sender, &cid(id), &body(&format!("text {id}")), at(50))
        .await
        .expect("append")
}

fn sheet(contact: ContactId) -> StatsSheet {
    StatsSheet {
        contact,
        duration_seconds: 18 * 60,
        themes: vec!["solitude".into(), "grief".into()],
        age_band: AgeBand::From60To74,
        gender: Gender::Woman,
        contact_kind: ContactKind::First,
        risk: RiskLevel::Moderate,
        debrief_wanted: true,
    }
}

fn assert_transition(result: Result<impl std::fmt::Debug, StoreError>, want: TransitionError) {
    match result {
        Err(StoreError::Transition(got)) => assert_eq!(got, want),
        other => panic!("expected Transition({want:?}), got {other:?}"),
    }
}

fn assert_conflict(result: Result<impl std::fmt::Debug, StoreError>) {
    match result {
        Err(StoreError::Conflict(msg)) => assert!(!msg.is_empty()),
        other => panic!("expected Conflict, got {other:?}"),
    }
}

fn assert_not_found(result: Result<impl std::fmt::Debug, StoreError>) {
    match result {
        Err(StoreError::NotFound) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Users and sessions

/// Accounts are created, read back by id and by username, listed and counted; a taken
/// username is a conflict.
pub async fn users_create_read_and_conflict(store: Arc<dyn Store>) {
    assert_eq!(store.count_users().await.expect("count"), 0);
    let zoe = store
        .create_user(&new_user("zoe", Role::Supervisor), at(1))
        .await
        .expect("create");
    let anne = store
        .create_user(&new_user("anne", Role::Listener), at(2))
        .await
        .expect("create");
    assert_ne!(zoe.id, anne.id);
    assert_eq!(zoe.username, "zoe");
    assert_eq!(zoe.pseudonym, "P zoe");
    assert_eq!(zoe.role, Role::Supervisor);
    assert_eq!(zoe.centre, CENTRE);
    assert!(!zoe.disabled);
    assert_eq!(zoe.created_at, at(1));

    assert_eq!(store.user(zoe.id).await.expect("user"), Some(zoe.clone()));
    assert_eq!(store.user(UserId(9_999)).await.expect("user"), None);

    let creds = store
        .credentials("zoe")
        .await
        .expect("credentials")
        .expect("known user");
    assert_eq!(creds.user, zoe);
    assert_eq!(creds.password_hash, "$argon2id$hash-of-zoe");
    assert!(store
        .credentials("nobody")
        .await
        .expect("credentials")
        .is_none());

    let names: Vec<_> = store
        .list_users()
        .await
        .expect("list")
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["anne", "zoe"]);
    assert_eq!(store.count_users().await.expect("count"), 2);

    assert_conflict(
        store
            .create_user(&new_user("zoe", Role::Listener), at(3))
            .await,
    );
    assert_eq!(store.count_users().await.expect("count"), 2);
}

/// The password hash can be replaced; disabling an account ends its sessions and re-enabling
/// does not bring them back; both refuse an unknown account.
pub async fn users_password_and_disable_end_sessions(store: Arc<dyn Store>) {
    let id = listener(&*store, "camille").await;
    store
        .set_password_hash(id, "$argon2id$new")
        .await
        .expect("set hash");
    let creds = store
        .credentials("camille")
        .await
        .expect("creds")
        .expect("user");
    assert_eq!(creds.password_hash, "$argon2id$new");
    assert_not_found(store.set_password_hash(UserId(9_999), "x").await);

    for token in ["t1", "t2"] {
        store
            .create_session(&NewSession {
                token_hash: token.into(),
                user: id,
                csrf_token: format!("csrf-{token}"),
                created_at: at(0),
                expires_at: at(3600),
            })
            .await
            .expect("session");
    }
    assert!(store
        .session("t1", at(10))
        .await
        .expect("session")
        .is_some());

    store.set_disabled(id, true).await.expect("disable");
    assert!(
        store
            .user(id)
            .await
            .expect("user")
            .expect("exists")
            .disabled
    );
    assert!(store
        .session("t1", at(10))
        .await
        .expect("session")
        .is_none());
    store.set_disabled(id, false).await.expect("enable");
    assert!(
        !store
            .user(id)
            .await
            .expect("user")
            .expect("exists")
            .disabled
    );
    assert!(
        store
            .session("t2", at(10))
            .await
            .expect("session")
            .is_none(),
        "disabling ended the sessions for good"
    );
    assert_not_found(store.set_disabled(UserId(9_999), true).await);
}

/// A session is found until it expires, with its account; logout and the expiry sweep delete
/// it; ending an unknown session is fine.
pub async fn sessions_expire_and_end(store: Arc<dyn Store>) {
    let id = listener(&*store, "lea").await;
    let new = |token: &str, expires: i64| NewSession {
        token_hash: token.into(),
        user: id,
        csrf_token: format!("csrf-{token}"),
        created_at: at(0),
        expires_at: at(expires),
    };
    store
        .create_session(&new("short", 60))
        .await
        .expect("create");
    store
        .create_session(&new("long", 7200))
        .await
        .expect("create");
    assert_conflict(store.create_session(&new("long", 10)).await);
    assert_not_found(
        store
            .create_session(&NewSession {
                user: UserId(9_999),
                ..new("orphan", 60)
            })
            .await,
    );

    let s = store
        .session("short", at(59))
        .await
        .expect("session")
        .expect("live");
    assert_eq!(s.user.id, id);
    assert_eq!(s.user.username, "lea");
    assert_eq!(s.csrf_token, "csrf-short");
    assert_eq!(s.expires_at, at(60));
    assert!(store
        .session("short", at(60))
        .await
        .expect("session")
        .is_none());
    assert!(store
        .session("nope", at(0))
        .await
        .expect("session")
        .is_none());

    assert_eq!(
        store.delete_expired_sessions(at(60)).await.expect("sweep"),
        1
    );
    assert_eq!(
        store.delete_expired_sessions(at(60)).await.expect("sweep"),
        0
    );
    assert!(store
        .session("long", at(61))
        .await
        .expect("session")
        .is_some());
    store.delete_session("long").await.expect("logout");
    assert!(store
        .session("long", at(61))
        .await
        .expect("session")
        .is_none());
    store
        .delete_session("long")
        .await
        .expect("logout twice is fine");
}

// ---------------------------------------------------------------------------------------
// Contacts and the queue

/// A new contact waits in its centre's queue and is found by id and by resume token; a
/// duplicate id or resume token is a conflict.
pub async fn contacts_create_read_and_resume(store: Arc<dyn Store>) {
    let new = new_contact(5);
    let c = store.create_contact(&new).await.expect("create");
    assert_eq!(c.id, new.id);
    assert_eq!(c.centre, CENTRE);
    assert_eq!(c.channel, Channel::Chat);
    assert_eq!(c.state, ContactState::Waiting);
    assert_eq!(c.listener, None);
    assert_eq!((c.priority, c.returning), (0, false));
    assert_eq!((c.created_at, c.queued_at), (at(5), at(5)));
    assert_eq!(
        (c.answered_at, c.ended_at, c.wait_seconds),
        (None, None, None)
    );
    assert_eq!(c.last_seq, 0);

    assert_eq!(store.contact(c.id).await.expect("read"), Some(c.clone()));
    assert_eq!(
        store
            .contact_by_resume(&new.resume_hash)
            .await
            .expect("resume"),
        Some(c.clone())
    );
    assert_eq!(
        store.contact_by_resume("unknown").await.expect("resume"),
        None
    );
    assert_eq!(
        store.contact(ContactId::new_random()).await.expect("read"),
        None
    );
    assert_eq!(
        store.waiting(CENTRE).await.expect("waiting"),
        vec![QueueEntry {
            id: c.id,
            priority: 0,
            returning: false,
            queued_at: at(5)
        }]
    );
    assert!(store
        .waiting(CentreId(2))
        .await
        .expect("waiting")
        .is_empty());

    assert_conflict(
        store
            .create_contact(&NewContact {
                resume_hash: "another".into(),
                ..new.clone()
            })
            .await,
    );
    assert_conflict(
        store
            .create_contact(&NewContact {
                id: ContactId::new_random(),
                ..new.clone()
            })
            .await,
    );
    assert_not_found(
        store
            .create_contact(&NewContact {
                centre: CentreId(9_999),
                ..new_contact(6)
            })
            .await,
    );
}

/// "Next" follows the domain order: priority, then returning, then arrival.
pub async fn queue_order_priority_returning_arrival(store: Arc<dyn Store>) {
    let l = listener(&*store, "lou").await;
    let early = waiting(&*store, 10).await;
    let late = waiting(&*store, 20).await;
    let urgent = waiting(&*store, 30).await;
    store.set_priority(urgent.id, 2).await.expect("priority");
    let urgent_later = waiting(&*store, 40).await;
    store
        .set_priority(urgent_later.id, 2)
        .await
        .expect("priority");
    // `urgent` is answered, then requeued at 42: although queued after `urgent_later`, it
    // comes back first as a returning contact of the same priority.
    let first = take(&*store, l, 41).await;
    assert_eq!(
        first.id, urgent.id,
        "highest priority, earliest arrival first"
    );
    store
        .transition(first.id, Transition::Requeue, at(42))
        .await
        .expect("requeue");
    let second = take(&*store, l, 43).await;
    assert_eq!(
        second.id, urgent.id,
        "the requeued contact comes back first"
    );
    let third = take(&*store, l, 44).await;
    assert_eq!(third.id, urgent_later.id);
    assert_eq!(take(&*store, l, 45).await.id, early.id);
    assert_eq!(take(&*store, l, 46).await.id, late.id);
    assert_eq!(
        store.take_next(CENTRE, l, 10, at(47)).await.expect("next"),
        TakeOutcome::QueueEmpty
    );
}

/// "Next" gives the head with the listener recorded, refuses a listener at capacity, and says
/// when nobody waits; ended conversations free capacity.
pub async fn take_next_capacity_and_empty(store: Arc<dyn Store>) {
    let l = listener(&*store, "max").await;
    assert_eq!(
        store.take_next(CENTRE, l, 1, at(1)).await.expect("next"),
        TakeOutcome::QueueEmpty
    );
    let a = waiting(&*store, 10).await;
    let b = waiting(&*store, 20).await;
    let taken = take(&*store, l, 70).await;
    assert_eq!(taken.id, a.id);
    assert_eq!(taken.state, ContactState::Active { listener: l });
    assert_eq!(taken.listener, Some(l));
    assert_eq!(taken.answered_at, Some(at(70)));
    assert_eq!(taken.wait_seconds, Some(60));
    assert_eq!(
        store.contact(a.id).await.expect("read"),
        Some(taken.clone())
    );

    assert_eq!(
        store.take_next(CENTRE, l, 1, at(71)).await.expect("next"),
        TakeOutcome::AtCapacity
    );
    assert_eq!(
        store.take_next(CENTRE, l, 0, at(71)).await.expect("next"),
        TakeOutcome::AtCapacity
    );
    assert_eq!(
        store.contact(b.id).await.expect("read").expect("b").state,
        ContactState::Waiting
    );
    store
        .transition(a.id, Transition::PersonEnds, at(80))
        .await
        .expect("end");
    match store.take_next(CENTRE, l, 1, at(81)).await.expect("next") {
        TakeOutcome::Taken(c) => assert_eq!(c.id, b.id),
        other => panic!("expected b, got {other:?}"),
    }
    assert_not_found(store.take_next(CENTRE, UserId(9_999), 5, at(82)).await);
    assert_eq!(
        store
            .take_next(CentreId(2), l, 5, at(82))
            .await
            .expect("next"),
        TakeOutcome::QueueEmpty,
        "another centre's queue is its own"
    );
}

/// Eight listeners press "next" at once on twenty waiting people while those people write
/// (which briefly locks their rows): every contact is taken exactly once, each listener's
/// takes follow the queue order, capacities hold, and nobody is told "queue empty" while
/// someone still waits (the capacities add up to exactly twenty, so any such answer would
/// leave a contact behind). Three rounds, since races show up by chance.
pub async fn take_next_is_atomic(store: Arc<dyn Store>) {
    let caps: [u32; 8] = [3, 3, 3, 3, 2, 2, 2, 2];
    let ls = listeners(&*store, caps.len()).await;
    for round in 0..3 {
        let mut ids = Vec::new();
        for i in 0..20 {
            ids.push(waiting(&*store, round * 1000 + i).await.id);
        }
        let taken = race_for_next(&store, &ids, &ls, &caps).await;
        assert_eq!(taken.len(), 20, "round {round}");
        assert!(store.waiting(CENTRE).await.expect("waiting").is_empty());
        for (id, l) in taken {
            store
                .transition(
                    id,
                    Transition::ListenerEnds { listener: l },
                    at(round * 1000 + 500),
                )
                .await
                .expect("end");
        }
    }
}

/// One round of [`take_next_is_atomic`]: returns who took what.
async fn race_for_next(
    store: &Arc<dyn Store>,
    ids: &[ContactId],
    ls: &[UserId],
    caps: &[u32],
) -> Vec<(ContactId, UserId)> {
    // People writing while they wait, until every listener is done: each message locks its
    // contact's row for a moment, which must not make "next" skip that person.
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = AbortOnDrop(Vec::new());
    const WRITERS: usize = 4;
    for w in 0..WRITERS {
        let (store, stop, ids) = (store.clone(), stop.clone(), ids.to_vec());
        writers.0.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                for id in ids.iter().skip(w).step_by(WRITERS) {
                    let client = format!("w{w}-{n}-{id}");
                    store
                        .append_message(*id, Sender::Person, &cid(&client), &body("hello"), at(30))
                        .await
                        .expect("a waiting or answered person may write");
                }
                n += 1;
            }
        }));
    }

    let mut tasks = AbortOnDrop(Vec::new());
    for (&l, &cap) in ls.iter().zip(caps) {
        let store = store.clone();
        tasks.0.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                match store
                    .take_next(CENTRE, l, cap, at(100))
                    .await
                    .expect("take_next")
                {
                    TakeOutcome::Taken(c) => {
                        assert_eq!(c.state, ContactState::Active { listener: l });
                        got.push(c);
                    }
                    TakeOutcome::AtCapacity => return (l, cap, got, true),
                    TakeOutcome::QueueEmpty => return (l, cap, got, false),
                }
            }
        }));
    }
    let mut taken = Vec::new();
    let mut seen = HashSet::new();
    for task in std::mem::take(&mut tasks.0) {
        let (l, cap, got, at_capacity) = task.await.expect("listener task");
        assert!(
            at_capacity,
            "listener {l} was told the queue was empty after {} of {cap}",
            got.len()
        );
        assert_eq!(got.len(), cap as usize, "capacity of {l}");
        for pair in got.windows(2) {
            assert!(
                pair[0].queued_at < pair[1].queued_at,
                "{l} took a later arrival before an earlier one"
            );
        }
        for c in &got {
            assert!(seen.insert(c.id), "contact {} taken twice", c.id);
            taken.push((c.id, l));
        }
        assert_eq!(
            store.active_for_listener(l).await.expect("active").len(),
            cap as usize
        );
    }
    stop.store(true, Ordering::Relaxed);
    for w in std::mem::take(&mut writers.0) {
        w.await.expect("writer task");
    }
    taken
}

/// The person or the listener ends a conversation; the listener stays recorded for the sheet.
pub async fn transitions_end_by_person_and_listener(store: Arc<dyn Store>) {
    let l = listener(&*store, "ines").await;
    let a = waiting(&*store, 0).await;
    take(&*store, l, 30).await;
    let done = store
        .transition(a.id, Transition::PersonEnds, at(600))
        .await
        .expect("person ends");
    assert_eq!(
        done.state,
        ContactState::Ended {
            reason: EndReason::PersonEnded
        }
    );
    assert_eq!(done.ended_at, Some(at(600)));
    assert_eq!(done.listener, Some(l));
    assert_eq!(done.wait_seconds, Some(30));
    assert_eq!(store.contact(a.id).await.expect("read"), Some(done));

    let b = waiting(&*store, 700).await;
    take(&*store, l, 710).await;
    let done = store
        .transition(b.id, Transition::ListenerEnds { listener: l }, at(900))
        .await
        .expect("listener ends");
    assert_eq!(
        done.state,
        ContactState::Ended {
            reason: EndReason::ListenerEnded
        }
    );

    let c = waiting(&*store, 1000).await;
    take(&*store, l, 1010).await;
    let done = store
        .transition(c.id, Transition::PersonVanishes, at(1100))
        .await
        .expect("vanishes");
    assert_eq!(
        done.state,
        ContactState::Ended {
            reason: EndReason::PersonVanished
        }
    );
    assert!(store
        .active_for_listener(l)
        .await
        .expect("active")
        .is_empty());
}

/// Another listener cannot end a conversation, an ended contact is final, an unknown one is
/// not found, and nobody takes a contact outside "next".
pub async fn transitions_refused(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 2).await;
    let a = waiting(&*store, 0).await;
    assert_transition(
        store
            .transition(a.id, Transition::ListenerEnds { listener: ls[0] }, at(1))
            .await,
        TransitionError::NotYourContact,
    );
    assert_transition(
        store.transition(a.id, Transition::Requeue, at(1)).await,
        TransitionError::NotActive,
    );
    assert!(matches!(
        store
            .transition(a.id, Transition::Take { listener: ls[0] }, at(1))
            .await,
        Err(StoreError::Conflict(_) | StoreError::Transition(_))
    ));
    assert_eq!(
        store.contact(a.id).await.expect("read").expect("a").state,
        ContactState::Waiting,
        "a refused transition changes nothing"
    );
    take(&*store, ls[0], 2).await;
    assert_transition(
        store
            .transition(a.id, Transition::ListenerEnds { listener: ls[1] }, at(3))
            .await,
        TransitionError::NotYourContact,
    );
    store
        .transition(a.id, Transition::ListenerEnds { listener: ls[0] }, at(4))
        .await
        .expect("own listener ends");
    for t in [
        Transition::PersonEnds,
        Transition::PersonVanishes,
        Transition::Requeue,
        Transition::ListenerEnds { listener: ls[0] },
    ] {
        assert_transition(
            store.transition(a.id, t, at(5)).await,
            TransitionError::AlreadyEnded,
        );
    }
    let still = store.contact(a.id).await.expect("read").expect("a");
    assert_eq!(still.ended_at, Some(at(4)), "an ended contact is final");
    assert_not_found(
        store
            .transition(ContactId::new_random(), Transition::PersonEnds, at(5))
            .await,
    );
}

/// A requeued contact is waiting again, returning, queued now, and served before others.
pub async fn requeue_goes_to_the_head_as_returning(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 2).await;
    let a = waiting(&*store, 0).await;
    take(&*store, ls[0], 20).await;
    let b = waiting(&*store, 30).await;
    let back = store
        .transition(a.id, Transition::Requeue, at(100))
        .await
        .expect("requeue");
    assert_eq!(back.state, ContactState::Waiting);
    assert!(back.returning);
    assert_eq!(back.queued_at, at(100));
    assert_eq!(back.answered_at, Some(at(20)), "the first answer is kept");
    assert_eq!(back.wait_seconds, Some(20));
    assert!(store
        .active_for_listener(ls[0])
        .await
        .expect("active")
        .is_empty());
    let queue = store.waiting(CENTRE).await.expect("waiting");
    assert_eq!(queue.len(), 2);
    assert!(queue
        .iter()
        .any(|e| e.id == a.id && e.returning && e.queued_at == at(100)));

    let again = take(&*store, ls[1], 110).await;
    assert_eq!(
        again.id, a.id,
        "returning goes before b, who arrived earlier"
    );
    assert_eq!(again.listener, Some(ls[1]));
    assert_eq!(again.answered_at, Some(at(20)));
    assert_eq!(take(&*store, ls[1], 111).await.id, b.id);
}

/// The sweeper's transitions apply only while the absence still holds: someone who came
/// back, or has been away for less than the grace, keeps the conversation.
pub async fn guarded_transitions_yield_to_a_return(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 4).await;
    let mut contacts = Vec::new();
    for (i, l) in ls.iter().enumerate() {
        let c = waiting(&*store, i as i64).await;
        take(&*store, *l, 10).await;
        contacts.push(c.id);
    }
    let (gone, back, recent, listener_gone) = (contacts[0], contacts[1], contacts[2], contacts[3]);
    let person = |before| Away::Person { before };
    for (i, c) in [gone, back, recent].into_iter().enumerate() {
        store
            .attach_person(c, conn(1, i as u32))
            .await
            .expect("attach");
    }
    store
        .detach_person(gone, conn(1, 0), at(20))
        .await
        .expect("detach");
    store
        .detach_person(back, conn(1, 1), at(20))
        .await
        .expect("detach");
    store.attach_person(back, conn(1, 5)).await.expect("back");
    store
        .detach_person(recent, conn(1, 2), at(45))
        .await
        .expect("detach");

    let ended = store
        .transition_if_away(gone, Transition::PersonVanishes, person(at(40)), at(50))
        .await
        .expect("guarded");
    assert!(matches!(
        ended.map(|c| c.state),
        Some(ContactState::Ended { .. })
    ));
    for c in [back, recent] {
        let untouched = store
            .transition_if_away(c, Transition::PersonVanishes, person(at(40)), at(50))
            .await
            .expect("guarded");
        assert_eq!(untouched, None);
        let now = store.contact(c).await.expect("read").expect("exists");
        assert_eq!(
            now.state,
            ContactState::Active {
                listener: now.listener.expect("l")
            }
        );
    }

    // A listener: requeued while away, left alone once back.
    let l = ls[3];
    store.attach_listener(l, conn(2, 1)).await.expect("attach");
    store
        .detach_listener(l, conn(2, 1), at(20))
        .await
        .expect("detach");
    let away = Away::Listener {
        user: l,
        before: at(40),
    };
    store.attach_listener(l, conn(2, 2)).await.expect("back");
    assert_eq!(
        store
            .transition_if_away(listener_gone, Transition::Requeue, away, at(50))
            .await
            .expect("guarded"),
        None
    );
    store
        .detach_listener(l, conn(2, 2), at(30))
        .await
        .expect("detach");
    let requeued = store
        .transition_if_away(listener_gone, Transition::Requeue, away, at(50))
        .await
        .expect("guarded")
        .expect("still away: requeued");
    assert_eq!(requeued.state, ContactState::Waiting);
    // Their presence goes offline the same guarded way, once.
    store
        .set_presence(l, Presence::Available, at(5))
        .await
        .expect("set");
    assert!(store
        .set_offline_if_away(l, at(40), at(50))
        .await
        .expect("offline"));
    assert_eq!(store.presence(l).await.expect("read"), Presence::Offline);
    assert!(!store
        .set_offline_if_away(l, at(40), at(51))
        .await
        .expect("already"));
    let back = ls[0];
    store
        .set_presence(back, Presence::Available, at(5))
        .await
        .expect("set");
    store
        .attach_listener(back, conn(3, 1))
        .await
        .expect("attach");
    store
        .detach_listener(back, conn(3, 1), at(20))
        .await
        .expect("detach");
    store.attach_listener(back, conn(3, 2)).await.expect("back");
    assert!(!store
        .set_offline_if_away(back, at(40), at(50))
        .await
        .expect("guarded"));
    assert_eq!(
        store.presence(back).await.expect("read"),
        Presence::Available
    );
    // The rules still apply: an ended conversation is not requeued.
    assert_transition(
        store
            .transition_if_away(gone, Transition::Requeue, person(at(40)), at(60))
            .await,
        TransitionError::AlreadyEnded,
    );
    assert_not_found(
        store
            .transition_if_away(ContactId::new_random(), Transition::Requeue, away, at(60))
            .await,
    );
}

/// Leaving before an answer is an abandonment that records how long the person waited.
pub async fn abandonment_sets_wait_seconds(store: Arc<dyn Store>) {
    let a = waiting(&*store, 0).await;
    let gone = store
        .transition(a.id, Transition::PersonEnds, at(95))
        .await
        .expect("leave");
    assert_eq!(
        gone.state,
        ContactState::Ended {
            reason: EndReason::Abandoned
        }
    );
    assert_eq!(gone.wait_seconds, Some(95));
    assert_eq!(gone.answered_at, None);
    assert_eq!(gone.ended_at, Some(at(95)));

    let b = waiting(&*store, 100).await;
    let gone = store
        .transition(b.id, Transition::PersonVanishes, at(400))
        .await
        .expect("vanish");
    assert_eq!(
        gone.state,
        ContactState::Ended {
            reason: EndReason::Abandoned
        }
    );
    assert_eq!(gone.wait_seconds, Some(300));
    assert!(store.waiting(CENTRE).await.expect("waiting").is_empty());
}

/// Triage raises a contact's priority (not once it has ended).
pub async fn set_priority_rules(store: Arc<dyn Store>) {
    let a = waiting(&*store, 0).await;
    let raised = store.set_priority(a.id, 3).await.expect("priority");
    assert_eq!(raised.priority, 3);
    assert_eq!(
        store
            .contact(a.id)
            .await
            .expect("read")
            .expect("a")
            .priority,
        3
    );
    assert_eq!(store.waiting(CENTRE).await.expect("waiting")[0].priority, 3);
    store
        .transition(a.id, Transition::PersonEnds, at(5))
        .await
        .expect("end");
    assert_transition(
        store.set_priority(a.id, 4).await,
        TransitionError::AlreadyEnded,
    );
    assert_not_found(store.set_priority(ContactId::new_random(), 1).await);
}

/// A listener's active contacts, and the talk times of a centre's latest answered contacts.
pub async fn active_and_recent_talk_times(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 2).await;
    assert!(store
        .recent_talk_seconds(CENTRE, 10)
        .await
        .expect("recent")
        .is_empty());
    ended(&*store, ls[0], 0, 10, 610).await; // 600 s
    ended(&*store, ls[0], 1000, 1000, 1120).await; // 120 s
    let gone = waiting(&*store, 1200).await;
    store
        .transition(gone.id, Transition::PersonEnds, at(1300))
        .await
        .expect("abandon"); // never answered: no talk time
    ended(&*store, ls[1], 2000, 2005, 2305).await; // 300 s, newest
    assert_eq!(
        store.recent_talk_seconds(CENTRE, 10).await.expect("recent"),
        vec![300, 120, 600]
    );
    assert_eq!(
        store.recent_talk_seconds(CENTRE, 2).await.expect("recent"),
        vec![300, 120]
    );
    assert!(store
        .recent_talk_seconds(CentreId(2), 10)
        .await
        .expect("recent")
        .is_empty());

    let x = waiting(&*store, 3000).await;
    let y = waiting(&*store, 3001).await;
    take(&*store, ls[0], 3010).await;
    take(&*store, ls[1], 3011).await;
    let mine = store.active_for_listener(ls[0]).await.expect("active");
    assert_eq!(mine.iter().map(|c| c.id).collect::<Vec<_>>(), vec![x.id]);
    let theirs = store.active_for_listener(ls[1]).await.expect("active");
    assert_eq!(theirs.iter().map(|c| c.id).collect::<Vec<_>>(), vec![y.id]);
}

/// The person's connection: a stale connection closing does not mark them away; a newer one
/// clears the absence; ended contacts are not reported away.
pub async fn person_attach_detach_and_away(store: Arc<dyn Store>) {
    let a = waiting(&*store, 0).await;
    let b = waiting(&*store, 0).await;
    store.attach_person(a.id, 1).await.expect("attach");
    store.attach_person(a.id, 2).await.expect("newer socket");
    assert!(!store
        .detach_person(a.id, 1, at(10))
        .await
        .expect("stale detach"));
    assert!(store
        .persons_away_since(at(100))
        .await
        .expect("away")
        .is_empty());
    assert!(store.detach_person(a.id, 2, at(10)).await.expect("detach"));
    assert!(!store
        .detach_person(a.id, 2, at(11))
        .await
        .expect("detach twice"));
    store.attach_person(b.id, 3).await.expect("attach");
    assert!(store.detach_person(b.id, 3, at(20)).await.expect("detach"));

    assert_eq!(store.persons_away_since(at(9)).await.expect("away"), vec![]);
    assert_eq!(
        store.persons_away_since(at(10)).await.expect("away"),
        vec![a.id]
    );
    assert_eq!(
        store.persons_away_since(at(20)).await.expect("away"),
        vec![a.id, b.id]
    );
    store.attach_person(a.id, 4).await.expect("back");
    assert_eq!(
        store.persons_away_since(at(30)).await.expect("away"),
        vec![b.id]
    );
    store
        .transition(b.id, Transition::PersonVanishes, at(40))
        .await
        .expect("end");
    assert!(store
        .persons_away_since(at(50))
        .await
        .expect("away")
        .is_empty());
    assert_not_found(store.attach_person(ContactId::new_random(), 1).await);
    assert!(!store
        .detach_person(ContactId::new_random(), 1, at(1))
        .await
        .expect("unknown contact"));
}

// ---------------------------------------------------------------------------------------
// Messages

/// Messages are numbered 1, 2, 3… per conversation and read back after any point.
pub async fn append_numbers_without_gaps(store: Arc<dyn Store>) {
    let l = listener(&*store, "noe").await;
    let a = waiting(&*store, 0).await;
    let other = waiting(&*store, 1).await;
    let first = say(&*store, a.id, Sender::Person, "m1").await;
    assert!(first.created);
    assert_eq!(first.message.seq, 1);
    assert_eq!(first.message.author, Author::Person);
    assert_eq!(first.message.body, "text m1");
    assert_eq!(first.message.at, at(50));
    take(&*store, l, 60).await;
    for (i, (sender, id)) in [
        (Sender::Listener(l), "m2"),
        (Sender::Person, "m3"),
        (Sender::Listener(l), "m4"),
    ]
    .into_iter()
    .enumerate()
    {
        let m = say(&*store, a.id, sender, id).await;
        assert_eq!(m.message.seq, i as i64 + 2);
    }
    assert_eq!(
        say(&*store, other.id, Sender::Person, "m1")
            .await
            .message
            .seq,
        1
    );
    assert_eq!(
        store
            .contact(a.id)
            .await
            .expect("read")
            .expect("a")
            .last_seq,
        4
    );

    let all = store.messages_after(a.id, 0, 100).await.expect("read");
    assert_eq!(
        all.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(all[0], first.message);
    assert_eq!(all[1].author, Author::Listener);
    let tail = store.messages_after(a.id, 2, 100).await.expect("read");
    assert_eq!(tail.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![3, 4]);
    let page = store.messages_after(a.id, 0, 2).await.expect("read");
    assert_eq!(page.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1, 2]);
    assert!(store
        .messages_after(a.id, 4, 100)
        .await
        .expect("read")
        .is_empty());
    assert!(store
        .messages_after(ContactId::new_random(), 0, 100)
        .await
        .expect("read")
        .is_empty());
}

/// A resend with the same client id stores nothing and returns the first message, even after
/// the end; the other side cannot reuse that id.
pub async fn append_resend_is_idempotent(store: Arc<dyn Store>) {
    let l = listener(&*store, "ode").await;
    let a = waiting(&*store, 0).await;
    take(&*store, l, 1).await;
    let first = say(&*store, a.id, Sender::Person, "same").await;
    say(&*store, a.id, Sender::Listener(l), "reply").await;
    let again = store
        .append_message(a.id, Sender::Person, &cid("same"), &body("edited?"), at(99))
        .await
        .expect("resend");
    assert!(!again.created);
    assert_eq!(again.message, first.message, "the first message, unchanged");
    assert_conflict(
        store
            .append_message(a.id, Sender::Listener(l), &cid("same"), &body("x"), at(99))
            .await,
    );
    store
        .transition(a.id, Transition::PersonEnds, at(100))
        .await
        .expect("end");
    let late = store
        .append_message(
            a.id,
            Sender::Person,
            &cid("same"),
            &body("text same"),
            at(101),
        )
        .await
        .expect("resend after the end");
    assert!(!late.created);
    assert_eq!(late.message.seq, 1);
    assert_eq!(
        store.messages_after(a.id, 0, 10).await.expect("read").len(),
        2
    );
    assert_eq!(
        store
            .contact(a.id)
            .await
            .expect("read")
            .expect("a")
            .last_seq,
        2
    );
}

/// Nobody writes after the end, a listener only in their own conversation, and an unknown
/// contact is not found.
pub async fn append_refusals(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 2).await;
    let a = waiting(&*store, 0).await;
    assert_transition(
        store
            .append_message(
                a.id,
                Sender::Listener(ls[0]),
                &cid("l0"),
                &body("hi"),
                at(1),
            )
            .await,
        TransitionError::NotYourContact,
    );
    take(&*store, ls[0], 2).await;
    assert_transition(
        store
            .append_message(
                a.id,
                Sender::Listener(ls[1]),
                &cid("l1"),
                &body("hi"),
                at(3),
            )
            .await,
        TransitionError::NotYourContact,
    );
    say(&*store, a.id, Sender::Listener(ls[0]), "ok").await;
    store
        .transition(a.id, Transition::ListenerEnds { listener: ls[0] }, at(4))
        .await
        .expect("end");
    for sender in [Sender::Person, Sender::Listener(ls[0])] {
        assert_transition(
            store
                .append_message(a.id, sender, &cid("late"), &body("hi"), at(5))
                .await,
            TransitionError::AlreadyEnded,
        );
    }
    assert_eq!(
        store.messages_after(a.id, 0, 10).await.expect("read").len(),
        1
    );
    assert_eq!(
        store
            .contact(a.id)
            .await
            .expect("read")
            .expect("a")
            .last_seq,
        1
    );
    assert_not_found(
        store
            .append_message(
                ContactId::new_random(),
                Sender::Person,
                &cid("x"),
                &body("x"),
                at(6),
            )
            .await,
    );
}

/// After a requeue, each listener message still names the listener who wrote it, when
/// appended, when read back and when resent; the person's messages name nobody.
pub async fn messages_name_the_listener_who_wrote_them(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 2).await;
    let a = waiting(&*store, 0).await;
    take(&*store, ls[0], 10).await;
    let from_person = say(&*store, a.id, Sender::Person, "p1").await;
    assert_eq!(from_person.message.listener, None);
    let first = say(&*store, a.id, Sender::Listener(ls[0]), "l0").await;
    let writer =
        |m: &ecoute_domain::Message| m.listener.as_ref().map(|w| (w.id, w.pseudonym.clone()));
    assert_eq!(writer(&first.message), Some((ls[0], "P listener0".into())));
    store
        .transition(a.id, Transition::Requeue, at(20))
        .await
        .expect("requeue");
    take(&*store, ls[1], 30).await;
    let second = say(&*store, a.id, Sender::Listener(ls[1]), "l1").await;
    assert_eq!(writer(&second.message), Some((ls[1], "P listener1".into())));

    let all = store.messages_after(a.id, 0, 100).await.expect("read");
    let writers: Vec<_> = all.iter().map(writer).collect();
    assert_eq!(
        writers,
        vec![
            None,
            Some((ls[0], "P listener0".into())),
            Some((ls[1], "P listener1".into()))
        ]
    );
    assert_eq!(all[1], first.message);
    let resent = store
        .append_message(
            a.id,
            Sender::Listener(ls[1]),
            &cid("l1"),
            &body("l1"),
            at(40),
        )
        .await
        .expect("resend");
    assert!(!resent.created);
    assert_eq!(resent.message, second.message);
}

/// Both sides writing at once get distinct consecutive numbers; concurrent resends of one
/// message store it once.
pub async fn concurrent_appends_get_consecutive_seqs(store: Arc<dyn Store>) {
    let l = listener(&*store, "paz").await;
    let a = waiting(&*store, 0).await;
    take(&*store, l, 1).await;
    let mut tasks = Vec::new();
    for t in 0..4 {
        let store = store.clone();
        let sender = if t % 2 == 0 {
            Sender::Person
        } else {
            Sender::Listener(l)
        };
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..10 {
                let m = store
                    .append_message(a.id, sender, &cid(&format!("t{t}-{i}")), &body("x"), at(2))
                    .await
                    .expect("append");
                assert!(m.created);
                seqs.push(m.message.seq);
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        let seqs = task.await.expect("task");
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "one sender's order kept"
        );
        all.extend(seqs);
    }
    all.sort_unstable();
    assert_eq!(all, (1..=40).collect::<Vec<i64>>());
    let stored = store.messages_after(a.id, 0, 100).await.expect("read");
    assert_eq!(stored.iter().map(|m| m.seq).collect::<Vec<_>>(), all);

    let mut resends = Vec::new();
    for _ in 0..6 {
        let store = store.clone();
        resends.push(tokio::spawn(async move {
            store
                .append_message(a.id, Sender::Person, &cid("dup"), &body("once"), at(3))
                .await
                .expect("resend")
        }));
    }
    let mut created = 0;
    let mut seqs = HashSet::new();
    for r in resends {
        let m = r.await.expect("task");
        created += usize::from(m.created);
        seqs.insert(m.message.seq);
    }
    assert_eq!(created, 1, "stored once");
    assert_eq!(seqs, HashSet::from([41]));
    assert_eq!(
        store
            .contact(a.id)
            .await
            .expect("read")
            .expect("a")
            .last_seq,
        41
    );
}

/// The purge deletes the text of conversations ended at or before the cutoff and their
/// resume token, and keeps everything else, statistics sheets included.
pub async fn purge_respects_cutoff_and_keeps_sheets(store: Arc<dyn Store>) {
    let l = listener(&*store, "ruth").await;
    let old_new = new_contact(0);
    store.create_contact(&old_new).await.expect("create");
    take(&*store, l, 1).await;
    say(&*store, old_new.id, Sender::Person, "a1").await;
    say(&*store, old_new.id, Sender::Listener(l), "a2").await;
    store
        .transition(
            old_new.id,
            Transition::ListenerEnds { listener: l },
            at(100),
        )
        .await
        .expect("end");
    store
        .save_sheet(&sheet(old_new.id), l, at(101))
        .await
        .expect("sheet");

    let recent_new = new_contact(200);
    store.create_contact(&recent_new).await.expect("create");
    take(&*store, l, 201).await;
    say(&*store, recent_new.id, Sender::Person, "b1").await;
    store
        .transition(recent_new.id, Transition::PersonEnds, at(300))
        .await
        .expect("end");

    let live = waiting(&*store, 400).await;
    say(&*store, live.id, Sender::Person, "c1").await;

    assert_eq!(store.purge_messages(at(99)).await.expect("purge"), 0);
    assert_eq!(store.purge_messages(at(100)).await.expect("purge"), 2);
    assert!(store
        .messages_after(old_new.id, 0, 10)
        .await
        .expect("read")
        .is_empty());
    assert_eq!(
        store
            .contact_by_resume(&old_new.resume_hash)
            .await
            .expect("resume"),
        None
    );
    let old = store
        .contact(old_new.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(old.last_seq, 2, "the contact and its figures stay");
    assert_eq!(
        store.sheet(old_new.id).await.expect("sheet"),
        Some(sheet(old_new.id))
    );

    assert_eq!(
        store
            .messages_after(recent_new.id, 0, 10)
            .await
            .expect("read")
            .len(),
        1
    );
    assert!(store
        .contact_by_resume(&recent_new.resume_hash)
        .await
        .expect("resume")
        .is_some());
    assert_eq!(store.purge_messages(at(10_000)).await.expect("purge"), 1);
    assert_eq!(
        store
            .messages_after(live.id, 0, 10)
            .await
            .expect("read")
            .len(),
        1,
        "a conversation that has not ended is never purged"
    );
    assert!(store
        .contact_by_resume(&format!("resume-{}", live.id))
        .await
        .expect("resume")
        .is_some());
}

// ---------------------------------------------------------------------------------------
// Presence

/// Presence defaults to offline and can be set; the listener's workspace connection follows
/// the same stale-connection rule as the person's; an away listener is reported while they
/// still hold a presence other than offline or a conversation.
pub async fn presence_and_listener_connections(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 2).await;
    assert_eq!(
        store.presence(ls[0]).await.expect("presence"),
        Presence::Offline
    );
    store
        .set_presence(ls[0], Presence::Available, at(1))
        .await
        .expect("set");
    assert_eq!(
        store.presence(ls[0]).await.expect("presence"),
        Presence::Available
    );
    store
        .set_presence(ls[0], Presence::Pause, at(2))
        .await
        .expect("set");
    assert_eq!(
        store.presence(ls[0]).await.expect("presence"),
        Presence::Pause
    );
    assert_not_found(
        store
            .set_presence(UserId(9_999), Presence::Available, at(1))
            .await,
    );

    store.attach_listener(ls[0], 10).await.expect("attach");
    assert_eq!(
        store.presence(ls[0]).await.expect("presence"),
        Presence::Pause,
        "connecting does not change presence"
    );
    store
        .attach_listener(ls[0], 11)
        .await
        .expect("second device");
    assert!(!store
        .detach_listener(ls[0], 10, at(5))
        .await
        .expect("stale"));
    assert!(store
        .listeners_away_since(at(100))
        .await
        .expect("away")
        .is_empty());
    assert!(store
        .detach_listener(ls[0], 11, at(5))
        .await
        .expect("detach"));
    store.attach_listener(ls[1], 20).await.expect("attach");
    assert_eq!(
        store.presence(ls[1]).await.expect("presence"),
        Presence::Offline
    );
    store
        .set_presence(ls[1], Presence::Available, at(7))
        .await
        .expect("set");
    assert!(store
        .detach_listener(ls[1], 20, at(8))
        .await
        .expect("detach"));

    assert!(store
        .listeners_away_since(at(4))
        .await
        .expect("away")
        .is_empty());
    assert_eq!(
        store.listeners_away_since(at(5)).await.expect("away"),
        vec![ls[0]]
    );
    assert_eq!(
        store.listeners_away_since(at(8)).await.expect("away"),
        vec![ls[0], ls[1]]
    );
    store.attach_listener(ls[0], 12).await.expect("back");
    assert_eq!(
        store.listeners_away_since(at(9)).await.expect("away"),
        vec![ls[1]]
    );
    // Once released (offline, no conversation) a listener is no longer reported away…
    store
        .set_presence(ls[1], Presence::Offline, at(10))
        .await
        .expect("set");
    assert!(store
        .listeners_away_since(at(10))
        .await
        .expect("away")
        .is_empty());
    // …unless a conversation is still theirs.
    waiting(&*store, 11).await;
    take(&*store, ls[1], 12).await;
    assert_eq!(
        store.listeners_away_since(at(12)).await.expect("away"),
        vec![ls[1]]
    );
    assert!(!store
        .detach_listener(UserId(9_999), 1, at(9))
        .await
        .expect("unknown listener"));
}

/// On duty: available, enabled listeners of the centre; free: those with no conversation.
pub async fn duty_counts_available_and_free(store: Arc<dyn Store>) {
    assert_eq!(store.duty(CENTRE).await.expect("duty"), Default::default());
    assert_eq!(store.live_counts().await.expect("counts"), vec![]);
    let ls = listeners(&*store, 5).await;
    for l in &ls[..4] {
        store
            .set_presence(*l, Presence::Available, at(1))
            .await
            .expect("set");
    }
    store
        .set_presence(ls[4], Presence::Pause, at(1))
        .await
        .expect("set");
    let duty = store.duty(CENTRE).await.expect("duty");
    assert_eq!((duty.on_duty, duty.free), (4, 4));

    waiting(&*store, 2).await;
    waiting(&*store, 3).await;
    take(&*store, ls[0], 4).await;
    take(&*store, ls[0], 5).await;
    let duty = store.duty(CENTRE).await.expect("duty");
    assert_eq!(
        (duty.on_duty, duty.free),
        (4, 3),
        "two chats make one listener busy"
    );

    store.set_disabled(ls[1], true).await.expect("disable");
    store
        .set_presence(ls[2], Presence::Offline, at(6))
        .await
        .expect("set");
    let duty = store.duty(CENTRE).await.expect("duty");
    assert_eq!((duty.on_duty, duty.free), (2, 1));

    // The same, with the queue and the conversations, for every centre at once; ended
    // contacts do not count.
    waiting(&*store, 7).await;
    let done = waiting(&*store, 8).await;
    store
        .transition(done.id, Transition::PersonEnds, at(9))
        .await
        .expect("leave");
    let expected = CentreCounts {
        centre: CENTRE,
        waiting: 1,
        active: 2,
        on_duty: 2,
        free: 1,
    };
    assert_eq!(store.live_counts().await.expect("counts"), vec![expected]);
    assert_eq!(
        store.duty(CentreId(2)).await.expect("duty"),
        Default::default()
    );
}

// ---------------------------------------------------------------------------------------
// Statistics sheets

/// A sheet is saved once by the contact's last listener and read back as saved.
pub async fn sheet_save_read_and_conflict(store: Arc<dyn Store>) {
    let l = listener(&*store, "sam").await;
    let c = ended(&*store, l, 0, 10, 1090).await;
    assert_eq!(store.sheet(c.id).await.expect("sheet"), None);
    store
        .save_sheet(&sheet(c.id), l, at(1100))
        .await
        .expect("save");
    assert_eq!(store.sheet(c.id).await.expect("sheet"), Some(sheet(c.id)));
    let other = StatsSheet {
        themes: vec!["other".into()],
        ..sheet(c.id)
    };
    assert_conflict(store.save_sheet(&other, l, at(1200)).await);
    assert_eq!(
        store.sheet(c.id).await.expect("sheet"),
        Some(sheet(c.id)),
        "the first sheet stays"
    );
}

/// No sheet for a contact still going on, nor by another listener, nor for an unknown one.
pub async fn sheet_refusals(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 2).await;
    let going = waiting(&*store, 0).await;
    assert_transition(
        store.save_sheet(&sheet(going.id), ls[0], at(1)).await,
        TransitionError::NotYourContact,
    );
    take(&*store, ls[0], 2).await;
    assert!(matches!(
        store.save_sheet(&sheet(going.id), ls[0], at(3)).await,
        Err(StoreError::Transition(_))
    ));
    let done = store
        .transition(going.id, Transition::PersonEnds, at(4))
        .await
        .expect("end");
    assert_transition(
        store.save_sheet(&sheet(done.id), ls[1], at(5)).await,
        TransitionError::NotYourContact,
    );
    let abandoned = waiting(&*store, 10).await;
    store
        .transition(abandoned.id, Transition::PersonEnds, at(11))
        .await
        .expect("abandon");
    assert_transition(
        store.save_sheet(&sheet(abandoned.id), ls[0], at(12)).await,
        TransitionError::NotYourContact,
    );
    assert_not_found(
        store
            .save_sheet(&sheet(ContactId::new_random()), ls[0], at(5))
            .await,
    );
    assert_eq!(store.sheet(going.id).await.expect("sheet"), None);
}

/// What a listener still owes: their ended, answered contacts without a sheet.
pub async fn pending_sheets_lists_what_is_owed(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 2).await;
    assert!(store
        .pending_sheets(ls[0])
        .await
        .expect("pending")
        .is_empty());
    let first = ended(&*store, ls[0], 0, 1, 100).await;
    let second = ended(&*store, ls[0], 200, 201, 300).await;
    ended(&*store, ls[1], 400, 401, 500).await;
    let gone = waiting(&*store, 600).await;
    store
        .transition(gone.id, Transition::PersonEnds, at(601))
        .await
        .expect("abandon");
    waiting(&*store, 700).await;
    take(&*store, ls[0], 701).await; // still talking: not owed yet

    let owed = store.pending_sheets(ls[0]).await.expect("pending");
    assert_eq!(
        owed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![first.id, second.id]
    );
    assert_eq!(owed[0], first);
    store
        .save_sheet(&sheet(first.id), ls[0], at(800))
        .await
        .expect("save");
    let owed = store.pending_sheets(ls[0]).await.expect("pending");
    assert_eq!(
        owed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![second.id]
    );
    assert_eq!(store.pending_sheets(ls[1]).await.expect("pending").len(), 1);
}

// ---------------------------------------------------------------------------------------
// Moving an installation (copy-data)

/// Fills `store` through the traits with a little of everything: accounts (one disabled),
/// a session, a presence, contacts in every state with messages, a sheet with themes.
/// Returns (the listener, the active contact, the waiting contact, the ended contact).
async fn fill(store: &dyn Store) -> (UserId, ContactId, ContactId, ContactId) {
    let lina = listener(store, "lina").await;
    let marc = listener(store, "marc").await;
    store
        .create_user(&new_user("root", Role::Admin), at(0))
        .await
        .expect("admin");
    store.set_disabled(marc, true).await.expect("disable");
    store
        .create_session(&NewSession {
            token_hash: "token-hash-lina".into(),
            user: lina,
            csrf_token: "csrf-lina".into(),
            created_at: at(0),
            expires_at: at(86_400),
        })
        .await
        .expect("session");
    store
        .set_presence(lina, Presence::Available, at(1))
        .await
        .expect("presence");
    store.attach_listener(lina, 42).await.expect("attach");

    let done = waiting(store, 2).await;
    say(store, done.id, Sender::Person, "d1").await;
    assert_eq!(take(store, lina, 5).await.id, done.id);
    store
        .transition(
            done.id,
            Transition::ListenerEnds { listener: lina },
            at(600),
        )
        .await
        .expect("end");
    store
        .save_sheet(&sheet(done.id), lina, at(700))
        .await
        .expect("sheet");
    let gone = waiting(store, 10).await;
    store
        .transition(gone.id, Transition::PersonEnds, at(20))
        .await
        .expect("abandon");
    let talking = waiting(store, 30).await;
    say(store, talking.id, Sender::Person, "t1").await;
    assert_eq!(take(store, lina, 40).await.id, talking.id);
    say(store, talking.id, Sender::Listener(lina), "t2").await;
    say(store, talking.id, Sender::Person, "t3").await;
    store
        .attach_person(talking.id, 7)
        .await
        .expect("attach person");
    let queued = waiting(store, 50).await;
    say(store, queued.id, Sender::Person, "q1").await;
    store.set_priority(queued.id, 2).await.expect("priority");
    (lina, talking.id, queued.id, done.id)
}

/// Everything a store holds is exported and imported into another store (here, from an
/// in-memory SQLite store into the store under test, then back into another SQLite store):
/// same counts per table, same rows, and the copy works through the traits — logins,
/// conversations, the queue, sheets, new accounts. A store that is not empty refuses it.
pub async fn transfer_copies_everything(store: Arc<dyn Store>) {
    let source: Arc<dyn Store> = Arc::new(
        crate::sqlite::SqliteStore::connect("sqlite::memory:")
            .await
            .expect("source"),
    );
    let (lina, talking, queued, done) = fill(&*source).await;
    let dump = source.export_all().await.expect("export");
    let counts = source.table_counts().await.expect("counts");
    assert_eq!(dump.counts(), counts);
    let rows = |table: &str| {
        counts
            .iter()
            .find(|c| c.table == table)
            .map(|c| c.rows)
            .expect("table counted")
    };
    for (table, want) in [
        ("centres", 1),
        ("users", 3),
        ("sessions", 1),
        ("contacts", 4),
        ("messages", 5),
        ("listener_presence", 1),
        ("stats_sheets", 1),
        ("stats_sheet_themes", 2),
    ] {
        assert_eq!(rows(table), want, "{table} in the source");
    }

    let fresh = store.table_counts().await.expect("counts");
    assert!(
        fresh
            .iter()
            .all(|c| c.rows == u64::from(c.table == "centres")),
        "a fresh store holds only the default centre: {fresh:?}"
    );
    store.import_all(&dump).await.expect("import");
    assert_eq!(store.table_counts().await.expect("counts"), counts);
    assert_eq!(store.export_all().await.expect("export"), dump);

    // The copy works through the traits.
    let creds = store
        .credentials("lina")
        .await
        .expect("credentials")
        .expect("lina copied");
    assert_eq!(creds.user.id, lina);
    assert_eq!(creds.password_hash, "$argon2id$hash-of-lina");
    assert!(
        store
            .credentials("marc")
            .await
            .expect("credentials")
            .expect("marc copied")
            .user
            .disabled
    );
    let session = store
        .session("token-hash-lina", at(10))
        .await
        .expect("session")
        .expect("session copied");
    assert_eq!(
        (session.user.id, session.csrf_token.as_str()),
        (lina, "csrf-lina")
    );
    assert_eq!(
        store.presence(lina).await.expect("presence"),
        Presence::Available
    );
    for id in [talking, queued, done] {
        assert_eq!(
            store.contact(id).await.expect("contact"),
            source.contact(id).await.expect("contact"),
        );
        assert_eq!(
            store.messages_after(id, 0, 100).await.expect("messages"),
            source.messages_after(id, 0, 100).await.expect("messages"),
        );
    }
    assert_eq!(
        store
            .contact_by_resume(&format!("resume-{talking}"))
            .await
            .expect("resume")
            .map(|c| c.id),
        Some(talking)
    );
    assert_eq!(store.sheet(done).await.expect("sheet"), Some(sheet(done)));
    let next = say(&*store, talking, Sender::Listener(lina), "t4").await;
    assert_eq!(
        next.message.seq, 4,
        "numbering continues after the copied messages"
    );
    assert_eq!(take(&*store, lina, 60).await.id, queued);
    // Generated ids continue after the copied ones.
    let newcomer = store
        .create_user(&new_user("zoe", Role::Listener), at(70))
        .await
        .expect("a new account after the copy");
    assert!(
        newcomer.id.0 > 3,
        "id {} reuses a copied one",
        newcomer.id.0
    );

    // Never into a store that holds something.
    assert_conflict(store.import_all(&dump).await);
    let other: Arc<dyn Store> = Arc::new(
        crate::sqlite::SqliteStore::connect("sqlite::memory:")
            .await
            .expect("other"),
    );
    listener(&*other, "someone").await;
    assert_conflict(other.import_all(&dump).await);
    assert_eq!(
        other.count_users().await.expect("count"),
        1,
        "nothing written"
    );

    // And back, from the store under test to SQLite.
    let back: Arc<dyn Store> = Arc::new(
        crate::sqlite::SqliteStore::connect("sqlite::memory:")
            .await
            .expect("back"),
    );
    let again = store.export_all().await.expect("export");
    back.import_all(&again).await.expect("import back");
    assert_eq!(back.export_all().await.expect("export"), again);
    assert_eq!(
        back.table_counts().await.expect("counts"),
        store.table_counts().await.expect("counts")
    );
}

// ---------------------------------------------------------------------------------------
// Instances: heartbeats, and the connections of an instance that died without closing them

/// A connection of `instance` (its id as the web layer builds it).
fn conn(instance: i64, local: u32) -> i64 {
    ConnectionId::new(u32::try_from(instance).expect("31-bit instance"), local).0
}

/// `found` sorted, so that results compare whatever order a backend returns them in.
fn sorted(mut found: DeadConnections) -> DeadConnections {
    found.persons.sort();
    found.listeners.sort();
    found
}

/// A stale instance's connections are closed as of its last heartbeat, once: persons and
/// listeners are then away (and swept like any other absence); a live instance's
/// connections, connections already closed and ended contacts are left alone; heartbeats
/// keep an instance alive.
pub async fn dead_instances_connections_are_detached(store: Arc<dyn Store>) {
    // The same local numbers on both instances, and an instance id using all 31 bits: only
    // the instance part of a connection id may decide.
    const LIVE: i64 = 7;
    const DEAD: i64 = 0x7fff_fffe;
    let ls = listeners(&*store, 3).await;
    let (l_live, l_dead, l_gone) = (ls[0], ls[1], ls[2]);
    for l in &ls {
        store
            .set_presence(*l, Presence::Available, at(1))
            .await
            .expect("available");
    }
    store
        .attach_listener(l_live, conn(LIVE, 1))
        .await
        .expect("attach");
    store
        .attach_listener(l_dead, conn(DEAD, 1))
        .await
        .expect("attach");
    store
        .attach_listener(l_gone, conn(DEAD, 2))
        .await
        .expect("attach");
    assert!(store
        .detach_listener(l_gone, conn(DEAD, 2), at(3))
        .await
        .expect("closed cleanly before the instance died"));

    // In conversation with the live listener, person on the dead instance.
    let active = waiting(&*store, 0).await;
    assert_eq!(take(&*store, l_live, 2).await.id, active.id);
    let waiting_dead = waiting(&*store, 1).await;
    let live = waiting(&*store, 1).await;
    let gone = waiting(&*store, 1).await;
    let over = waiting(&*store, 1).await;
    for (c, local) in [
        (active.id, 3),
        (waiting_dead.id, 4),
        (gone.id, 5),
        (over.id, 6),
    ] {
        store
            .attach_person(c, conn(DEAD, local))
            .await
            .expect("attach");
    }
    store
        .attach_person(live.id, conn(LIVE, 4))
        .await
        .expect("attach");
    assert!(store
        .detach_person(gone.id, conn(DEAD, 5), at(3))
        .await
        .expect("closed cleanly before the instance died"));
    store
        .transition(over.id, Transition::PersonEnds, at(4))
        .await
        .expect("end");

    store.heartbeat(LIVE, at(5)).await.expect("heartbeat");
    store.heartbeat(DEAD, at(10)).await.expect("heartbeat");
    store
        .heartbeat(LIVE, at(11))
        .await
        .expect("heartbeat keeps it alive");

    // Nothing is stale before the dead instance's last heartbeat.
    assert_eq!(
        store.detach_dead_instances(at(9)).await.expect("sweep"),
        DeadConnections::default()
    );
    // "At or before": a last heartbeat at the cut-off is dead.
    let found = sorted(store.detach_dead_instances(at(10)).await.expect("sweep"));
    let mut persons = vec![active.id, waiting_dead.id];
    persons.sort();
    assert_eq!(
        found,
        DeadConnections {
            persons,
            listeners: vec![l_dead],
        },
        "the dead instance's connections, but not the ended contact's nor those already \
         closed"
    );

    // Away since the last heartbeat (10), not since the sweep; earlier absences untouched.
    assert_eq!(
        store.persons_away_since(at(9)).await.expect("away"),
        vec![gone.id]
    );
    let mut away: Vec<ContactId> = store.persons_away_since(at(10)).await.expect("away");
    away.sort();
    let mut want = vec![active.id, waiting_dead.id, gone.id];
    want.sort();
    assert_eq!(away, want, "the live instance's person is not away");
    assert_eq!(
        store.listeners_away_since(at(9)).await.expect("away"),
        vec![l_gone]
    );
    assert_eq!(
        store.listeners_away_since(at(10)).await.expect("away"),
        vec![l_gone, l_dead],
        "the live instance's listener is not away"
    );
    // The connections are closed: a late close from the dead instance changes nothing.
    assert!(!store
        .detach_person(active.id, conn(DEAD, 3), at(30))
        .await
        .expect("late close"));
    assert!(!store
        .detach_listener(l_dead, conn(DEAD, 1), at(30))
        .await
        .expect("late close"));
    assert_eq!(
        store.persons_away_since(at(10)).await.expect("away").len(),
        3,
        "a late close does not move the absence"
    );

    // Processed once: the dead instance is gone; the live one is still there and dies in
    // its turn when it stops heartbeating.
    assert_eq!(
        store.detach_dead_instances(at(10)).await.expect("sweep"),
        DeadConnections::default()
    );
    // Coming back clears the absence as usual, on a live instance.
    store
        .attach_person(waiting_dead.id, conn(LIVE, 9))
        .await
        .expect("back");
    assert_eq!(
        sorted(store.detach_dead_instances(at(11)).await.expect("sweep")),
        DeadConnections {
            persons: {
                let mut p = vec![live.id, waiting_dead.id];
                p.sort();
                p
            },
            listeners: vec![l_live],
        }
    );
    assert_eq!(
        store.detach_dead_instances(at(1_000)).await.expect("sweep"),
        DeadConnections::default()
    );
    let mut away = store.persons_away_since(at(11)).await.expect("away");
    away.sort();
    let mut want = vec![active.id, waiting_dead.id, live.id, gone.id];
    want.sort();
    assert_eq!(
        away, want,
        "everyone but the ended contact is away once both instances died"
    );
    assert_eq!(
        store.listeners_away_since(at(11)).await.expect("away"),
        vec![l_gone, l_dead, l_live]
    );
}

/// Several instances sweeping at once share the dead instances out: every connection is
/// reported exactly once, by one of them.
pub async fn dead_instances_are_processed_once_concurrently(store: Arc<dyn Store>) {
    const INSTANCES: i64 = 12;
    const PERSONS_EACH: u32 = 3;
    let ls = listeners(&*store, INSTANCES as usize).await;
    let mut persons = Vec::new();
    for (i, l) in (1..=INSTANCES).zip(&ls) {
        store.heartbeat(i, at(1)).await.expect("heartbeat");
        store
            .set_presence(*l, Presence::Available, at(1))
            .await
            .expect("available");
        store.attach_listener(*l, conn(i, 0)).await.expect("attach");
        for local in 1..=PERSONS_EACH {
            let c = waiting(&*store, 1).await;
            store
                .attach_person(c.id, conn(i, local))
                .await
                .expect("attach");
            persons.push(c.id);
        }
    }

    for round in 0..3 {
        let sweepers: Vec<_> = (0..6)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.detach_dead_instances(at(5)).await })
            })
            .collect();
        let mut sweepers = AbortOnDrop(sweepers);
        let mut found_persons = Vec::new();
        let mut found_listeners = Vec::new();
        for task in sweepers.0.iter_mut() {
            let found = task.await.expect("task").expect("sweep");
            found_persons.extend(found.persons);
            found_listeners.extend(found.listeners);
        }
        found_persons.sort();
        found_listeners.sort();
        if round == 0 {
            let mut want_persons = persons.clone();
            want_persons.sort();
            let mut want_listeners = ls.clone();
            want_listeners.sort();
            assert_eq!(found_persons, want_persons, "every person exactly once");
            assert_eq!(
                found_listeners, want_listeners,
                "every listener exactly once"
            );
        } else {
            assert!(
                found_persons.is_empty() && found_listeners.is_empty(),
                "round {round}: already processed"
            );
        }
    }
}
