//! Logging out on one instance, or disabling the account with the CLI, ends that account's
//! open workspace at once on another instance: the event crosses instances through
//! PostgreSQL LISTEN/NOTIFY (well before the socket's own 30 s session re-check).
//!
//! Runs when `ECOUTE_TEST_POSTGRES_URL` is set; says "skipped" otherwise.

mod common;

use common::{add_listener, http, listener_ws, login, pg_url, run_ok, serve, FreshDb, ListenerWs};
use ecoute_protocol::{CloseCode, ErrorCode, ListenerIn, ListenerOut};
use ecoute_testkit::{expect_frame, hidden_field};
use std::time::Duration;

/// Well below the socket's 30 s session re-check.
const AT_ONCE: Duration = Duration::from_secs(5);

/// The listener's workspace open on `addr`, greeted.
async fn workspace(addr: &str, cookie: &str) -> ListenerWs {
    let mut ws = listener_ws(addr, cookie).await;
    ws.send(ListenerIn::Hello {
        last_seqs: Default::default(),
    })
    .await;
    expect_frame!(ws, ListenerOut::Welcome { .. });
    ws
}

/// The socket says `session_expired` and closes (4401), within [`AT_ONCE`].
async fn ends_at_once(ws: &mut ListenerWs) {
    let ended = async {
        let code = expect_frame!(ws, ListenerOut::Error(e) => e.code);
        assert_eq!(code, ErrorCode::SessionExpired);
        assert_eq!(ws.close_code().await, Some(CloseCode::Auth));
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
    let a = serve(&db.url, &[]);
    let b = serve(&db.url, &[]);

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
    let a = serve(&db.url, &[]);

    let cookie = login(&a.addr, "lina").await;
    let mut ws = workspace(&a.addr, &cookie).await;
    run_ok(&db.url, &["user", "disable", "lina"], "");
    ends_at_once(&mut ws).await;
}
