//! Attribution without tracking, through real HTTP: a campaign's link (`?c=CODE`) counts the
//! page view and the conversation started under its code; anything else counts as no
//! campaign; and nothing about the person — address, user agent, forwarded-for headers —
//! reaches the database.

mod common;

use common::{campaign_count as count, fast_config, now, spawn_app};
use ecoute_domain::{CampaignCount, CampaignEvent, Day};
use ecoute_protocol::{PersonIn, PersonOut};
use ecoute_testkit::expect_frame;

#[tokio::test]
async fn a_campaign_link_counts_its_views_and_conversations_and_nothing_else() {
    let app = spawn_app(fast_config()).await;
    let today = Day::of(now());
    app.declare_campaign("fb-2017-11", 30).await;
    // What a person's browser sends, and what a proxy adds: none of it may be kept.
    let identifying = [
        ("user-agent", "Mozilla/5.0 (Identifying-Agent-7731)"),
        ("x-forwarded-for", "203.0.113.77"),
        ("forwarded", "for=198.51.100.23"),
        ("x-real-ip", "192.0.2.144"),
    ];
    let get = |path: &str| {
        let mut request = app.http().get(app.url(path));
        for (k, v) in identifying {
            request = request.header(k, v);
        }
        request.send()
    };

    let page = get("/?c=FB-2017-11").await.expect("GET");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains(r#"data-campaign="fb-2017-11""#),
        "the page hands the code on to the join"
    );
    for path in ["/?c=made-up", "/?c=%3Cscript%3E", "/", "/?lang=en"] {
        let page = get(path).await.expect("GET");
        assert_eq!(page.status(), 200, "{path}");
        let html = page.text().await.expect("html");
        assert!(!html.contains("data-campaign"), "{path}");
    }

    let mut join = app.http().post(app.url("/api/contacts?c=fb-2017-11"));
    for (k, v) in identifying {
        join = join.header(k, v);
    }
    assert_eq!(join.send().await.expect("POST").status(), 201);
    let plain = app.http().post(app.url("/api/contacts?c=nope"));
    assert_eq!(plain.send().await.expect("POST").status(), 201);

    let counts = app
        .state
        .app
        .campaign_counts(today, today)
        .await
        .expect("counts");
    assert_eq!(
        counts,
        vec![
            count(None, today, CampaignEvent::ConversationStarted, 1),
            count(None, today, CampaignEvent::PageView, 4),
            count(
                Some("fb-2017-11"),
                today,
                CampaignEvent::ConversationStarted,
                1
            ),
            count(Some("fb-2017-11"), today, CampaignEvent::PageView, 1),
        ]
    );

    // Nothing identifying anywhere in the database.
    let dump = format!("{:?}", app.store.export_all().await.expect("export"));
    for (header, value) in identifying {
        for needle in [value, value.trim_start_matches("for=")] {
            assert!(
                !dump.contains(needle),
                "{header} value {needle:?} was stored"
            );
        }
    }
    assert!(
        !dump.contains("127.0.0.1"),
        "the client's address was stored"
    );
}

/// The person's messages count under the campaign their page's `hello` names, once each
/// (a resend is the same message); an undeclared campaign counts as none.
#[tokio::test]
async fn messages_count_under_the_campaign_of_the_hello() {
    let app = spawn_app(fast_config()).await;
    let today = Day::of(now());
    app.state
        .app
        .declare_campaign("tv", "Télévision", today, today)
        .await
        .expect("declare");
    for (campaign, messages) in [(Some("TV"), 2), (Some("unknown"), 1), (None, 1)] {
        let joined = app.join().await;
        let mut ws = app.person_ws().await;
        ws.send(PersonIn::Hello {
            token: joined.token,
            last_seq: 0,
            campaign: campaign.map(str::to_owned),
        })
        .await;
        expect_frame!(ws, PersonOut::Welcome { .. });
        for n in 0..messages {
            for _attempt in 0..2 {
                ws.send(PersonIn::Send {
                    id: format!("m{n}"),
                    body: "Bonsoir".into(),
                })
                .await;
                expect_frame!(ws, PersonOut::Ack { .. });
            }
        }
    }
    let written: Vec<CampaignCount> = app
        .state
        .app
        .campaign_counts(today, today)
        .await
        .expect("counts")
        .into_iter()
        .filter(|c| c.event == CampaignEvent::MessageWritten)
        .collect();
    assert_eq!(
        written,
        vec![
            count(None, today, CampaignEvent::MessageWritten, 2),
            count(Some("tv"), today, CampaignEvent::MessageWritten, 2),
        ]
    );
}

/// The campaigns page: administrators declare a campaign with the form and see what it
/// brought; bad and repeated declarations are refused in the page's words, with what was
/// typed kept; other roles are refused.
#[tokio::test]
async fn administrators_declare_and_read_campaigns_on_their_page() {
    let app = spawn_app(fast_config()).await;
    app.add_user("root", "admin").await;
    app.add_user("lea", "listener").await;
    let admin = app.login("root", common::PASSWORD).await.expect("login");
    let page = app.get_as("/admin/campaigns", &admin).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Aucune campagne"), "{html}");
    let csrf = common::hidden_field(&html, "csrf").expect("csrf field");

    let today = Day::of(now());
    let (from, to) = (today.plus(-1).iso(), today.plus(8).iso());
    let declare = |code: &'static str, from: String, to: String| {
        let csrf = csrf.clone();
        let admin = admin.clone();
        let app = &app;
        async move {
            let r = app
                .post_form_as(
                    "/admin/campaigns",
                    &admin,
                    &[
                        ("csrf", csrf.as_str()),
                        ("code", code),
                        ("name", "Campagne d'hiver"),
                        ("from", from.as_str()),
                        ("to", to.as_str()),
                    ],
                )
                .await;
            (r.status().as_u16(), r.text().await.expect("html"))
        }
    };
    let (status, html) = declare("hiver-2026", from.clone(), to.clone()).await;
    assert_eq!(status, 201, "{html}");
    assert!(html.contains("Campagne déclarée"), "{html}");
    assert!(html.contains("/?c=hiver-2026"), "the page gives the link");
    assert!(
        html.contains("/stories?c=hiver-2026"),
        "and the campaign page's link"
    );

    for (code, first, last, status, words) in [
        ("hiver-2026", &from, &to, 409, "déjà le code « hiver-2026 »"),
        ("hiver 2026", &from, &to, 422, "lettres sans accent"),
        ("ete", &to, &from, 422, "ne peut pas précéder"),
    ] {
        let (got, html) = declare(code, first.clone(), last.clone()).await;
        assert_eq!(got, status, "{code}: {html}");
        assert!(html.contains(words), "{code}: {html}");
        assert!(
            html.contains(&format!(r#"value="{code}""#)),
            "what was typed is kept"
        );
    }
    let (got, html) = declare("ete", "2026-02-30".into(), to.clone()).await;
    assert_eq!(got, 422);
    assert!(html.contains("AAAA-MM-JJ"), "{html}");
    let forged = app
        .post_form_as(
            "/admin/campaigns",
            &admin,
            &[
                ("csrf", "forged"),
                ("code", "x"),
                ("name", "x"),
                ("from", from.as_str()),
                ("to", to.as_str()),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);

    // A visit by the link shows in the table and the chart.
    let visit = app
        .http()
        .get(app.url("/?c=hiver-2026"))
        .send()
        .await
        .expect("GET");
    assert_eq!(visit.status(), 200);
    let join = app
        .http()
        .post(app.url("/api/contacts?c=hiver-2026"))
        .send()
        .await
        .expect("POST");
    assert_eq!(join.status(), 201);
    let html = app
        .get_as("/admin/campaigns", &admin)
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains(r#"<td class="number">1</td>"#), "{html}");
    assert!(html.contains("sur des périodes de 10 jours"), "{html}");
    assert!(html.contains("<svg"), "the chart is drawn");

    let listener = app.login("lea", common::PASSWORD).await.expect("login");
    assert_eq!(
        app.get_as("/admin/campaigns", &listener).await.status(),
        403
    );
    let anonymous = app
        .http()
        .get(app.url("/admin/campaigns"))
        .send()
        .await
        .expect("GET");
    assert_ne!(anonymous.status(), 200);
}
