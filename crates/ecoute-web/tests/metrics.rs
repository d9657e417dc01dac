//! `GET /metrics`: Prometheus figures that follow what happens, and name nobody.

mod common;

use common::{fast_config, spawn_app};
use serde_json::json;

/// The value of the sample line that starts with `series ` (exact name and labels).
fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_follow_the_queue_the_conversations_and_the_messages() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    let scrape = || async {
        let response = app
            .http()
            .get(app.url("/metrics"))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/openmetrics-text"));
        response.text().await.expect("body")
    };

    let idle = scrape().await;
    assert!(idle.ends_with("# EOF\n"), "{idle}");
    assert_eq!(sample(&idle, "ecoute_contacts_created_total"), Some(0.0));
    assert_eq!(sample(&idle, "ecoute_queue_waiting{centre=\"1\"}"), None);

    let mut listener = app.listener("camille").await;
    listener.available().await;
    let mut first = app.person().await;
    let second = app.person().await;
    let body = scrape().await;
    assert_eq!(sample(&body, "ecoute_contacts_created_total"), Some(2.0));
    assert_eq!(
        sample(&body, "ecoute_queue_waiting{centre=\"1\"}"),
        Some(2.0)
    );
    assert_eq!(
        sample(&body, "ecoute_listeners_on_duty{centre=\"1\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(&body, "ecoute_listeners_free{centre=\"1\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(&body, "ecoute_websockets{side=\"person\"}"),
        Some(2.0)
    );
    assert_eq!(
        sample(&body, "ecoute_websockets{side=\"listener\"}"),
        Some(1.0)
    );

    assert_eq!(listener.next().await, first.contact_id);
    first.ws.expect("assigned").await;
    for (i, text) in ["bonsoir", "je suis là"].iter().enumerate() {
        let id = format!("m{i}");
        first
            .ws
            .send(json!({"type": "send", "id": id, "body": text}))
            .await;
        first.ws.expect("ack").await;
    }
    // A resend is acknowledged again but committed once.
    first
        .ws
        .send(json!({"type": "send", "id": "m0", "body": "bonsoir"}))
        .await;
    first.ws.expect("ack").await;
    listener
        .ws
        .send(json!({"type": "send", "contact_id": first.contact_id, "id": "l0", "body": "oui"}))
        .await;
    listener.ws.expect("ack").await;
    drop(second);

    let body = scrape().await;
    assert_eq!(
        sample(&body, "ecoute_queue_waiting{centre=\"1\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(&body, "ecoute_conversations_active{centre=\"1\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(&body, "ecoute_listeners_free{centre=\"1\"}"),
        Some(0.0)
    );
    assert_eq!(
        sample(&body, "ecoute_messages_committed_total{author=\"person\"}"),
        Some(2.0)
    );
    assert_eq!(
        sample(
            &body,
            "ecoute_messages_committed_total{author=\"listener\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(&body, "ecoute_message_commit_seconds_count"),
        Some(3.0)
    );
    // Nobody is named: no contact id, no pseudonym, no message text.
    for private in [first.contact_id.as_str(), "Camille", "camille", "bonsoir"] {
        assert!(!body.contains(private), "{private} in\n{body}");
    }
}
