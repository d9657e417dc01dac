//! A person and listeners talking over real HTTP and WebSocket.

mod common;

use common::{fast_config, now, spawn_app};
use ecoute_domain::{
    Author, ClientMessageId, ContactId, ContactState, EndReason, Event, MessageBody, Topic,
};
use ecoute_protocol::{
    ContactStatus, ErrorCode, ListenerIn, ListenerOut, PersonIn, PersonOut, WaitEstimate,
};
use ecoute_store::Sender;
use ecoute_testkit::expect_frame;
use std::collections::HashMap;
use std::time::Duration;

/// A person's message.
fn say(id: &str, body: &str) -> PersonIn {
    PersonIn::Send {
        id: id.into(),
        body: body.into(),
    }
}

/// A listener's message in conversation `contact`.
fn reply(contact: &str, id: &str, body: &str) -> ListenerIn {
    ListenerIn::Send {
        contact_id: contact.into(),
        id: id.into(),
        body: body.into(),
    }
}

#[tokio::test]
async fn a_whole_conversation_then_the_statistics_sheet() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    assert_eq!(listener.welcome["pseudonym"], "Camille");
    listener.available().await;

    // The person writes while waiting, and sees an honest place in the queue.
    let mut person = app.person().await;
    person.ws.send(say("m1", "Bonsoir, je me sens seule")).await;
    // The first queue frame may come before or after the ack.
    let (mut ack, mut queue) = (None, None);
    while ack.is_none() || queue.is_none() {
        match expect_frame!(person.ws, PersonOut::Ack { .. } | PersonOut::Queue { .. }) {
            PersonOut::Ack { id, seq } => ack = ack.or(Some((id, seq))),
            PersonOut::Queue {
                position,
                on_duty,
                estimate,
                ..
            } => queue = queue.or(Some((position, on_duty, estimate))),
            _ => unreachable!(),
        }
    }
    assert_eq!(ack, Some(("m1".to_owned(), 1)));
    assert_eq!(queue, Some((1, 1, WaitEstimate::Soon)));

    // The listener takes the next contact and reads what was written while waiting.
    let contact = listener.next().await;
    assert_eq!(contact, person.contact_id);
    let first = expect_frame!(listener.ws, ListenerOut::Message(m) => m);
    assert_eq!(first.body, "Bonsoir, je me sens seule");
    assert_eq!(first.author, Author::Person);
    let assigned = expect_frame!(person.ws, PersonOut::Assigned { listener } => listener);
    assert_eq!(assigned, "Camille");

    // Typing and a reply, acknowledged after commit and delivered once.
    listener
        .ws
        .send(ListenerIn::Typing {
            contact_id: contact.clone(),
        })
        .await;
    expect_frame!(person.ws, PersonOut::Typing);
    listener
        .ws
        .send(reply(&contact, "l1", "Je suis là. Je vous écoute."))
        .await;
    assert_eq!(
        expect_frame!(listener.ws, ListenerOut::Ack { seq, .. } => seq),
        2
    );
    let m = expect_frame!(person.ws, PersonOut::Message(m) => m);
    assert_eq!((m.seq, m.author), (2, Author::Listener));
    person.ws.send(PersonIn::Typing).await;
    expect_frame!(listener.ws, ListenerOut::Typing { .. });

    // The listener ends; both are told; the sheet is offered to the listener only.
    listener
        .ws
        .send(ListenerIn::End {
            contact_id: contact.clone(),
        })
        .await;
    let reason = expect_frame!(person.ws, PersonOut::Ended { reason } => reason);
    assert_eq!(reason, EndReason::ListenerEnded);
    let sheet_url = expect_frame!(listener.ws, ListenerOut::Ended { sheet_url, .. } => sheet_url)
        .expect("sheet url");
    assert_eq!(sheet_url, format!("/listener/sheet/{contact}"));

    let http = app.http();
    let page = http
        .get(app.url(&sheet_url))
        .header("cookie", &listener.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    // Nothing is chosen for the listener: no sheet is saved without an assessment.
    assert!(!html.contains(" checked"), "a choice is made in advance");
    assert!(
        html.contains(r#"value="not_assessed""#),
        "not assessed is a choice"
    );
    let csrf = common::hidden_field(&html, "csrf").unwrap();
    // Without a risk level, refused with the field named.
    let unassessed = http
        .post(app.url(&sheet_url))
        .header("cookie", &listener.cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("duration_minutes", "18"),
            ("themes", "solitude"),
            ("age_band", "unknown"),
            ("gender", "unknown"),
            ("contact_kind", "unknown"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(unassessed.status(), 422);
    assert!(unassessed
        .text()
        .await
        .unwrap()
        .contains("Niveau de risque"));
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
    // A debrief was asked for: the workspace offers a pause too.
    assert_eq!(saved.headers()["location"], "/listener?saved=sheet-care");
    let told = http
        .get(app.url("/listener?saved=sheet-care"))
        .header("cookie", &listener.cookie)
        .send()
        .await
        .unwrap();
    let told = told.text().await.unwrap();
    assert!(told.contains("Fiche enregistrée."));
    assert!(told.contains(r#"id="take-pause""#), "a pause is offered");
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
        l.ws.send(ListenerIn::Next).await;
    }
    let mut taken = Vec::new();
    for l in listeners.iter_mut() {
        taken.push(
            expect_frame!(l.ws, ListenerOut::Assigned { conversation } => conversation.contact_id),
        );
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
    listeners[0].ws.send(ListenerIn::Next).await;
    let err = expect_frame!(listeners[0].ws, ListenerOut::Error(e) => e);
    assert_eq!(err.code, ErrorCode::Busy);
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
    expect_frame!(person.ws, PersonOut::Assigned { .. });
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
    let on_both_sides = [
        expect_frame!(listener.ws, ListenerOut::Message(m) => m),
        expect_frame!(person.ws, PersonOut::Message(m) => m),
    ];
    for m in on_both_sides {
        assert_eq!((m.body.as_str(), m.seq), ("jamais annoncé", 1));
    }

    // Delivery goes on from there, and nothing is delivered twice.
    person.ws.send(say("after", "ensuite")).await;
    expect_frame!(person.ws, PersonOut::Ack { .. });
    let m = expect_frame!(listener.ws, ListenerOut::Message(m) => m);
    assert_eq!((m.body.as_str(), m.seq), ("ensuite", 2));
}

#[tokio::test]
async fn a_reconnect_resumes_with_every_message_exactly_once() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    listener.available().await;
    let mut person = app.person().await;
    let contact = listener.next().await;
    expect_frame!(person.ws, PersonOut::Assigned { .. });

    for i in 1..=3 {
        person
            .ws
            .send(say(&format!("p{i}"), &format!("message {i}")))
            .await;
        expect_frame!(person.ws, PersonOut::Ack { .. });
    }
    // The person's network drops.
    drop(person.ws);
    let away = expect_frame!(listener.ws, ListenerOut::PersonAway { contact_id } => contact_id);
    assert_eq!(away, contact);
    for i in 1..=2 {
        listener
            .ws
            .send(reply(&contact, &format!("l{i}"), &format!("reply {i}")))
            .await;
        expect_frame!(listener.ws, ListenerOut::Ack { .. });
    }

    // They come back having seen up to seq 2: they get 3, 4 and 5, once each.
    let mut ws = app.person_ws().await;
    ws.send(PersonIn::hello(person.token.clone(), 2)).await;
    let (state, name) =
        expect_frame!(ws, PersonOut::Welcome { state, listener, .. } => (state, listener));
    assert_eq!(state, ContactStatus::Active);
    assert_eq!(name.as_deref(), Some("Camille"));
    let mut seqs = Vec::new();
    for _ in 0..3 {
        seqs.push(expect_frame!(ws, PersonOut::Message(m) => m.seq));
    }
    assert_eq!(seqs, vec![3, 4, 5]);
    expect_frame!(listener.ws, ListenerOut::PersonBack { .. });

    // A resend of an acknowledged message is acknowledged again, and stored once.
    ws.send(say("p3", "message 3")).await;
    assert_eq!(expect_frame!(ws, PersonOut::Ack { seq, .. } => seq), 3);
    ws.send(say("p4", "message 4")).await;
    assert_eq!(expect_frame!(ws, PersonOut::Ack { seq, .. } => seq), 6);
    let delivered = expect_frame!(listener.ws, ListenerOut::Message(m) => m.seq);
    assert_eq!(delivered, 6, "the resend must not be delivered again");
    let id: ContactId = contact.parse().unwrap();
    assert_eq!(app.store.messages_after(id, 0, 100).await.unwrap().len(), 6);

    // The listener reloads too: with last_seqs it gets only what it missed.
    drop(listener.ws);
    ws.send(say("p5", "still there?")).await;
    expect_frame!(ws, PersonOut::Ack { .. });
    let mut again = app.listener_ws(&listener.cookie).await;
    again
        .send(ListenerIn::Hello {
            last_seqs: HashMap::from([(contact.clone(), 6)]),
        })
        .await;
    let conversations =
        expect_frame!(again, ListenerOut::Welcome { conversations, .. } => conversations);
    assert_eq!(conversations[0].contact_id, contact);
    let m = expect_frame!(again, ListenerOut::Message(m) => m);
    assert_eq!((m.seq, m.body.as_str()), (7, "still there?"));
}

#[tokio::test]
async fn leaving_the_queue_is_recorded_as_abandoned_with_its_wait() {
    let app = spawn_app(fast_config()).await;
    let mut person = app.person().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    person.ws.send(PersonIn::End).await;
    let reason = expect_frame!(person.ws, PersonOut::Ended { reason } => reason);
    assert_eq!(reason, EndReason::Abandoned);
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
    expect_frame!(listener.ws, ListenerOut::PersonAway { .. });
    let ended = expect_frame!(listener.ws, ListenerOut::Ended { contact_id, reason, sheet_url } => (contact_id, reason, sheet_url));
    assert_eq!(ended.0, contact);
    assert_eq!(ended.1, EndReason::PersonVanished);
    assert!(ended.2.is_some());
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
    expect_frame!(person.ws, PersonOut::Assigned { .. });
    person.ws.send(say("p1", "avant la coupure")).await;
    expect_frame!(person.ws, PersonOut::Ack { .. });
    first.ws.send(reply(&early, "l1", "je suis là")).await;
    expect_frame!(first.ws, ListenerOut::Ack { .. });
    // Raw JSON here: what must be absent from the frame, not only from the type.
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
    expect_frame!(person.ws, PersonOut::ListenerAway);
    expect_frame!(person.ws, PersonOut::Requeued);
    let position = expect_frame!(person.ws, PersonOut::Queue { position, .. } => position);
    assert_eq!(position, 1, "back at the head, before the later arrival");

    let mut second = app.listener("alex").await;
    second.available().await;
    second.ws.send(ListenerIn::Next).await;
    let conversation =
        expect_frame!(second.ws, ListenerOut::Assigned { conversation } => conversation);
    assert_eq!(conversation.contact_id, early);
    assert!(conversation.returning);
    let m = expect_frame!(second.ws, ListenerOut::Message(m) => m);
    assert_eq!(m.body, "avant la coupure");
    assert_eq!(m.listener, None);
    assert_eq!(m.own, Some(false));
    // The first listener's reply is theirs, not the new listener's.
    let m = expect_frame!(second.ws, ListenerOut::Message(m) => m);
    assert_eq!(m.body, "je suis là");
    assert_eq!(m.listener.as_deref(), Some("Camille"));
    assert_eq!(m.own, Some(false));
    let name = expect_frame!(person.ws, PersonOut::Assigned { listener } => listener);
    assert_eq!(name, "Alex");
    second.ws.send(reply(&early, "l2", "Alex ici")).await;
    expect_frame!(second.ws, ListenerOut::Ack { .. });
    let m = expect_frame!(second.ws, ListenerOut::Message(m) => m);
    assert_eq!((m.listener.as_deref(), m.own), (Some("Alex"), Some(true)));
    let m = expect_frame!(person.ws, PersonOut::Message(m) => m);
    assert_eq!(m.listener.as_deref(), Some("Alex"));
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
    person.ws.send(say("p1", "un secret")).await;
    expect_frame!(person.ws, PersonOut::Ack { .. });
    person.ws.send(PersonIn::End).await;
    expect_frame!(person.ws, PersonOut::Ended { .. });
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
    let mut ws = app.person_ws().await;
    ws.send(PersonIn::hello(person.token, 0)).await;
    let err = expect_frame!(ws, PersonOut::Error(e) => e);
    assert_eq!(err.code, ErrorCode::BadToken);
    // The contact's anonymous record is still there for statistics.
    assert!(app.store.contact(id).await.unwrap().is_some());
}
