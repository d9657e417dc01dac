//! Becoming a listener through real HTTP: a candidate applies from a campaign's link; a
//! coordinator reads the pipeline (audited), moves the application stage by stage with notes
//! and training hours, and erases it on request — leaving an anonymous trace in the figures.
//! And the wrong turns: no consent, no contact, a form sent twice, another site's form, moves
//! out of order, a role outside its rights.

mod common;

use common::{campaign_count as count, fast_config, hidden_field, now, spawn_app, TestApp};
use ecoute_domain::{CampaignEvent, Day, Stage};
use reqwest::StatusCode;

fn form(token: &str, consent: bool) -> Vec<(&str, &str)> {
    let mut f = vec![
        ("token", token),
        ("name", "Camille Martin"),
        ("email", "camille@example.org"),
        ("phone", ""),
        ("city", "Lyon"),
        ("availability", "Deux soirs par semaine"),
        (
            "motivation",
            "On m'a écoutée un jour, je voudrais rendre ce temps.",
        ),
    ];
    if consent {
        f.push(("consent", "on"));
    }
    f
}

/// Posts a public form as the site's page does.
async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.post_public_form(path, form).await
}

#[tokio::test]
async fn a_candidate_applies_and_a_coordinator_follows_them_to_active_then_erases() {
    let app = spawn_app(fast_config()).await;
    let today = Day::of(now());
    app.declare_campaign("fb-2017-11", 30).await;
    let page = app.page("/volunteer?c=fb-2017-11").await;
    assert!(page.contains("J&#39;accepte que mes données soient traitées"));
    let token = hidden_field(&page, "token").expect("token");
    assert_eq!(
        hidden_field(&page, "campaign").as_deref(),
        Some("fb-2017-11")
    );
    let mut fields = form(&token, true);
    fields.push(("campaign", "fb-2017-11"));
    let sent = post(&app, "/volunteer", &fields).await;
    assert_eq!(sent.status(), StatusCode::OK);
    assert!(sent
        .text()
        .await
        .expect("html")
        .contains("Votre candidature est reçue."));
    // The same form again: one application.
    assert_eq!(
        post(&app, "/volunteer", &fields).await.status(),
        StatusCode::OK
    );
    let all = app.store.applications().await.expect("list");
    assert_eq!(all.len(), 1);
    let id = all[0].id;

    app.add_user("coord", "coordinator").await;
    let cookie = app.login("coord", common::PASSWORD).await.expect("login");
    let login = app.login_response("coord", common::PASSWORD).await;
    assert_eq!(
        login.headers()["location"],
        "/admin/volunteers",
        "a coordinator lands on the pipeline"
    );
    let pipeline = app.get_as("/admin/volunteers", &cookie).await;
    assert_eq!(pipeline.status(), StatusCode::OK);
    let pipeline = pipeline.text().await.expect("html");
    assert!(pipeline.contains("Camille Martin"));
    assert!(pipeline.contains("fb-2017-11"));
    let path = format!("/admin/volunteers/{id}");
    let file = app.get_as(&path, &cookie).await.text().await.expect("html");
    assert!(file.contains("camille@example.org"));
    let csrf = hidden_field(&file, "csrf").expect("csrf");

    // Out of order: refused, nothing moves.
    let skip = app
        .post_form_as(
            &format!("{path}/move"),
            &cookie,
            &[("csrf", &csrf), ("to", "training")],
        )
        .await;
    assert_eq!(skip.status(), StatusCode::CONFLICT);
    assert!(skip
        .text()
        .await
        .expect("html")
        .contains("Une candidature avance d&#39;une étape à la fois"));
    for stage in [
        Stage::FirstInterview,
        Stage::PsychologistInterview,
        Stage::CommitteeDecision,
        Stage::Training,
    ] {
        let moved = app
            .post_form_as(
                &format!("{path}/move"),
                &cookie,
                &[
                    ("csrf", &csrf),
                    ("to", stage.as_str()),
                    ("note", "Entretien chaleureux"),
                ],
            )
            .await;
        assert_eq!(moved.status(), StatusCode::SEE_OTHER, "{stage:?}");
        assert_eq!(
            moved.headers()["location"].to_str().expect("location"),
            format!("{path}?done=moved")
        );
    }
    let hours = app
        .post_form_as(
            &format!("{path}/training"),
            &cookie,
            &[("csrf", &csrf), ("hours", "2,5")],
        )
        .await;
    assert_eq!(hours.status(), StatusCode::SEE_OTHER);
    let bad_hours = app
        .post_form_as(
            &format!("{path}/training"),
            &cookie,
            &[("csrf", &csrf), ("hours", "abc")],
        )
        .await;
    assert_eq!(bad_hours.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for stage in [Stage::SupervisedListening, Stage::Probation] {
        let moved = app
            .post_form_as(
                &format!("{path}/move"),
                &cookie,
                &[("csrf", &csrf), ("to", stage.as_str())],
            )
            .await;
        assert_eq!(moved.status(), StatusCode::SEE_OTHER, "{stage:?}");
    }
    // Becoming active creates the account: not a plain move.
    let plain = app
        .post_form_as(
            &format!("{path}/move"),
            &cookie,
            &[("csrf", &csrf), ("to", "active")],
        )
        .await;
    assert_eq!(plain.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let taken = app
        .post_form_as(
            &format!("{path}/activate"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("username", "coord"),
                ("pseudonym", "Camille"),
            ],
        )
        .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert!(taken
        .text()
        .await
        .expect("html")
        .contains("L&#39;identifiant coord est pris"));
    let activated = app
        .post_form_as(
            &format!("{path}/activate"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("username", "camille"),
                ("pseudonym", "Camille"),
            ],
        )
        .await;
    assert_eq!(activated.status(), StatusCode::OK);
    let html = activated.text().await.expect("html");
    let start =
        html.find(r#"id="setup-link">"#).expect("the link is shown") + r#"id="setup-link">"#.len();
    let link = html[start..start + html[start..].find('<').expect("end")].to_owned();
    // The link is built on `public_url` (here the default, not this test server's port).
    assert!(
        link.starts_with("http://localhost:8080/welcome?token="),
        "{link}"
    );
    let welcome = link["http://localhost:8080".len()..].to_owned();
    assert!(welcome.starts_with("/welcome?token="), "{welcome}");
    let token = welcome["/welcome?token=".len()..].to_owned();
    let page = app.page(&welcome).await;
    assert!(page.contains("Bienvenue, Camille"), "{page}");
    let set = |password: &'static str, confirm: &'static str| {
        let token = token.clone();
        let app = &app;
        async move {
            app.http()
                .post(app.url("/welcome"))
                .form(&[
                    ("token", token.as_str()),
                    ("password", password),
                    ("confirm", confirm),
                ])
                .send()
                .await
                .expect("POST")
        }
    };
    assert_eq!(
        set("correct horse battery staple", "other").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        set("short", "short").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let done = set(
        "correct horse battery staple",
        "correct horse battery staple",
    )
    .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], "/login");
    assert_eq!(
        set("another long password", "another long password")
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "once"
    );
    assert_eq!(
        app.http()
            .get(app.url(&welcome))
            .send()
            .await
            .expect("GET")
            .status(),
        StatusCode::NOT_FOUND
    );
    // Once the password is set, a coordinator cannot make a link to the account any more.
    let relink = app
        .post_form_as(&format!("{path}/link"), &cookie, &[("csrf", &csrf)])
        .await;
    assert_eq!(relink.status(), StatusCode::CONFLICT);
    let landed = app
        .login_response("camille", "correct horse battery staple")
        .await;
    assert_eq!(
        landed.headers()["location"],
        "/listener",
        "the new listener logs in"
    );
    let file = app
        .get_as(&format!("{path}?done=moved"), &cookie)
        .await
        .text()
        .await
        .expect("html");
    assert!(file.contains("Étape enregistrée."));
    assert!(
        file.contains(r#"<dd id="current-stage">Écoutant actif</dd>"#),
        "{file}"
    );
    assert!(file.contains("<dd>2.50</dd>"), "training hours");
    assert!(file.contains("2.50 h de formation"));
    let application = app.store.application(id).await.expect("read").expect("app");
    assert_eq!(application.stage, Stage::Active);
    assert_eq!(application.training_minutes, 150);
    // Every read is audited: the list once, the file each time.
    let reads = app.store.personal_reads(id, 50).await.expect("reads");
    assert!(reads.len() >= 2, "{reads:?}");

    // The candidate asks to be erased.
    let unticked = app
        .post_form_as(&format!("{path}/erase"), &cookie, &[("csrf", &csrf)])
        .await;
    assert_eq!(unticked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let erased = app
        .post_form_as(
            &format!("{path}/erase"),
            &cookie,
            &[("csrf", &csrf), ("confirm", "on")],
        )
        .await;
    assert_eq!(erased.status(), StatusCode::SEE_OTHER);
    let trace = app
        .store
        .application(id)
        .await
        .expect("read")
        .expect("trace");
    assert_eq!(trace.candidate, None);
    let dump = format!("{:?}", app.store.export_all().await.expect("export"));
    for personal in [
        "Camille Martin",
        "camille@example.org",
        "Deux soirs",
        "Entretien chaleureux",
    ] {
        assert!(!dump.contains(personal), "{personal} survived the erasure");
    }
    let pipeline = app
        .get_as("/admin/volunteers", &cookie)
        .await
        .text()
        .await
        .expect("html");
    assert!(
        pipeline.contains("1 candidature a été effacée"),
        "{pipeline}"
    );
    assert!(
        pipeline.contains("<th scope=\"row\">fb-2017-11</th><td>1</td><td>1</td><td>1</td>"),
        "{pipeline}"
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
            CampaignEvent::Application,
            1
        )),
        "{counts:?}"
    );
}

#[tokio::test]
async fn a_form_without_consent_or_contact_is_refused_with_its_reason_and_kept() {
    let app = spawn_app(fast_config()).await;
    let page = app.page("/volunteer?lang=en").await;
    let token = hidden_field(&page, "token").expect("token");
    let refused = post(&app, "/volunteer?lang=en", &form(&token, false)).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.expect("html");
    assert!(html.contains("Tick the box to agree to the processing of your data"));
    assert!(
        html.contains(r#"value="Camille Martin""#),
        "what was typed stays"
    );
    let mut no_contact = form(&token, true);
    no_contact[2] = ("email", "");
    let refused = post(&app, "/volunteer?lang=en", &no_contact).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text()
        .await
        .expect("html")
        .contains("Give an e-mail address or a telephone number"));
    let bad = post(&app, "/volunteer", &form("not-a-token", true)).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let cross = app
        .http()
        .post(app.url("/volunteer"))
        .header("sec-fetch-site", "cross-site")
        .form(&form(&token, true))
        .send()
        .await
        .expect("POST");
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    assert!(app.store.applications().await.expect("list").is_empty());

    // Listeners and the communication team read nothing of the candidates.
    for role in ["listener", "communication"] {
        app.add_user(role, role).await;
        let cookie = app.login(role, common::PASSWORD).await.expect("login");
        assert_eq!(
            app.get_as("/admin/volunteers", &cookie).await.status(),
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
}

#[tokio::test]
async fn applications_are_bounded_for_everyone() {
    let mut config = fast_config();
    config.volunteer.application_burst = 2;
    config.volunteer.applications_per_minute = 1;
    let app = spawn_app(config).await;
    for i in 0..2 {
        let token = uuid::Uuid::new_v4().simple().to_string();
        assert_eq!(
            post(&app, "/volunteer", &form(&token, true)).await.status(),
            StatusCode::OK,
            "{i}"
        );
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let limited = post(&app, "/volunteer", &form(&token, true)).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
}
