//! Cases of [`ecoute_store::InstanceStore`]: heartbeats, and the connections of an
//! instance that died without closing them.

use crate::support::*;
use ecoute_domain::{ContactId, Presence, Transition};
use ecoute_store::{DeadConnections, Store};
use std::sync::Arc;

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
