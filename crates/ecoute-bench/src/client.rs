//! WebSocket client plumbing shared by both targets, and bounded parallel setup.

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A client WebSocket.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long setup waits for one expected frame or connection.
pub const FRAME_WAIT: Duration = Duration::from_secs(30);

/// Connections or requests in flight at once while setting up.
pub const SETUP_PARALLELISM: usize = 32;

/// Opens `ws://addr/path` (Nagle off, as on every bench socket), with a session cookie and a
/// same-origin `Origin` header when given.
pub async fn connect(addr: SocketAddr, path: &str, cookie: Option<&str>) -> anyhow::Result<Ws> {
    let mut request = format!("ws://{addr}{path}").into_client_request()?;
    if let Some(c) = cookie {
        request
            .headers_mut()
            .insert("cookie", HeaderValue::from_str(c)?);
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(&format!("http://{addr}"))?);
    }
    let (ws, _) = tokio::time::timeout(
        FRAME_WAIT,
        tokio_tungstenite::connect_async_with_config(request, None, true),
    )
    .await
    .with_context(|| format!("connecting to {path} timed out"))?
    .with_context(|| format!("cannot open {path}"))?;
    Ok(ws)
}

/// Sends one JSON text frame.
pub async fn send(ws: &mut Ws, frame: &Value) -> anyhow::Result<()> {
    ws.send(Message::Text(frame.to_string().into()))
        .await
        .context("send failed")
}

/// Skips frames until one of type `kind` arrives; fails on an `error` frame, a close or a
/// timeout.
pub async fn expect(ws: &mut Ws, kind: &str) -> anyhow::Result<Value> {
    expect_one_of(ws, &[kind]).await
}

/// Skips frames until one whose type is among `kinds` arrives; fails on an `error` frame, a
/// close or a timeout.
pub async fn expect_one_of(ws: &mut Ws, kinds: &[&str]) -> anyhow::Result<Value> {
    tokio::time::timeout(FRAME_WAIT, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(t.as_str()).context("frame not JSON")?;
                    let kind = v["type"].as_str().unwrap_or("");
                    if kinds.contains(&kind) {
                        return Ok(v);
                    }
                    if kind == "error" {
                        anyhow::bail!("expected {kinds:?}, got the error {v}");
                    }
                }
                Some(Ok(Message::Close(f))) => {
                    anyhow::bail!("closed ({f:?}) while waiting for {kinds:?}")
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => anyhow::bail!("socket failed while waiting for {kinds:?}: {e}"),
                None => anyhow::bail!("socket closed while waiting for {kinds:?}"),
            }
        }
    })
    .await
    .with_context(|| format!("no {kinds:?} frame within {FRAME_WAIT:?}"))?
}

/// Idle sockets kept open, each read by a task that drops what it gets (as a browser would
/// read its queue updates). Dropping this closes them all.
#[derive(Default)]
pub struct Drains(Vec<tokio::task::JoinHandle<()>>);

impl Drains {
    /// Keeps these sockets open and read.
    pub fn extend(&mut self, sockets: Vec<Ws>) {
        for mut ws in sockets {
            self.0.push(tokio::spawn(async move {
                while let Some(Ok(_)) = ws.next().await {}
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
