//! Joining the queue: cross-site joins are refused, and joins share one global budget that
//! identifies nobody (time moved by the test's clock, never slept).

mod common;

use common::{fast_config, now, spawn_app, spawn_app_with_clock};
use ecoute_web::ManualClock;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

async fn join(
    app: &common::TestApp,
    headers: &[(&str, &str)],
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut request = app.http().post(app.url("/api/contacts"));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let r = request.send().await.expect("POST /api/contacts");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.json().await.expect("json"), headers)
}

/// People waiting in the queue.
async fn waiting(app: &common::TestApp) -> usize {
    let centre = ecoute_domain::CentreId::DEFAULT;
    app.store.waiting(centre).await.expect("waiting").len()
}

#[tokio::test]
async fn joins_from_another_site_are_refused() {
    let mut config = fast_config();
    config.public_url = "https://ecoute.example.org".into();
    let app = spawn_app(config).await;
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("origin", "http://ecoute.example.org")],
        vec![("origin", "https://ecoute.example.org:8443")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://ecoute.example.org"),
        ],
    ] {
        let (status, body, _) = join(&app, &headers).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("cross_site")),
            "{headers:?}"
        );
    }
    for headers in [
        vec![],
        vec![("origin", "https://ecoute.example.org")],
        vec![("origin", "https://ECOUTE.example.org:443")],
        vec![("sec-fetch-site", "same-origin")],
    ] {
        let (status, body, _) = join(&app, &headers).await;
        assert_eq!(status, 201, "{headers:?}: {body}");
    }
    // Only the four accepted joins are waiting.
    assert_eq!(waiting(&app).await, 4);
}

#[tokio::test]
async fn joins_beyond_the_budget_wait_their_turn() {
    let mut config = fast_config();
    config.chat.joins_per_minute = 60;
    config.chat.join_burst = 3;
    let clock = Arc::new(ManualClock::new(now()));
    let app = spawn_app_with_clock(config, clock.clone()).await;
    for _ in 0..3 {
        assert_eq!(join(&app, &[]).await.0, 201);
    }
    let (status, body, headers) = join(&app, &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("rate_limited"))
    );
    assert_eq!(headers["retry-after"], "1");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));

    // One join a second comes back with the clock.
    clock.advance(Duration::from_millis(999));
    assert_eq!(join(&app, &[]).await.0, 429);
    clock.advance(Duration::from_millis(1));
    assert_eq!(join(&app, &[]).await.0, 201);
    assert_eq!(join(&app, &[]).await.0, 429);
    // Refused joins took no place in the queue.
    assert_eq!(waiting(&app).await, 4);
}
