//! Live supervision over real HTTP and WebSocket: the board follows the helpline, a
//! listener's alert reaches the supervisors, a supervisor reads the conversation (recorded in
//! the audit log) and writes privately to the listener — and the person sees none of it.

mod common;

use common::{fast_config, spawn_app, Listener, Person, TestApp, FRAME_WAIT};
use ecoute_domain::AlertKind;
use ecoute_protocol::{
    BoardOut, ErrorCode, ListenerIn, ListenerOut, PersonIn, PersonOut, SupervisorIn, SupervisorOut,
};
use ecoute_testkit::{expect_frame, Connect, SupervisorWs, PASSWORD};

/// A supervisor's board, greeted; returns it with the first board.
async fn supervisor(app: &TestApp, username: &str) -> (SupervisorWs, BoardOut, String) {
    let cookie = app.login(username, PASSWORD).await.expect("login");
    let mut ws: SupervisorWs = Connect::new(&app.addr, "/ws/supervisor")
        .same_origin()
        .cookie(Some(&cookie))
        .wait(FRAME_WAIT)
        .open()
        .await;
    ws.send(SupervisorIn::Hello).await;
    let board = expect_frame!(ws, SupervisorOut::Welcome { board, .. } => board);
    (ws, board, cookie)
}

async fn talking(app: &TestApp) -> (Listener, Person, String) {
    let mut lina = app.listener("lina").await;
    lina.available().await;
    let mut person = app.person().await;
    person
        .ws
        .send(PersonIn::Send {
            id: "m1".into(),
            body: "Je n'en peux plus".into(),
        })
        .await;
    expect_frame!(person.ws, PersonOut::Ack { .. });
    let contact = lina.next().await;
    (lina, person, contact)
}

#[tokio::test]
async fn an_alert_a_read_and_a_private_note_then_the_audit_log() {
    let app = spawn_app(fast_config()).await;
    app.add_user("lina", "listener").await;
    app.add_user("sara", "supervisor").await;
    app.add_user("root", "admin").await;
    let (mut sup, first, _) = supervisor(&app, "sara").await;
    assert!(first.waiting.is_empty() && first.ongoing.is_empty() && first.alerts.is_empty());

    let (mut lina, mut person, contact) = talking(&app).await;
    let board = sup
        .board_until("the conversation on the board", |b| {
            b.ongoing.len() == 1 && b.roster.iter().any(|r| r.conversations == 1)
        })
        .await;
    assert_eq!(board.ongoing[0].contact_id, contact);
    assert_eq!(board.ongoing[0].listener, "Lina");
    assert!(board.waiting.is_empty());

    // The listener presses "alert" (twice: one alert).
    for _ in 0..2 {
        lina.ws
            .send(ListenerIn::Alert {
                contact_id: contact.clone(),
            })
            .await;
        let raised = expect_frame!(lina.ws, ListenerOut::AlertRaised { contact_id } => contact_id);
        assert_eq!(raised, contact);
    }
    let board = sup.board_until("the alert", |b| !b.alerts.is_empty()).await;
    assert_eq!(board.alerts.len(), 1, "{:?}", board.alerts);
    let alert = &board.alerts[0];
    assert_eq!(alert.kind, AlertKind::Help);
    assert_eq!(alert.contact_id, contact);
    assert_eq!(alert.listener.as_deref(), Some("Lina"));
    assert!(alert.in_progress);
    let alert_id = alert.alert_id.clone();

    // Reading the conversation is recorded before the transcript is sent.
    sup.send(SupervisorIn::Watch {
        contact_id: contact.clone(),
    })
    .await;
    let (messages, listener) = expect_frame!(sup, SupervisorOut::Transcript { messages, listener, .. } => (messages, listener));
    assert_eq!(listener, "Lina");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].body, "Je n'en peux plus");
    let reads = app.store.conversation_reads(10).await.expect("reads");
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].reader_pseudonym, "Sara");
    assert_eq!(reads[0].contact.to_string(), contact);

    // New messages follow.
    person
        .ws
        .send(PersonIn::Send {
            id: "m2".into(),
            body: "J'ai des médicaments".into(),
        })
        .await;
    let m = expect_frame!(sup, SupervisorOut::Message(m) => m);
    assert_eq!((m.seq, m.body.as_str()), (2, "J'ai des médicaments"));

    // A private note reaches the listener, never the person.
    sup.send(SupervisorIn::Whisper {
        contact_id: contact.clone(),
        id: "w1".into(),
        body: "Demandez-lui s'il a pris quelque chose".into(),
    })
    .await;
    let stored = expect_frame!(sup, SupervisorOut::Whispered { id, whisper } => (id, whisper));
    assert_eq!(stored.0, "w1");
    assert_eq!(stored.1.seq, 1);
    let note = expect_frame!(lina.ws, ListenerOut::Whisper(w) => w);
    assert_eq!(note.body, "Demandez-lui s'il a pris quelque chose");
    assert_eq!(note.from, "Sara");
    assert_eq!(note.contact_id, contact);
    // The person's socket carries nothing of it: everything up to their next ack.
    person
        .ws
        .send(PersonIn::Send {
            id: "m3".into(),
            body: "Vous êtes là ?".into(),
        })
        .await;
    loop {
        let frame = person.ws.recv_frame().await.expect("a frame");
        let text = serde_json::to_string(&frame).expect("json");
        assert!(
            !text.contains("Demandez"),
            "the person saw the note: {text}"
        );
        if matches!(frame, PersonOut::Ack { ref id, .. } if id == "m3") {
            break;
        }
    }

    // A workspace opened again shows the earlier notes.
    drop(lina);
    let mut again = app.listener("lina").await;
    let note = expect_frame!(again.ws, ListenerOut::Whisper(w) => w);
    assert_eq!(note.seq, 1);

    // Resolved: the alert leaves the board.
    sup.send(SupervisorIn::Resolve { alert_id }).await;
    sup.board_until("no alert", |b| b.alerts.is_empty()).await;

    // The conversation ends: the reader is told.
    again
        .ws
        .send(ListenerIn::End {
            contact_id: contact.clone(),
        })
        .await;
    let ended = expect_frame!(sup, SupervisorOut::Ended { contact_id } => contact_id);
    assert_eq!(ended, contact);

    // The audit log, for administrators: who, which conversation, when — not the text.
    let root = app.login("root", PASSWORD).await.expect("login");
    let page = app.get_as("/admin/audit", &root).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("body");
    let label = contact
        .parse::<ecoute_domain::ContactId>()
        .expect("id")
        .person_label();
    assert!(html.contains("Sara") && html.contains(&label), "{html}");
    assert!(!html.contains("médicaments"), "the audit log holds no text");
    let listener_cookie = again.cookie.clone();
    assert_eq!(
        app.get_as("/admin/audit", &listener_cookie).await.status(),
        403
    );
}

#[tokio::test]
async fn a_sheet_asking_for_a_debrief_reaches_the_board() {
    let app = spawn_app(fast_config()).await;
    app.add_user("lina", "listener").await;
    app.add_user("sara", "supervisor").await;
    let (mut sup, _, _) = supervisor(&app, "sara").await;
    let (mut lina, _person, contact) = talking(&app).await;
    lina.ws
        .send(ListenerIn::End {
            contact_id: contact.clone(),
        })
        .await;
    expect_frame!(lina.ws, ListenerOut::Ended { .. });
    let sheet_url = format!("/listener/sheet/{contact}");
    let page = app
        .get_as(&sheet_url, &lina.cookie)
        .await
        .text()
        .await
        .expect("sheet page");
    let csrf = common::hidden_field(&page, "csrf").expect("csrf");
    let sheet = app
        .post_form_as(
            &sheet_url,
            &lina.cookie,
            &[
                ("csrf", csrf.as_str()),
                ("duration_minutes", "20"),
                ("themes", "suicidal_thoughts"),
                ("age_band", "25_39"),
                ("gender", "unknown"),
                ("contact_kind", "first"),
                ("risk", "high"),
            ],
        )
        .await;
    assert_eq!(
        sheet.status(),
        303,
        "{}",
        sheet.text().await.unwrap_or_default()
    );
    let board = sup
        .board_until("the debrief request", |b| !b.alerts.is_empty())
        .await;
    assert_eq!(board.alerts[0].kind, AlertKind::Debrief);
    assert_eq!(board.alerts[0].listener.as_deref(), Some("Lina"));
    assert!(!board.alerts[0].in_progress, "the conversation is over");
}

#[tokio::test]
async fn refusals_are_precise() {
    let app = spawn_app(fast_config()).await;
    app.add_user("lina", "listener").await;
    app.add_user("sara", "supervisor").await;
    let (mut sup, _, _) = supervisor(&app, "sara").await;
    let (mut lina, _person, contact) = talking(&app).await;

    let refused = |code: ErrorCode| move |f: &SupervisorOut| matches!(f, SupervisorOut::Error(e) if e.code == code);
    sup.send(SupervisorIn::Whisper {
        contact_id: contact.clone(),
        id: "w1".into(),
        body: "   ".into(),
    })
    .await;
    sup.until("an empty note refused", refused(ErrorCode::MessageInvalid))
        .await;
    sup.send(SupervisorIn::Whisper {
        contact_id: uuid::Uuid::new_v4().to_string(),
        id: "w2".into(),
        body: "x".into(),
    })
    .await;
    sup.until(
        "an unknown conversation",
        refused(ErrorCode::NotYourContact),
    )
    .await;
    sup.send(SupervisorIn::Watch {
        contact_id: "not-an-id".into(),
    })
    .await;
    sup.until("a malformed id", refused(ErrorCode::NotYourContact))
        .await;
    sup.send(SupervisorIn::Resolve {
        alert_id: uuid::Uuid::new_v4().to_string(),
    })
    .await;
    sup.until("an unknown alert", refused(ErrorCode::UnknownAlert))
        .await;
    // Nothing was read: no audit entry.
    assert!(app
        .store
        .conversation_reads(10)
        .await
        .expect("reads")
        .is_empty());

    // A listener alerts only about their own conversations.
    lina.ws
        .send(ListenerIn::Alert {
            contact_id: uuid::Uuid::new_v4().to_string(),
        })
        .await;
    let code = expect_frame!(lina.ws, ListenerOut::Error(e) => e.code);
    assert_eq!(code, ErrorCode::NotYourContact);

    // A listener's session cannot open the board.
    let listener_board = Connect::new(&app.addr, "/ws/supervisor")
        .same_origin()
        .cookie(Some(&lina.cookie))
        .wait(FRAME_WAIT)
        .try_open::<ecoute_testkit::ws::Supervisor>()
        .await;
    assert!(listener_board.is_err(), "a listener opened the board");
}

#[tokio::test]
async fn triage_moves_a_person_at_risk_ahead_and_alerts_the_supervisors() {
    let app = spawn_app(fast_config()).await;
    app.add_user("lina", "listener").await;
    app.add_user("sara", "supervisor").await;
    let (mut sup, _, _) = supervisor(&app, "sara").await;
    let mut first = app.person().await;
    first
        .ws
        .send(PersonIn::Send {
            id: "a1".into(),
            body: "Bonsoir, je me sens seul ce soir".into(),
        })
        .await;
    expect_frame!(first.ws, PersonOut::Ack { .. });
    let mut second = app.person().await;
    second
        .ws
        .send(PersonIn::Send {
            id: "b1".into(),
            body: "J'ai acheté deux boîtes de doliprane, je vais tout prendre ce soir".into(),
        })
        .await;
    expect_frame!(second.ws, PersonOut::Ack { .. });

    // The second person is now first in the queue, and the supervisors are alerted.
    let board = sup
        .board_until("the risk alert", |b| {
            b.alerts.iter().any(|a| a.kind == AlertKind::Risk)
        })
        .await;
    let second_label = second
        .contact_id
        .parse::<ecoute_domain::ContactId>()
        .expect("id")
        .person_label();
    assert_eq!(board.waiting.len(), 2);
    assert_eq!(board.waiting[0].label, second_label, "{:?}", board.waiting);
    let triage = board.waiting[0].triage.as_ref().expect("triage shown");
    assert!(
        triage.level >= ecoute_domain::triage::TriageLevel::Plan,
        "{triage:?}"
    );
    assert!(!triage.triggers.is_empty());
    assert_eq!(triage.version, ecoute_domain::triage::SCORER_VERSION);
    assert!(
        board.waiting[1].triage.is_none(),
        "loneliness is no risk level"
    );
    let risk = board
        .alerts
        .iter()
        .find(|a| a.kind == AlertKind::Risk)
        .expect("risk alert");
    assert_eq!(risk.label, second_label);
    assert_eq!(risk.listener, None);

    // "next" takes them first, and the listener sees what the triage read.
    let mut lina = app.listener("lina").await;
    lina.available().await;
    lina.ws.send(ListenerIn::Next).await;
    let conversation =
        expect_frame!(lina.ws, ListenerOut::Assigned { conversation } => conversation);
    assert_eq!(conversation.contact_id, second.contact_id);
    let seen = conversation.triage.expect("the listener sees the triage");
    assert_eq!(seen.triggers, triage.triggers);
}

#[tokio::test]
async fn a_supervisor_moves_someone_waiting_by_hand_and_it_is_recorded() {
    let app = spawn_app(fast_config()).await;
    app.add_user("lina", "listener").await;
    app.add_user("sara", "supervisor").await;
    app.add_user("root", "admin").await;
    let (mut sup, _, _) = supervisor(&app, "sara").await;
    let _first = app.person().await;
    let second = app.person().await;
    sup.board_until("two waiting", |b| b.waiting.len() == 2)
        .await;

    sup.send(SupervisorIn::Priority {
        contact_id: second.contact_id.clone(),
        priority: 3,
    })
    .await;
    let board = sup
        .board_until("the second moved ahead", |b| {
            b.waiting.first().and_then(|w| w.contact_id.as_deref()) == Some(&second.contact_id)
        })
        .await;
    assert_eq!(board.waiting[0].priority, 3);

    let refused = |code: ErrorCode| move |f: &SupervisorOut| matches!(f, SupervisorOut::Error(e) if e.code == code);
    sup.send(SupervisorIn::Priority {
        contact_id: second.contact_id.clone(),
        priority: 10,
    })
    .await;
    sup.until("out of range", refused(ErrorCode::BadFrame))
        .await;

    let mut lina = app.listener("lina").await;
    lina.available().await;
    assert_eq!(lina.next().await, second.contact_id, "served first");
    sup.send(SupervisorIn::Priority {
        contact_id: second.contact_id.clone(),
        priority: 0,
    })
    .await;
    sup.until("no longer waiting", refused(ErrorCode::NotWaiting))
        .await;

    let changes = app.store.priority_changes(10).await.expect("changes");
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0].from, changes[0].to), (0, 3));
    assert_eq!(changes[0].by_pseudonym, "Sara");
    let root = app.login("root", PASSWORD).await.expect("login");
    let html = app
        .get_as("/admin/audit", &root)
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains("0 → 3"), "{html}");
}

#[tokio::test]
async fn a_warm_transfer_then_a_supervisor_takes_over() {
    let app = spawn_app(fast_config()).await;
    app.add_user("lina", "listener").await;
    app.add_user("marc", "listener").await;
    app.add_user("sara", "supervisor").await;
    let (mut sup, _, _) = supervisor(&app, "sara").await;
    let (mut lina, mut person, contact) = talking(&app).await;
    let mut marc = app.listener("marc").await;
    marc.available().await;
    let board = sup
        .board_until("both on the roster", |b| b.roster.len() == 2)
        .await;
    let marc_id = board
        .roster
        .iter()
        .find(|r| r.pseudonym == "Marc")
        .expect("Marc on the roster")
        .user_id;

    // Handed to Marc: the person is told, Lina lets it go, Marc opens it with its messages.
    sup.send(SupervisorIn::Transfer {
        contact_id: contact.clone(),
        to: marc_id,
    })
    .await;
    let told = expect_frame!(person.ws, PersonOut::Transferred { listener } => listener);
    assert_eq!(told, "Marc");
    let (gone, to) =
        expect_frame!(lina.ws, ListenerOut::TransferredAway { contact_id, to } => (contact_id, to));
    assert_eq!((gone.as_str(), to.as_str()), (contact.as_str(), "Marc"));
    let opened =
        expect_frame!(marc.ws, ListenerOut::Assigned { conversation } => conversation.contact_id);
    assert_eq!(opened, contact);
    let first = expect_frame!(marc.ws, ListenerOut::Message(m) => m);
    assert_eq!(first.body, "Je n'en peux plus");

    // Marc writes; Lina can no longer.
    marc.ws
        .send(ListenerIn::Send {
            contact_id: contact.clone(),
            id: "r1".into(),
            body: "Je suis Marc, je prends le relais".into(),
        })
        .await;
    expect_frame!(marc.ws, ListenerOut::Ack { .. });
    let m = expect_frame!(person.ws, PersonOut::Message(m) => m);
    assert_eq!(m.listener.as_deref(), Some("Marc"));
    lina.ws
        .send(ListenerIn::Send {
            contact_id: contact.clone(),
            id: "x1".into(),
            body: "encore là ?".into(),
        })
        .await;
    let code = expect_frame!(lina.ws, ListenerOut::Error(e) => e.code);
    assert_eq!(code, ErrorCode::NotYourContact);

    // The supervisor takes over, from a workspace of their own that is available.
    let refused = |code: ErrorCode| move |f: &SupervisorOut| matches!(f, SupervisorOut::Error(e) if e.code == code);
    sup.send(SupervisorIn::TakeOver {
        contact_id: contact.clone(),
    })
    .await;
    sup.until("not available yet", refused(ErrorCode::NotAvailable))
        .await;
    let mut own = app.listener("sara").await;
    own.available().await;
    sup.send(SupervisorIn::TakeOver {
        contact_id: contact.clone(),
    })
    .await;
    let told = expect_frame!(person.ws, PersonOut::Transferred { listener } => listener);
    assert_eq!(told, "Sara");
    expect_frame!(marc.ws, ListenerOut::TransferredAway { .. });
    let opened =
        expect_frame!(own.ws, ListenerOut::Assigned { conversation } => conversation.contact_id);
    assert_eq!(opened, contact);

    // The one who ends it owes the sheet.
    own.ws
        .send(ListenerIn::End {
            contact_id: contact.clone(),
        })
        .await;
    let sheet = expect_frame!(own.ws, ListenerOut::Ended { sheet_url, .. } => sheet_url);
    assert!(sheet.is_some());
}
