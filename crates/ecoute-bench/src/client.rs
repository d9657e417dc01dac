//! The benchmark's side of the shared test client (`ecoute-testkit`): connecting, typed
//! waits that fail instead of panicking, and bounded parallel setup.

use anyhow::Context;
use ecoute_testkit::ws::Side;
use ecoute_testkit::Connect;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// A socket of raw frames: what the measurement loop reads and writes (one loop for both
/// sides and for the relay; it parses each frame as the protocol's type of its side).
pub type Ws = ecoute_testkit::RawWs;

/// How long setup waits for one expected frame or connection.
pub const FRAME_WAIT: Duration = Duration::from_secs(30);

/// Connections or requests in flight at once while setting up.
pub const SETUP_PARALLELISM: usize = 32;

/// Opens `ws://addr/path` (Nagle off, as on every bench socket), with a session cookie and a
/// same-origin `Origin` header when given.
pub async fn connect<S: Side>(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
) -> anyhow::Result<ecoute_testkit::Ws<S>> {
    let mut how = Connect::new(addr, path).wait(FRAME_WAIT);
    if cookie.is_some() {
        how = how.cookie(cookie).same_origin();
    }
    tokio::time::timeout(FRAME_WAIT, how.try_open())
        .await
        .with_context(|| format!("connecting to {path} timed out"))?
        .with_context(|| format!("cannot open {path}"))
}

/// Skips frames until `want` accepts one (within [`FRAME_WAIT`]); fails on an `error` frame,
/// a close or a timeout.
pub async fn expect<S: Side>(
    ws: &mut ecoute_testkit::Ws<S>,
    what: &str,
    want: impl Fn(&S::Out) -> bool,
) -> anyhow::Result<S::Out> {
    let frame = ws
        .try_until(what, |f| want(f) || S::error(f).is_some())
        .await?;
    if let Some(e) = S::error(&frame) {
        anyhow::bail!("expected {what}, got the error {e:?}");
    }
    Ok(frame)
}

/// Idle sockets kept open, each read by a task that drops what it gets (as a browser would
/// read its queue updates). Dropping this closes them all.
#[derive(Default)]
pub struct Drains(Vec<tokio::task::JoinHandle<()>>);

impl Drains {
    /// Keeps these sockets open and read.
    pub fn extend<S: Side + Send + 'static>(&mut self, sockets: Vec<ecoute_testkit::Ws<S>>) {
        for mut ws in sockets {
            self.0.push(tokio::spawn(async move {
                while let Some(Ok(_)) = ws.next_message().await {}
            }));
        }
    }
}

impl Drop for Drains {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Runs `f(i, item)` for every item, at most `limit` at once; results in input order. The
/// first failure is returned (the other tasks are aborted).
pub async fn parallel_map<I, T, F, Fut>(items: Vec<I>, limit: usize, f: F) -> anyhow::Result<Vec<T>>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(usize, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<T>> + Send + 'static,
{
    let n = items.len();
    let f = Arc::new(f);
    let permits = Arc::new(Semaphore::new(limit.max(1)));
    let mut set = JoinSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let f = f.clone();
        let permits = permits.clone();
        set.spawn(async move {
            let _permit = permits.acquire_owned().await?;
            Ok::<_, anyhow::Error>((i, f(i, item).await?))
        });
    }
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, value) = joined.context("a setup task panicked")??;
        out[i] = Some(value);
    }
    out.into_iter()
        .map(|v| v.context("a setup task gave nothing"))
        .collect()
}
