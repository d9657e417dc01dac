//! Speaking ecoute's protocol (docs/protocol.md) to set conversations up: listener accounts
//! and sessions written straight into the database, visitors joining the queue, listeners
//! pressing "next".

use anyhow::Context;
use ecoute_domain::{CentreId, Pseudonym, Role, Timestamp, Username};
use ecoute_protocol::{ContactStatus, ListenerIn, ListenerOut, PersonIn, PersonOut, Presence};
use ecoute_store::{NewSession, NewUser};
use ecoute_testkit::ws::{ListenerWs, PersonWs};
use ecoute_web::auth::{random_token, sha256_hex, SESSION_COOKIE};
use std::collections::HashMap;
use std::net::SocketAddr;

use crate::client::{self, Ws};

/// Creates `n` listener accounts in a fresh database at `url` (SQLite or PostgreSQL), each
/// with an open session, and returns their `Cookie` header values. One argon2id hash serves
/// every account (nobody logs in with it: hashing a thousand passwords would only make setup
/// slow).
pub async fn prepare_listeners(url: &str, n: usize) -> anyhow::Result<Vec<String>> {
    let store = ecoute_store::connect(url)
        .await
        .context("cannot create the benchmark database")?;
    let hash = ecoute_web::auth::hash_password(random_token()).await?;
    let now = now();
    let mut cookies = Vec::with_capacity(n);
    for i in 0..n {
        let new = NewUser {
            username: Username::parse(&format!("bench{i:05}"))?,
            pseudonym: Pseudonym::parse(&format!("Listener {i}"))?,
            role: Role::Listener,
            password_hash: hash.clone(),
            centre: CentreId::DEFAULT,
        };
        let user = store.create_user(&new, now).await?;
        let token = random_token();
        store
            .create_session(&NewSession {
                token_hash: sha256_hex(&token),
                user: user.id,
                csrf_token: random_token(),
                created_at: now,
                expires_at: now.plus_millis(24 * 3600 * 1000),
            })
            .await?;
        cookies.push(format!("{SESSION_COOKIE}={token}"));
    }
    drop(store);
    Ok(cookies)
}

fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    Timestamp(ms)
}

/// A visitor who has joined the queue: `POST /api/contacts`, then the socket's `hello` and
/// `welcome`. Returns the socket and the contact id.
pub async fn visitor(http: &reqwest::Client, addr: SocketAddr) -> anyhow::Result<(Ws, String)> {
    let (token, contact_id) = contact(http, addr).await?;
    let mut ws: PersonWs = client::connect(addr, "/ws/person", None).await?;
    ws.try_send(PersonIn::hello(token, 0)).await?;
    let welcome = client::expect(&mut ws, "welcome", |f| {
        matches!(f, PersonOut::Welcome { .. })
    })
    .await?;
    anyhow::ensure!(
        matches!(
            welcome,
            PersonOut::Welcome {
                state: ContactStatus::Waiting,
                ..
            }
        ),
        "a new visitor is not waiting: {welcome:?}"
    );
    Ok((ws.into_side(), contact_id))
}

/// A contact joining the queue: `POST /api/contacts`. Returns its token and contact id.
pub async fn contact(http: &reqwest::Client, addr: SocketAddr) -> anyhow::Result<(String, String)> {
    let joined = tokio::time::timeout(
        client::FRAME_WAIT,
        ecoute_testkit::http::try_join_queue(http, &addr.to_string()),
    )
    .await
    .context("POST /api/contacts timed out")?
    .map_err(anyhow::Error::msg)?;
    Ok((joined.token, joined.contact_id))
}

/// A listener's workspace, opened with a session cookie and set available.
pub async fn listener(addr: SocketAddr, cookie: &str) -> anyhow::Result<ListenerWs> {
    let mut ws: ListenerWs = client::connect(addr, "/ws/listener", Some(cookie)).await?;
    ws.try_send(ListenerIn::Hello {
        last_seqs: HashMap::new(),
    })
    .await?;
    client::expect(&mut ws, "welcome", |f| {
        matches!(f, ListenerOut::Welcome { .. })
    })
    .await?;
    ws.try_send(ListenerIn::Presence {
        presence: Presence::Available,
    })
    .await?;
    let p = client::expect(&mut ws, "presence", |f| {
        matches!(f, ListenerOut::Presence { .. })
    })
    .await?;
    anyhow::ensure!(
        p == ListenerOut::Presence {
            presence: Presence::Available
        },
        "presence refused: {p:?}"
    );
    Ok(ws)
}

/// Presses "next"; the contact id given, or `None` when the queue is empty.
pub async fn try_next(ws: &mut ListenerWs) -> anyhow::Result<Option<String>> {
    ws.try_send(ListenerIn::Next).await?;
    let frame = client::expect(ws, "assigned or queue_empty", |f| {
        matches!(f, ListenerOut::Assigned { .. } | ListenerOut::QueueEmpty)
    })
    .await?;
    Ok(match frame {
        ListenerOut::Assigned { conversation } => Some(conversation.contact_id),
        _ => None,
    })
}

/// Presses "next" and returns the contact id given.
pub async fn next(ws: &mut ListenerWs) -> anyhow::Result<String> {
    try_next(ws)
        .await?
        .context("a listener found the queue empty: fewer visitors waiting than listeners")
}
