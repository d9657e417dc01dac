//! Two `ecoute serve` processes on one PostgreSQL database: a person on one instance talks
//! with a listener on the other; then one instance is killed (SIGKILL) with messages in
//! flight, its clients reconnect to the survivor, and every acknowledged message is there
//! exactly once, in order, on both sides. A party of a killed instance who never comes back
//! is swept all the same (the survivor sees the dead instance stop heartbeating).
//!
//! Runs when `ECOUTE_TEST_POSTGRES_URL` is set (each test in a database of its own); says
//! "skipped" otherwise; fails if it is set and the server is unreachable.

mod common;

use common::{add_listener, join_queue, login, pg_url, run_ok, FreshDb, Instance, Party, Seen, Ws};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
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
    person: Party,
    listener: Party,
    /// Every message id sent so far, by either side.
    sent: BTreeSet<String>,
}

async fn setup(server: &str, env: &[(&str, &str)]) -> Setup {
    let db = FreshDb::create(server).await;
    run_ok(&db.url, &["migrate"], "");
    add_listener(&db.url, "lina", "Lina");
    let a = Instance::start(&db.url, env);
    let b = Instance::start(&db.url, env);

    // The listener opens their workspace on B and becomes available.
    let cookie = login(&b.addr, "lina").await;
    let mut lws = Ws::open(&b.addr, "/ws/listener", Some(&cookie)).await;
    send(&mut lws, json!({"type": "hello", "last_seqs": {}})).await;
    expect(&mut lws, "welcome").await;
    send(
        &mut lws,
        json!({"type": "presence", "presence": "available"}),
    )
    .await;
    let presence = expect(&mut lws, "presence").await;
    assert_eq!(presence["presence"], "available");

    // A person joins the queue on A…
    let (contact, token) = join_queue(&a.addr).await;
    let pws = Ws::open(&a.addr, "/ws/person", None).await;
    let mut person = Party::person(pws);
    send(
        &mut person.ws,
        json!({"type": "hello", "token": token, "last_seq": 0}),
    )
    .await;
    let welcome = person.expect("welcome").await;
    assert_eq!(welcome["state"], "waiting");
    // …and B's live board sees them waiting (the event crossed instances)…
    until(&mut lws, "a board with one person waiting", |f| {
        f["type"] == "board" && f["waiting"] == 1
    })
    .await;
    // …while A's queue frame counts the listener who went available on B.
    person
        .until("a queue frame with one listener on duty", |f| {
            f["type"] == "queue" && f["on_duty"] == 1
        })
        .await;

    // The person writes while waiting; the listener takes them.
    person.say("p1", "bonjour").await.expect("send p1");
    person.until("ack p1", |f| f["type"] == "ack").await;
    send(&mut lws, json!({"type": "next"})).await;
    let assigned = expect(&mut lws, "assigned").await;
    assert_eq!(assigned["conversation"]["contact_id"], contact.as_str());
    let mut listener = Party::listener(lws, &contact);
    let assigned = person.expect("assigned").await;
    assert_eq!(assigned["listener"], "Lina");

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
    for (who, party) in [("person", &s.person), ("listener", &s.listener)] {
        for (id, seq) in &party.acked {
            assert_eq!(
                seq_of.get(id.as_str()),
                Some(seq),
                "the {who}'s message {id} was acknowledged as seq {seq}"
            );
        }
    }
    let author = |m: &Seen| (m.id.chars().next(), m.author.clone());
    assert!(
        person.iter().map(author).all(|(c, a)| matches!(
            (c, a.as_str()),
            (Some('p'), "person") | (Some('l'), "listener")
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
        s.person.received.len(),
        s.person.unacked.len()
    );

    let ws = Ws::open(&s.b.addr, "/ws/person", None).await;
    s.person.ws = ws;
    let last_seq = s.person.last_seq();
    send(
        &mut s.person.ws,
        json!({"type": "hello", "token": s.token, "last_seq": last_seq}),
    )
    .await;
    let welcome = s.person.expect("welcome").await;
    assert_eq!(welcome["state"], "active", "{welcome}");
    assert_eq!(welcome["listener"], "Lina");
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
        s.listener.received.len(),
        s.listener.unacked.len()
    );

    let ws = Ws::open(&s.a.addr, "/ws/listener", Some(&s.cookie)).await;
    s.listener.ws = ws;
    let last_seqs = json!({ s.contact.clone(): s.listener.last_seq() });
    send(
        &mut s.listener.ws,
        json!({"type": "hello", "last_seqs": last_seqs}),
    )
    .await;
    let welcome = s.listener.expect("welcome").await;
    let conversations: Vec<&str> = welcome["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .filter_map(|c| c["contact_id"].as_str())
        .collect();
    assert_eq!(conversations, [s.contact.as_str()], "{welcome}");
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
        |f| f["type"] == "ended",
    )
    .await;
    assert_eq!(ended["reason"], "person_vanished", "{ended}");
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
        |f| f["type"] == "listener_away",
    )
    .await;
    until_within(
        &mut s.person,
        SWEPT_WITHIN,
        "the conversation to go back to the queue",
        |f| f["type"] == "requeued",
    )
    .await;
    until_within(
        &mut s.person,
        SWEPT_WITHIN,
        "a queue frame without the vanished listener on duty",
        |f| f["type"] == "queue" && f["on_duty"] == 0,
    )
    .await;
}

/// Reads `party`'s frames (recording them) until one satisfies `want`, for at most `limit`
/// in all: unlike [`Party::until`], a quiet spell longer than one frame's wait is not a
/// failure here, since nothing is sent while the dead instance goes stale.
async fn until_within(
    party: &mut Party,
    limit: Duration,
    what: &str,
    want: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        assert!(!left.is_zero(), "waited {limit:?} in vain for {what}");
        // A short wait at a time, under the one `recv` allows (reading a socket can be cut
        // off and resumed without losing a frame).
        let frame =
            match tokio::time::timeout(left.min(Duration::from_secs(5)), party.ws.recv(what)).await
            {
                Err(_) => continue,
                Ok(None) => panic!("socket closed while waiting for {what}"),
                Ok(Some(frame)) => frame,
            };
        party.record(&frame);
        if want(&frame) {
            return frame;
        }
    }
}

fn first(id: &str) -> BTreeSet<String> {
    BTreeSet::from([id.to_owned()])
}

async fn send(ws: &mut Ws, frame: Value) {
    ws.send(frame).await.expect("send a frame");
}

async fn until(ws: &mut Ws, what: &str, want: impl Fn(&Value) -> bool) -> Value {
    loop {
        let frame = ws
            .recv(what)
            .await
            .unwrap_or_else(|| panic!("socket closed while waiting for {what}"));
        if want(&frame) {
            return frame;
        }
    }
}

async fn expect(ws: &mut Ws, kind: &str) -> Value {
    until(ws, kind, |f| f["type"] == kind).await
}
