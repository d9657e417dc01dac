//! PostgreSQL only: the LISTEN/NOTIFY event bus between two instances (two pools, as two
//! processes would have), on a channel and schema of each test's own. Runs when
//! `ECOUTE_TEST_POSTGRES_URL` is set, like tests/postgres.rs.

use ecoute_domain::{Author, CentreId, ContactId, Event, MessageEvent, Topic};
use ecoute_store::bus_postgres::{PgBus, STORED_PAYLOAD_TTL_MS};
use ecoute_store::postgres::PgStore;
use ecoute_store::EventBus;
use ecoute_store_conformance::pg::{server_url, Schema};
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::TryRecvError};

const TOPIC: Topic = Topic::Centre(CentreId::DEFAULT);
const PATIENCE: Duration = Duration::from_secs(10);

/// Two buses on one database, each with its own pool, and the schema they live in.
struct Instances {
    a: PgBus,
    b: PgBus,
    channel: String,
    schema: Schema,
}

async fn two_instances() -> Option<Instances> {
    let schema = Schema::new(server_url()?).await;
    // The store's migrations create the bus's table.
    PgStore::connect_with(schema.options.clone())
        .await
        .expect("migrate")
        .close()
        .await;
    let channel = format!("ecoute_test_{}", uuid::Uuid::new_v4().simple());
    let mut buses = Vec::new();
    for _ in 0..2 {
        let pool = PgPoolOptions::new()
            .max_connections(3)
            .connect_with(schema.options.clone())
            .await
            .expect("pool");
        buses.push(
            PgBus::start_on_channel(pool, &channel)
                .await
                .expect("start bus"),
        );
    }
    let b = buses.pop().expect("two");
    let a = buses.pop().expect("two");
    Some(Instances {
        a,
        b,
        channel,
        schema,
    })
}

fn queue_changed(centre: i64) -> Event {
    Event::QueueChanged {
        centre: CentreId(centre),
    }
}

async fn next(rx: &mut broadcast::Receiver<std::sync::Arc<Event>>) -> Event {
    let event = tokio::time::timeout(PATIENCE, rx.recv())
        .await
        .expect("the event arrived in time")
        .expect("the bus is open");
    (*event).clone()
}

/// Each instance's subscribers get the other's events, and their own exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_see_each_others_events() {
    let Some(it) = two_instances().await else {
        return;
    };
    let mut on_a = it.a.subscribe(TOPIC);
    let mut on_b = it.b.subscribe(TOPIC);
    let mut elsewhere = it.b.subscribe(Topic::Centre(CentreId(2)));

    it.a.publish(TOPIC, queue_changed(1))
        .await
        .expect("publish");
    assert_eq!(next(&mut on_a).await, queue_changed(1));
    assert_eq!(next(&mut on_b).await, queue_changed(1));
    it.b.publish(TOPIC, queue_changed(2))
        .await
        .expect("publish");
    assert_eq!(next(&mut on_b).await, queue_changed(2));
    assert_eq!(next(&mut on_a).await, queue_changed(2));
    // One publisher's events keep their order on the other instance. The burst stays under a
    // topic's channel capacity (16): beyond it a subscriber is told it lagged, by design.
    for n in 3..15 {
        it.a.publish(TOPIC, queue_changed(n))
            .await
            .expect("publish");
    }
    for n in 3..15 {
        assert_eq!(next(&mut on_b).await, queue_changed(n));
        assert_eq!(next(&mut on_a).await, queue_changed(n));
    }

    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        matches!(on_a.try_recv(), Err(TryRecvError::Empty)),
        "an instance's own event is not delivered twice"
    );
    assert!(matches!(on_b.try_recv(), Err(TryRecvError::Empty)));
    assert!(matches!(elsewhere.try_recv(), Err(TryRecvError::Empty)));
    drop(it.schema);
}

/// An event far over NOTIFY's 8000-byte limit still arrives, whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_events_arrive() {
    let Some(it) = two_instances().await else {
        return;
    };
    let contact = ContactId::new_random();
    let topic = Topic::Contact(contact);
    let mut on_b = it.b.subscribe(topic);
    let big = Event::Message {
        message: MessageEvent {
            contact,
            seq: 1,
            author: Author::Person,
            client_id: "c1".into(),
            body: "é".repeat(20_000),
            at: 1,
            listener: None,
        },
    };
    it.a.publish(topic, big.clone()).await.expect("publish");
    it.a.publish(topic, queue_changed(7))
        .await
        .expect("publish");
    assert_eq!(next(&mut on_b).await, big);
    assert_eq!(next(&mut on_b).await, queue_changed(7), "order kept");
    drop(it.schema);
}

/// Stored payloads are dated and expired by the database's clock: a large event's publish
/// deletes the rows older than the TTL and keeps the recent ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_payloads_expire_by_the_database_clock() {
    let Some(it) = two_instances().await else {
        return;
    };
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(it.schema.options.clone())
        .await
        .expect("pool");
    let now: i64 = sqlx::query_scalar("SELECT (extract(epoch FROM now()) * 1000)::bigint")
        .fetch_one(&pool)
        .await
        .expect("the database's time");
    let mut ids = Vec::new();
    for age in [STORED_PAYLOAD_TTL_MS + 60_000, 60_000] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bus_payloads (payload, created_at) VALUES ('{}', $1) RETURNING id",
        )
        .bind(now - age)
        .fetch_one(&pool)
        .await
        .expect("insert");
        ids.push(id);
    }
    let contact = ContactId::new_random();
    let big = Event::Message {
        message: MessageEvent {
            contact,
            seq: 1,
            author: Author::Person,
            client_id: "c1".into(),
            body: "x".repeat(10_000),
            at: 1,
            listener: None,
        },
    };
    it.a.publish(Topic::Contact(contact), big)
        .await
        .expect("publish");
    let kept: Vec<i64> = sqlx::query_scalar("SELECT id FROM bus_payloads WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_all(&pool)
        .await
        .expect("read");
    assert_eq!(
        kept,
        vec![ids[1]],
        "the expired row goes, the recent one stays"
    );
    pool.close().await;
    drop(it.schema);
}

/// When the server drops an instance's LISTEN connection, it listens again by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_reconnects_after_the_connection_drops() {
    let Some(it) = two_instances().await else {
        return;
    };
    let mut on_b = it.b.subscribe(TOPIC);
    it.a.publish(TOPIC, queue_changed(1))
        .await
        .expect("publish");
    assert_eq!(next(&mut on_b).await, queue_changed(1));

    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(it.schema.options.clone())
        .await
        .expect("admin");
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE query LIKE '%' || $1 || '%' AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    )
    .bind(&it.channel)
    .fetch_all(&admin)
    .await
    .expect("terminate the listeners");
    assert_eq!(killed, [true, true], "both instances' listeners were cut");

    // Notifications sent while b was away are lost to it; keep publishing until b hears.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut n = 100;
    loop {
        it.a.publish(TOPIC, queue_changed(n))
            .await
            .expect("publish");
        match tokio::time::timeout(Duration::from_millis(200), on_b.recv()).await {
            Ok(Ok(e)) if matches!(*e, Event::QueueChanged { centre } if centre.0 >= 100) => break,
            Ok(other) => panic!("unexpected {other:?}"),
            Err(_) => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "b never listened again"
                );
                n += 1;
            }
        }
    }
    // And the other way round, a having reconnected too.
    let mut on_a = it.a.subscribe(TOPIC);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        it.b.publish(TOPIC, queue_changed(1000))
            .await
            .expect("publish");
        // b's own subscriber gets b's event at once.
        assert_eq!(next(&mut on_b).await, queue_changed(1000));
        match tokio::time::timeout(Duration::from_millis(200), on_a.recv()).await {
            Ok(Ok(e)) if *e == queue_changed(1000) => break,
            Ok(Ok(_)) => {}
            Ok(Err(e)) => panic!("{e}"),
            Err(_) => assert!(
                tokio::time::Instant::now() < deadline,
                "a never listened again"
            ),
        }
    }
    admin.close().await;
    drop(it.schema);
}
