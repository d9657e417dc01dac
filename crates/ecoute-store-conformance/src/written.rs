//! Cases of [`ecoute_store::WrittenStore`]: anonymous written threads.

use crate::support::*;
use ecoute_domain::written::{CLAIM_MINUTES, MAX_THREAD_MESSAGES};
use ecoute_domain::{Author, ClientMessageId, MessageBody, ThreadId, ThreadRefusal};
use ecoute_store::{NewThread, Sender, Store, StoreError};
use std::sync::Arc;

fn new_thread(code_hash: &str, secs: i64) -> NewThread {
    NewThread {
        id: ThreadId::new_random(),
        code_hash: code_hash.into(),
        centre: CENTRE,
        client_id: ClientMessageId::parse("first").expect("id"),
        body: MessageBody::parse("Je n'arrive plus à dormir.", 8000).expect("body"),
        now: at(secs),
        max_threads: 100,
    }
}

fn id(s: &str) -> ClientMessageId {
    cid(s)
}

/// A thread opens with its first message and is found by its code's hash and by its id; the
/// same form sent again stores nothing; the person writes again while the wait runs from their
/// oldest unanswered message.
pub async fn written_open_find_and_resend(store: Arc<dyn Store>) {
    let new = new_thread("hash-a", 10);
    let opened = store.open_thread(&new).await.expect("open");
    assert!(opened.created);
    assert_eq!(opened.message.seq, 1);
    assert_eq!(opened.message.author, Author::Person);
    assert_eq!(opened.thread.waiting_since, Some(at(10)));
    assert_eq!(opened.thread.last_seq, 1);
    let found = store.thread_by_code("hash-a").await.expect("find");
    assert_eq!(found.as_ref(), Some(&opened.thread));
    assert_eq!(
        store.thread(new.id).await.expect("read"),
        Some(opened.thread.clone())
    );
    assert_eq!(store.thread_by_code("hash-b").await.expect("find"), None);

    // The same form again (same code, same first message id).
    let again = store
        .open_thread(&NewThread {
            id: ThreadId::new_random(),
            now: at(11),
            ..new.clone()
        })
        .await
        .expect("again");
    assert!(!again.created);
    assert_eq!(again.thread.id, new.id);
    assert_eq!(again.message, opened.message);

    let more = store
        .write_to_thread(
            new.id,
            Sender::Person,
            &id("second"),
            &body("Encore."),
            at(20),
        )
        .await
        .expect("write");
    assert!(more.created);
    assert_eq!(more.message.seq, 2);
    assert_eq!(more.thread.waiting_since, Some(at(10)), "the oldest wait");
    assert_eq!(more.thread.last_activity, at(20));
    let resent = store
        .write_to_thread(
            new.id,
            Sender::Person,
            &id("second"),
            &body("Encore."),
            at(21),
        )
        .await
        .expect("resend");
    assert!(!resent.created);
    assert_eq!(resent.message, more.message);
    let messages = store.thread_messages(new.id).await.expect("messages");
    assert_eq!(
        messages.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["Je n'arrive plus à dormir.", "Encore."]
    );
    assert!(matches!(
        store
            .write_to_thread(
                ThreadId::new_random(),
                Sender::Person,
                &id("x"),
                &body("x"),
                at(22)
            )
            .await,
        Err(StoreError::NotFound)
    ));
}

/// A listener replies only while their claim holds; a claim keeps the others out until it
/// lapses; a reply ends the wait, the claim and the draft, and names its listener.
pub async fn written_claims_drafts_and_replies(store: Arc<dyn Store>) {
    let lina = listener(&*store, "lina").await;
    let marc = listener(&*store, "marc").await;
    let t = store
        .open_thread(&new_thread("hash-c", 0))
        .await
        .expect("open")
        .thread;
    let reply = |who, secs| {
        let store = store.clone();
        async move {
            store
                .write_to_thread(
                    t.id,
                    Sender::Listener(who),
                    &id("r1"),
                    &body("Je vous lis."),
                    at(secs),
                )
                .await
        }
    };
    assert!(matches!(
        reply(lina, 5).await,
        Err(StoreError::Thread(ThreadRefusal::NotClaimed))
    ));
    assert!(matches!(
        store.save_draft(t.id, lina, "Bonjour", at(5)).await,
        Err(StoreError::Thread(ThreadRefusal::NotClaimed))
    ));
    let claimed = store.claim_thread(t.id, lina, at(10)).await.expect("claim");
    let claim = claimed.claim.clone().expect("claimed");
    assert_eq!(claim.listener.id, lina);
    assert_eq!(claim.since, at(10));
    assert_eq!(claim.listener.pseudonym, "P lina");
    assert_eq!(claim.until, at(10 + CLAIM_MINUTES * 60));
    assert_eq!(store.thread(t.id).await.expect("read"), Some(claimed));
    match store.claim_thread(t.id, marc, at(11)).await {
        Err(StoreError::Thread(ThreadRefusal::ClaimedByAnother { pseudonym })) => {
            assert_eq!(pseudonym, "P lina")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(matches!(
        reply(marc, 12).await,
        Err(StoreError::Thread(ThreadRefusal::ClaimedByAnother { .. }))
    ));

    // A draft renews the claim and is the listener's own.
    let renewed = store
        .save_draft(t.id, lina, "Bonjour, je", at(100))
        .await
        .expect("draft");
    assert_eq!(
        renewed.claim.map(|c| (c.since, c.until)),
        Some((at(10), at(100 + CLAIM_MINUTES * 60))),
        "renewed, from the same start"
    );
    assert_eq!(
        store.draft(t.id, lina).await.expect("draft"),
        Some("Bonjour, je".into())
    );
    store
        .save_draft(t.id, lina, "Bonjour, je vous lis", at(101))
        .await
        .expect("draft again");
    assert_eq!(
        store.draft(t.id, lina).await.expect("draft"),
        Some("Bonjour, je vous lis".into())
    );
    assert_eq!(store.draft(t.id, marc).await.expect("draft"), None);

    let replied = reply(lina, 200).await.expect("reply");
    assert!(replied.created);
    assert_eq!(replied.message.author, Author::Listener);
    assert_eq!(replied.message.listener.as_ref().map(|w| w.id), Some(lina));
    assert_eq!(replied.thread.waiting_since, None);
    assert_eq!(replied.thread.claim, None);
    assert_eq!(store.draft(t.id, lina).await.expect("draft"), None);
    // The reply is a contact of the message channel, ended, whose sheet Lina owes: the
    // person waited from their message to the claim, Lina's time ran from the claim.
    let sheet = replied.sheet.expect("a sheet is owed");
    let contact = store.contact(sheet).await.expect("read").expect("contact");
    assert_eq!(contact.channel, ecoute_domain::Channel::Message);
    assert_eq!(contact.listener, Some(lina));
    assert_eq!(contact.answered_at, Some(at(10)));
    assert_eq!(contact.ended_at, Some(at(200)));
    assert_eq!(contact.wait_seconds, Some(10));
    assert!(matches!(
        contact.state,
        ecoute_domain::ContactState::Ended { .. }
    ));
    assert_eq!(
        store
            .pending_sheets(lina)
            .await
            .expect("pending")
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        [sheet]
    );
    store
        .save_sheet(&crate::support::sheet(sheet), lina, at(210))
        .await
        .expect("the sheet as for chat");
    assert!(store
        .pending_sheets(lina)
        .await
        .expect("pending")
        .is_empty());
    assert!(
        store
            .recent_talk_seconds(CENTRE, 10)
            .await
            .expect("talk")
            .is_empty(),
        "a written reply is no talk time"
    );
    // The reply again (its acknowledgement lost): the same answer, nothing more.
    let again = reply(lina, 201).await.expect("resend");
    assert!(!again.created);
    assert_eq!(again.sheet, None, "no second sheet for a resend");
    assert_eq!(again.message, replied.message);
    let messages = store.thread_messages(t.id).await.expect("messages");
    assert_eq!(
        messages[1].listener.as_ref().map(|w| w.pseudonym.as_str()),
        Some("P lina")
    );

    // A claim that lapses frees the thread; releasing is only the holder's.
    store
        .claim_thread(t.id, marc, at(300))
        .await
        .expect("claim");
    store.release_thread(t.id, lina).await.expect("not lina's");
    assert!(store
        .thread(t.id)
        .await
        .expect("read")
        .expect("t")
        .claim
        .is_some());
    store.release_thread(t.id, marc).await.expect("release");
    assert_eq!(
        store.thread(t.id).await.expect("read").expect("t").claim,
        None
    );
    store
        .claim_thread(t.id, marc, at(400))
        .await
        .expect("claim");
    let lapsed = 400 + CLAIM_MINUTES * 60;
    store
        .claim_thread(t.id, lina, at(lapsed))
        .await
        .expect("a lapsed claim frees the thread");
}

/// Two listeners claiming at once: exactly one gets the thread.
pub async fn written_concurrent_claims_have_one_winner(store: Arc<dyn Store>) {
    let ids = listeners(&*store, 6).await;
    let t = store
        .open_thread(&new_thread("hash-d", 0))
        .await
        .expect("open")
        .thread;
    let tasks: Vec<_> = ids
        .iter()
        .map(|&who| {
            let store = store.clone();
            tokio::spawn(async move { store.claim_thread(t.id, who, at(5)).await })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => won += 1,
            Err(StoreError::Thread(ThreadRefusal::ClaimedByAnother { .. })) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won, 1);
}

/// The inbox lists the threads waiting for a reply, by priority then the longest waiting;
/// answered threads leave it until the person writes again.
pub async fn written_inbox_order(store: Arc<dyn Store>) {
    let lina = listener(&*store, "lina").await;
    let old = store
        .open_thread(&new_thread("h1", 10))
        .await
        .expect("open")
        .thread;
    let recent = store
        .open_thread(&new_thread("h2", 20))
        .await
        .expect("open")
        .thread;
    let answered = store
        .open_thread(&new_thread("h3", 5))
        .await
        .expect("open")
        .thread;
    store
        .claim_thread(answered.id, lina, at(30))
        .await
        .expect("claim");
    store
        .write_to_thread(
            answered.id,
            Sender::Listener(lina),
            &id("r"),
            &body("Bonjour"),
            at(31),
        )
        .await
        .expect("reply");
    let inbox = store.inbox(CENTRE, 10).await.expect("inbox");
    assert_eq!(
        inbox.iter().map(|t| t.id).collect::<Vec<_>>(),
        [old.id, recent.id]
    );
    store
        .write_to_thread(
            answered.id,
            Sender::Person,
            &id("p2"),
            &body("Merci"),
            at(40),
        )
        .await
        .expect("write");
    let inbox = store.inbox(CENTRE, 10).await.expect("inbox");
    assert_eq!(
        inbox.iter().map(|t| t.id).collect::<Vec<_>>(),
        [old.id, recent.id, answered.id]
    );
    assert_eq!(store.inbox(CENTRE, 1).await.expect("inbox").len(), 1);
}

/// Opening holds `max_threads`; a full thread takes no more messages.
pub async fn written_bounds(store: Arc<dyn Store>) {
    let first = store
        .open_thread(&NewThread {
            max_threads: 2,
            ..new_thread("b1", 0)
        })
        .await
        .expect("open");
    store
        .open_thread(&NewThread {
            max_threads: 2,
            ..new_thread("b2", 0)
        })
        .await
        .expect("open");
    assert!(matches!(
        store
            .open_thread(&NewThread {
                max_threads: 2,
                ..new_thread("b3", 0)
            })
            .await,
        Err(StoreError::InboxFull)
    ));
    for i in 2..=MAX_THREAD_MESSAGES {
        store
            .write_to_thread(
                first.thread.id,
                Sender::Person,
                &id(&format!("m{i}")),
                &body("x"),
                at(i),
            )
            .await
            .expect("write");
    }
    assert!(matches!(
        store
            .write_to_thread(
                first.thread.id,
                Sender::Person,
                &id("over"),
                &body("x"),
                at(999)
            )
            .await,
        Err(StoreError::Thread(ThreadRefusal::Full))
    ));
}

/// The person deletes their thread whole; the purge deletes threads inactive since the cutoff
/// (a draft counts as activity), messages and drafts with them.
pub async fn written_delete_and_purge(store: Arc<dyn Store>) {
    let lina = listener(&*store, "lina").await;
    let gone = store
        .open_thread(&new_thread("p1", 0))
        .await
        .expect("open")
        .thread;
    let idle = store
        .open_thread(&new_thread("p2", 10))
        .await
        .expect("open")
        .thread;
    let drafted = store
        .open_thread(&new_thread("p3", 10))
        .await
        .expect("open")
        .thread;
    let fresh = store
        .open_thread(&new_thread("p4", 10))
        .await
        .expect("open")
        .thread;
    store
        .write_to_thread(
            fresh.id,
            Sender::Person,
            &id("again"),
            &body("Encore"),
            at(500),
        )
        .await
        .expect("write");
    store
        .claim_thread(drafted.id, lina, at(400))
        .await
        .expect("claim");
    store
        .save_draft(drafted.id, lina, "Bonjour", at(450))
        .await
        .expect("draft");

    assert!(store.delete_thread(gone.id).await.expect("delete"));
    assert!(!store.delete_thread(gone.id).await.expect("delete again"));
    assert_eq!(store.thread_by_code("p1").await.expect("find"), None);
    assert!(store
        .thread_messages(gone.id)
        .await
        .expect("messages")
        .is_empty());

    assert_eq!(store.purge_threads(at(449)).await.expect("purge"), 1);
    assert_eq!(store.thread(idle.id).await.expect("read"), None);
    assert!(store
        .thread_messages(idle.id)
        .await
        .expect("messages")
        .is_empty());
    assert!(store.thread(drafted.id).await.expect("read").is_some());
    assert_eq!(store.purge_threads(at(450)).await.expect("purge"), 1);
    assert_eq!(store.draft(drafted.id, lina).await.expect("draft"), None);
    assert!(store.thread(fresh.id).await.expect("read").is_some());
}
