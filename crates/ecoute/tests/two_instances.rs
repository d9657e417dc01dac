//! Two `ecoute serve` processes on one PostgreSQL database: a person on one instance talks
//! with a listener on the other; then one instance is killed (SIGKILL) with messages in
//! flight, its clients reconnect to the survivor, and every acknowledged message is there
//! exactly once, in order, on both sides. A party of a killed instance who never comes back
//! is swept all the same (the survivor sees the dead instance stop heartbeating).
//!
//! Runs when `ECOUTE_TEST_POSTGRES_URL` is set (each test in a database of its own); says
//! "skipped" otherwise; fails if it is set and the server is unreachable.

mod common;

use common::{
    add_listener, available_listener, join_queue, listener_ws, login, person_ws, pg_url, run_ok,
    serve, FreshDb, Party, Seen,
};
use ecoute_protocol::{
    Author, ContactStatus, EndReason, ListenerIn, ListenerOut, PersonIn, PersonOut,
};
use ecoute_testkit::expect_frame;
use ecoute_testkit::process::Instance;
use ecoute_testkit::ws::{Listener, Person};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

/// Short absence delays, and long enough that a reconnect within seconds resumes.
const FAST: &[(&str, &str)] = &[
    ("ECOUTE_CHAT__LISTENER_RETURN_SECONDS", "30"),
    ("ECOUTE_CHAT__PERSON_RETURN_SECONDS", "30"),
];

/// A conversation between a person on instance A and a listener on instance B, with a few
/// messages already exchanged across the instances.
struct Setup {
    // Field order: the instances stop before their database is dropped.
    a: Instance,
    b: Instance,
    _db: FreshDb,
    contact: String,
    token: String,
    cookie: String,
    person: Party<Person>,
    listener: Party<Listener>,
    /// Every message id sent so far, by either side.
    sent: BTreeSet<String>,
}

async fn setup(server: &str, env: &[(&str, &str)]) -> Setup {
    let db = FreshDb::create(server).await;
    run_ok(&db.url, &["migrate"], "");
    add_listener(&db.url, "lina", "Lina");
    let a = serve(&db.url, env);
    let b = serve(&db.url, env);

    // The listener opens their workspace on B and becomes available.
    let cookie = login(&b.addr, "lina").await;
    let mut lws = available_listener(&b.addr, &cookie).await;

    // A person joins the queue on A…
    let (contact, token) = join_queue(&a.addr).await;
    let mut person = Party::person(person_ws(&a.addr).await);
    let welcome = person.hello(&token, 0).await;
    assert!(
        matches!(
            welcome,
            PersonOut::Welcome {
                state: ContactStatus::Waiting,
                ..
            }
        ),
        "{welcome:?}"
    );
    // …and B's live board sees them waiting (the event crossed instances)…
    expect_frame!(lws, ListenerOut::Board { waiting: 1, .. });
    // …while A's queue frame counts the listener who went available on B.
    person
        .until("a queue frame with one listener on duty", |f| {
            matches!(f, PersonOut::Queue { on_duty: 1, .. })
        })
        .await;

    // The person writes while waiting; the listener takes them.
    person.say("p1", "bonjour").await.expect("send p1");
    person
        .until("ack p1", |f| matches!(f, PersonOut::Ack { .. }))
        .await;
    lws.send(ListenerIn::Next).await;
    let assigned = expect_frame!(lws, ListenerOut::Assigned { conversation } => conversation);
    assert_eq!(assigned.contact_id, contact);
    let mut listener = Party::listener(lws, &contact);
    let assigned = person
        .until("assigned", |f| matches!(f, PersonOut::Assigned { .. }))
        .await;
    assert_eq!(
        assigned,
        PersonOut::Assigned {
            listener: "Lina".into()
        }
    );

    // Messages both ways, each acknowledged, then delivered on the other instance.
    let mut sent = BTreeSet::from(["p1".to_owned()]);
    listener.until_all(&sent).await;
    listener.say("l1", "je vous écoute").await.expect("send l1");
    sent.insert("l1".into());
    listener.until_all(&sent).await;
    person.until_all(&sent).await;
    person.say("p2", "merci").await.expect("send p2");
    sent.insert("p2".into());
    person.until_all(&sent).await;
    listener.until_all(&sent).await;

    Setup {
        a,
        b,
        _db: db,
        contact,
        token,
        cookie,
        person,
        listener,
        sent,
    }
}

/// Messages each side sends in the burst: many from the side whose instance will die (so
/// that the kill lands in the middle of them), a few from the other.
const DOOMED_BURST: usize = 40;
const SURVIVOR_BURST: usize = 3;

/// Both sides send messages without waiting for their acks, and this returns at once.
/// `person_doomed`: the person's instance is the one about to be killed.
async fn burst(s: &mut Setup, person_doomed: bool) {
    let (p, l) = if person_doomed {
        (DOOMED_BURST, SURVIVOR_BURST)
    } else {
        (SURVIVOR_BURST, DOOMED_BURST)
    };
    for i in 0..p.max(l) {
        // A send may fail once the instance is dying: it stays unacknowledged, to resend.
        if i < p {
            let id = format!("p-burst-{i}");
            let _ = s.person.say(&id, &format!("message {i}")).await;
            s.sent.insert(id);
        }
        if i < l {
            let id = format!("l-burst-{i}");
            let _ = s.listener.say(&id, &format!("réponse {i}")).await;
            s.sent.insert(id);
        }
    }
}

/// After recovery: one more message each way, then both transcripts hold every message
/// exactly once, in seq order, identical on both sides, with the acknowledged seqs.
async fn check_everything_once(s: &mut Setup) {
    s.person.say("p-after", "toujours là").await.expect("send");
    s.listener.say("l-after", "moi aussi").await.expect("send");
    s.sent.insert("p-after".into());
    s.sent.insert("l-after".into());
    // Both sides are read at once: a message refused by one side's rate limit is resent only
    // when that side reads the refusal (and a socket left unread stops answering heartbeats).
    let (person, listener) = (&mut s.person, &mut s.listener);
    tokio::join!(person.until_all(&s.sent), listener.until_all(&s.sent));

    let person = s.person.transcript("the person");
    let listener = s.listener.transcript("the listener");
    assert_eq!(person, listener, "both sides see the same conversation");
    let ids: Vec<&str> = person.iter().map(|m| m.id.as_str()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "no message twice: {ids:?}");
    assert_eq!(
        unique,
        s.sent.iter().map(String::as_str).collect(),
        "every message sent is there"
    );
    let seq_of: BTreeMap<&str, i64> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as i64 + 1))
        .collect();
    for (who, acked) in [
        ("person", &s.person.log.acked),
        ("listener", &s.listener.log.acked),
    ] {
        for (id, seq) in acked {
            assert_eq!(
                seq_of.get(id.as_str()),
                Some(seq),
                "the {who}'s message {id} was acknowledged as seq {seq}"
            );
        }
    }
    let author = |m: &Seen| (m.id.chars().next(), m.author);
    assert!(
        person.iter().map(author).all(|(c, a)| matches!(
            (c, a),
            (Some('p'), Author::Person) | (Some('l'), Author::Listener)
        )),
        "authors as sent: {person:?}"
    );
}

/// The person's instance dies mid-conversation; the person reconnects to the other one and
/// resends what was not acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_instance_killed_mid_conversation() {
    let Some(server) = pg_url() else { return };
    let mut s = setup(&server, FAST).await;
    burst(&mut s, true).await;
    // Kill once the burst is under way on A (its first message reached B), so that the
    // rest is caught in every state: acknowledged, committed but not acknowledged, lost.
    s.listener.until_all(&first("p-burst-0")).await;
    s.a.kill();
    s.person.drain_until_closed().await;
    eprintln!(
        "after SIGKILL: the person has {} messages, {} unacknowledged to resend",
        s.person.log.received.len(),
        s.person.log.unacked.len()
    );

    s.person.ws = person_ws(&s.b.addr).await;
    let last_seq = s.person.last_seq();
    s.person
        .ws
        .send(PersonIn::hello(s.token.clone(), last_seq))
        .await;
    let welcome = s
        .person
        .until("welcome", |f| matches!(f, PersonOut::Welcome { .. }))
        .await;
    let PersonOut::Welcome {
        state, listener, ..
    } = &welcome
    else {
        unreachable!()
    };
    assert_eq!(*state, ContactStatus::Active, "{welcome:?}");
    assert_eq!(listener.as_deref(), Some("Lina"));
    s.person.resend_unacked().await;
    check_everything_once(&mut s).await;
}

/// The listener's instance dies mid-conversation; the listener's workspace reconnects to the
/// other one (same session cookie) and resends what was not acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_instance_killed_mid_conversation() {
    let Some(server) = pg_url() else { return };
    let mut s = setup(&server, FAST).await;
    burst(&mut s, false).await;
    s.person.until_all(&first("l-burst-0")).await;
    s.b.kill();
    s.listener.drain_until_closed().await;
    eprintln!(
        "after SIGKILL: the listener has {} messages, {} unacknowledged to resend",
        s.listener.log.received.len(),
        s.listener.log.unacked.len()
    );

    s.listener.ws = listener_ws(&s.a.addr, &s.cookie).await;
    let last_seqs = HashMap::from([(s.contact.clone(), s.listener.last_seq())]);
    s.listener.ws.send(ListenerIn::Hello { last_seqs }).await;
    let welcome = s
        .listener
        .until("welcome", |f| matches!(f, ListenerOut::Welcome { .. }))
        .await;
    let ListenerOut::Welcome { conversations, .. } = &welcome else {
        unreachable!()
    };
    let conversations: Vec<&str> = conversations
        .iter()
        .map(|c| c.contact_id.as_str())
        .collect();
    assert_eq!(conversations, [s.contact.as_str()], "{welcome:?}");
    s.listener.resend_unacked().await;
    check_everything_once(&mut s).await;
}

/// Absence delays for the tests where a party never comes back: short, so that the wait is
/// mostly the detection of the dead instance.
const QUICK: &[(&str, &str)] = &[
    ("ECOUTE_CHAT__LISTENER_RETURN_SECONDS", "2"),
    ("ECOUTE_CHAT__PERSON_RETURN_SECONDS", "2"),
];

/// How long a party of a killed instance may take to be swept: the instance is taken for
/// dead 15 s after its last heartbeat (heartbeats every 5 s, the last one at most at the
/// kill), its sockets count as closed since that heartbeat, so the 2 s return delay has
/// already run out; plus a sweep period and a generous margin for a loaded machine.
const SWEPT_WITHIN: Duration = Duration::from_secs(45);

/// A person whose instance is killed and who never comes back: their socket never closed
/// cleanly, but the surviving instance sees the dead instance stop heartbeating, counts its
/// sockets as closed since its last heartbeat, and ends the conversation once
/// `chat.person_return_seconds` have passed; the listener is told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_of_a_killed_instance_who_never_returns_is_swept() {
    let Some(server) = pg_url() else { return };
    let mut s = setup(&server, QUICK).await;
    s.a.kill();
    let ended = until_within(
        &mut s.listener,
        SWEPT_WITHIN,
        "the conversation to end (person vanished)",
        |f| matches!(f, ListenerOut::Ended { .. }),
    )
    .await;
    assert!(
        matches!(
            ended,
            ListenerOut::Ended {
                reason: EndReason::PersonVanished,
                ..
            }
        ),
        "{ended:?}"
    );
}

/// A listener whose instance is killed and who never comes back: the person is told the
/// listener is away, then goes back to the head of the queue once
/// `chat.listener_return_seconds` have passed, and the dead listener no longer counts as on
/// duty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_of_a_killed_instance_who_never_returns_is_swept() {
    let Some(server) = pg_url() else { return };
    let mut s = setup(&server, QUICK).await;
    s.b.kill();
    until_within(
        &mut s.person,
        SWEPT_WITHIN,
        "the listener to be away",
        |f| matches!(f, PersonOut::ListenerAway),
    )
    .await;
    until_within(
        &mut s.person,
        SWEPT_WITHIN,
        "the conversation to go back to the queue",
        |f| matches!(f, PersonOut::Requeued),
    )
    .await;
    until_within(
        &mut s.person,
        SWEPT_WITHIN,
        "a queue frame without the vanished listener on duty",
        |f| matches!(f, PersonOut::Queue { on_duty: 0, .. }),
    )
    .await;
}

/// Reads `party`'s frames (recording them) until one satisfies `want`, for at most `limit`
/// in all: unlike [`Party::until`], a quiet spell longer than one frame's wait is not a
/// failure here, since nothing is sent while the dead instance goes stale.
async fn until_within<S: common::Talk>(
    party: &mut Party<S>,
    limit: Duration,
    what: &str,
    want: impl Fn(&S::Out) -> bool,
) -> S::Out {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        assert!(!left.is_zero(), "waited {limit:?} in vain for {what}");
        // A short wait at a time, under the one a frame allows (reading a socket can be cut
        // off and resumed without losing a frame).
        let frame = match tokio::time::timeout(left.min(Duration::from_secs(5)), party.recv()).await
        {
            Err(_) => continue,
            Ok(None) => panic!("socket closed while waiting for {what}"),
            Ok(Some(frame)) => frame,
        };
        if want(&frame) {
            return frame;
        }
    }
}

fn first(id: &str) -> BTreeSet<String> {
    BTreeSet::from([id.to_owned()])
}
