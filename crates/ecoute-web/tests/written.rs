//! The written door through real HTTP: a person writes without any account and gets a code;
//! a listener takes the thread from the inbox, keeps a draft and replies; the person reads the
//! reply with the code however typed, writes again and deletes everything. And every wrong
//! turn: malformed, wrong or guessed codes, empty or oversized messages, a form sent twice,
//! another site's form, a second listener, the budgets — and nothing identifying kept.

mod common;

use common::{campaign_count as count, fast_config, hidden_field, now, spawn_app, TestApp};
use ecoute_domain::{CampaignEvent, Day};
use reqwest::StatusCode;

/// The code a thread page shows.
fn shown_code(html: &str) -> String {
    let start = html
        .find(r#"id="retrieval-code""#)
        .expect("the page shows the code");
    let open = html[start..].find('>').expect("tag") + start + 1;
    let close = html[open..].find('<').expect("end") + open;
    html[open..close].trim().to_owned()
}

/// Posts a public form as the site's page does.
async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.post_public_form(path, form).await
}

/// Opens a thread through the write page; returns the page and the code.
async fn write(app: &TestApp, text: &str) -> (String, String) {
    let page = app.page("/write").await;
    let token = hidden_field(&page, "token").expect("token");
    let response = post(app, "/write", &[("token", &token), ("text", text)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("html");
    let code = shown_code(&html);
    (html, code)
}

#[tokio::test]
async fn a_message_is_written_answered_read_with_the_code_continued_and_deleted() {
    let app = spawn_app(fast_config()).await;
    let page = app.page("/write").await;
    assert!(
        page.contains("Votre code est le seul chemin du retour"),
        "warned before sending"
    );
    let token = hidden_field(&page, "token").expect("token");
    let first = "Je n'ose pas appeler. <b>La nuit</b> c'est pire.";
    let opened = post(&app, "/write", &[("token", &token), ("text", first)]).await;
    assert_eq!(opened.status(), StatusCode::OK);
    assert_eq!(opened.headers()["cache-control"], "no-store");
    let html = opened.text().await.expect("html");
    let code = shown_code(&html);
    assert_eq!(code.split(' ').count(), 8, "{code}");
    assert!(!html.contains("<b>La nuit"), "the text is escaped");
    assert!(html.contains("La nuit"));
    // The same form again (a double click): the same code, one thread, one message.
    let again = post(&app, "/write", &[("token", &token), ("text", first)]).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(shown_code(&again.text().await.expect("html")), code);
    let inbox = app
        .state
        .app
        .inbox(ecoute_domain::CentreId::DEFAULT, 10)
        .await
        .expect("inbox");
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].last_seq, 1);
    let thread = inbox[0].id;

    // A listener finds it in the inbox, takes it, keeps a draft, replies.
    app.add_user("lina", "listener").await;
    let cookie = app.login("lina", common::PASSWORD).await.expect("login");
    let listing = app
        .get_as("/listener/inbox", &cookie)
        .await
        .text()
        .await
        .expect("html");
    assert!(listing.contains(&thread.label()), "{listing}");
    assert!(listing.contains("À répondre dans 47 heures"), "{listing}");
    let path = format!("/listener/inbox/{thread}");
    let view = app.get_as(&path, &cookie).await.text().await.expect("html");
    let csrf = hidden_field(&view, "csrf").expect("csrf");
    assert!(view.contains("Répondre à cet échange"));
    let claimed = app
        .post_form_as(&format!("{path}/claim"), &cookie, &[("csrf", &csrf)])
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    let claimed = claimed.text().await.expect("html");
    let client_id = hidden_field(&claimed, "client_id").expect("client id");
    let drafted = app
        .post_form_as(
            &format!("{path}/reply"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("client_id", &client_id),
                ("text", "Bonsoir, je"),
                ("action", "draft"),
            ],
        )
        .await;
    assert_eq!(drafted.status(), StatusCode::OK);
    let drafted = drafted.text().await.expect("html");
    assert!(drafted.contains("Brouillon enregistré."));
    assert!(
        drafted.contains(">Bonsoir, je</textarea>"),
        "the draft comes back"
    );
    let reply = "Bonsoir, je vous lis. Vous pouvez m'en dire plus ?";
    let sent = app
        .post_form_as(
            &format!("{path}/reply"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("client_id", &client_id),
                ("text", reply),
                ("action", "send"),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER, "on to its sheet");
    let to = sent.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(to.starts_with("/listener/sheet/"), "{to}");
    let sheet_page = app.get_as(&to, &cookie).await.text().await.expect("html");
    assert!(
        sheet_page.contains("Votre réponse est envoyée."),
        "{sheet_page}"
    );
    let sheet_form = [
        ("csrf", csrf.as_str()),
        ("duration_minutes", "12"),
        ("themes", "solitude"),
        ("age_band", "unknown"),
        ("gender", "unknown"),
        ("contact_kind", "first"),
        ("risk", "low"),
    ];
    let body = serde_html_form::to_string(sheet_form).expect("form");
    let saved = app
        .http()
        .post(app.url(&to))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST");
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(saved.headers()["location"], "/listener/inbox?saved=sheet");
    let contact: ecoute_domain::ContactId = to["/listener/sheet/".len()..].parse().expect("id");
    let sheet = app
        .store
        .sheet(contact)
        .await
        .expect("read")
        .expect("saved");
    assert_eq!(sheet.duration_seconds, 12 * 60);
    let channel = app
        .store
        .contact(contact)
        .await
        .expect("read")
        .expect("contact")
        .channel;
    assert_eq!(channel, ecoute_domain::Channel::Message);
    let after = app
        .get_as("/listener/inbox?saved=sheet", &cookie)
        .await
        .text()
        .await
        .expect("html");
    assert!(after.contains("Votre réponse est envoyée et sa fiche enregistrée."));
    assert!(
        after.contains("Aucun message écrit n&#39;attend de réponse."),
        "{after}"
    );

    // The person reads it with the code, typed differently.
    let typed = code.to_uppercase().replace(' ', " - ");
    let read = post(&app, "/write/thread", &[("code", &typed)]).await;
    assert_eq!(read.status(), StatusCode::OK);
    let read = read.text().await.expect("html");
    assert!(read.contains("Un écoutant vous a répondu."));
    assert!(read.contains("Bonsoir, je vous lis. Vous pouvez m&#39;en dire plus ?"));
    assert!(read.contains(">Lina</span>"), "the listener's pseudonym");
    assert!(
        !read.contains(r#"id="retrieval-code""#),
        "the code is shown only once"
    );
    let client_id = hidden_field(&read, "client_id").expect("client id");
    let form = [
        ("code", code.as_str()),
        ("client_id", &client_id),
        ("text", "Merci. Oui."),
    ];
    let more = post(&app, "/write/thread/send", &form).await;
    assert_eq!(more.status(), StatusCode::OK);
    assert!(more
        .text()
        .await
        .expect("html")
        .contains("Votre message est envoyé."));
    // Sent twice (a reload): stored once.
    assert_eq!(
        post(&app, "/write/thread/send", &form).await.status(),
        StatusCode::OK
    );
    let messages = app.store.thread_messages(thread).await.expect("messages");
    assert_eq!(messages.len(), 3);
    assert_eq!(
        app.state
            .app
            .inbox(ecoute_domain::CentreId::DEFAULT, 10)
            .await
            .expect("inbox")
            .len(),
        1
    );

    // Deleting needs the box ticked, then everything is gone.
    let unticked = post(&app, "/write/thread/delete", &[("code", &code)]).await;
    assert_eq!(unticked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let deleted = post(
        &app,
        "/write/thread/delete",
        &[("code", &code), ("confirm", "on")],
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert!(deleted
        .text()
        .await
        .expect("html")
        .contains("Vos messages sont effacés définitivement."));
    assert!(app.store.thread(thread).await.expect("read").is_none());
    let gone = post(&app, "/write/thread", &[("code", &code)]).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert!(gone
        .text()
        .await
        .expect("html")
        .contains("Aucun message ne correspond à ce code."));
}

#[tokio::test]
async fn bad_input_gets_a_clear_answer_and_changes_nothing() {
    let app = spawn_app(fast_config()).await;
    let page = app.page("/write?lang=en").await;
    let token = hidden_field(&page, "token").expect("token");
    for (form, status, says) in [
        (
            vec![("token", token.as_str()), ("text", "   ")],
            422,
            "Your message is empty.",
        ),
        (
            vec![("token", token.as_str()), ("text", &"a".repeat(8001))],
            422,
            "A message has at most 8000 characters.",
        ),
        (vec![("token", "nope"), ("text", "Hello")], 400, ""),
        (vec![("text", "Hello")], 400, ""),
    ] {
        let response = post(&app, "/write?lang=en", &form).await;
        assert_eq!(response.status().as_u16(), status, "{says}");
        assert!(
            response.text().await.expect("html").contains(says),
            "{says}"
        );
    }
    // Another site's form is refused before anything.
    let cross = app
        .http()
        .post(app.url("/write"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("token", token.as_str()), ("text", "Hello")])
        .send()
        .await
        .expect("POST");
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    assert!(app
        .state
        .app
        .inbox(ecoute_domain::CentreId::DEFAULT, 10)
        .await
        .expect("inbox")
        .is_empty());

    for (code, status, says) in [
        ("", 422, "A code is eight words"),
        ("one two three", 422, "A code is eight words"),
        (&"abandon ".repeat(30), 422, "A code is eight words"),
        (
            "abandon ability able about above absent absorb abstract",
            404,
            "No messages match this code.",
        ),
    ] {
        let response = post(&app, "/write/thread?lang=en", &[("code", code)]).await;
        assert_eq!(response.status().as_u16(), status, "{code}");
        let html = response.text().await.expect("html");
        assert!(html.contains(says), "{code}: {html}");
        assert!(html.contains(r#"aria-invalid="true""#));
    }
    // A refused text says nothing about a code that opens nothing: the code is checked
    // (and counted) first.
    let unknown = "abandon ability able about above absent absorb abstract";
    let probe = post(
        &app,
        "/write/thread/send",
        &[("code", unknown), ("client_id", "c0"), ("text", "")],
    )
    .await;
    assert_eq!(probe.status(), StatusCode::NOT_FOUND);
    let bad_id = post(
        &app,
        "/write/thread/send",
        &[
            ("code", unknown),
            ("client_id", "not an id!"),
            ("text", "x"),
        ],
    )
    .await;
    assert_eq!(bad_id.status(), StatusCode::BAD_REQUEST);
    let (_, code) = write(&app, "Bonjour").await;
    let empty = post(
        &app,
        "/write/thread/send",
        &[("code", &code), ("client_id", "c1"), ("text", "")],
    )
    .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = empty.text().await.expect("html");
    assert!(html.contains("Votre message est vide."), "{html}");
    assert!(html.contains("Bonjour"), "the thread is still shown");
}

#[tokio::test]
async fn two_listeners_never_answer_the_same_thread() {
    let app = spawn_app(fast_config()).await;
    write(&app, "Bonjour").await;
    let thread = app
        .state
        .app
        .inbox(ecoute_domain::CentreId::DEFAULT, 1)
        .await
        .expect("inbox")[0]
        .id;
    app.add_user("lina", "listener").await;
    app.add_user("marc", "listener").await;
    let lina = app.login("lina", common::PASSWORD).await.expect("login");
    let marc = app.login("marc", common::PASSWORD).await.expect("login");
    let path = format!("/listener/inbox/{thread}");
    let csrf = |html: &str| hidden_field(html, "csrf").expect("csrf");
    let lina_csrf = csrf(&app.get_as(&path, &lina).await.text().await.expect("html"));
    let marc_csrf = csrf(&app.get_as(&path, &marc).await.text().await.expect("html"));
    let claimed = app
        .post_form_as(&format!("{path}/claim"), &lina, &[("csrf", &lina_csrf)])
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    let refused = app
        .post_form_as(&format!("{path}/claim"), &marc, &[("csrf", &marc_csrf)])
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused
        .text()
        .await
        .expect("html")
        .contains("Lina répond déjà à cet échange."));
    let listing = app
        .get_as("/listener/inbox", &marc)
        .await
        .text()
        .await
        .expect("html");
    assert!(listing.contains("Lina est en train de répondre"));
    let reply = [
        ("csrf", marc_csrf.as_str()),
        ("client_id", "m1"),
        ("text", "Bonjour"),
        ("action", "send"),
    ];
    let refused = app
        .post_form_as(&format!("{path}/reply"), &marc, &reply)
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(
        app.store
            .thread_messages(thread)
            .await
            .expect("messages")
            .len()
            == 1
    );
    // A wrong CSRF token changes nothing either.
    let forged = app
        .post_form_as(&format!("{path}/release"), &lina, &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(app
        .store
        .thread(thread)
        .await
        .expect("read")
        .expect("thread")
        .claim
        .is_some());
    // Released, it is Marc's to take.
    let released = app
        .post_form_as(&format!("{path}/release"), &lina, &[("csrf", &lina_csrf)])
        .await;
    assert_eq!(released.status(), StatusCode::SEE_OTHER);
    let claimed = app
        .post_form_as(&format!("{path}/claim"), &marc, &[("csrf", &marc_csrf)])
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    // An unknown or malformed thread id is a plain 404.
    for bad in [
        "/listener/inbox/nope",
        "/listener/inbox/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11",
    ] {
        assert_eq!(
            app.get_as(bad, &lina).await.status(),
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn guessing_codes_is_slowed_for_everyone_and_per_first_word() {
    let mut config = fast_config();
    config.written.code_check_burst = 4;
    config.written.code_checks_per_minute = 1;
    let app = spawn_app(config).await;
    let (_, code) = write(&app, "Bonjour").await;
    let first = code.split(' ').next().expect("word").to_owned();
    // Wrong codes that share the first word (a guesser working on one prefix).
    let rest = "abaisser abandon abdiquer abeille abolir aborder aboutir";
    for _ in 0..3 {
        let guess = format!("{first} {rest}");
        assert_eq!(
            post(&app, "/write/thread", &[("code", &guess)])
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
    }
    // The global budget (4, the opening included) is spent: everyone waits a little.
    let limited = post(&app, "/write/thread", &[("code", &code)]).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    // A malformed code costs nothing from the budget and says so at once.
    assert_eq!(
        post(&app, "/write/thread", &[("code", "x")]).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn a_first_word_tried_too_often_waits_whatever_the_rest() {
    let app = spawn_app(fast_config()).await;
    let (_, code) = write(&app, "Bonjour").await;
    let first = code.split(' ').next().expect("word").to_owned();
    let rest = "abaisser abandon abdiquer abeille abolir aborder aboutir";
    for _ in 0..5 {
        let guess = format!("{first} {rest}");
        assert_eq!(
            post(&app, "/write/thread", &[("code", &guess)])
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
    }
    // Now even the right code with that first word is refused without a check, for a while
    // (the person is told to check the words; an hour without tries starts afresh).
    assert_eq!(
        post(&app, "/write/thread", &[("code", &code)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let metrics = app
        .http()
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("written_code_misses_total 5"), "{metrics}");
}

#[tokio::test]
async fn a_campaign_counts_the_written_door_and_nothing_identifying_is_kept() {
    let app = spawn_app(fast_config()).await;
    let today = Day::of(now());
    app.declare_campaign("fb-2017-11", 30).await;
    let identifying = [
        ("user-agent", "Mozilla/5.0 (Identifying-Agent-4412)"),
        ("x-forwarded-for", "203.0.113.58"),
        ("forwarded", "for=198.51.100.71"),
        ("x-real-ip", "192.0.2.188"),
    ];
    let mut get = app.http().get(app.url("/write?c=fb-2017-11"));
    for (k, v) in identifying {
        get = get.header(k, v);
    }
    let page = get.send().await.expect("GET").text().await.expect("html");
    let token = hidden_field(&page, "token").expect("token");
    assert_eq!(
        hidden_field(&page, "campaign").as_deref(),
        Some("fb-2017-11")
    );
    let mut form = app
        .http()
        .post(app.url("/write"))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("token", token.as_str()),
            ("text", "Bonjour"),
            ("campaign", "fb-2017-11"),
        ]);
    for (k, v) in identifying {
        form = form.header(k, v);
    }
    let opened = form.send().await.expect("POST");
    assert_eq!(opened.status(), StatusCode::OK);
    let code = shown_code(&opened.text().await.expect("html"));
    // From the campaign page's door: the view was counted there.
    let via = app.page("/write?via=fb-2017-11").await;
    assert_eq!(
        hidden_field(&via, "campaign").as_deref(),
        Some("fb-2017-11")
    );
    app.state.app.flush_campaign_counts().await.expect("flush");
    let counts = app
        .state
        .app
        .campaign_counts(today, today)
        .await
        .expect("counts");
    assert!(
        counts.contains(&count(
            Some("fb-2017-11"),
            today,
            CampaignEvent::PageView,
            1
        )),
        "{counts:?}"
    );
    assert!(
        counts.contains(&count(
            Some("fb-2017-11"),
            today,
            CampaignEvent::MessageWritten,
            1
        )),
        "{counts:?}"
    );

    let dump = format!("{:?}", app.store.export_all().await.expect("export"));
    for (_, value) in identifying {
        for needle in [value, value.trim_start_matches("for=")] {
            assert!(!dump.contains(needle), "{needle} reached the database");
        }
    }
    for word in code.split(' ') {
        assert!(
            !dump.contains(&format!(" {word} ")),
            "the code is stored only as a hash"
        );
    }
}
