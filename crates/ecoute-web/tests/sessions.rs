//! Logging out and disabling an account end that account's open sockets at once (an event
//! after the commit), not at the socket's next periodic session check (30 s).

mod common;

use common::{spawn_app, TestApp, PASSWORD};
use std::time::Duration;

/// Well below the listener socket's 30 s session re-check: only the event can close it
/// this soon.
const AT_ONCE: Duration = Duration::from_secs(5);

/// Waits (bounded) for the socket to say `session_expired` and close with 4401.
async fn expect_session_ended(listener: &mut common::Listener) {
    let ended = async {
        let error = listener.ws.expect("error").await;
        assert_eq!(error["code"], "session_expired", "{error}");
        listener.ws.closed_with().await
    };
    let code = tokio::time::timeout(AT_ONCE, ended)
        .await
        .expect("the socket must end at once, not at its next session check");
    assert_eq!(code, Some(4401));
}

async fn csrf_of(app: &TestApp, page: &str, cookie: &str) -> String {
    let html = app.get_as(page, cookie).await.text().await.expect("page");
    common::hidden_field(&html, "csrf").expect("csrf field")
}

#[tokio::test]
async fn logout_ends_the_open_socket_at_once() {
    let app = spawn_app(common::fast_config()).await;
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    listener.available().await;

    let csrf = csrf_of(&app, "/listener", &listener.cookie).await;
    let r = app
        .post_form_as("/logout", &listener.cookie, &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(r.status(), 303);
    expect_session_ended(&mut listener).await;
}

#[tokio::test]
async fn disabling_an_account_ends_its_open_socket_at_once() {
    let app = spawn_app(common::fast_config()).await;
    app.add_user("admin", "admin").await;
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    listener.available().await;

    let admin = app.login("admin", PASSWORD).await.expect("admin login");
    let id = app
        .store
        .credentials("camille")
        .await
        .expect("store")
        .expect("account")
        .user
        .id
        .0;
    let csrf = csrf_of(&app, "/admin/users", &admin).await;
    let r = app
        .post_form_as(
            &format!("/admin/users/{id}/disable"),
            &admin,
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), 303);
    expect_session_ended(&mut listener).await;
}
