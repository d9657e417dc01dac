//! Cases of [`ecoute_store::MessageStore`]: messages, resends and the purge.

use crate::support::*;
use ecoute_domain::{Author, ContactId, ResendError, Transition, TransitionError};
use ecoute_store::{Sender, Store, StoreError};
use std::collections::HashSet;
use std::sync::Arc;

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
    assert!(matches!(
        store
            .append_message(a.id, Sender::Listener(l), &cid("same"), &body("x"), at(99))
            .await,
        Err(StoreError::Resend(ResendError::IdUsedByOtherSide))
    ));
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

/// Writes that arrive together keep their own outcomes: among concurrent appends, those to an
/// ended conversation and resends by the wrong side are refused each with its own error, and
/// every other one is committed, numbered without gaps.
pub async fn concurrent_refusals_are_each_their_own(store: Arc<dyn Store>) {
    let l = listener(&*store, "ines").await;
    let open = waiting(&*store, 0).await;
    let closed = waiting(&*store, 1).await;
    store
        .transition(closed.id, Transition::PersonEnds, at(2))
        .await
        .expect("end");
    take(&*store, l, 3).await;
    say(&*store, open.id, Sender::Person, "mine").await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let (contact, sender, id) = match i % 3 {
                0 => (open.id, Sender::Person, format!("ok-{i}")),
                1 => (closed.id, Sender::Person, format!("late-{i}")),
                // The person's message id, resent by the listener.
                _ => (open.id, Sender::Listener(l), "mine".to_owned()),
            };
            let got = store
                .append_message(contact, sender, &cid(&id), &body("x"), at(4))
                .await;
            (i, got)
        }));
    }
    let mut seqs = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            (i, Ok(m)) if i % 3 == 0 => {
                assert!(m.created);
                seqs.push(m.message.seq);
            }
            (i, Err(StoreError::Transition(TransitionError::AlreadyEnded))) if i % 3 == 1 => {}
            (i, Err(StoreError::Resend(_))) if i % 3 == 2 => {}
            (i, other) => panic!("write {i}: unexpected {other:?}"),
        }
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (2..=11).collect::<Vec<i64>>());
    let stored = store.messages_after(open.id, 0, 100).await.expect("read");
    assert_eq!(stored.len(), 11);
    assert!(store
        .messages_after(closed.id, 0, 100)
        .await
        .expect("read")
        .is_empty());
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
