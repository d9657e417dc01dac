//! Plumbing shared by both sockets: limits, strict frame parsing, sending, closing.

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

use super::frames::{ErrorFrame, ErrorOut};

/// Frames above this size close the connection (1009) at the transport.
pub const MAX_TRANSPORT_BYTES: usize = 64 * 1024;
/// Initial read buffer per socket. The library's default (128 KiB, zero-filled) dominated the
/// memory of an idle waiting person; the buffer still grows for frames up to the limit.
pub const READ_BUFFER_BYTES: usize = 4 * 1024;
/// Frames above this size are refused with `frame_too_large`; the connection stays.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// The first frame must be `hello`, within this delay.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// The server pings this often, so that dead connections are noticed and proxies keep
/// idle ones open.
pub const PING_EVERY: Duration = Duration::from_secs(20);

/// Close codes of the protocol.
pub mod close {
    /// Protocol violation (no hello).
    pub const PROTOCOL: u16 = 4400;
    /// Authentication failed or ended.
    pub const AUTH: u16 = 4401;
    /// Another connection took over.
    pub const REPLACED: u16 = 4409;
    /// Message too big for the transport.
    pub const TOO_BIG: u16 = 1009;
}

/// What a received WebSocket message means for the protocol.
pub enum Incoming<T> {
    /// A well-formed frame.
    Frame(T),
    /// A frame to refuse with this error; the connection stays.
    Invalid(ErrorOut),
    /// Nothing to do (ping, pong).
    Nothing,
    /// The client left, or the transport failed (e.g. a frame over the transport limit).
    Closed {
        /// Whether it failed because a frame was too big.
        too_big: bool,
    },
}

/// What a connection loop does after [`receive`].
pub enum Received<T> {
    /// Handle this frame.
    Frame(T),
    /// Nothing to handle (a ping, or a refused frame already answered).
    Continue,
    /// The connection is over.
    Stop,
}

/// Interprets what `socket.recv()` returned, answering bad frames with their error and closing
/// with 1009 after a frame too big for the transport.
pub async fn receive<T: DeserializeOwned>(
    socket: &mut WebSocket,
    received: Option<Result<WsMessage, axum::Error>>,
) -> Received<T> {
    match parse::<T>(received) {
        Incoming::Frame(frame) => Received::Frame(frame),
        Incoming::Invalid(err) => {
            if send(socket, &ErrorFrame::Error(err)).await {
                Received::Continue
            } else {
                Received::Stop
            }
        }
        Incoming::Nothing => Received::Continue,
        Incoming::Closed { too_big } => {
            if too_big {
                close_with(socket, close::TOO_BIG, "frame too big").await;
            }
            Received::Stop
        }
    }
}

/// Interprets what `socket.recv()` returned.
pub fn parse<T: DeserializeOwned>(received: Option<Result<WsMessage, axum::Error>>) -> Incoming<T> {
    match received {
        None | Some(Ok(WsMessage::Close(_))) => Incoming::Closed { too_big: false },
        Some(Err(e)) => {
            let too_big = is_capacity_error(&e);
            Incoming::Closed { too_big }
        }
        Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => Incoming::Nothing,
        Some(Ok(WsMessage::Binary(_))) => Incoming::Invalid(ErrorOut::new(
            "bad_frame",
            "binary frames are not part of the protocol; send JSON text",
        )),
        Some(Ok(WsMessage::Text(text))) => {
            if text.len() > MAX_FRAME_BYTES {
                return Incoming::Invalid(ErrorOut::new(
                    "frame_too_large",
                    format!("frames are limited to {MAX_FRAME_BYTES} bytes"),
                ));
            }
            match serde_json::from_str::<T>(text.as_str()) {
                Ok(frame) => Incoming::Frame(frame),
                Err(e) => {
                    let mut reason = e.to_string();
                    // serde quotes the offending input; keep the echo short.
                    if reason.len() > 200 {
                        let cut = (0..=200)
                            .rev()
                            .find(|i| reason.is_char_boundary(*i))
                            .unwrap_or(0);
                        reason.truncate(cut);
                    }
                    Incoming::Invalid(ErrorOut::new(
                        "bad_frame",
                        format!("malformed frame: {reason}"),
                    ))
                }
            }
        }
    }
}

fn is_capacity_error(e: &axum::Error) -> bool {
    let text = format!("{e:?}");
    text.contains("Capacity") || text.contains("too long") || text.contains("too big")
}

/// Sends one frame; false when the connection is gone.
pub async fn send<F: Serialize>(socket: &mut WebSocket, frame: &F) -> bool {
    match serde_json::to_string(frame) {
        Ok(json) => socket.send(WsMessage::Text(json.into())).await.is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "frame serialisation failed");
            false
        }
    }
}

/// Closes with a protocol close code and a short reason.
pub async fn close_with(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket
        .send(WsMessage::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

/// Waits for the first frame, which must be a well-formed `hello` of type `T` (checked by
/// `is_hello`). On anything else, tells the client why and closes; returns `None`.
pub async fn expect_hello<T: DeserializeOwned>(
    socket: &mut WebSocket,
    is_hello: impl Fn(&T) -> bool,
) -> Option<T> {
    let deadline = tokio::time::Instant::now() + HELLO_TIMEOUT;
    loop {
        let Ok(received) = tokio::time::timeout_at(deadline, socket.recv()).await else {
            refuse_without_hello(socket).await;
            return None;
        };
        match parse::<T>(received) {
            Incoming::Nothing => continue,
            Incoming::Frame(frame) if is_hello(&frame) => return Some(frame),
            Incoming::Closed { too_big } => {
                if too_big {
                    close_with(socket, close::TOO_BIG, "frame too big").await;
                }
                return None;
            }
            Incoming::Invalid(err) if err.code == "frame_too_large" => {
                send(socket, &ErrorFrame::Error(err)).await;
                continue;
            }
            _ => {
                refuse_without_hello(socket).await;
                return None;
            }
        }
    }
}

async fn refuse_without_hello(socket: &mut WebSocket) {
    let err = ErrorOut::new(
        "hello_required",
        "the first frame must be hello, within 10 seconds",
    );
    send(socket, &ErrorFrame::Error(err)).await;
    close_with(socket, close::PROTOCOL, "hello required").await;
}
