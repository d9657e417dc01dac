//! A person and listeners talking over real HTTP and WebSocket.

mod common;

use common::{fast_config, now, spawn_app};
use ecoute_domain::{
    Author, ClientMessageId, ContactId, ContactState, EndReason, Event, MessageBody, Topic,
};
use ecoute_store::Sender;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_whole_conversation_then_the_statistics_sheet() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    assert_eq!(listener.welcome["pseudonym"], "Camille");
    listener.available().await;

    // The person writes while waiting, and sees an honest place in the queue.
    let mut person = app.person().await;
    person
        .ws
        .send(json!({"type": "send", "id": "m1", "body": "Bonsoir, je me sens seule"}))
        .await;
    // The first queue frame may come before or after the ack.
    let frames = person.ws.expect_each(&["ack", "queue"]).await;
    let (ack, queue) = (&frames[0], &frames[1]);
    assert_eq!(
        (ack["id"].as_str(), ack["seq"].as_i64()),
        (Some("m1"), Some(1))
    );
    assert_eq!(queue["position"], 1);
    assert_eq!(queue["on_duty"], 1);
    assert_eq!(queue["estimate"]["kind"], "soon");

    // The listener takes the next contact and reads what was written while waiting.
    let contact = listener.next().await;
    assert_eq!(contact, person.contact_id);
    let first = listener.ws.expect("message").await;
    assert_eq!(first["body"], "Bonsoir, je me sens seule");
    assert_eq!(first["author"], "person");
    let assigned = person.ws.expect("assigned").await;
    assert_eq!(assigned["listener"], "Camille");

    // Typing and a reply, acknowledged after commit and delivered once.
    listener
        .ws
        .send(json!({"type": "typing", "contact_id": contact}))
        .await;
    person.ws.expect("typing").await;
    listener
        .ws
        .send(json!({"type": "send", "contact_id": contact, "id": "l1", "body": "Je suis là. Je vous écoute."}))
        .await;
    let ack = listener.ws.expect("ack").await;
    assert_eq!(ack["seq"], 2);
    let reply = person.ws.expect("message").await;
    assert_eq!(
        (reply["seq"].as_i64(), reply["author"].as_str()),
        (Some(2), Some("listener"))
    );
    person.ws.send(json!({"type": "typing"})).await;
    listener.ws.expect("typing").await;

    // The listener ends; both are told; the sheet is offered to the listener only.
    listener
        .ws
        .send(json!({"type": "end", "contact_id": contact}))
        .await;
    let ended = person.ws.expect("ended").await;
    assert_eq!(ended["reason"], "listener_ended");
    let ended = listener.ws.expect("ended").await;
    let sheet_url = ended["sheet_url"].as_str().expect("sheet url").to_owned();
    assert_eq!(sheet_url, format!("/listener/sheet/{contact}"));

    let http = app.http();
    let page = http
        .get(app.url(&sheet_url))
        .header("cookie", &listener.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csrf = common::hidden_field(&page.text().await.unwrap(), "csrf").unwrap();
    let form = [
        ("csrf", csrf.as_str()),
        ("duration_minutes", "18"),
        ("themes", "solitude"),
        ("themes", "grief"),
        ("age_band", "60_74"),
        ("gender", "woman"),
        ("contact_kind", "first"),
        ("risk", "low"),
        ("debrief_wanted", "on"),
    ];
    let body = serde_html_form::to_string(form).unwrap();
    let saved = http
        .post(app.url(&sheet_url))
        .header("cookie", &listener.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let id: ContactId = contact.parse().unwrap();
    let sheet = app.store.sheet(id).await.unwrap().expect("sheet saved");
    assert_eq!(sheet.themes, vec!["solitude", "grief"]);
    assert_eq!(sheet.duration_seconds, 18 * 60);
    assert!(sheet.debrief_wanted);

    // A second submission is refused and changes nothing.
    let again = http
        .post(app.url(&sheet_url))
        .header("cookie", &listener.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn concurrent_next_never_gives_the_same_person_twice() {
    let app = spawn_app(fast_config()).await;
    let names = ["ana", "ben", "chloe", "dan"];
    let mut listeners = Vec::new();
    for n in names {
        app.add_user(n, "listener").await;
        let mut l = app.listener(n).await;
        l.available().await;
        listeners.push(l);
    }
    let mut persons = Vec::new();
    for _ in 0..6 {
        persons.push(app.person().await);
    }
    let oldest: Vec<String> = persons
        .iter()
        .take(4)
        .map(|p| p.contact_id.clone())
        .collect();

    // All four press "next" at the same moment.
    for l in listeners.iter_mut() {
        l.ws.send(json!({"type": "next"})).await;
    }
    let mut taken = Vec::new();
    for l in listeners.iter_mut() {
        let a = l.ws.expect("assigned").await;
        taken.push(a["conversation"]["contact_id"].as_str().unwrap().to_owned());
    }
    let mut unique = taken.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "someone was taken twice: {taken:?}");
    // Nobody was skipped: the four who waited longest were answered.
    let mut expected = oldest.clone();
    expected.sort();
    assert_eq!(unique, expected);

    // A second "next" while busy is refused.
    listeners[0].ws.send(json!({"type": "next"})).await;
    let err = listeners[0].ws.expect("error").await;
    assert_eq!(err["code"], "busy");
}

/// The bus is only a fast path: a socket whose subscription lags (more events than its
/// channel holds) re-reads the store, so a message whose event it never saw still arrives,
/// once, on both sides.
#[tokio::test]
async fn a_lagging_socket_catches_up_from_the_store() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    listener.available().await;
    let mut person = app.person().await;
    let contact = person.contact_id.clone();
    assert_eq!(listener.next().await, contact);
    person.ws.expect("assigned").await;
    let id = ContactId(contact.parse().expect("uuid"));

    // Committed but never announced, as if its instance died before publishing.
    app.store
        .append_message(
            id,
            Sender::Person,
            &ClientMessageId::parse("unannounced").expect("id"),
            &MessageBody::parse("jamais annoncé", 2000).expect("body"),
            now(),
        )
        .await
        .expect("append");
    // A burst far beyond a topic channel's capacity: this test's runtime runs one task at a
    // time, so neither socket reads a single event before both subscriptions lag.
    for _ in 0..500 {
        let typing = Event::Typing {
            contact: id,
            author: Author::Person,
        };
        app.bus
            .publish(Topic::Contact(id), typing)
            .await
            .expect("publish");
    }
    for side in [&mut listener.ws, &mut person.ws] {
        let m = side.expect("message").await;
        assert_eq!(
            (m["body"].as_str(), m["seq"].as_i64()),
            (Some("jamais annoncé"), Some(1))
        );
    }

    // Delivery goes on from there, and nothing is delivered twice.
    person
        .ws
        .send(json!({"type": "send", "id": "after", "body": "ensuite"}))
        .await;
    person.ws.expect("ack").await;
    let m = listener.ws.expect("message").await;
    assert_eq!(
        (m["body"].as_str(), m["seq"].as_i64()),
        (Some("ensuite"), Some(2))
    );
}

#[tokio::test]
async fn a_reconnect_resumes_with_every_message_exactly_once() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    listener.available().await;
    let mut person = app.person().await;
    let contact = listener.next().await;
    person.ws.expect("assigned").await;

    for i in 1..=3 {
        person
            .ws
            .send(json!({"type": "send", "id": format!("p{i}"), "body": format!("message {i}")}))
            .await;
        person.ws.expect("ack").await;
    }
    // The person's network drops.
    drop(person.ws);
    let away = listener.ws.expect("person_away").await;
    assert_eq!(away["contact_id"], contact);
    for i in 1..=2 {
        listener
            .ws
            .send(json!({"type": "send", "contact_id": contact, "id": format!("l{i}"), "body": format!("reply {i}")}))
            .await;
        listener.ws.expect("ack").await;
    }

    // They come back having seen up to seq 2: they get 3, 4 and 5, once each.
    let mut ws = app.ws("/ws/person", None).await;
    ws.send(json!({"type": "hello", "token": person.token, "last_seq": 2}))
        .await;
    let welcome = ws.expect("welcome").await;
    assert_eq!(welcome["state"], "active");
    assert_eq!(welcome["listener"], "Camille");
    let mut seqs = Vec::new();
    for _ in 0..3 {
        seqs.push(ws.expect("message").await["seq"].as_i64().unwrap());
    }
    assert_eq!(seqs, vec![3, 4, 5]);
    listener.ws.expect("person_back").await;

    // A resend of an acknowledged message is acknowledged again, and stored once.
    ws.send(json!({"type": "send", "id": "p3", "body": "message 3"}))
        .await;
    let ack = ws.expect("ack").await;
    assert_eq!(ack["seq"], 3);
    ws.send(json!({"type": "send", "id": "p4", "body": "message 4"}))
        .await;
    assert_eq!(ws.expect("ack").await["seq"], 6);
    let delivered = listener.ws.expect("message").await;
    assert_eq!(
        delivered["seq"], 6,
        "the resend must not be delivered again"
    );
    let id: ContactId = contact.parse().unwrap();
    assert_eq!(app.store.messages_after(id, 0, 100).await.unwrap().len(), 6);

    // The listener reloads too: with last_seqs it gets only what it missed.
    drop(listener.ws);
    ws.send(json!({"type": "send", "id": "p5", "body": "still there?"}))
        .await;
    ws.expect("ack").await;
    let mut again = app.ws("/ws/listener", Some(&listener.cookie)).await;
    again
        .send(json!({"type": "hello", "last_seqs": {contact.clone(): 6}}))
        .await;
    let welcome = again.expect("welcome").await;
    assert_eq!(welcome["conversations"][0]["contact_id"], contact);
    let m = again.expect("message").await;
    assert_eq!(
        (m["seq"].as_i64(), m["body"].as_str()),
        (Some(7), Some("still there?"))
    );
}

#[tokio::test]
async fn leaving_the_queue_is_recorded_as_abandoned_with_its_wait() {
    let app = spawn_app(fast_config()).await;
    let mut person = app.person().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    person.ws.send(json!({"type": "end"})).await;
    let ended = person.ws.expect("ended").await;
    assert_eq!(ended["reason"], "abandoned");
    let id: ContactId = person.contact_id.parse().unwrap();
    let c = app.store.contact(id).await.unwrap().unwrap();
    assert_eq!(
        c.state,
        ContactState::Ended {
            reason: EndReason::Abandoned
        }
    );
    assert!(c.wait_seconds.unwrap() >= 1);
}

#[tokio::test]
async fn a_person_who_vanishes_ends_the_conversation_for_the_listener() {
    let mut config = fast_config();
    config.chat.person_return_seconds = 1;
    let app = spawn_app(config).await;
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    listener.available().await;
    let person = app.person().await;
    let contact = listener.next().await;
    drop(person.ws);
    listener.ws.expect("person_away").await;
    let ended = listener.ws.expect("ended").await;
    assert_eq!(ended["contact_id"], contact);
    assert_eq!(ended["reason"], "person_vanished");
    assert!(ended["sheet_url"].is_string());
}

#[tokio::test]
async fn a_lost_listener_sends_the_person_back_to_the_head_of_the_queue() {
    let mut config = fast_config();
    config.chat.listener_return_seconds = 1;
    let app = spawn_app(config).await;
    app.add_user("camille", "listener").await;
    app.add_user("alex", "listener").await;
    let mut first = app.listener("camille").await;
    first.available().await;
    let mut person = app.person().await;
    let early = person.contact_id.clone();
    assert_eq!(first.next().await, early);
    person.ws.expect("assigned").await;
    person
        .ws
        .send(json!({"type": "send", "id": "p1", "body": "avant la coupure"}))
        .await;
    person.ws.expect("ack").await;
    first
        .ws
        .send(json!({"type": "send", "contact_id": early, "id": "l1", "body": "je suis là"}))
        .await;
    first.ws.expect("ack").await;
    let mut seen = person.ws.expect("message").await;
    if seen["body"] == "avant la coupure" {
        // The person's own message comes back first.
        seen = person.ws.expect("message").await;
    }
    assert_eq!(seen["listener"], "Camille");
    assert!(
        seen.get("own").is_none(),
        "the person's frames say nothing of staff"
    );
    // Someone else arrives meanwhile.
    let _later = app.person().await;

    drop(first.ws);
    person.ws.expect("listener_away").await;
    person.ws.expect("requeued").await;
    let queue = person.ws.expect("queue").await;
    assert_eq!(
        queue["position"], 1,
        "back at the head, before the later arrival"
    );

    let mut second = app.listener("alex").await;
    second.available().await;
    second.ws.send(json!({"type": "next"})).await;
    let assigned = second.ws.expect("assigned").await;
    assert_eq!(assigned["conversation"]["contact_id"], early);
    assert_eq!(assigned["conversation"]["returning"], true);
    let m = second.ws.expect("message").await;
    assert_eq!(m["body"], "avant la coupure");
    assert!(m.get("listener").is_none());
    assert_eq!(m["own"], false);
    // The first listener's reply is theirs, not the new listener's.
    let m = second.ws.expect("message").await;
    assert_eq!(m["body"], "je suis là");
    assert_eq!(m["listener"], "Camille");
    assert_eq!(m["own"], false);
    assert_eq!(person.ws.expect("assigned").await["listener"], "Alex");
    second
        .ws
        .send(json!({"type": "send", "contact_id": early, "id": "l2", "body": "Alex ici"}))
        .await;
    second.ws.expect("ack").await;
    let m = second.ws.expect("message").await;
    assert_eq!(
        (m["listener"].as_str(), m["own"].as_bool()),
        (Some("Alex"), Some(true))
    );
    assert_eq!(person.ws.expect("message").await["listener"], "Alex");
}

#[tokio::test]
async fn conversation_text_is_purged_and_the_sheet_remains() {
    let mut config = fast_config();
    config.privacy.purge_after_hours = 0;
    config.privacy.purge_interval_seconds = 1;
    let app = spawn_app(config).await;
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    listener.available().await;
    let mut person = app.person().await;
    let contact = listener.next().await;
    person
        .ws
        .send(json!({"type": "send", "id": "p1", "body": "un secret"}))
        .await;
    person.ws.expect("ack").await;
    person.ws.send(json!({"type": "end"})).await;
    person.ws.expect("ended").await;
    let id: ContactId = contact.parse().unwrap();
    let mut purged = false;
    for _ in 0..50 {
        if app
            .store
            .messages_after(id, 0, 10)
            .await
            .unwrap()
            .is_empty()
        {
            purged = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(purged, "messages still stored after the purge delay");
    // The token no longer opens anything.
    let mut ws = app.ws("/ws/person", None).await;
    ws.send(json!({"type": "hello", "token": person.token, "last_seq": 0}))
        .await;
    assert_eq!(ws.expect("error").await["code"], "bad_token");
    // The contact's anonymous record is still there for statistics.
    assert!(app.store.contact(id).await.unwrap().is_some());
}
