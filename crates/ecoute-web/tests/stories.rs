//! The campaign page through real HTTP: three stories, their reveal, compressed and small;
//! its campaign link counts the view and the reveals, and hands the code on to the door
//! without counting the view twice.

mod common;

use common::{campaign_count as count, fast_config, now, spawn_app};
use ecoute_domain::{CampaignEvent, Day};
use flate2::read::GzDecoder;
use std::io::Read;

fn inflate(bytes: &[u8]) -> String {
    let mut out = String::new();
    GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .expect("valid gzip");
    out
}

#[tokio::test]
async fn three_stories_each_with_its_reveal_compressed_and_under_100_kb() {
    let app = spawn_app(fast_config()).await;
    let plain = app
        .http()
        .get(app.url("/stories"))
        .send()
        .await
        .expect("GET");
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.headers()["cache-control"], "no-store");
    assert!(plain.headers().get("content-encoding").is_none());
    let html = plain.text().await.expect("html");
    assert!(
        html.contains("Tout le bonheur du monde… en apparence"),
        "{html}"
    );
    for name in ["Hanna, 26 ans", "Antoine, 41 ans", "Henri, 72 ans"] {
        assert!(html.contains(name), "{name}");
    }
    // Each reveal is a real control: a <details> with its summary, and behind it the hidden
    // story and the door to talk.
    assert_eq!(html.matches(r#"<details class="reveal""#).count(), 3);
    assert_eq!(
        html.matches("<summary>Voir derrière les apparences</summary>")
            .count(),
        3
    );
    assert!(html.contains("Depuis sa rupture"));
    assert!(
        html.matches(r#"class="button primary big door-talk" href="/""#)
            .count()
            >= 3
    );
    // Original illustrations, inline: nothing fetched from anywhere else.
    assert_eq!(html.matches("<svg").count(), 6);
    for external in [
        r#"src="http"#,
        r#"src="//"#,
        r#"stylesheet" href="http"#,
        "url(http",
    ] {
        assert!(!html.contains(external), "an external asset: {external}");
    }

    let english = app.page("/stories?lang=en").await;
    assert!(english.contains("All the happiness in the world… on the surface"));
    assert!(english.contains("Hanna, 26<") && english.contains("Since her break-up"));
    assert!(
        english.contains(r#"href="/?lang=en""#),
        "the door keeps the language"
    );

    // Compressed for those who accept it: the same page, a fraction of the bytes. The page
    // and everything it loads stay under 100 KB.
    let mut total = 0;
    for path in [
        "/stories",
        "/static/ecoute.css",
        "/static/stories.js",
        "/static/quick-exit.js",
        "/static/favicon.svg",
    ] {
        let gz = app
            .http()
            .get(app.url(path))
            .header("accept-encoding", "gzip, deflate, br")
            .send()
            .await
            .expect("GET");
        assert_eq!(gz.status(), 200, "{path}");
        assert_eq!(gz.headers()["vary"], "accept-encoding", "{path}");
        let encoded = gz.headers().get("content-encoding").cloned();
        let bytes = gz.bytes().await.expect("body");
        total += bytes.len();
        if path == "/stories" {
            assert_eq!(encoded.expect("gzip"), "gzip");
            assert!(
                bytes.len() * 2 < html.len(),
                "{} of {}",
                bytes.len(),
                html.len()
            );
            assert_eq!(inflate(&bytes), html);
        }
    }
    assert!(total < 100 * 1024, "the page weighs {total} bytes");
}

#[tokio::test]
async fn a_campaign_link_counts_the_view_and_the_reveals_once_each() {
    let app = spawn_app(fast_config()).await;
    let today = Day::of(now());
    app.declare_campaign("fb-2017-11", 30).await;
    let identifying = [
        ("user-agent", "Mozilla/5.0 (Identifying-Agent-4410)"),
        ("x-forwarded-for", "203.0.113.91"),
    ];
    let mut view = app.http().get(app.url("/stories?c=fb-2017-11"));
    for (k, v) in identifying {
        view = view.header(k, v);
    }
    let html = view.send().await.expect("GET").text().await.expect("html");
    // The page is the same for everyone: the code is not written into it.
    assert!(!html.contains("fb-2017-11"));

    for _ in 0..2 {
        let mut reveal = app.http().post(app.url("/api/reveals?c=fb-2017-11"));
        for (k, v) in identifying {
            reveal = reveal.header(k, v);
        }
        assert_eq!(reveal.send().await.expect("POST").status(), 204);
    }
    // Another site cannot count.
    let forged = app
        .http()
        .post(app.url("/api/reveals?c=fb-2017-11"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("POST");
    assert_eq!(forged.status(), 403);
    // The door: the chat page names the campaign for the join, without a second view.
    let door = app.page("/?via=fb-2017-11").await;
    assert!(door.contains(r#"data-campaign="fb-2017-11""#));

    let counts = app
        .state
        .app
        .campaign_counts(today, today)
        .await
        .expect("counts");
    assert_eq!(
        counts,
        vec![
            count(Some("fb-2017-11"), today, CampaignEvent::PageView, 1),
            count(Some("fb-2017-11"), today, CampaignEvent::Reveal, 2),
        ]
    );
    let dump = format!("{:?}", app.store.export_all().await.expect("export"));
    for (header, value) in identifying {
        assert!(!dump.contains(value), "{header} was stored");
    }
}
