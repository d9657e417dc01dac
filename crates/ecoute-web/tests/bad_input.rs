//! Every bad input gets a clear error and changes nothing.

mod common;

use common::{fast_config, spawn_app, PASSWORD};
use ecoute_domain::ContactId;
use ecoute_protocol::{CloseCode, ErrorCode, PersonIn, PersonOut};
use ecoute_testkit::expect_frame;
use serde_json::json;

#[tokio::test]
async fn bad_frames_from_the_person() {
    let app = spawn_app(fast_config()).await;
    let mut person = app.person().await;
    let max = app.config.chat.max_message_chars;

    let cases = [
        (
            json!({"type": "send", "id": "m1", "body": "x".repeat(max + 1)}).to_string(),
            "message_invalid",
        ),
        (
            json!({"type": "send", "id": "m1", "body": "   "}).to_string(),
            "message_invalid",
        ),
        (
            json!({"type": "send", "id": "m1", "body": "a\u{0}b"}).to_string(),
            "message_invalid",
        ),
        (
            json!({"type": "send", "id": "<script>", "body": "hi"}).to_string(),
            "bad_message_id",
        ),
        (json!({"type": "send", "id": "m1"}).to_string(), "bad_frame"),
        (json!({"type": "dance"}).to_string(), "bad_frame"),
        (
            json!({"type": "send", "id": "m1", "body": "x", "extra": 1}).to_string(),
            "bad_frame",
        ),
        ("{not json".to_owned(), "bad_frame"),
        (
            json!({"type": "hello", "token": "x"}).to_string(),
            "bad_frame",
        ),
        (
            format!(
                "{{\"type\":\"send\",\"id\":\"m1\",\"body\":\"{}\"}}",
                "y".repeat(17 * 1024)
            ),
            "frame_too_large",
        ),
    ];
    for (frame, code) in cases {
        person.ws.send_text(frame.clone()).await;
        let err = person.ws.expect("error").await;
        assert_eq!(err["code"], code, "frame {:.60}", frame);
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // Nothing was stored, and the connection still works.
    let id: ContactId = person.contact_id.parse().unwrap();
    assert!(app
        .store
        .messages_after(id, 0, 10)
        .await
        .unwrap()
        .is_empty());
    person.ws.send(json!({"type": "send", "id": "ok", "body": "exactly at the limit".to_owned() + &"z".repeat(max - 20)})).await;
    assert_eq!(person.ws.expect("ack").await["seq"], 1);

    // Beyond the transport limit the connection closes: with 1009 when the client can still
    // read the close frame, or reset when the rest of its frame is still unread.
    person.ws.send_text("z".repeat(70 * 1024)).await;
    let code = person.ws.close_code().await;
    assert!(
        matches!(code, Some(CloseCode::TooBig) | None),
        "closed with {code:?}"
    );
    // The server is unharmed and the person can resume.
    let mut again = app.person_ws().await;
    again.send(PersonIn::hello(person.token, 1)).await;
    let state = expect_frame!(again, PersonOut::Welcome { state, .. } => state);
    assert_eq!(state, ecoute_protocol::ContactStatus::Waiting);
}

#[tokio::test]
async fn hello_first_and_tokens_checked() {
    let app = spawn_app(fast_config()).await;
    let mut ws = app.person_ws().await;
    ws.send(PersonIn::Send {
        id: "m1".into(),
        body: "hi".into(),
    })
    .await;
    let err = expect_frame!(ws, PersonOut::Error(e) => e);
    assert_eq!(err.code, ErrorCode::HelloRequired);
    assert_eq!(ws.close_code().await, Some(CloseCode::HelloRequired));

    for token in ["", "nope", &"x".repeat(500)] {
        let mut ws = app.person_ws().await;
        ws.send(PersonIn::hello(token.to_owned(), 0)).await;
        let err = expect_frame!(ws, PersonOut::Error(e) => e);
        assert_eq!(err.code, ErrorCode::BadToken);
        assert_eq!(ws.close_code().await, Some(CloseCode::Auth));
    }
}

#[tokio::test]
async fn listener_socket_needs_a_session_and_the_same_origin() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    assert!(app
        .try_ws("/ws/listener", None, Some(&format!("http://{}", app.addr)))
        .await
        .is_err());
    let cookie = app.login("camille", PASSWORD).await.unwrap();
    assert!(app
        .try_ws("/ws/listener", Some(&cookie), Some("http://evil.example"))
        .await
        .is_err());
    assert!(app
        .try_ws("/ws/listener", Some(&cookie), None)
        .await
        .is_err());
    assert!(app
        .try_ws(
            "/ws/listener",
            Some("ecoute_session=forged"),
            Some(&format!("http://{}", app.addr))
        )
        .await
        .is_err());
    assert!(app
        .try_ws(
            "/ws/listener",
            Some(&cookie),
            Some(&format!("http://{}", app.addr))
        )
        .await
        .is_ok());
}

#[tokio::test]
async fn a_listener_cannot_act_on_another_conversation() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    app.add_user("alex", "listener").await;
    let mut camille = app.listener("camille").await;
    let mut alex = app.listener("alex").await;

    // Not available: no "next".
    camille.ws.send(json!({"type": "next"})).await;
    assert_eq!(camille.ws.expect("error").await["code"], "not_available");
    camille.available().await;
    alex.available().await;
    alex.ws.send(json!({"type": "next"})).await;
    alex.ws.expect("queue_empty").await;

    let _person = app.person().await;
    let contact = camille.next().await;
    let frames = [
        json!({"type": "send", "contact_id": contact, "id": "x1", "body": "hello"}),
        json!({"type": "end", "contact_id": contact}),
        json!({"type": "typing", "contact_id": contact}),
        json!({"type": "send", "contact_id": "not-a-uuid", "id": "x2", "body": "hello"}),
        json!({"type": "end", "contact_id": ContactId::new_random().to_string()}),
    ];
    for f in frames {
        alex.ws.send(f.clone()).await;
        assert_eq!(
            alex.ws.expect("error").await["code"],
            "not_your_contact",
            "{f}"
        );
    }
    alex.ws
        .send(json!({"type": "presence", "presence": "sleeping"}))
        .await;
    assert_eq!(alex.ws.expect("error").await["code"], "bad_frame");

    // Nothing changed: the conversation is still Camille's and empty.
    let id: ContactId = contact.parse().unwrap();
    assert!(app
        .store
        .messages_after(id, 0, 10)
        .await
        .unwrap()
        .is_empty());
    let c = app.store.contact(id).await.unwrap().unwrap();
    assert_eq!(c.state.name(), "active");

    // Ended conversations refuse messages.
    camille
        .ws
        .send(json!({"type": "end", "contact_id": contact}))
        .await;
    camille.ws.expect("ended").await;
    camille
        .ws
        .send(json!({"type": "send", "contact_id": contact, "id": "late", "body": "hello?"}))
        .await;
    let err = camille.ws.expect("error").await;
    assert_eq!(err["code"], "contact_ended");
    assert_eq!(err["id"], "late");
}

#[tokio::test]
async fn http_inputs_are_checked() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    app.add_user("alex", "listener").await;
    assert_eq!(app.login("camille", "wrong password!").await, None);
    assert_eq!(app.login("nobody", PASSWORD).await, None);
    let http = app.http();

    // A login without its CSRF token is refused.
    let r = http
        .post(app.url("/login"))
        .form(&[
            ("csrf", "x"),
            ("username", "camille"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Staff pages need a session; admin pages need the admin role.
    let r = http.get(app.url("/listener")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let cookie = app.login("camille", PASSWORD).await.unwrap();
    assert_eq!(app.get_as("/admin/users", &cookie).await.status(), 403);

    // A sheet for a contact that is not one's own is not found.
    let unknown = format!("/listener/sheet/{}", ContactId::new_random());
    for path in [unknown.as_str(), "/listener/sheet/not-a-uuid"] {
        assert_eq!(app.get_as(path, &cookie).await.status(), 404, "{path}");
    }

    // Logout needs the CSRF token, then ends the session.
    let r = app
        .post_form_as("/logout", &cookie, &[("csrf", "wrong")])
        .await;
    assert_eq!(r.status(), 403);
    let page = app.get_as("/listener", &cookie).await.text().await.unwrap();
    let csrf = common::hidden_field(&page, "csrf").unwrap();
    let r = app
        .post_form_as("/logout", &cookie, &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(r.status(), 303);
    let r = app.get_as("/listener", &cookie).await;
    assert_eq!(r.status(), 303, "the session must be gone");

    // An oversized body is refused.
    let r = http
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x".repeat(100 * 1024))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
}

/// Password guessing is slowed: after five failures in a row a username must wait, even
/// with the right password, and is told so with 429 and Retry-After. Other accounts go on
/// as before, and an unknown username is treated alike, so a lock reveals no account.
#[tokio::test]
async fn repeated_login_failures_make_the_username_wait() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    app.add_user("lou", "listener").await;
    for name in ["camille", "nobody"] {
        for _ in 0..5 {
            let failed = app.login_response(name, "wrong password!").await;
            assert_eq!(failed.status(), 401, "{name}");
        }
        let refused = app.login_response(name, PASSWORD).await;
        assert_eq!(refused.status(), 429, "{name}");
        let retry: u64 = refused.headers()["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!((1..=30).contains(&retry), "{retry}");
        let page = refused.text().await.expect("page");
        assert!(page.contains("pour ce compte"), "{page}");
    }
    assert!(app.login("lou", PASSWORD).await.is_some());
}

#[tokio::test]
async fn the_admin_page_creates_accounts_with_validation() {
    let app = spawn_app(fast_config()).await;
    app.add_user("root", "admin").await;
    let cookie = app.login("root", PASSWORD).await.unwrap();
    let http = app.http();
    let page = http
        .get(app.url("/admin/users"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csrf = common::hidden_field(&page.text().await.unwrap(), "csrf").unwrap();
    // Posts the new-account form for (username, pseudonym, password).
    let post = |username: &'static str, pseudonym: &'static str, password: &'static str| {
        let request = http
            .post(app.url("/admin/users"))
            .header("cookie", cookie.clone())
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", username),
                ("pseudonym", pseudonym),
                ("role", "listener"),
                ("password", password),
            ]);
        async move { request.send().await.unwrap() }
    };
    let ok = post("zoe", "Zoé", "another long password").await;
    assert_eq!(ok.status(), 201);
    let dup = post("zoe", "Zoé", "another long password").await;
    assert_eq!(dup.status(), 409);
    let short = post("yan", "Yan", "short").await;
    assert_eq!(short.status(), 422);
    let page = short.text().await.unwrap();
    assert!(
        page.contains("au moins 10 caractères"),
        "the page speaks French"
    );
    assert!(app.login("zoe", "another long password").await.is_some());
    assert_eq!(app.store.count_users().await.unwrap(), 2);
}

#[tokio::test]
async fn the_openapi_document_is_served_and_lists_every_route() {
    let app = spawn_app(fast_config()).await;
    let doc: serde_json::Value = app
        .http()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/",
        "/stories",
        "/api/contacts",
        "/api/contacts/leave",
        "/api/reveals",
        "/write",
        "/write/thread",
        "/write/thread/send",
        "/write/thread/delete",
        "/volunteer",
        "/welcome",
        "/ws/person",
        "/ws/listener",
        "/ws/supervisor",
        "/supervisor",
        "/admin/audit",
        "/login",
        "/logout",
        "/listener",
        "/listener/sheet/{contact_id}",
        "/listener/inbox",
        "/listener/inbox/{thread_id}",
        "/listener/inbox/{thread_id}/claim",
        "/listener/inbox/{thread_id}/release",
        "/listener/inbox/{thread_id}/reply",
        "/admin/users",
        "/admin/users/{id}/{action}",
        "/admin/campaigns",
        "/admin/stories",
        "/admin/stories/{key}",
        "/admin/volunteers",
        "/admin/volunteers/{id}",
        "/admin/volunteers/{id}/move",
        "/admin/volunteers/{id}/note",
        "/admin/volunteers/{id}/training",
        "/admin/volunteers/{id}/erase",
        "/admin/volunteers/{id}/activate",
        "/admin/volunteers/{id}/link",
        "/api/openapi.json",
        "/healthz",
        "/metrics",
        "/static/{name}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
    let health = app.http().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}
