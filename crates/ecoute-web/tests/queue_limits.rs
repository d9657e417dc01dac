//! The queue's limits over real HTTP: `chat.max_waiting` under a burst of joins, and joins
//! whose page never connects.

mod common;

use common::{fast_config, spawn_app};
use ecoute_domain::{CentreId, ContactId, ContactState, EndReason};
use serde_json::Value;
use std::time::{Duration, Instant};

/// How long a test waits for the sweeper before failing.
const SWEEP_WAIT: Duration = Duration::from_secs(20);

/// Twenty joins at once against a maximum of three: three are queued, the others get the
/// documented `503 queue_full`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn max_waiting_holds_under_a_burst_of_joins() {
    let mut config = fast_config();
    config.chat.max_waiting = 3;
    let app = spawn_app(config).await;
    let joins: Vec<_> = (0..20)
        .map(|_| {
            let (http, url) = (app.http(), app.url("/api/contacts"));
            tokio::spawn(async move { http.post(url).send().await.expect("POST /api/contacts") })
        })
        .collect();
    let (mut created, mut full) = (0, 0);
    for join in joins {
        let response = join.await.expect("task");
        match response.status().as_u16() {
            201 => created += 1,
            503 => {
                let body: Value = response.json().await.expect("json");
                assert_eq!(body["error"], "queue_full", "{body}");
                full += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((created, full), (3, 17));
    let waiting = app.store.waiting(CentreId::DEFAULT).await.expect("waiting");
    assert_eq!(waiting.len(), 3);
}

/// The value of counter `name` in the server's metrics, if it is there.
async fn counter(app: &common::TestApp, name: &str) -> Option<f64> {
    let body = app
        .http()
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("text");
    body.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// A join whose page never says `hello` leaves the queue after `chat.hello_grace_seconds`,
/// ended as never connected and counted apart from the people; a person who did connect
/// stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_that_never_connects_leaves_the_queue() {
    let mut config = fast_config();
    config.chat.hello_grace_seconds = 1;
    let app = spawn_app(config).await;
    let present = app.person().await;
    let created: Value = app
        .http()
        .post(app.url("/api/contacts"))
        .send()
        .await
        .expect("POST /api/contacts")
        .json()
        .await
        .expect("json");
    let ghost: ContactId = created["contact_id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("contact id");

    const SWEPT: &str = "ecoute_contacts_never_connected_total";
    let deadline = Instant::now() + SWEEP_WAIT;
    // The sweeper counts once it has committed: when the count is there, so is the end.
    while counter(&app, SWEPT).await != Some(1.0) {
        assert!(Instant::now() < deadline, "the ghost was not swept");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let waiting = app.store.waiting(CentreId::DEFAULT).await.expect("waiting");
    assert_eq!(waiting.len(), 1, "the connected person stays: {waiting:?}");
    assert_eq!(waiting[0].id.to_string(), present.contact_id);
    let gone = app
        .store
        .contact(ghost)
        .await
        .expect("read")
        .expect("ghost");
    assert_eq!(
        gone.state,
        ContactState::Ended {
            reason: EndReason::NeverConnected
        }
    );
    assert_eq!(
        gone.wait_seconds, None,
        "not counted as a person who waited"
    );
}
