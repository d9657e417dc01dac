//! What the process-level tests share: a fresh PostgreSQL database, `ecoute` processes
//! (commands and servers), and protocol clients over real HTTP and WebSocket.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use sqlx::{Connection, Executor, PgConnection};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The variable naming the test PostgreSQL server.
pub const PG_VAR: &str = "ECOUTE_TEST_POSTGRES_URL";

/// How long a test waits for an expected frame before failing (a hang guard, not a
/// performance assertion).
pub const FRAME_WAIT: Duration = Duration::from_secs(15);

/// Password of the test accounts.
pub const PASSWORD: &str = "a long test password";

/// The PostgreSQL server's URL, or `None` after printing "skipped" when not configured.
pub fn pg_url() -> Option<String> {
    match std::env::var(PG_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("skipped: {PG_VAR} is not set");
            None
        }
    }
}

/// A database of its own on the test server, dropped at the end (also on panic).
pub struct FreshDb {
    server: String,
    name: String,
    /// The database's URL.
    pub url: String,
}

impl FreshDb {
    /// Creates `ecoute_it_<random>` on the server at `server` (panics if unreachable: with
    /// the variable set, an unreachable server is a failure, never a skip).
    pub async fn create(server: &str) -> FreshDb {
        let name = format!("ecoute_it_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(server)
            .await
            .unwrap_or_else(|e| panic!("{PG_VAR} is set but PostgreSQL is unreachable: {e}"));
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create the test database");
        admin.close().await.expect("close");
        let url = with_database(server, &name);
        FreshDb {
            server: server.to_owned(),
            name,
            url,
        }
    }
}

/// `url` naming database `db` instead of its own.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop runs outside any async context we could use: a small runtime on its own thread.
        let done = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&server).await?;
                // FORCE: a killed instance's connections may linger for a moment.
                admin
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await?;
                admin.close().await
            })
        })
        .join();
        if let Ok(Err(e)) = done {
            eprintln!("could not drop a test database: {e}");
        }
    }
}

/// `ecoute` with a database and a quiet log, ready for arguments.
pub fn ecoute(db_url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ecoute"));
    // Each test decides every setting itself: nothing leaks in from the caller's
    // environment (a developer's ECOUTE_DATABASE__URL, the tests' own ECOUTE_TEST_…).
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ECOUTE_") {
            c.env_remove(name);
        }
    }
    c.env("ECOUTE_DATABASE__URL", db_url)
        .env("ECOUTE_SERVER__BIND", "127.0.0.1:0")
        .env("ECOUTE_SERVER__LOG", "warn");
    c
}

/// Runs `ecoute ARGS` to completion with `stdin`.
pub fn run(db_url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = ecoute(db_url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ecoute");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
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
            "listener",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
}

/// A running `ecoute serve`, killed when dropped.
pub struct Instance {
    /// `host:port` it listens on.
    pub addr: String,
    child: Child,
}

impl Instance {
    /// Starts `ecoute serve` on a free port with `env` added; returns once it listens.
    pub fn start(db_url: &str, env: &[(&str, &str)]) -> Instance {
        let mut child = ecoute(db_url)
            .arg("serve")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn ecoute serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = Vec::new();
        for line in lines.by_ref() {
            let line = line.expect("line");
            if let Some(addr) = line.strip_prefix("ecoute listening on http://") {
                let addr = addr.trim().to_owned();
                // Keep reading stdout so that the server never blocks on a full pipe.
                std::thread::spawn(move || lines.for_each(drop));
                return Instance { addr, child };
            }
            seen.push(line);
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("ecoute serve exited without listening; it printed {seen:?}");
    }

    /// SIGKILL: the process dies at once, closing nothing properly.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }

    /// `http://addr/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that does not follow redirects (the login answer is a 303 to read).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Logs in on `addr` through the login form; returns the session cookie (`name=value`).
pub async fn login(addr: &str, username: &str) -> String {
    let http = http();
    let page = http
        .get(format!("http://{addr}/login"))
        .send()
        .await
        .expect("GET /login");
    let csrf_cookie = set_cookie(&page, "ecoute_login_csrf").expect("login csrf cookie");
    let html = page.text().await.expect("login page");
    let csrf = hidden_field(&html, "csrf").expect("csrf field");
    let response = http
        .post(format!("http://{addr}/login"))
        .header("cookie", csrf_cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("POST /login");
    assert_eq!(response.status(), 303, "login of {username} refused");
    set_cookie(&response, "ecoute_session").expect("session cookie")
}

/// Joins the queue on `addr`: (contact id, resume token).
pub async fn join_queue(addr: &str) -> (String, String) {
    let created: Value = http()
        .post(format!("http://{addr}/api/contacts"))
        .send()
        .await
        .expect("POST /api/contacts")
        .json()
        .await
        .expect("json");
    (
        created["contact_id"].as_str().expect("id").to_owned(),
        created["token"].as_str().expect("token").to_owned(),
    )
}

/// `name=value` of a `Set-Cookie` header.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|kv| kv.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The value of a hidden input in a page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// A WebSocket carrying JSON frames.
pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Ws {
    /// Opens `ws://addr/path`, with a same-origin `Origin` and the cookie when given.
    pub async fn open(addr: &str, path: &str, cookie: Option<&str>) -> Ws {
        let mut request = format!("ws://{addr}{path}")
            .into_client_request()
            .expect("request");
        let headers = request.headers_mut();
        headers.insert(
            "origin",
            HeaderValue::from_str(&format!("http://{addr}")).expect("origin"),
        );
        if let Some(c) = cookie {
            headers.insert("cookie", HeaderValue::from_str(c).expect("cookie"));
        }
        let (stream, _) = tokio_tungstenite::connect_async(request)
            .await
            .unwrap_or_else(|e| panic!("websocket {path} on {addr}: {e}"));
        Ws { stream }
    }

    /// Sends one frame. A failure is returned, not a panic: the server may just have died.
    pub async fn send(&mut self, frame: Value) -> Result<(), String> {
        self.stream
            .send(Message::Text(frame.to_string().into()))
            .await
            .map_err(|e| e.to_string())
    }

    /// The next JSON frame, or `None` once the socket is closed or broken.
    pub async fn recv(&mut self, waiting_for: &str) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(FRAME_WAIT, self.stream.next())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {waiting_for}"))?;
            match msg {
                Ok(Message::Text(t)) => {
                    return Some(serde_json::from_str(t.as_str()).expect("JSON frame"))
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }
}

/// A message as one side saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Client-chosen id.
    pub id: String,
    /// `person` or `listener`.
    pub author: String,
    /// Text.
    pub body: String,
}

/// One party of a conversation: its socket, and everything it was sent and acknowledged.
pub struct Party {
    /// The socket (replaced on reconnect).
    pub ws: Ws,
    /// `Some(contact id)` for a listener (their frames name the conversation).
    contact: Option<String>,
    /// Every `message` frame received, in arrival order, by seq.
    pub received: Vec<(i64, Seen)>,
    /// Acknowledged ids and their seq.
    pub acked: BTreeMap<String, i64>,
    /// Sent and not acknowledged yet: id → body.
    pub unacked: BTreeMap<String, String>,
}

impl Party {
    /// A person's side (frames without `contact_id`).
    pub fn person(ws: Ws) -> Party {
        Party::new(ws, None)
    }

    /// A listener's side for conversation `contact`.
    pub fn listener(ws: Ws, contact: &str) -> Party {
        Party::new(ws, Some(contact.to_owned()))
    }

    fn new(ws: Ws, contact: Option<String>) -> Party {
        Party {
            ws,
            contact,
            received: Vec::new(),
            acked: BTreeMap::new(),
            unacked: BTreeMap::new(),
        }
    }

    /// Records what a frame tells about messages.
    pub fn record(&mut self, frame: &Value) {
        if let Some(c) = &self.contact {
            if frame.get("contact_id").is_some_and(|id| id != c.as_str()) {
                return;
            }
        }
        let text = |k: &str| frame[k].as_str().unwrap_or_default().to_owned();
        match frame["type"].as_str() {
            Some("message") => self.received.push((
                frame["seq"].as_i64().expect("seq"),
                Seen {
                    id: text("id"),
                    author: text("author"),
                    body: text("body"),
                },
            )),
            Some("ack") => {
                let id = text("id");
                self.unacked.remove(&id);
                self.acked.insert(id, frame["seq"].as_i64().expect("seq"));
            }
            _ => {}
        }
    }

    /// Sends a message (kept as unacknowledged until its `ack`). Errors when the socket is
    /// broken (the server died): the message stays unacknowledged, to resend.
    pub async fn say(&mut self, id: &str, body: &str) -> Result<(), String> {
        self.unacked.insert(id.to_owned(), body.to_owned());
        self.send_message(id, body).await
    }

    async fn send_message(&mut self, id: &str, body: &str) -> Result<(), String> {
        let mut frame = json!({"type": "send", "id": id, "body": body});
        if let Some(c) = &self.contact {
            frame["contact_id"] = json!(c);
        }
        self.ws.send(frame).await
    }

    /// Resends every unacknowledged message with its own id.
    pub async fn resend_unacked(&mut self) {
        let pending: Vec<(String, String)> = self
            .unacked
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (id, body) in pending {
            self.send_message(&id, &body).await.expect("resend");
        }
    }

    /// Reads frames (recording them) until one satisfies `want`; returns it. Panics if the
    /// socket closes first.
    pub async fn until(&mut self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        loop {
            let frame = self
                .ws
                .recv(what)
                .await
                .unwrap_or_else(|| panic!("socket closed while waiting for {what}"));
            self.record(&frame);
            if want(&frame) {
                return frame;
            }
        }
    }

    /// Reads frames until `kind` arrives.
    pub async fn expect(&mut self, kind: &str) -> Value {
        self.until(kind, |f| f["type"] == kind).await
    }

    /// Reads (recording) until the socket closes: what the dying server still sent.
    pub async fn drain_until_closed(&mut self) {
        while let Some(frame) = self.ws.recv("the socket to close").await {
            self.record(&frame);
        }
    }

    /// Reads until every id of `ids` has been received as a message, and nothing is left
    /// unacknowledged.
    pub async fn until_all(&mut self, ids: &std::collections::BTreeSet<String>) {
        while !(self.unacked.is_empty()
            && ids
                .iter()
                .all(|id| self.received.iter().any(|(_, m)| &m.id == id)))
        {
            let missing: Vec<&String> = ids
                .iter()
                .filter(|id| !self.received.iter().any(|(_, m)| &m.id == *id))
                .collect();
            let what = format!("messages {missing:?}, acks of {:?}", self.unacked.keys());
            let frame = self
                .ws
                .recv(&what)
                .await
                .unwrap_or_else(|| panic!("socket closed while waiting for {what}"));
            self.record(&frame);
            // A message refused by the socket's rate limit is resent when the server says,
            // as the pages do.
            if frame["type"] == "error" && frame["code"] == "rate_limited" {
                if let Some(id) = frame["id"].as_str() {
                    if let Some(body) = self.unacked.get(id).cloned() {
                        let after = frame["retry_after_ms"].as_u64().unwrap_or(500);
                        tokio::time::sleep(std::time::Duration::from_millis(after)).await;
                        self.send_message(id, &body).await.expect("resend");
                    }
                }
            }
        }
    }

    /// Highest seq received (what a client sends as `last_seq`).
    pub fn last_seq(&self) -> i64 {
        self.received.iter().map(|(s, _)| *s).max().unwrap_or(0)
    }

    /// Checks exactly-once, in-order delivery: the seqs received are 1, 2, 3… with no gap
    /// and no repeat; returns the messages by seq.
    pub fn transcript(&self, who: &str) -> Vec<Seen> {
        let seqs: Vec<i64> = self.received.iter().map(|(s, _)| *s).collect();
        let want: Vec<i64> = (1..=seqs.len() as i64).collect();
        assert_eq!(
            seqs, want,
            "{who} must receive every message exactly once, in order"
        );
        self.received.iter().map(|(_, m)| m.clone()).collect()
    }
}
