//! Attribution without tracking, through real HTTP: a campaign's link (`?c=CODE`) counts the
//! page view and the conversation started under its code; anything else counts as no
//! campaign; and nothing about the person — address, user agent, forwarded-for headers —
//! reaches the database.

mod common;

use common::{fast_config, now, spawn_app};
use ecoute_domain::{CampaignCode, CampaignCount, CampaignEvent, Day};
use ecoute_protocol::{PersonIn, PersonOut};
use ecoute_testkit::expect_frame;

fn count(campaign: Option<&str>, day: Day, event: CampaignEvent, n: u64) -> CampaignCount {
    CampaignCount {
        campaign: campaign.map(|c| CampaignCode::parse(c).expect("code")),
        day,
        event,
        count: n,
    }
}

#[tokio::test]
async fn a_campaign_link_counts_its_views_and_conversations_and_nothing_else() {
    let app = spawn_app(fast_config()).await;
    let today = Day::of(now());
    app.state
        .app
        .declare_campaign("fb-2017-11", "Campagne 2017", today, today.plus(30))
        .await
        .expect("declare");
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
