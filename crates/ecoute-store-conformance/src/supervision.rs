//! Cases of [`ecoute_store::SupervisionStore`]: alerts, supervisors' notes, the audit of
//! conversation reads, and the live board's reads.

use crate::support::*;
use ecoute_domain::triage::TriageLevel;
use ecoute_domain::{
    AlertId, AlertKind, AnsweredShare, Presence, Role, Transition, TransitionError, TriageRecord,
};
use ecoute_store::{NewAlert, Sender, Store, StoreError};
use std::sync::Arc;

fn new_alert(
    contact: ecoute_domain::ContactId,
    listener: ecoute_domain::UserId,
    kind: AlertKind,
    secs: i64,
) -> NewAlert {
    NewAlert {
        id: AlertId::new_random(),
        contact,
        listener: Some(listener),
        kind,
        now: at(secs),
    }
}

async fn supervisor(store: &dyn Store) -> ecoute_domain::UserId {
    store
        .create_user(&new_user("sup", Role::Supervisor), at(0))
        .await
        .expect("supervisor")
        .id
}

/// An alert is raised once per conversation and kind (pressing twice gives the open one
/// back), listed while open, oldest first, and resolved once: resolving again changes
/// nothing. An unknown contact or alert is not found.
pub async fn supervision_alerts_open_once_and_resolve(store: Arc<dyn Store>) {
    let lina = listener(&*store, "lina").await;
    let sup = supervisor(&*store).await;
    let first = waiting(&*store, 10).await;
    take(&*store, lina, 20).await;
    let second = waiting(&*store, 30).await;
    take(&*store, lina, 40).await;

    let (help, created) = store
        .raise_alert(&new_alert(first.id, lina, AlertKind::Help, 50))
        .await
        .expect("raise");
    assert!(created);
    assert_eq!(help.contact, first.id);
    assert_eq!(help.listener, Some(lina));
    assert_eq!(help.listener_pseudonym.as_deref(), Some("P lina"));
    assert_eq!(help.centre, CENTRE);
    assert!(help.is_open());
    let (again, created) = store
        .raise_alert(&new_alert(first.id, lina, AlertKind::Help, 55))
        .await
        .expect("raise again");
    assert!(!created, "one open alert per conversation and kind");
    assert_eq!(again, help);
    let (debrief, created) = store
        .raise_alert(&new_alert(first.id, lina, AlertKind::Debrief, 56))
        .await
        .expect("debrief");
    assert!(created, "another kind is another alert");
    let (other, _) = store
        .raise_alert(&new_alert(second.id, lina, AlertKind::Help, 52))
        .await
        .expect("second conversation");
    let open: Vec<AlertId> = store
        .open_alerts(CENTRE)
        .await
        .expect("open")
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(open, vec![help.id, other.id, debrief.id], "oldest first");
    assert_eq!(
        store.alert(help.id).await.expect("read"),
        Some(help.clone())
    );

    let resolved = store
        .resolve_alert(help.id, sup, at(60))
        .await
        .expect("resolve");
    assert_eq!(resolved.resolved, Some((sup, at(60))));
    let twice = store
        .resolve_alert(help.id, lina, at(70))
        .await
        .expect("resolve again");
    assert_eq!(twice.resolved, Some((sup, at(60))), "resolved once");
    let open = store.open_alerts(CENTRE).await.expect("open");
    assert_eq!(open.len(), 2);
    // Once resolved, a new alert can be raised about the same conversation.
    let (renewed, created) = store
        .raise_alert(&new_alert(first.id, lina, AlertKind::Help, 80))
        .await
        .expect("raise after resolve");
    assert!(created);
    assert_ne!(renewed.id, help.id);

    assert_not_found(
        store
            .raise_alert(&new_alert(
                ecoute_domain::ContactId::new_random(),
                lina,
                AlertKind::Help,
                90,
            ))
            .await,
    );
    assert_not_found(
        store
            .resolve_alert(AlertId::new_random(), sup, at(90))
            .await,
    );
    assert_eq!(
        store.alert(AlertId::new_random()).await.expect("read"),
        None
    );
}

/// A supervisor's notes are numbered per conversation, read back in order with their
/// writer's pseudonym, refused once the conversation is over or before it starts, and
/// purged with the conversation's text.
pub async fn supervision_whispers_numbered_refused_and_purged(store: Arc<dyn Store>) {
    let lina = listener(&*store, "lina").await;
    let sup = supervisor(&*store).await;
    let queued = waiting(&*store, 5).await;
    assert_transition(
        store.add_whisper(queued.id, sup, "trop tôt", at(6)).await,
        TransitionError::NotActive,
    );
    let c = take(&*store, lina, 10).await;
    let one = store
        .add_whisper(c.id, sup, "Je lis avec vous", at(20))
        .await
        .expect("whisper");
    assert_eq!(one.seq, 1);
    assert_eq!(one.from, sup);
    assert_eq!(one.from_pseudonym, "P sup");
    let two = store
        .add_whisper(c.id, sup, "Demandez-lui s'il est en sécurité", at(21))
        .await
        .expect("whisper");
    assert_eq!(two.seq, 2);
    assert_eq!(
        store.whispers(c.id).await.expect("read"),
        vec![one.clone(), two.clone()]
    );
    say(&*store, c.id, Sender::Person, "m1").await;
    store
        .transition(c.id, Transition::ListenerEnds { listener: lina }, at(100))
        .await
        .expect("end");
    assert_transition(
        store.add_whisper(c.id, sup, "trop tard", at(101)).await,
        TransitionError::AlreadyEnded,
    );
    assert_not_found(
        store
            .add_whisper(ecoute_domain::ContactId::new_random(), sup, "x", at(101))
            .await,
    );
    store.purge_messages(at(99)).await.expect("purge before");
    assert_eq!(store.whispers(c.id).await.expect("read").len(), 2);
    store.purge_messages(at(100)).await.expect("purge");
    assert_eq!(store.whispers(c.id).await.expect("read"), vec![]);
}

/// Every read of a conversation by someone else is recorded (who, which, when) and listed
/// newest first, bounded.
pub async fn supervision_conversation_reads_are_recorded(store: Arc<dyn Store>) {
    let lina = listener(&*store, "lina").await;
    let sup = supervisor(&*store).await;
    let c = waiting(&*store, 5).await;
    take(&*store, lina, 10).await;
    for secs in [20, 30, 40] {
        store
            .record_conversation_read(sup, c.id, at(secs))
            .await
            .expect("record");
    }
    let reads = store.conversation_reads(2).await.expect("reads");
    assert_eq!(reads.len(), 2, "bounded");
    assert_eq!(reads[0].at, at(40), "newest first");
    assert_eq!(reads[0].reader, sup);
    assert_eq!(reads[0].reader_pseudonym, "P sup");
    assert_eq!(reads[0].contact, c.id);
    assert_eq!(reads[1].at, at(30));
}

/// The live board's reads: conversations in progress with their listener, the longest
/// first; listeners available or on pause with their load and whether they are away; and
/// the share of chats answered since a time, where a page that never connected counts for
/// nobody and people still waiting are not yet settled.
pub async fn supervision_board_reads(store: Arc<dyn Store>) {
    let lina = listener(&*store, "lina").await;
    let marc = listener(&*store, "marc").await;
    let off = listener(&*store, "zoe").await;
    store
        .set_presence(lina, Presence::Available, at(1))
        .await
        .expect("presence");
    store
        .set_presence(marc, Presence::Pause, at(2))
        .await
        .expect("presence");
    store
        .set_presence(off, Presence::Offline, at(3))
        .await
        .expect("presence");
    store.attach_listener(lina, 11).await.expect("attach");
    store.attach_listener(marc, 12).await.expect("attach");
    store
        .detach_listener(marc, 12, at(4))
        .await
        .expect("detach");

    // Before the window: not counted.
    ended(&*store, lina, 0, 5, 8).await;
    let since = at(10);
    ended(&*store, lina, 10, 12, 20).await;
    let talking = waiting(&*store, 30).await;
    take(&*store, lina, 35).await;
    let later = waiting(&*store, 40).await;
    take(&*store, lina, 45).await;
    let gone = waiting(&*store, 50).await;
    store
        .transition(gone.id, Transition::PersonEnds, at(60))
        .await
        .expect("left unanswered");
    let never = waiting(&*store, 55).await;
    store.attach_person(talking.id, 21).await.expect("attach");
    store.attach_person(later.id, 22).await.expect("attach");
    let swept = store
        .end_never_connected(at(55), at(70))
        .await
        .expect("never connected");
    assert_eq!(
        swept.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![never.id]
    );
    let _still_waiting = waiting(&*store, 80).await;

    let ongoing = store.in_progress(CENTRE).await.expect("in progress");
    let ids: Vec<_> = ongoing.iter().map(|o| o.contact.id).collect();
    assert_eq!(ids, vec![talking.id, later.id], "the longest first");
    assert!(ongoing.iter().all(|o| o.listener_pseudonym == "P lina"));

    let roster = store.roster(CENTRE).await.expect("roster");
    let names: Vec<_> = roster
        .iter()
        .map(|r| (r.pseudonym.as_str(), r.presence, r.conversations, r.away))
        .collect();
    assert_eq!(
        names,
        vec![
            ("P lina", Presence::Available, 2, false),
            ("P marc", Presence::Pause, 0, true),
        ],
        "offline listeners are not on the roster"
    );
    assert_eq!(roster[0].since, Some(at(1)));

    let share = store.answered_share(CENTRE, since).await.expect("share");
    assert_eq!(
        share,
        AnsweredShare {
            answered: 3,
            settled: 4
        },
        "three answered and one who left, out of the window's people"
    );
    let empty = store.answered_share(CENTRE, at(1000)).await.expect("share");
    assert_eq!(empty, AnsweredShare::default());
}

/// Triage's alert about a waiting person names no listener; a contact's triage record keeps
/// the highest levels and the words of every message, is listed for the people waiting only,
/// and is purged with the conversation's text.
pub async fn supervision_triage_records(store: Arc<dyn Store>) {
    let lina = listener(&*store, "lina").await;
    let c = waiting(&*store, 5).await;
    let other = waiting(&*store, 6).await;
    let (risk, created) = store
        .raise_alert(&NewAlert {
            id: AlertId::new_random(),
            contact: c.id,
            listener: None,
            kind: AlertKind::Risk,
            now: at(7),
        })
        .await
        .expect("risk alert");
    assert!(created);
    assert_eq!((risk.listener, risk.listener_pseudonym), (None, None));
    assert_eq!(store.triage(c.id).await.expect("read"), None);
    let plan = TriageRecord {
        version: "triage-1.0.0".into(),
        level: TriageLevel::Plan,
        other: TriageLevel::None,
        triggers: vec!["ce soir".into(), "corde".into()],
        at: at(8),
    };
    assert_eq!(
        store.record_triage(c.id, &plan).await.expect("record"),
        plan
    );
    let calmer = TriageRecord {
        version: "triage-1.0.0".into(),
        level: TriageLevel::WishToBeDead,
        other: TriageLevel::Ideation,
        triggers: vec!["corde".into(), "line\nbreak".into()],
        at: at(9),
    };
    let merged = store.record_triage(c.id, &calmer).await.expect("merge");
    assert_eq!(merged.level, TriageLevel::Plan, "never lowered");
    assert_eq!(merged.other, TriageLevel::Ideation);
    assert_eq!(merged.at, at(9));
    let stored = store.triage(c.id).await.expect("read").expect("stored");
    assert_eq!(stored.triggers, vec!["ce soir", "corde", "line break"]);
    assert_eq!(
        store.waiting_triage(CENTRE).await.expect("waiting"),
        vec![(c.id, stored)]
    );
    assert_eq!(store.triage(other.id).await.expect("read"), None);
    assert_not_found(
        store
            .record_triage(ecoute_domain::ContactId::new_random(), &plan)
            .await,
    );

    take(&*store, lina, 10).await;
    assert_eq!(
        store.waiting_triage(CENTRE).await.expect("waiting"),
        vec![],
        "taken: no longer waiting"
    );
    store
        .transition(c.id, Transition::ListenerEnds { listener: lina }, at(20))
        .await
        .expect("end");
    store.purge_messages(at(20)).await.expect("purge");
    assert_eq!(
        store.triage(c.id).await.expect("read"),
        None,
        "purged with the text"
    );
}

/// A supervisor moves a waiting person up or down by hand, recorded in the same step; once
/// taken or ended, the priority is no longer theirs to change, and nothing is recorded.
pub async fn supervision_priority_by_hand_is_recorded(store: Arc<dyn Store>) {
    let lina = listener(&*store, "lina").await;
    let sup = supervisor(&*store).await;
    let first = waiting(&*store, 5).await;
    let second = waiting(&*store, 6).await;
    let (raised, before) = store
        .set_priority_by_hand(second.id, sup, 4, at(10))
        .await
        .expect("raise");
    assert_eq!((raised.priority, before), (4, 0));
    let order: Vec<_> = {
        let mut w = store.waiting(CENTRE).await.expect("waiting");
        w.sort_by(|a, b| a.serve_order(b));
        w.iter().map(|e| e.id).collect()
    };
    assert_eq!(order, vec![second.id, first.id], "moved ahead");
    let (lowered, before) = store
        .set_priority_by_hand(second.id, sup, 1, at(11))
        .await
        .expect("lower");
    assert_eq!((lowered.priority, before), (1, 4));
    let changes = store.priority_changes(10).await.expect("changes");
    assert_eq!(changes.len(), 2);
    assert_eq!(
        (changes[0].from, changes[0].to, changes[0].at),
        (4, 1, at(11))
    );
    assert_eq!(changes[0].by_pseudonym, "P sup");
    assert_eq!(changes[0].contact, second.id);
    assert_eq!((changes[1].from, changes[1].to), (0, 4));

    assert_eq!(take(&*store, lina, 20).await.id, second.id);
    assert_transition(
        store.set_priority_by_hand(second.id, sup, 0, at(21)).await,
        TransitionError::NotWaiting,
    );
    store
        .transition(first.id, Transition::PersonEnds, at(22))
        .await
        .expect("left");
    assert_transition(
        store.set_priority_by_hand(first.id, sup, 3, at(23)).await,
        TransitionError::AlreadyEnded,
    );
    assert_not_found(
        store
            .set_priority_by_hand(ecoute_domain::ContactId::new_random(), sup, 3, at(24))
            .await,
    );
    assert_eq!(store.priority_changes(10).await.expect("changes").len(), 2);
}

/// A conversation in progress is handed to another listener below their capacity, keeping
/// its answer time; not to the one who has it, not while waiting or once ended.
pub async fn supervision_transfer_hands_a_conversation_over(store: Arc<dyn Store>) {
    let lina = listener(&*store, "lina").await;
    let marc = listener(&*store, "marc").await;
    let queued = waiting(&*store, 5).await;
    assert_transition(
        store.transfer_contact(queued.id, marc, 1).await,
        TransitionError::NotActive,
    );
    let c = take(&*store, lina, 10).await;
    assert_transition(
        store.transfer_contact(c.id, lina, 1).await,
        TransitionError::SameListener,
    );
    let (moved, from) = store
        .transfer_contact(c.id, marc, 1)
        .await
        .expect("transfer");
    assert_eq!(from, lina);
    assert_eq!(
        moved.state,
        ecoute_domain::ContactState::Active { listener: marc }
    );
    assert_eq!(moved.listener, Some(marc));
    assert_eq!(
        moved.answered_at, c.answered_at,
        "answered when Lina answered"
    );
    assert_eq!(
        store.contact(c.id).await.expect("read"),
        Some(moved.clone())
    );
    assert!(store
        .active_for_listener(lina)
        .await
        .expect("lina")
        .is_empty());

    // Marc now holds one: at a capacity of one, nothing more is handed to him.
    let other = waiting(&*store, 20).await;
    assert_eq!(take(&*store, lina, 21).await.id, other.id);
    match store.transfer_contact(other.id, marc, 1).await {
        Err(StoreError::AtCapacity) => {}
        got => panic!("expected AtCapacity, got {got:?}"),
    }
    store
        .transition(c.id, Transition::ListenerEnds { listener: marc }, at(30))
        .await
        .expect("end");
    assert_transition(
        store.transfer_contact(c.id, lina, 5).await,
        TransitionError::AlreadyEnded,
    );
    assert_not_found(
        store
            .transfer_contact(ecoute_domain::ContactId::new_random(), marc, 1)
            .await,
    );
}

/// Refusals say what happened as variants.
pub async fn supervision_refusals(store: Arc<dyn Store>) {
    let c = waiting(&*store, 5).await;
    // A listener id that does not exist.
    match store
        .raise_alert(&new_alert(
            c.id,
            ecoute_domain::UserId(9_999),
            AlertKind::Help,
            6,
        ))
        .await
    {
        Err(StoreError::NotFound) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(store.open_alerts(CENTRE).await.expect("open").is_empty());
}
