//! Logging out on one instance, or disabling the account with the CLI, ends that account's
//! open workspace at once on another instance: the event crosses instances through
//! PostgreSQL LISTEN/NOTIFY (well before the socket's own 30 s session re-check).
//!
//! Runs when `ECOUTE_TEST_POSTGRES_URL` is set; says "skipped" otherwise.

mod common;

use common::{add_listener, hidden_field, http, login, pg_url, run_ok, FreshDb, Instance, Ws};
use serde_json::json;
use std::time::Duration;

/// Well below the socket's 30 s session re-check.
const AT_ONCE: Duration = Duration::from_secs(5);

/// The listener's workspace open on `addr`, available.
async fn workspace(addr: &str, cookie: &str) -> Ws {
    let mut ws = Ws::open(addr, "/ws/listener", Some(cookie)).await;
    ws.send(json!({"type": "hello", "last_seqs": {}}))
        .await
        .expect("hello");
    wait_for(&mut ws, "welcome").await;
    ws
}

async fn wait_for(ws: &mut Ws, kind: &str) -> serde_json::Value {
    loop {
        let frame = ws
            .recv(kind)
            .await
            .unwrap_or_else(|| panic!("socket closed while waiting for {kind}"));
        if frame["type"] == kind {
            return frame;
        }
    }
}

/// The socket says `session_expired` and closes, within [`AT_ONCE`].
async fn ends_at_once(ws: &mut Ws) {
    let ended = async {
        let error = wait_for(ws, "error").await;
        assert_eq!(error["code"], "session_expired", "{error}");
        while ws.recv("the close").await.is_some() {}
    };
    tokio::time::timeout(AT_ONCE, ended)
        .await
        .expect("the workspace must end at once, not at its next session check");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_on_one_instance_ends_the_workspace_on_another() {
    let Some(server) = pg_url() else { return };
    let db = FreshDb::create(&server).await;
    run_ok(&db.url, &["migrate"], "");
    add_listener(&db.url, "lina", "Lina");
    let a = Instance::start(&db.url, &[]);
    let b = Instance::start(&db.url, &[]);

    let cookie = login(&b.addr, "lina").await;
    let mut ws = workspace(&b.addr, &cookie).await;

    // The same session logs out through instance A.
    let page = http()
        .get(a.url("/listener"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("GET /listener");
    let csrf = hidden_field(&page.text().await.expect("page"), "csrf").expect("csrf");
    let r = http()
        .post(a.url("/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST /logout");
    assert_eq!(r.status(), 303);
    ends_at_once(&mut ws).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_disable_ends_the_workspace_of_a_running_instance() {
    let Some(server) = pg_url() else { return };
    let db = FreshDb::create(&server).await;
    run_ok(&db.url, &["migrate"], "");
    add_listener(&db.url, "lina", "Lina");
    let a = Instance::start(&db.url, &[]);

    let cookie = login(&a.addr, "lina").await;
    let mut ws = workspace(&a.addr, &cookie).await;
    run_ok(&db.url, &["user", "disable", "lina"], "");
    ends_at_once(&mut ws).await;
}
