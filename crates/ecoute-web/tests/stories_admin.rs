//! Editing the campaign page's stories through real HTTP: the communication role edits and
//! the page shows the edit at once, in both languages; bad edits save nothing and keep what
//! was typed; the role never reaches a conversation; listeners never edit.

mod common;

use common::{fast_config, hidden_field, spawn_app, PASSWORD};

/// A full edit of Hanna's story, with `fr_hidden` as given.
fn edit<'a>(csrf: &'a str, fr_hidden: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("fr_name", "Hanna, 27 ans"),
        ("fr_facade", "Toujours la première\r\n au club."),
        ("fr_hidden", fr_hidden),
        ("en_name", "Hanna, 27"),
        ("en_facade", "Always first at the club."),
        ("en_hidden", "Nobody asks her how she is."),
    ]
}

#[tokio::test]
async fn the_communication_role_edits_a_story_and_the_page_shows_it() {
    let app = spawn_app(fast_config()).await;
    app.add_user("com", "communication").await;
    let com = app.login("com", PASSWORD).await.expect("login");
    let page = app.get_as("/admin/stories", &com).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("Hanna, 26 ans") && html.contains("Henri, 72"),
        "{html}"
    );
    assert!(
        !html.contains(r#"href="/listener"#),
        "no workspace link for this role"
    );
    let csrf = hidden_field(&html, "csrf").expect("csrf");
    // The campaign page before, so that its cached copy must be replaced.
    let before = app
        .http()
        .get(app.url("/stories"))
        .send()
        .await
        .expect("GET");
    assert!(before.text().await.expect("html").contains("Hanna, 26 ans"));

    let saved = app
        .post_form_as(
            "/admin/stories/hanna",
            &com,
            &edit(&csrf, "Elle se tait <b>tout</b> le temps."),
        )
        .await;
    assert_eq!(saved.status(), 200);
    let html = saved.text().await.expect("html");
    assert!(
        html.contains("Histoire enregistrée et publiée : Hanna, 27 ans."),
        "{html}"
    );
    let page = app.page("/stories").await;
    assert!(page.contains("Hanna, 27 ans"));
    assert!(
        page.contains("Toujours la première au club."),
        "one paragraph"
    );
    assert!(
        page.contains("Elle se tait &#60;b&#62;tout&#60;/b&#62; le temps."),
        "escaped"
    );
    assert!(!page.contains("Hanna, 26 ans"));
    let english = app.page("/stories?lang=en").await;
    assert!(english.contains("Nobody asks her how she is."));
    assert!(
        english.contains("Antoine, 41<"),
        "the other stories stay as shipped"
    );

    // An empty or too long part saves nothing and keeps what was typed.
    let long = "é".repeat(601);
    for (hidden, status, words) in [
        (
            "   ",
            422,
            "Chaque partie de l&#39;histoire doit être écrite",
        ),
        (long.as_str(), 422, "600 caractères au plus"),
    ] {
        let refused = app
            .post_form_as("/admin/stories/hanna", &com, &edit(&csrf, hidden))
            .await;
        assert_eq!(refused.status(), status);
        let html = refused.text().await.expect("html");
        assert!(html.contains(words), "{html}");
        assert!(
            html.contains("Toujours la première\r\n au club."),
            "as typed"
        );
    }
    let unknown = app
        .post_form_as("/admin/stories/zoe", &com, &edit(&csrf, "x"))
        .await;
    assert_eq!(unknown.status(), 404);
    let forged = app
        .post_form_as("/admin/stories/hanna", &com, &edit("not-the-token", "x"))
        .await;
    assert_eq!(forged.status(), 403);
    let page = app.page("/stories").await;
    assert!(
        page.contains("Elle se tait &#60;b&#62;tout&#60;/b&#62; le temps."),
        "unchanged"
    );
}

#[tokio::test]
async fn each_role_reaches_what_it_may_and_no_more() {
    let app = spawn_app(fast_config()).await;
    app.add_user("com", "communication").await;
    app.add_user("lea", "listener").await;
    app.add_user("root", "admin").await;
    let com = app.login("com", PASSWORD).await.expect("login");
    let lea = app.login("lea", PASSWORD).await.expect("login");
    let root = app.login("root", PASSWORD).await.expect("login");
    for (who, path, status) in [
        (&com, "/listener", 403),
        (&com, "/admin/users", 403),
        (&com, "/admin/campaigns", 200),
        (&com, "/admin/stories", 200),
        (&lea, "/admin/stories", 403),
        (&lea, "/admin/campaigns", 403),
        (&lea, "/listener", 200),
        (&root, "/admin/stories", 200),
    ] {
        let r = app.get_as(path, who).await;
        assert_eq!(r.status(), status, "{path}");
    }
    // Nor its socket: the communication role never reads a conversation.
    let socket = app
        .try_ws(
            "/ws/listener",
            Some(&com),
            Some(&format!("http://{}", app.addr)),
        )
        .await
        .err();
    match socket {
        Some(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403)
        }
        other => panic!("the socket opened or failed otherwise: {other:?}"),
    }
    let lea_page = app
        .get_as("/listener", &lea)
        .await
        .text()
        .await
        .expect("html");
    let csrf = hidden_field(&lea_page, "csrf").expect("csrf");
    let refused = app
        .post_form_as("/admin/stories/hanna", &lea, &edit(&csrf, "x"))
        .await;
    assert_eq!(refused.status(), 403);
    // Logging in, the communication role lands on the stories.
    let landing = app.login_response("com", PASSWORD).await;
    assert_eq!(landing.status(), 303);
    assert_eq!(landing.headers()["location"], "/admin/stories");
}
