//! Cases of [`ecoute_store::ContactStore`]: the queue and the lifecycle of conversations.

use crate::support::*;
use ecoute_domain::{
    CentreId, Channel, ContactId, ContactState, EndReason, Presence, QueueEntry, Transition,
    TransitionError, UserId,
};
use ecoute_store::{Away, NewContact, Sender, Store, StoreError, TakeOutcome};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

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

/// Twenty joins at once against a maximum of three: exactly three get in, the others are
/// refused with `QueueFull`; once one leaves, one more gets in. Another centre's queue is
/// counted apart.
pub async fn create_contact_holds_max_waiting_under_a_burst(store: Arc<dyn Store>) {
    const MAX: u64 = 3;
    let joins: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_contact(&NewContact {
                        max_waiting: MAX,
                        ..new_contact(i)
                    })
                    .await
            })
        })
        .collect();
    let mut joined = Vec::new();
    let mut full = 0;
    for join in joins {
        match join.await.expect("task") {
            Ok(c) => joined.push(c),
            Err(StoreError::QueueFull) => full += 1,
            Err(e) => panic!("expected a contact or QueueFull, got {e:?}"),
        }
    }
    assert_eq!(joined.len() as u64, MAX, "exactly the maximum got in");
    assert_eq!(full, 20 - MAX);
    assert_eq!(
        store.waiting(CENTRE).await.expect("waiting").len() as u64,
        MAX
    );

    store
        .transition(joined[0].id, Transition::PersonEnds, at(30))
        .await
        .expect("leave");
    let again = NewContact {
        max_waiting: MAX,
        ..new_contact(31)
    };
    store.create_contact(&again).await.expect("a place freed");
    assert!(matches!(
        store
            .create_contact(&NewContact {
                max_waiting: MAX,
                ..new_contact(32)
            })
            .await,
        Err(StoreError::QueueFull)
    ));
}

/// A waiting contact whose page never connected ends as `NeverConnected` once it is older
/// than the cutoff (with no wait counted); one whose page connected — even if it left since —
/// or that is younger, or in conversation, stays as it is. A second sweep finds nothing.
pub async fn never_connected_contacts_leave_the_queue(store: Arc<dyn Store>) {
    let l = listener(&*store, "lina").await;
    let ghost = waiting(&*store, 0).await;
    let present = waiting(&*store, 1).await;
    store
        .attach_person(present.id, conn(1, 1))
        .await
        .expect("attach");
    let left = waiting(&*store, 2).await;
    store
        .attach_person(left.id, conn(1, 2))
        .await
        .expect("attach");
    store
        .detach_person(left.id, conn(1, 2), at(3))
        .await
        .expect("detach");
    let taken = waiting(&*store, 4).await;
    // Served first (highest priority): in conversation without ever connecting. Its listener
    // would wait for nobody: it ends too, and the listener is told by the event.
    store.set_priority(taken.id, 5).await.expect("priority");
    assert_eq!(take(&*store, l, 5).await.id, taken.id);
    let young = waiting(&*store, 40).await;

    let ended = store
        .end_never_connected(at(30), at(45))
        .await
        .expect("sweep");
    let ids: HashSet<ContactId> = ended.iter().map(|c| c.id).collect();
    assert_eq!(ids, HashSet::from([ghost.id, taken.id]), "{ended:?}");
    let orphan = store.contact(taken.id).await.expect("read").expect("taken");
    assert_eq!(
        orphan.state,
        ContactState::Ended {
            reason: EndReason::NeverConnected
        }
    );
    let gone = store.contact(ghost.id).await.expect("read").expect("ghost");
    assert_eq!(
        gone.state,
        ContactState::Ended {
            reason: EndReason::NeverConnected
        }
    );
    assert_eq!(gone.ended_at, Some(at(45)));
    assert_eq!(gone.wait_seconds, None, "nobody waited");
    let queue: HashSet<ContactId> = store
        .waiting(CENTRE)
        .await
        .expect("waiting")
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(queue, HashSet::from([present.id, left.id, young.id]));
    assert!(store
        .end_never_connected(at(30), at(46))
        .await
        .expect("sweep again")
        .is_empty());
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
        Err(StoreError::Transition(TransitionError::TakenOutOfOrder))
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
