//! The baseline: a bare WebSocket relay with nothing of ecoute — no database, no JSON parsing,
//! no authentication. `GET /r/<key>/<side>` (side `v` or `l`) pairs the two sides of a key;
//! every text frame is forwarded to the other side and echoed back to its sender (the echo
//! stands for the `ack`). Same runtime (tokio, multi-threaded) and the same WebSocket stack
//! family (tungstenite) as ecoute's axum server.

use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// The line the relay prints once listening, followed by its address.
pub const MARKER: &str = "relay listening on ";

type Peers = Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Message>>>>;

/// Serves on 127.0.0.1, a free port, until killed. `read_buffer`: the WebSocket read buffer
/// of each connection (tungstenite's default, 128 KiB, when `None`).
pub async fn serve(read_buffer: Option<usize>) -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("{MARKER}{}", listener.local_addr()?);
    let peers: Peers = Arc::default();
    let config = read_buffer.map(|n| WebSocketConfig::default().read_buffer_size(n));
    loop {
        let (tcp, _) = listener.accept().await?;
        let peers = peers.clone();
        tokio::spawn(async move {
            let _ = connection(tcp, peers, config).await;
        });
    }
}

// The callback's error type (an HTTP response) is tungstenite's, not ours.
#[allow(clippy::result_large_err)]
async fn connection(
    tcp: TcpStream,
    peers: Peers,
    config: Option<WebSocketConfig>,
) -> anyhow::Result<()> {
    tcp.set_nodelay(true)?;
    let mut path = String::new();
    let callback = |req: &Request, resp: Response| {
        path = req.uri().path().to_owned();
        Ok(resp)
    };
    let mut ws = tokio_tungstenite::accept_hdr_async_with_config(tcp, callback, config).await?;
    let Some((key, side)) = path
        .strip_prefix("/r/")
        .and_then(|rest| rest.rsplit_once('/'))
    else {
        return Ok(());
    };
    let other = if side == "v" { "l" } else { "v" };
    let me = format!("{key}/{side}");
    let peer = format!("{key}/{other}");
    let (tx, mut rx) = mpsc::unbounded_channel();
    lock(&peers).insert(me.clone(), tx);
    loop {
        tokio::select! {
            received = ws.next() => match received {
                Some(Ok(Message::Text(text))) => {
                    if let Some(p) = lock(&peers).get(&peer) {
                        let _ = p.send(Message::Text(text.clone()));
                    }
                    if ws.send(Message::Text(text)).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            Some(out) = rx.recv() => {
                if ws.send(out).await.is_err() {
                    break;
                }
            }
        }
    }
    lock(&peers).remove(&me);
    Ok(())
}

fn lock(
    peers: &Peers,
) -> std::sync::MutexGuard<'_, HashMap<String, mpsc::UnboundedSender<Message>>> {
    peers.lock().unwrap_or_else(|e| e.into_inner())
}
