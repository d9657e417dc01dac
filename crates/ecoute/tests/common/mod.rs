//! What the process-level tests share, over `ecoute-testkit`: `ecoute` processes (commands
//! and servers), a fresh PostgreSQL database, the protocol's typed clients, and a party of a
//! conversation that records what it was sent and acknowledged.

// Each test file uses its own part of this module.
#![allow(dead_code, unused_imports)]

use ecoute_protocol::{Author, ListenerIn, ListenerOut, PersonIn, Presence};
use ecoute_testkit::process::Instance;
use ecoute_testkit::ws::{Listener, Person, Side, WaitError};
use ecoute_testkit::{Connect, Ws};
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub use ecoute_testkit::pg::{server_url as pg_url, Database as FreshDb, VAR as PG_VAR};
pub use ecoute_testkit::ws::{ListenerWs, PersonWs};
pub use ecoute_testkit::{http_client as http, PASSWORD};

/// How long a test waits for an expected frame before failing (a hang guard, not a
/// performance assertion).
pub const FRAME_WAIT: Duration = Duration::from_secs(15);

/// `ecoute` with a database and a quiet log, ready for arguments; nothing of the caller's
/// `ECOUTE_*` environment leaks in.
pub fn ecoute(db_url: &str) -> Command {
    ecoute_testkit::process::ecoute_command(env!("CARGO_BIN_EXE_ecoute").as_ref(), db_url)
}

/// Runs `ecoute ARGS` to completion with `stdin`.
pub fn run(db_url: &str, args: &[&str], stdin: &str) -> Output {
    let mut command = ecoute(db_url);
    command.args(args);
    ecoute_testkit::process::run_with_input(command, stdin)
}

/// Runs `ecoute ARGS`, panicking with its output unless it succeeds; returns its stdout.
pub fn run_ok(db_url: &str, args: &[&str], stdin: &str) -> String {
    let out = run(db_url, args, stdin);
    assert!(
        out.status.success(),
        "ecoute {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Creates a listener account through the CLI.
pub fn add_listener(db_url: &str, username: &str, pseudonym: &str) {
    add_user(db_url, username, pseudonym, "listener");
}

/// Creates an account of `role` through the CLI.
pub fn add_user(db_url: &str, username: &str, pseudonym: &str, role: &str) {
    run_ok(
        db_url,
        &[
            "user",
            "add",
            "--username",
            username,
            "--pseudonym",
            pseudonym,
            "--role",
            role,
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
}

/// Starts `ecoute serve` on a free port with `env` added; returns once it listens.
pub fn serve(db_url: &str, env: &[(&str, &str)]) -> Instance {
    let mut command = ecoute(db_url);
    command
        .arg("serve")
        .envs(env.iter().copied())
        .stderr(Stdio::inherit());
    Instance::start(command)
}

/// Logs in on `addr` through the login form; returns the session cookie (`name=value`).
pub async fn login(addr: &str, username: &str) -> String {
    ecoute_testkit::login(&http(), addr, username, PASSWORD)
        .await
        .unwrap_or_else(|| panic!("login of {username} refused"))
}

/// Joins the queue on `addr`: (contact id, resume token).
pub async fn join_queue(addr: &str) -> (String, String) {
    let joined = ecoute_testkit::join_queue(&http(), addr).await;
    (joined.contact_id, joined.token)
}

fn connect(addr: &str, path: &str, cookie: Option<&str>) -> Connect {
    Connect::new(addr, path)
        .same_origin()
        .cookie(cookie)
        .wait(FRAME_WAIT)
}

/// The person's socket on `addr`, not greeted yet.
pub async fn person_ws(addr: &str) -> PersonWs {
    connect(addr, "/ws/person", None).open().await
}

/// A listener's socket on `addr` with the session cookie, not greeted yet.
pub async fn listener_ws(addr: &str, cookie: &str) -> ListenerWs {
    connect(addr, "/ws/listener", Some(cookie)).open().await
}

/// A listener's workspace on `addr`, greeted and set available.
pub async fn available_listener(addr: &str, cookie: &str) -> ListenerWs {
    let mut ws = listener_ws(addr, cookie).await;
    ws.send(ListenerIn::Hello {
        last_seqs: Default::default(),
    })
    .await;
    ecoute_testkit::expect_frame!(ws, ListenerOut::Welcome { .. });
    ws.send(ListenerIn::Presence {
        presence: Presence::Available,
    })
    .await;
    let presence =
        ecoute_testkit::expect_frame!(ws, ListenerOut::Presence { presence } => presence);
    assert_eq!(presence, Presence::Available);
    ws
}

/// A message as one side saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Client-chosen id.
    pub id: String,
    /// Who wrote it.
    pub author: Author,
    /// Text.
    pub body: String,
}

/// What a party needs of its side beyond [`Side`]: its `send` frame, and the conversation a
/// frame names.
pub trait Talk: Side {
    /// The `send` frame of a message (a listener's names the conversation).
    fn say(contact: Option<&str>, id: &str, body: &str) -> Self::In;
    /// The conversation a frame names, if it names one.
    fn contact(frame: &Self::Out) -> Option<&str>;
}

impl Talk for Person {
    fn say(_: Option<&str>, id: &str, body: &str) -> PersonIn {
        PersonIn::Send {
            id: id.into(),
            body: body.into(),
        }
    }
    fn contact(_: &Self::Out) -> Option<&str> {
        None
    }
}

impl Talk for Listener {
    fn say(contact: Option<&str>, id: &str, body: &str) -> ListenerIn {
        ListenerIn::Send {
            contact_id: contact
                .expect("a listener's party names its conversation")
                .into(),
            id: id.into(),
            body: body.into(),
        }
    }
    fn contact(frame: &Self::Out) -> Option<&str> {
        use ecoute_protocol::ListenerOut as L;
        match frame {
            L::Message(m) => m.contact_id.as_deref(),
            L::Error(e) => e.contact_id.as_deref(),
            L::Ack { contact_id, .. }
            | L::Typing { contact_id }
            | L::PersonAway { contact_id }
            | L::PersonBack { contact_id }
            | L::Ended { contact_id, .. }
            | L::Requeued { contact_id }
            | L::Delivered { contact_id, .. } => Some(contact_id),
            L::Assigned { conversation } => Some(&conversation.contact_id),
            _ => None,
        }
    }
}

/// Everything a party was sent and acknowledged.
#[derive(Debug, Default)]
pub struct Log {
    /// `Some(contact id)` for a listener (frames of other conversations are not recorded).
    contact: Option<String>,
    /// Every `message` frame received, in arrival order, by seq.
    pub received: Vec<(i64, Seen)>,
    /// Acknowledged ids and their seq.
    pub acked: BTreeMap<String, i64>,
    /// Sent and not acknowledged yet: id → body.
    pub unacked: BTreeMap<String, String>,
}

impl Log {
    /// Records what a frame tells about messages.
    fn record<S: Talk>(&mut self, frame: &S::Out) {
        if let (Some(c), Some(named)) = (&self.contact, S::contact(frame)) {
            if named != c {
                return;
            }
        }
        if let Some(m) = S::message(frame) {
            self.received.push((
                m.seq,
                Seen {
                    id: m.id.clone(),
                    author: m.author,
                    body: m.body.clone(),
                },
            ));
        } else if let Some((id, seq)) = S::ack(frame) {
            self.unacked.remove(id);
            self.acked.insert(id.to_owned(), seq);
        }
    }
}

/// One party of a conversation: its socket, and everything it was sent and acknowledged.
pub struct Party<S: Talk> {
    /// The socket (replaced on reconnect).
    pub ws: Ws<S>,
    /// What it received and had acknowledged.
    pub log: Log,
}

impl Party<Person> {
    /// A person's side.
    pub fn person(ws: PersonWs) -> Self {
        Party {
            ws,
            log: Log::default(),
        }
    }
}

impl Party<Person> {
    /// Says `hello` with the resume token, having seen up to `last_seq`; returns the
    /// `welcome` frame.
    pub async fn hello(&mut self, token: &str, last_seq: i64) -> ecoute_protocol::PersonOut {
        let hello = PersonIn::hello(token.to_owned(), last_seq);
        self.ws.send(hello).await;
        self.until("welcome", |f| {
            matches!(f, ecoute_protocol::PersonOut::Welcome { .. })
        })
        .await
    }
}

impl Party<Listener> {
    /// A listener's side for conversation `contact`.
    pub fn listener(ws: ListenerWs, contact: &str) -> Self {
        Party {
            ws,
            log: Log {
                contact: Some(contact.to_owned()),
                ..Log::default()
            },
        }
    }
}

impl<S: Talk> Party<S> {
    /// Sends a message (kept as unacknowledged until its `ack`). Errors when the socket is
    /// broken (the server died): the message stays unacknowledged, to resend.
    pub async fn say(&mut self, id: &str, body: &str) -> Result<(), WaitError> {
        self.log.unacked.insert(id.to_owned(), body.to_owned());
        self.send_message(id, body).await
    }

    async fn send_message(&mut self, id: &str, body: &str) -> Result<(), WaitError> {
        let frame = S::say(self.log.contact.as_deref(), id, body);
        self.ws.try_send(frame).await
    }

    /// Resends every unacknowledged message with its own id.
    pub async fn resend_unacked(&mut self) {
        let pending: Vec<(String, String)> = self
            .log
            .unacked
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (id, body) in pending {
            self.send_message(&id, &body).await.expect("resend");
        }
    }

    /// The next frame, recorded; `None` once the socket is closed or broken.
    pub async fn recv(&mut self) -> Option<S::Out> {
        let frame = self.ws.recv_frame().await?;
        self.log.record::<S>(&frame);
        Some(frame)
    }

    /// Reads frames (recording them) until one satisfies `want`; returns it. Panics if the
    /// socket closes first.
    pub async fn until(&mut self, what: &str, mut want: impl FnMut(&S::Out) -> bool) -> S::Out {
        let log = &mut self.log;
        self.ws
            .until(what, |f| {
                log.record::<S>(f);
                want(f)
            })
            .await
    }

    /// Reads (recording) until the socket closes: what the dying server still sent.
    pub async fn drain_until_closed(&mut self) {
        while self.recv().await.is_some() {}
    }

    /// Reads until every id of `ids` has been received as a message, and nothing is left
    /// unacknowledged (each frame awaited within the socket's wait).
    pub async fn until_all(&mut self, ids: &BTreeSet<String>) {
        loop {
            let missing: Vec<&String> = ids
                .iter()
                .filter(|id| !self.log.received.iter().any(|(_, m)| &m.id == *id))
                .collect();
            if missing.is_empty() && self.log.unacked.is_empty() {
                return;
            }
            let what = format!(
                "messages {missing:?}, acks of {:?}",
                self.log.unacked.keys()
            );
            let frame = self.until(&what, |_| true).await;
            // A message refused by the socket's rate limit is resent when the server says,
            // as the pages do.
            let retry = S::error(&frame)
                .filter(|e| e.code == ecoute_protocol::ErrorCode::RateLimited)
                .and_then(|e| Some((e.id.clone()?, e.retry_after_ms.unwrap_or(500))));
            if let Some((id, after)) = retry {
                if let Some(body) = self.log.unacked.get(&id).cloned() {
                    tokio::time::sleep(Duration::from_millis(after)).await;
                    self.send_message(&id, &body).await.expect("resend");
                }
            }
        }
    }

    /// Highest seq received (what a client sends as `last_seq`).
    pub fn last_seq(&self) -> i64 {
        self.log.received.iter().map(|(s, _)| *s).max().unwrap_or(0)
    }

    /// Checks exactly-once, in-order delivery: the seqs received are 1, 2, 3… with no gap
    /// and no repeat; returns the messages by seq.
    pub fn transcript(&self, who: &str) -> Vec<Seen> {
        let seqs: Vec<i64> = self.log.received.iter().map(|(s, _)| *s).collect();
        let want: Vec<i64> = (1..=seqs.len() as i64).collect();
        assert_eq!(
            seqs, want,
            "{who} must receive every message exactly once, in order"
        );
        self.log.received.iter().map(|(_, m)| m.clone()).collect()
    }
}
