//! The sockets as a client written from docs/protocol.md sees them: rate limits, heartbeats,
//! RFC 6455 closing, refusals that name what they refuse, delivery receipts, the quick exit's
//! beacon, shutdown. Each test failed on the code before the one socket loop.

mod common;

use common::{fast_config, spawn_app, Person, TestApp, FRAME_WAIT, PASSWORD};
use ecoute_store::{EventBus, LocalBus};
use ecoute_testkit::ws::Side;
use ecoute_testkit::Ws;
use ecoute_web::{Server, WebConfig};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A person's socket opened with the library itself (not the test client), greeted: for the
/// tests that split it or close it by hand.
async fn raw_person(app: &TestApp, token: &str) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws/person", app.addr))
        .await
        .expect("socket");
    let hello = json!({"type": "hello", "token": token, "last_seq": 0});
    ws.send(Message::Text(hello.to_string().into()))
        .await
        .expect("hello");
    loop {
        match tokio::time::timeout(FRAME_WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) if t.as_str().contains("\"welcome\"") => return ws,
            Ok(Some(Ok(_))) => continue,
            other => panic!("no welcome: {other:?}"),
        }
    }
}

/// A person and a listener in conversation.
async fn conversation(app: &TestApp) -> (Person, common::Listener) {
    app.add_user("camille", "listener").await;
    let person = app.person().await;
    let mut listener = app.listener("camille").await;
    listener.available().await;
    let taken = listener.next().await;
    assert_eq!(taken, person.contact_id);
    (person, listener)
}

/// Reads frames until one of `kind` arrives, counting the frames of `counted` on the way.
async fn count_until<S: Side>(ws: &mut Ws<S>, counted: &str, kind: &str) -> (usize, Value) {
    let mut n = 0;
    loop {
        let frame = ws.recv().await.expect("socket open");
        if frame["type"] == counted {
            n += 1;
        }
        if frame["type"] == kind {
            return (n, frame);
        }
    }
}

#[tokio::test]
async fn a_typing_flood_reaches_the_other_side_as_a_trickle() {
    let app = spawn_app(fast_config()).await;
    let (mut person, mut listener) = conversation(&app).await;
    for _ in 0..2000 {
        person.ws.send(json!({"type": "typing"})).await;
    }
    // The flood is answered with one rate-limit notice, which says when to try again.
    let notice = person.ws.expect("error").await;
    assert_eq!(notice["code"], "rate_limited", "{notice}");
    assert!(notice["retry_after_ms"].as_u64().is_some(), "{notice}");
    // A client that keeps sending far over the limit is closed (policy violation), and the
    // listener is told the person's connection dropped: that marks the end of the flood.
    assert_eq!(person.ws.closed_with().await, Some(1008));
    let (typing, _) = count_until(&mut listener.ws, "typing", "person_away").await;
    // Typing is relayed at most every 2 s, and frames beyond 20/s are refused: however slow
    // the machine, 2,000 frames make a handful of notices (1,729 before).
    assert!(
        (1..=10).contains(&typing),
        "2,000 typing frames reached the listener as {typing}"
    );
}

#[tokio::test]
async fn pipelined_messages_are_refused_by_name_then_the_socket_is_closed() {
    let app = spawn_app(fast_config()).await;
    let (person, _listener) = conversation(&app).await;
    // A second connection of the same person takes the conversation over: split in two
    // halves, it can send and read at once.
    let (mut sink, mut stream) = raw_person(&app, &person.token).await.split();
    let send_all = async move {
        for i in 0..1000 {
            let frame = json!({"type": "send", "id": format!("m{i}"), "body": "x"});
            if sink
                .send(Message::Text(frame.to_string().into()))
                .await
                .is_err()
            {
                break; // closed by the server, as expected
            }
        }
        sink
    };
    let read_all = async move {
        let (mut acks, mut refused, mut close) = (0, 0, None);
        while let Ok(Some(msg)) = tokio::time::timeout(FRAME_WAIT, stream.next()).await {
            match msg {
                Ok(Message::Text(t)) => {
                    let f: Value = serde_json::from_str(t.as_str()).expect("json");
                    match f["type"].as_str() {
                        Some("ack") => acks += 1,
                        Some("error") => {
                            assert_eq!(f["code"], "rate_limited", "{f}");
                            assert!(
                                f["id"].as_str().is_some(),
                                "a refused message is named: {f}"
                            );
                            assert!(f["retry_after_ms"].as_u64().is_some(), "{f}");
                            refused += 1;
                        }
                        _ => {}
                    }
                }
                Ok(Message::Close(frame)) => {
                    close = frame.map(|f| u16::from(f.code));
                    break;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        (acks, refused, close)
    };
    let (_, (acks, refused, close)) = tokio::join!(send_all, read_all);
    // 1,000 pipelined messages were all stored before.
    assert!(
        (1..=60).contains(&acks),
        "{acks} of 1,000 pipelined messages stored"
    );
    assert!(refused > 0, "the refusals are named");
    assert_eq!(
        close,
        Some(1008),
        "a client that keeps flooding is closed (policy)"
    );
}

#[tokio::test]
async fn the_close_handshake_is_echoed() {
    let app = spawn_app(fast_config()).await;
    let person = app.person().await;
    let mut ws = raw_person(&app, &person.token).await;
    ws.close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "bye".into(),
    }))
    .await
    .expect("send close");
    let echoed = loop {
        match tokio::time::timeout(FRAME_WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => continue,
            other => panic!("no close frame came back: {other:?}"),
        }
    };
    assert_eq!(echoed, Some(1000));
}

/// Opens `/ws/person` by hand, to send frames no WebSocket library would.
async fn raw_socket(app: &TestApp) -> TcpStream {
    let mut tcp = TcpStream::connect(&app.addr).await.expect("connect");
    let request = format!(
        "GET /ws/person HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        app.addr
    );
    tcp.write_all(request.as_bytes()).await.expect("handshake");
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut b = [0u8; 1];
        tcp.read_exact(&mut b).await.expect("handshake answer");
        head.push(b[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    tcp
}

/// A client frame: `first` (FIN, RSV, opcode), masked unless `unmasked`.
fn frame(first: u8, payload: &[u8], unmasked: bool) -> Vec<u8> {
    let mask = [0x11, 0x22, 0x33, 0x44];
    let mut out = vec![first, if unmasked { 0 } else { 0x80 } | payload.len() as u8];
    if unmasked {
        out.extend_from_slice(payload);
    } else {
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    }
    out
}

/// Reads server frames until a close frame; returns its code (`None`: the TCP connection
/// ended without one, which RFC 6455 does not allow after a protocol error).
async fn close_code(tcp: &mut TcpStream) -> Option<u16> {
    let read = async {
        loop {
            let mut head = [0u8; 2];
            tcp.read_exact(&mut head).await.ok()?;
            let mut len = u64::from(head[1] & 0x7f);
            if len == 126 {
                let mut l = [0u8; 2];
                tcp.read_exact(&mut l).await.ok()?;
                len = u64::from(u16::from_be_bytes(l));
            }
            let mut payload = vec![0u8; len as usize];
            tcp.read_exact(&mut payload).await.ok()?;
            if head[0] & 0x0f == 0x8 {
                return (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
            }
        }
    };
    tokio::time::timeout(FRAME_WAIT, read)
        .await
        .expect("the server neither closed nor hung up")
}

#[tokio::test]
async fn protocol_faults_are_closed_with_the_code_rfc_6455_gives() {
    let app = spawn_app(fast_config()).await;
    let cases: [(&str, Vec<u8>, u16); 4] = [
        (
            "text that is not UTF-8",
            frame(0x81, &[0xff, 0xfe, 0xfd], false),
            1007,
        ),
        ("an unmasked client frame", frame(0x81, b"{}", true), 1002),
        ("a reserved bit set", frame(0xC1, b"{}", false), 1002),
        (
            "a close code no one may send",
            frame(0x88, &999u16.to_be_bytes(), false),
            1002,
        ),
    ];
    for (what, bytes, want) in cases {
        let mut tcp = raw_socket(&app).await;
        tcp.write_all(&bytes).await.expect("write");
        assert_eq!(close_code(&mut tcp).await, Some(want), "{what}");
    }
}

#[tokio::test]
async fn a_client_that_goes_silent_is_taken_for_lost_within_three_heartbeats() {
    let mut config = fast_config();
    config.chat.heartbeat_seconds = 1;
    let app = spawn_app(config).await;
    let (person, mut listener) = conversation(&app).await;
    assert_eq!(listener.welcome["heartbeat_ms"], 1000);
    // The person's phone loses its signal: its socket stays open but answers nothing (a
    // client that does not read does not answer pings).
    let _silent = person;
    let away = listener.ws.expect("person_away").await;
    assert_eq!(
        away["contact_id"].as_str(),
        Some(_silent.contact_id.as_str())
    );
}

#[tokio::test]
async fn heartbeats_are_answered() {
    let app = spawn_app(fast_config()).await;
    let mut person = app.person().await;
    person.ws.send(json!({"type": "ping"})).await;
    person.ws.expect("pong").await;
}

#[tokio::test]
async fn a_message_id_used_by_the_other_side_is_refused_precisely_on_both_sides() {
    let app = spawn_app(fast_config()).await;
    let (mut person, mut listener) = conversation(&app).await;
    let contact = person.contact_id.clone();
    person
        .ws
        .send(json!({"type": "send", "id": "same-id", "body": "bonjour"}))
        .await;
    person.ws.expect("ack").await;
    listener
        .ws
        .send(json!({"type": "send", "contact_id": contact, "id": "same-id", "body": "bonjour"}))
        .await;
    let err = listener.ws.expect("error").await;
    assert_eq!(err["code"], "duplicate_message_id", "{err}");
    assert_eq!(err["id"], "same-id");
    assert_eq!(err["contact_id"], contact.as_str());

    listener
        .ws
        .send(json!({"type": "send", "contact_id": contact, "id": "listener-id", "body": "oui"}))
        .await;
    listener.ws.expect("ack").await;
    person
        .ws
        .send(json!({"type": "send", "id": "listener-id", "body": "re"}))
        .await;
    let err = person.ws.expect("error").await;
    assert_eq!(err["code"], "duplicate_message_id", "{err}");
    assert_eq!(err["id"], "listener-id");
}

#[tokio::test]
async fn delivery_receipts_go_to_the_other_side_and_never_claim_more_than_was_sent() {
    let app = spawn_app(fast_config()).await;
    let (mut person, mut listener) = conversation(&app).await;
    let contact = person.contact_id.clone();
    listener
        .ws
        .send(json!({"type": "send", "contact_id": contact, "id": "r1", "body": "je vous écoute"}))
        .await;
    let ack = listener.ws.expect("ack").await;
    let seq = ack["seq"].as_i64().expect("seq");
    // Not delivered until the person's page says it has shown it.
    let shown = person.ws.expect("message").await;
    assert_eq!(shown["seq"], seq);
    // A page may not claim more than it was sent.
    person
        .ws
        .send(json!({"type": "received", "seq": 999}))
        .await;
    let delivered = listener.ws.expect("delivered").await;
    assert_eq!(delivered["contact_id"], contact.as_str());
    assert_eq!(delivered["seq"], seq);

    person
        .ws
        .send(json!({"type": "send", "id": "p1", "body": "merci"}))
        .await;
    let m = listener.ws.expect("message").await;
    listener
        .ws
        .send(json!({"type": "received", "contact_id": contact, "seq": m["seq"]}))
        .await;
    let delivered = person.ws.expect("delivered").await;
    assert_eq!(delivered["seq"], m["seq"]);
}

/// Reads board frames until `want` people wait.
async fn until_waiting<S: Side>(ws: &mut Ws<S>, want: i64) {
    loop {
        let f = ws.expect("board").await;
        if f["waiting"] == want {
            return;
        }
    }
}

#[tokio::test]
async fn the_quick_exit_beacon_takes_the_person_out_of_the_queue() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    let mut person = app.person().await;
    until_waiting(&mut listener.ws, 1).await;
    let client = app.http();
    let leave = |body: String| {
        client
            .post(app.url("/api/contacts/leave"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = leave(json!({"token": person.token}).to_string())
        .await
        .expect("leave");
    assert_eq!(r.status(), 204);
    let ended = person.ws.expect("ended").await;
    assert_eq!(ended["reason"], "abandoned");
    until_waiting(&mut listener.ws, 0).await;
    // Again: it no longer waits either way.
    let r = leave(json!({"token": person.token}).to_string())
        .await
        .expect("leave");
    assert_eq!(r.status(), 204);
    // Unknown and malformed requests get precise JSON errors.
    let r = leave(json!({"token": "nobody-has-this"}).to_string())
        .await
        .expect("leave");
    assert_eq!(r.status(), 404);
    let r = leave("{".into()).await.expect("leave");
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.expect("json error");
    assert_eq!(body["error"], "bad_request");
}

#[tokio::test]
async fn the_listener_socket_checks_the_origins_scheme() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    let cookie = app.login("camille", PASSWORD).await.expect("login");
    for origin in [
        format!("https://{}", app.addr),
        format!("ws://{}", app.addr),
    ] {
        assert!(
            app.try_ws("/ws/listener", Some(&cookie), Some(&origin))
                .await
                .is_err(),
            "{origin} is not this site's origin"
        );
    }
    let same = format!("http://{}", app.addr);
    assert!(app
        .try_ws("/ws/listener", Some(&cookie), Some(&same))
        .await
        .is_ok());
}

#[tokio::test]
async fn stopping_the_server_closes_every_socket_with_going_away() {
    let dir = std::env::temp_dir().join(format!("ecoute-web-test-{}", uuid::Uuid::new_v4()));
    let store = ecoute_store::connect(&format!("sqlite://{}/ecoute.db", dir.display()))
        .await
        .expect("store");
    let bus: Arc<dyn EventBus> = Arc::new(LocalBus::new());
    let server = Server::bind("127.0.0.1:0", WebConfig::default(), store, bus)
        .await
        .expect("bind");
    let addr = server.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let created: Value = reqwest::Client::new()
        .post(format!("http://{addr}/api/contacts"))
        .send()
        .await
        .expect("join")
        .json()
        .await
        .expect("json");
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws/person"))
        .await
        .expect("socket");
    let hello = json!({"type": "hello", "token": created["token"], "last_seq": 0});
    ws.send(Message::Text(hello.to_string().into()))
        .await
        .expect("hello");
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) if t.as_str().contains("\"welcome\"") => break,
            Some(Ok(_)) => continue,
            other => panic!("no welcome: {other:?}"),
        }
    }
    stop.send(()).expect("stop");
    let code = loop {
        match tokio::time::timeout(FRAME_WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => continue,
            other => panic!("the socket was dropped, not closed: {other:?}"),
        }
    };
    assert_eq!(code, Some(1001));
    running.await.expect("server task").expect("server");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_listener_who_took_a_contact_whose_page_never_connected_is_told() {
    let mut config = fast_config();
    config.chat.hello_grace_seconds = 1;
    let app = spawn_app(config).await;
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    listener.available().await;
    // A join whose page never opens its socket (a script, a closed tab).
    let created: Value = app
        .http()
        .post(app.url("/api/contacts"))
        .send()
        .await
        .expect("join")
        .json()
        .await
        .expect("json");
    let taken = listener.next().await;
    assert_eq!(created["contact_id"].as_str(), Some(taken.as_str()));
    // The listener is not left waiting for nobody: the contact ends, without a sheet.
    let ended = listener.ws.expect("ended").await;
    assert_eq!(ended["contact_id"].as_str(), Some(taken.as_str()));
    assert_eq!(ended["reason"], "never_connected");
    assert_eq!(ended["sheet_url"], Value::Null);
}
