//! Test harness: a real server on port 0 over a fresh SQLite file, and clients that speak the
//! protocol over real HTTP and WebSocket (zero2prod's `spawn_app`).

#![allow(dead_code)]

use ecoute_store::{EventBus, LocalBus, Store};
use ecoute_web::{Server, WebConfig};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for an expected frame before failing.
pub const FRAME_WAIT: Duration = Duration::from_secs(10);

/// Password of every test account.
pub const PASSWORD: &str = "a long test password";

pub struct TestApp {
    pub addr: String,
    /// The server's state (its test hooks).
    pub state: ecoute_web::AppState,
    pub store: Arc<dyn Store>,
    /// The server's event bus, to publish as another instance would.
    pub bus: Arc<dyn EventBus>,
    pub config: WebConfig,
    dir: PathBuf,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The wall clock as the server reads it.
pub fn now() -> ecoute_domain::Timestamp {
    let ms = std::time::UNIX_EPOCH.elapsed().expect("clock").as_millis();
    ecoute_domain::Timestamp(i64::try_from(ms).expect("milliseconds fit"))
}

/// Short delays so that tests of timeouts run in seconds.
pub fn fast_config() -> WebConfig {
    let mut c = WebConfig::default();
    c.chat.person_return_seconds = 30;
    c.chat.listener_return_seconds = 30;
    c
}

pub async fn spawn_app(config: WebConfig) -> TestApp {
    spawn_app_with_clock(config, Arc::new(ecoute_web::SystemClock)).await
}

/// [`spawn_app`] with the server's clock given (a `ManualClock` to move time).
pub async fn spawn_app_with_clock(config: WebConfig, clock: Arc<dyn ecoute_web::Clock>) -> TestApp {
    let dir = std::env::temp_dir().join(format!("ecoute-web-test-{}", uuid::Uuid::new_v4()));
    let url = format!("sqlite://{}/ecoute.db", dir.display());
    let store = ecoute_store::connect(&url).await.expect("open test store");
    let bus: Arc<dyn EventBus> = Arc::new(LocalBus::new());
    let server = Server::bind_with_clock(
        "127.0.0.1:0",
        config.clone(),
        store.clone(),
        bus.clone(),
        clock,
    )
    .await
    .expect("bind");
    let addr = server.local_addr().expect("addr").to_string();
    let state = server.state().clone();
    let server = tokio::spawn(async move {
        let _ = server.run(std::future::pending()).await;
    });
    TestApp {
        addr,
        state,
        store,
        bus,
        config,
        dir,
        server,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn http(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// `GET path` with the session cookie.
    pub async fn get_as(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.http()
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .expect("GET")
    }

    /// `POST path` of a form with the session cookie.
    pub async fn post_form_as(
        &self,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.http()
            .post(self.url(path))
            .header("cookie", cookie)
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// Creates an account through the same code path as the CLI and the admin page.
    pub async fn add_user(&self, username: &str, role: &str) {
        let pseudonym = format!("{}{}", username[..1].to_uppercase(), &username[1..]);
        let new = ecoute_web::new_user(
            username,
            &pseudonym,
            role,
            PASSWORD,
            ecoute_domain::CentreId::DEFAULT,
        )
        .await
        .expect("valid user");
        self.store
            .create_user(&new, ecoute_domain::Timestamp(0))
            .await
            .expect("create user");
    }

    /// Logs in through the login form; returns the session cookie (`name=value`).
    pub async fn login(&self, username: &str, password: &str) -> Option<String> {
        let response = self.login_response(username, password).await;
        if response.status() != 303 {
            return None;
        }
        set_cookie(&response, "ecoute_session")
    }

    /// Fills in and posts the login form; returns the server's answer.
    pub async fn login_response(&self, username: &str, password: &str) -> reqwest::Response {
        let http = self.http();
        let page = http
            .get(self.url("/login"))
            .send()
            .await
            .expect("GET /login");
        let csrf_cookie = set_cookie(&page, "ecoute_login_csrf").expect("login csrf cookie");
        let html = page.text().await.expect("login page");
        let csrf = hidden_field(&html, "csrf").expect("csrf field");
        http.post(self.url("/login"))
            .header("cookie", csrf_cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", username),
                ("password", password),
            ])
            .send()
            .await
            .expect("POST /login")
    }

    /// A person who has just joined the queue, connected and greeted.
    pub async fn person(&self) -> Person {
        let created: Value = self
            .http()
            .post(self.url("/api/contacts"))
            .send()
            .await
            .expect("POST /api/contacts")
            .json()
            .await
            .expect("json");
        let token = created["token"].as_str().expect("token").to_owned();
        let contact_id = created["contact_id"].as_str().expect("id").to_owned();
        let mut ws = self.ws("/ws/person", None).await;
        ws.send(json!({"type": "hello", "token": token, "last_seq": 0}))
            .await;
        let welcome = ws.expect("welcome").await;
        assert_eq!(welcome["state"], "waiting");
        Person {
            ws,
            token,
            contact_id,
        }
    }

    /// A listener's workspace socket (after logging in).
    pub async fn listener(&self, username: &str) -> Listener {
        let cookie = self.login(username, PASSWORD).await.expect("login");
        let mut ws = self.ws("/ws/listener", Some(&cookie)).await;
        ws.send(json!({"type": "hello", "last_seqs": {}})).await;
        let welcome = ws.expect("welcome").await;
        Listener {
            ws,
            cookie,
            welcome,
        }
    }

    /// Opens a WebSocket, with the session cookie and a same-origin `Origin` when given.
    pub async fn ws(&self, path: &str, cookie: Option<&str>) -> Ws {
        self.try_ws(path, cookie, Some(&format!("http://{}", self.addr)))
            .await
            .expect("websocket upgrade")
    }

    pub async fn try_ws(
        &self,
        path: &str,
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        let mut request = format!("ws://{}{}", self.addr, path)
            .into_client_request()
            .expect("request");
        if let Some(c) = cookie {
            request
                .headers_mut()
                .insert("cookie", HeaderValue::from_str(c).expect("cookie"));
        }
        if let Some(o) = origin {
            request
                .headers_mut()
                .insert("origin", HeaderValue::from_str(o).expect("origin"));
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Ws { stream })
    }
}

/// `name=value` of a `Set-Cookie` header.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
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

pub struct Person {
    pub ws: Ws,
    pub token: String,
    pub contact_id: String,
}

pub struct Listener {
    pub ws: Ws,
    pub cookie: String,
    pub welcome: Value,
}

impl Listener {
    pub async fn available(&mut self) {
        self.ws
            .send(json!({"type": "presence", "presence": "available"}))
            .await;
        let p = self.ws.expect("presence").await;
        assert_eq!(p["presence"], "available");
    }

    /// Presses next and returns the assigned contact id.
    pub async fn next(&mut self) -> String {
        self.ws.send(json!({"type": "next"})).await;
        let a = self.ws.expect("assigned").await;
        a["conversation"]["contact_id"]
            .as_str()
            .expect("contact id")
            .to_owned()
    }
}

pub struct Ws {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Ws {
    pub async fn send(&mut self, frame: Value) {
        self.send_text(frame.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.stream
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    /// The next JSON frame (skipping pings), or `None` if the socket closed.
    pub async fn recv(&mut self) -> Option<Value> {
        self.recv_waiting_for("a frame").await
    }

    async fn recv_waiting_for(&mut self, what: &str) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(FRAME_WAIT, self.stream.next())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}"))?;
            match msg {
                Ok(Message::Text(t)) => {
                    return Some(serde_json::from_str(t.as_str()).expect("json frame"))
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// Skips frames until one of `kind` arrives (panics on close or timeout).
    pub async fn expect(&mut self, kind: &str) -> Value {
        loop {
            match self.recv_waiting_for(kind).await {
                Some(f) if f["type"] == kind => return f,
                Some(_) => continue,
                None => panic!("socket closed while waiting for {kind}"),
            }
        }
    }

    /// Skips frames until one of each kind in `kinds` has arrived, in any order; returns them
    /// in the order of `kinds`.
    pub async fn expect_each(&mut self, kinds: &[&str]) -> Vec<Value> {
        let mut found: Vec<Option<Value>> = vec![None; kinds.len()];
        while found.iter().any(Option::is_none) {
            let what = kinds.join(", ");
            let frame = self
                .recv_waiting_for(&what)
                .await
                .unwrap_or_else(|| panic!("socket closed while waiting for {what}"));
            if let Some(i) = kinds.iter().position(|k| frame["type"] == *k) {
                if found[i].is_none() {
                    found[i] = Some(frame);
                }
            }
        }
        found.into_iter().flatten().collect()
    }

    /// The close code once the server closes the socket (skipping frames).
    pub async fn closed_with(&mut self) -> Option<u16> {
        loop {
            let msg = tokio::time::timeout(FRAME_WAIT, self.stream.next())
                .await
                .expect("timed out waiting for close")?;
            match msg {
                Ok(Message::Close(frame)) => return frame.map(|f| f.code.into()),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }
}
