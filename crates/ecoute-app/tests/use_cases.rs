//! The use cases over a real store (SQLite in a temporary file) and the in-process bus, with a
//! manual clock: time passes when a test says so, never by sleeping.

use ecoute_app::accounts::AccountFields;
use ecoute_app::{App, AppError, ManualClock, Settings};
use ecoute_domain::{
    CentreId, ClientMessageId, ConnectionId, ContactId, ContactState, Event, MessageBody, Presence,
    Timestamp, Topic, UserId,
};
use ecoute_store::{EventBus, LocalBus, Sender, TakeOutcome};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const CENTRE: CentreId = CentreId::DEFAULT;
const INSTANCE: u32 = 7;

struct Harness {
    app: App,
    clock: Arc<ManualClock>,
    bus: Arc<LocalBus>,
    dir: PathBuf,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn settings() -> Settings {
    Settings {
        max_waiting: 2,
        max_conversations: 1,
        max_duty_minutes: 240,
        person_return_seconds: 120,
        listener_return_seconds: 60,
        hello_grace_seconds: 30,
        purge_after_hours: 24,
        written: Default::default(),
        volunteer: Default::default(),
        code_key: None,
    }
}

async fn harness() -> Harness {
    let dir = std::env::temp_dir().join(format!("ecoute-app-test-{}", ContactId::new_random()));
    let store = ecoute_store::connect(&format!("sqlite://{}/ecoute.db", dir.display()))
        .await
        .expect("open test store");
    let clock = Arc::new(ManualClock::new(Timestamp(1_800_000_000_000)));
    let bus = Arc::new(LocalBus::new());
    let app = App::new(store, bus.clone(), clock.clone(), settings());
    Harness {
        app,
        clock,
        bus,
        dir,
    }
}

impl Harness {
    fn advance(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
    }

    /// A person who joined and whose page connected on this instance.
    async fn connected_person(&self, local: u32) -> ContactId {
        let contact = self
            .app
            .join(CENTRE, format!("hash-{local}"))
            .await
            .expect("join");
        let conn = ConnectionId::new(INSTANCE, local).0;
        self.app
            .person_connected(contact.id, conn)
            .await
            .expect("attach");
        contact.id
    }

    async fn listener(&self, username: &str) -> UserId {
        let user = self
            .app
            .create_account(AccountFields {
                username,
                pseudonym: "Camille",
                role: "listener",
                password: "a long test password",
                centre: CENTRE,
            })
            .await
            .expect("account");
        user.id
    }

    async fn state(&self, contact: ContactId) -> ContactState {
        let c = self.app.store().contact(contact).await.expect("store");
        c.expect("contact").state
    }
}

#[tokio::test]
async fn a_person_who_does_not_come_back_ends_their_contact_after_the_delay() {
    let h = harness().await;
    let contact = h.connected_person(1).await;
    let conn = ConnectionId::new(INSTANCE, 1).0;
    assert!(h.app.person_left(contact, conn).await.expect("detach"));

    h.advance(119);
    assert_eq!(h.app.sweep().await.expect("sweep").vanished, 0);
    assert_eq!(h.state(contact).await, ContactState::Waiting);

    h.advance(1);
    assert_eq!(h.app.sweep().await.expect("sweep").vanished, 1);
    assert!(matches!(h.state(contact).await, ContactState::Ended { .. }));
}

#[tokio::test]
async fn a_contact_whose_page_never_connects_leaves_the_queue() {
    let h = harness().await;
    let ghost = h.app.join(CENTRE, "ghost".into()).await.expect("join");
    let real = h.connected_person(2).await;

    h.advance(29);
    assert_eq!(h.app.sweep().await.expect("sweep").never_connected, 0);
    h.advance(1);
    let report = h.app.sweep().await.expect("sweep");
    assert_eq!(report.never_connected, 1);
    assert!(matches!(
        h.state(ghost.id).await,
        ContactState::Ended { .. }
    ));
    assert_eq!(h.state(real).await, ContactState::Waiting);
}

#[tokio::test]
async fn a_listener_who_does_not_come_back_sends_the_conversation_back_to_the_queue() {
    let h = harness().await;
    let listener = h.listener("camille").await;
    let conn = ConnectionId::new(INSTANCE, 100).0;
    h.app
        .listener_connected(listener, conn)
        .await
        .expect("attach");
    assert!(matches!(
        h.app.take_next(CENTRE, listener).await,
        Err(AppError::NotAvailable)
    ));
    h.app
        .set_presence(listener, CENTRE, Presence::Available)
        .await
        .expect("presence");
    let contact = h.connected_person(3).await;
    let taken = h.app.take_next(CENTRE, listener).await.expect("next");
    assert!(matches!(taken, TakeOutcome::Taken(c) if c.id == contact));

    assert!(h
        .app
        .listener_left(listener, conn, &[contact])
        .await
        .expect("detach"));
    h.advance(59);
    assert_eq!(h.app.sweep().await.expect("sweep").requeued, 0);
    h.advance(1);
    assert_eq!(h.app.sweep().await.expect("sweep").requeued, 1);
    assert_eq!(h.state(contact).await, ContactState::Waiting);
    let presence = h.app.store().presence(listener).await.expect("presence");
    assert_eq!(presence, Presence::Offline);
}

#[tokio::test]
async fn the_sockets_of_a_dead_instance_count_as_closed() {
    let h = harness().await;
    h.app
        .heartbeat(i64::from(INSTANCE))
        .await
        .expect("heartbeat");
    let contact = h.connected_person(4).await;
    let mut events = h.bus.subscribe(Topic::Contact(contact));

    h.advance(15);
    h.app.sweep().await.expect("sweep");
    let now = h.app.now();
    let away = h.app.store().persons_away_since(now).await.expect("store");
    assert!(away.contains(&contact), "the person counts as away");
    assert!(matches!(
        events.try_recv().as_deref(),
        Ok(Event::Connection { away: true, .. })
    ));
}

#[tokio::test]
async fn conversation_text_is_purged_after_the_delay() {
    let h = harness().await;
    let contact = h.connected_person(5).await;
    let id = ClientMessageId::parse("m1").expect("id");
    let body = MessageBody::parse("hello", 2000).expect("body");
    let appended = h
        .app
        .send(contact, Sender::Person, &id, &body)
        .await
        .expect("send");
    assert!(appended.created);
    h.app.leave(contact).await.expect("leave");
    assert!(matches!(
        h.app
            .send(
                contact,
                Sender::Person,
                &ClientMessageId::parse("m2").expect("id"),
                &body
            )
            .await,
        Err(AppError::ContactEnded)
    ));
    assert!(matches!(
        h.app.leave(contact).await,
        Err(AppError::ContactEnded)
    ));

    h.advance(24 * 3600 - 1);
    assert_eq!(h.app.purge().await.expect("purge").messages, 0);
    h.advance(1);
    assert_eq!(h.app.purge().await.expect("purge").messages, 1);
}

#[tokio::test]
async fn joins_beyond_the_maximum_are_refused() {
    let h = harness().await;
    h.app.join(CENTRE, "a".into()).await.expect("join");
    h.app.join(CENTRE, "b".into()).await.expect("join");
    assert!(matches!(
        h.app.join(CENTRE, "c".into()).await,
        Err(AppError::QueueFull)
    ));
}

#[tokio::test]
async fn logout_and_disable_tell_the_accounts_sockets_after_commit() {
    let h = harness().await;
    let listener = h.listener("camille").await;
    let mut events = h.bus.subscribe(Topic::Listener(listener));

    h.app
        .logout(listener, "no-such-session")
        .await
        .expect("logout");
    assert!(matches!(
        events.try_recv().as_deref(),
        Ok(Event::SessionsChanged { user }) if *user == listener
    ));

    assert!(matches!(
        h.app.set_disabled(listener, true, Some(listener)).await,
        Err(AppError::OwnAccount)
    ));
    assert!(events.try_recv().is_err(), "nothing changed, nothing told");
    h.app
        .set_disabled(listener, true, None)
        .await
        .expect("disable");
    assert!(matches!(
        events.try_recv().as_deref(),
        Ok(Event::SessionsChanged { user }) if *user == listener
    ));
    let user = h.app.store().user(listener).await.expect("store");
    assert!(user.expect("account").disabled);
}

#[tokio::test]
async fn a_new_account_breaking_a_rule_or_taken_is_refused_by_name() {
    let h = harness().await;
    h.listener("camille").await;
    let fields = AccountFields {
        username: "camille",
        pseudonym: "Camille",
        role: "listener",
        password: "a long test password",
        centre: CENTRE,
    };
    assert!(matches!(
        h.app.create_account(fields).await,
        Err(AppError::UsernameTaken(name)) if name == "camille"
    ));
    let bad_role = AccountFields {
        username: "sam",
        role: "boss",
        ..fields
    };
    assert!(matches!(
        h.app.create_account(bad_role).await,
        Err(AppError::InvalidAccount(ecoute_domain::UserError::Role))
    ));
}

/// Listener wellbeing: after four hours available without a pause, "next" asks for a break
/// first; a pause starts the count anew (time moved by the injected clock, never slept).
#[tokio::test]
async fn after_the_duty_cap_next_asks_for_a_break() {
    let h = harness().await;
    let listener = h.listener("camille").await;
    h.app
        .set_presence(listener, CENTRE, Presence::Available)
        .await
        .expect("available");
    h.connected_person(1).await;
    h.advance(4 * 3600 - 60);
    // Re-choosing available keeps the time it was first chosen.
    h.app
        .set_presence(listener, CENTRE, Presence::Available)
        .await
        .expect("available again");
    h.advance(60);
    match h.app.take_next(CENTRE, listener).await {
        Err(AppError::DutyCap(240)) => {}
        other => panic!("expected the duty cap, got {other:?}"),
    }
    h.app
        .set_presence(listener, CENTRE, Presence::Pause)
        .await
        .expect("pause");
    h.advance(900);
    h.app
        .set_presence(listener, CENTRE, Presence::Available)
        .await
        .expect("back");
    assert!(matches!(
        h.app.take_next(CENTRE, listener).await,
        Ok(ecoute_store::TakeOutcome::Taken(_))
    ));
}
