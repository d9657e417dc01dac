//! The supervisor's live board follows the helpline across instances: a supervisor on
//! instance A sees the person who joined, the conversation taken and the listener's alert,
//! all on instance B (PostgreSQL LISTEN/NOTIFY carries the changes).
//!
//! Runs when `ECOUTE_TEST_POSTGRES_URL` is set; says "skipped" otherwise.

mod common;

use common::{
    add_user, available_listener, join_queue, login, person_ws, pg_url, run_ok, serve, FreshDb,
};
use ecoute_domain::AlertKind;
use ecoute_protocol::{ListenerIn, ListenerOut, PersonIn, PersonOut, SupervisorIn, SupervisorOut};
use ecoute_testkit::{expect_frame, Connect, SupervisorWs};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_on_one_instance_follows_the_other() {
    let Some(server) = pg_url() else { return };
    let db = FreshDb::create(&server).await;
    run_ok(&db.url, &["migrate"], "");
    add_user(&db.url, "lina", "Lina", "listener");
    add_user(&db.url, "sara", "Sara", "supervisor");
    let a = serve(&db.url, &[]);
    let b = serve(&db.url, &[]);

    let sara = login(&a.addr, "sara").await;
    let mut board: SupervisorWs = Connect::new(&a.addr, "/ws/supervisor")
        .same_origin()
        .cookie(Some(&sara))
        .wait(Duration::from_secs(15))
        .open()
        .await;
    board.send(SupervisorIn::Hello).await;
    let first = expect_frame!(board, SupervisorOut::Welcome { board, .. } => board);
    assert!(first.waiting.is_empty());

    // Everything below happens on instance B.
    let lina = login(&b.addr, "lina").await;
    let mut listener = available_listener(&b.addr, &lina).await;
    board
        .board_until("the listener on duty", |b| b.roster.len() == 1)
        .await;
    let (contact, token) = join_queue(&b.addr).await;
    let mut person = person_ws(&b.addr).await;
    person.send(PersonIn::hello(token, 0)).await;
    expect_frame!(person, PersonOut::Welcome { .. });
    board
        .board_until("the person waiting", |b| b.waiting.len() == 1)
        .await;

    listener.send(ListenerIn::Next).await;
    let taken =
        expect_frame!(listener, ListenerOut::Assigned { conversation } => conversation.contact_id);
    assert_eq!(taken, contact);
    let now = board
        .board_until("the conversation", |b| b.ongoing.len() == 1)
        .await;
    assert_eq!(now.ongoing[0].contact_id, contact);
    assert!(now.waiting.is_empty());

    listener
        .send(ListenerIn::Alert {
            contact_id: contact.clone(),
        })
        .await;
    expect_frame!(listener, ListenerOut::AlertRaised { .. });
    let alerted = board
        .board_until("the alert", |b| !b.alerts.is_empty())
        .await;
    assert_eq!(alerted.alerts[0].kind, AlertKind::Help);
    assert_eq!(alerted.alerts[0].listener.as_deref(), Some("Lina"));

    // And a note written on A reaches the listener on B.
    board
        .send(SupervisorIn::Whisper {
            contact_id: contact.clone(),
            id: "w1".into(),
            body: "Je suis là si besoin".into(),
        })
        .await;
    expect_frame!(board, SupervisorOut::Whispered { .. });
    let note = expect_frame!(listener, ListenerOut::Whisper(w) => w);
    assert_eq!(note.body, "Je suis là si besoin");
}
