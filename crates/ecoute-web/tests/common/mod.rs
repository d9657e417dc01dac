//! Test harness: a real server on port 0 over a fresh SQLite file (zero2prod's `spawn_app`),
//! and the protocol's typed clients of `ecoute-testkit` over real HTTP and WebSocket.

// Each test file uses its own part of this module.
#![allow(dead_code, unused_imports)]

use ecoute_protocol::{ContactStatus, ListenerIn, ListenerOut, PersonIn, PersonOut, Presence};
use ecoute_store::{EventBus, LocalBus, Store};
use ecoute_testkit::{expect_frame, Connect};
use ecoute_web::{Server, WebConfig};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use ecoute_testkit::ws::{ListenerWs, PersonWs};
pub use ecoute_testkit::{hidden_field, set_cookie, PASSWORD};

/// A socket of raw JSON frames (what [`TestApp::ws`] opens; typed sockets come from
/// [`TestApp::person_ws`] and [`TestApp::listener_ws`]).
pub type Ws = ecoute_testkit::RawWs;

/// How long a test waits for an expected frame before failing.
pub const FRAME_WAIT: Duration = Duration::from_secs(10);

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
        ecoute_testkit::http_client()
    }

    /// The body of `GET path` (a public page), as text.
    pub async fn page(&self, path: &str) -> String {
        self.http()
            .get(self.url(path))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body")
    }

    /// Declares campaign `code` from today for `days` more days.
    pub async fn declare_campaign(&self, code: &str, days: i64) {
        let today = ecoute_domain::Day::of(now());
        self.state
            .app
            .declare_campaign(code, "Campagne 2017", today, today.plus(days))
            .await
            .expect("declare");
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
        ecoute_testkit::login(&self.http(), &self.addr, username, password).await
    }

    /// `POST path` of a public form, as the site's own page in a browser sends it
    /// (`Sec-Fetch-Site: same-origin`), without a session.
    pub async fn post_public_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http()
            .post(self.url(path))
            .header("sec-fetch-site", "same-origin")
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// Fills in and posts the login form; returns the server's answer.
    pub async fn login_response(&self, username: &str, password: &str) -> reqwest::Response {
        ecoute_testkit::login_response(&self.http(), &self.addr, username, password).await
    }

    /// Joins the queue (`POST /api/contacts`) without connecting.
    pub async fn join(&self) -> ecoute_testkit::Joined {
        ecoute_testkit::join_queue(&self.http(), &self.addr).await
    }

    /// A person who has just joined the queue, connected and greeted.
    pub async fn person(&self) -> Person {
        let joined = self.join().await;
        let mut ws = self.person_ws().await;
        ws.send(PersonIn::hello(joined.token.clone(), 0)).await;
        let state = expect_frame!(ws, PersonOut::Welcome { state, .. } => state);
        assert_eq!(state, ContactStatus::Waiting);
        Person {
            ws,
            token: joined.token,
            contact_id: joined.contact_id,
        }
    }

    /// A listener's workspace socket (after logging in).
    pub async fn listener(&self, username: &str) -> Listener {
        let cookie = self.login(username, PASSWORD).await.expect("login");
        let mut ws = self.listener_ws(&cookie).await;
        ws.send(ListenerIn::Hello {
            last_seqs: Default::default(),
        })
        .await;
        let welcome = expect_frame!(ws, ListenerOut::Welcome { .. });
        Listener {
            ws,
            cookie,
            welcome: serde_json::to_value(&welcome).expect("welcome as JSON"),
        }
    }

    /// How every socket of these tests connects: same-origin, with the session cookie when
    /// given.
    fn connect(&self, path: &str, cookie: Option<&str>) -> Connect {
        Connect::new(&self.addr, path)
            .same_origin()
            .cookie(cookie)
            .wait(FRAME_WAIT)
    }

    /// The person's socket, not greeted yet.
    pub async fn person_ws(&self) -> PersonWs {
        self.connect("/ws/person", None).open().await
    }

    /// A listener's socket with this session cookie, not greeted yet.
    pub async fn listener_ws(&self, cookie: &str) -> ListenerWs {
        self.connect("/ws/listener", Some(cookie)).open().await
    }

    /// Opens a socket of raw JSON frames, with the session cookie and a same-origin `Origin`
    /// when given.
    pub async fn ws(&self, path: &str, cookie: Option<&str>) -> Ws {
        self.connect(path, cookie).open().await
    }

    pub async fn try_ws(
        &self,
        path: &str,
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        self.connect(path, cookie).origin(origin).try_open().await
    }
}

pub struct Person {
    pub ws: PersonWs,
    pub token: String,
    pub contact_id: String,
}

pub struct Listener {
    pub ws: ListenerWs,
    pub cookie: String,
    /// The `welcome` frame, as JSON.
    pub welcome: Value,
}

impl Listener {
    pub async fn available(&mut self) {
        self.ws
            .send(ListenerIn::Presence {
                presence: Presence::Available,
            })
            .await;
        let presence = expect_frame!(self.ws, ListenerOut::Presence { presence } => presence);
        assert_eq!(presence, Presence::Available);
    }

    /// Presses next and returns the assigned contact id.
    pub async fn next(&mut self) -> String {
        self.ws.send(ListenerIn::Next).await;
        expect_frame!(self.ws, ListenerOut::Assigned { conversation } => conversation.contact_id)
    }
}

/// A campaign counter, as the store lists them.
pub fn campaign_count(
    campaign: Option<&str>,
    day: ecoute_domain::Day,
    event: ecoute_domain::CampaignEvent,
    n: u64,
) -> ecoute_domain::CampaignCount {
    ecoute_domain::CampaignCount {
        campaign: campaign.map(|c| ecoute_domain::CampaignCode::parse(c).expect("code")),
        day,
        event,
        count: n,
    }
}
