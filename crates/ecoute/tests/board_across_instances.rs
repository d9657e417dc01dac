//! The supervisor's live board follows the helpline across instances: a supervisor on
//! instance A sees the person who joined, the conversation taken and the listener's alert,
//! all on instance B (PostgreSQL LISTEN/NOTIFY carries the changes).
//!
//! Runs when `ECOUTE_TEST_POSTGRES_URL` is set; says "skipped" otherwise.

mod common;

use common::{available_listener, join_queue, login, person_ws, pg_url, run_ok, serve, FreshDb};
use ecoute_domain::AlertKind;
use ecoute_protocol::{
    BoardOut, ListenerIn, ListenerOut, PersonIn, PersonOut, SupervisorIn, SupervisorOut,
};
use ecoute_testkit::{expect_frame, Connect, SupervisorWs, PASSWORD};
use std::time::Duration;

fn add_user(db_url: &str, username: &str, pseudonym: &str, role: &str) {
    run_ok(
        db_url,
        &[
            "user",
            "add",
            "--username",
            username,
            "--pseudonym",
            pseudonym,
            "--role",
            role,
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
}

/// Waits for a board frame that satisfies `want`.
async fn board_until(
    ws: &mut SupervisorWs,
    what: &str,
    want: impl Fn(&BoardOut) -> bool,
) -> BoardOut {
    match ws
        .until(
            what,
            |f| matches!(f, SupervisorOut::Board { board } if want(board)),
        )
        .await
    {
        SupervisorOut::Board { board } => board,
        _ => unreachable!(),
    }
}

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
    board_until(&mut board, "the listener on duty", |b| b.roster.len() == 1).await;
    let (contact, token) = join_queue(&b.addr).await;
    let mut person = person_ws(&b.addr).await;
    person.send(PersonIn::hello(token, 0)).await;
    expect_frame!(person, PersonOut::Welcome { .. });
    board_until(&mut board, "the person waiting", |b| b.waiting.len() == 1).await;

    listener.send(ListenerIn::Next).await;
    let taken =
        expect_frame!(listener, ListenerOut::Assigned { conversation } => conversation.contact_id);
    assert_eq!(taken, contact);
    let now = board_until(&mut board, "the conversation", |b| b.ongoing.len() == 1).await;
    assert_eq!(now.ongoing[0].contact_id, contact);
    assert!(now.waiting.is_empty());

    listener
        .send(ListenerIn::Alert {
            contact_id: contact.clone(),
        })
        .await;
    expect_frame!(listener, ListenerOut::AlertRaised { .. });
    let alerted = board_until(&mut board, "the alert", |b| !b.alerts.is_empty()).await;
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
