//! Cases of [`ecoute_store::transfer::Transfer`]: moving an installation (copy-data).

use crate::support::*;
use ecoute_domain::{Campaign, CampaignEvent, ContactId, Day, Presence, Role, Transition, UserId};
use ecoute_store::{NewSession, Sender, Store};
use std::sync::Arc;

/// Fills `store` through the traits with a little of everything: accounts (one disabled),
/// a session, a presence, contacts in every state with messages, a sheet with themes, a
/// campaign and counters.
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
    let campaign = Campaign::new("fb-2017-11", "Campagne 2017", Day(10), Day(40)).expect("valid");
    store
        .create_campaign(&campaign, at(60))
        .await
        .expect("campaign");
    store
        .add_campaign_counts(&[
            count(Some(&campaign.code), 12, CampaignEvent::PageView, 30),
            count(None, 12, CampaignEvent::ConversationStarted, 2),
        ])
        .await
        .expect("counts");
    let story = ecoute_domain::shipped_stories().remove(1);
    store.save_story(&story, at(61)).await.expect("story");
    let thread = store
        .open_thread(&ecoute_store::NewThread {
            id: ecoute_domain::ThreadId::new_random(),
            code_hash: "code-hash".into(),
            centre: CENTRE,
            client_id: cid("w1"),
            body: ecoute_domain::MessageBody::parse("Bonjour", 100).expect("body"),
            now: at(62),
            max_threads: 10,
        })
        .await
        .expect("thread")
        .thread;
    store
        .claim_thread(thread.id, lina, at(63))
        .await
        .expect("claim");
    store
        .write_to_thread(
            thread.id,
            Sender::Listener(lina),
            &cid("w2"),
            &ecoute_domain::MessageBody::parse("Je vous lis", 100).expect("body"),
            at(64),
        )
        .await
        .expect("reply");
    store
        .claim_thread(thread.id, lina, at(65))
        .await
        .expect("claim");
    store
        .save_draft(thread.id, lina, "Et ensuite", at(66))
        .await
        .expect("draft");
    let application = store
        .create_application(&ecoute_store::NewApplication {
            id: ecoute_domain::ApplicationId::new_random(),
            candidate: ecoute_domain::Candidate {
                name: "Camille".into(),
                email: None,
                phone: Some("06 12 34 56 78".into()),
                city: "Lyon".into(),
                availability: "Le mardi".into(),
                motivation: "Écouter".into(),
            },
            campaign: Some(campaign.code.clone()),
            now: at(67),
            max_kept: 10,
        })
        .await
        .expect("application");
    let root = store
        .credentials("root")
        .await
        .expect("root")
        .expect("root")
        .user
        .id;
    store
        .move_application(
            application.id,
            ecoute_domain::Stage::FirstInterview,
            root,
            Some("Rendez-vous pris"),
            at(68),
        )
        .await
        .expect("move");
    store
        .record_personal_read(
            root,
            Some(application.id),
            ecoute_store::ReadAction::Read,
            at(69),
        )
        .await
        .expect("audit");
    let (alert, _) = store
        .raise_alert(&ecoute_store::NewAlert {
            id: ecoute_domain::AlertId::new_random(),
            contact: talking.id,
            listener: Some(lina),
            kind: ecoute_domain::AlertKind::Help,
            now: at(70),
        })
        .await
        .expect("alert");
    store
        .resolve_alert(alert.id, root, at(71))
        .await
        .expect("resolve");
    store
        .add_whisper(talking.id, root, "Je suis là", at(72))
        .await
        .expect("whisper");
    store
        .record_conversation_read(root, talking.id, at(73))
        .await
        .expect("conversation read");
    store
        .record_triage(
            talking.id,
            &ecoute_domain::TriageRecord {
                version: "triage-1.0.0".into(),
                level: ecoute_domain::triage::TriageLevel::Method,
                other: ecoute_domain::triage::TriageLevel::None,
                triggers: vec!["doliprane".into()],
                at: at(74),
            },
        )
        .await
        .expect("triage");
    store
        .set_priority_by_hand(queued.id, root, 2, at(75))
        .await
        .expect("priority");
    (lina, talking.id, queued.id, done.id)
}

/// Everything a store holds is exported and imported into another store (here, from an
/// in-memory SQLite store into the store under test, then back into another SQLite store):
/// same counts per table, same rows, and the copy works through the traits — logins,
/// conversations, the queue, sheets, new accounts. A store that is not empty refuses it.
pub async fn transfer_copies_everything(store: Arc<dyn Store>) {
    let source: Arc<dyn Store> = Arc::new(
        ecoute_store::sqlite::SqliteStore::connect("sqlite::memory:")
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
        ("contacts", 5),
        ("messages", 5),
        ("listener_presence", 1),
        ("stats_sheets", 1),
        ("stats_sheet_themes", 2),
        ("campaigns", 1),
        ("campaign_counts", 2),
        ("stories", 1),
        ("written_threads", 1),
        ("written_messages", 2),
        ("written_drafts", 1),
        ("volunteer_applications", 1),
        ("volunteer_events", 2),
        ("personal_data_reads", 1),
        ("alerts", 1),
        ("whispers", 1),
        ("conversation_reads", 1),
        ("triage_scores", 1),
        ("priority_changes", 1),
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
        ecoute_store::sqlite::SqliteStore::connect("sqlite::memory:")
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
        ecoute_store::sqlite::SqliteStore::connect("sqlite::memory:")
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
