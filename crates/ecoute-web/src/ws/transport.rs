//! One WebSocket as the protocol sees it: strict frame parsing, sending, and closing the way
//! RFC 6455 asks (the close frame is echoed; a broken frame gets the code that names the fault).

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket};
use ecoute_protocol::error::CommonOut;
use ecoute_protocol::limits::{MAX_FRAME_BYTES, MAX_TRANSPORT_BYTES};
use ecoute_protocol::{CloseCode, ErrorCode, ErrorOut};
use futures_util::SinkExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// Initial read buffer per socket. The library's default (128 KiB, zero-filled) dominated the
/// memory of an idle waiting person; the buffer still grows for frames up to the limit.
pub const READ_BUFFER_BYTES: usize = 4 * 1024;
/// How long a closing socket waits for the client to answer its close frame.
const CLOSE_HANDSHAKE: Duration = Duration::from_secs(2);

/// Applies the protocol's transport limits to an upgrade.
pub fn limited(ws: axum::extract::WebSocketUpgrade) -> axum::extract::WebSocketUpgrade {
    ws.max_message_size(MAX_TRANSPORT_BYTES)
        .max_frame_size(MAX_TRANSPORT_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
}

/// What one read from the socket means for the protocol.
pub enum Incoming<T> {
    /// A well-formed frame.
    Frame(T),
    /// A frame to refuse with this error; the connection stays.
    Refused(ErrorOut),
    /// Nothing to handle (a ping or a pong: proof of life only).
    Alive,
    /// The connection is over: the client closed (the close is echoed), the TCP connection
    /// is gone, or the client broke RFC 6455 and is closed with the code naming the fault.
    Closed,
}

/// A connected WebSocket.
pub struct Transport {
    ws: WebSocket,
    /// When anything last arrived from the client.
    last_heard: Instant,
    /// The close is done (or the connection is gone): nothing more is sent.
    closed: bool,
}

impl Transport {
    /// Wraps a freshly upgraded socket.
    pub fn new(ws: WebSocket) -> Self {
        Transport {
            ws,
            last_heard: Instant::now(),
            closed: false,
        }
    }

    /// How long since anything arrived from the client.
    pub fn silent_for(&self) -> Duration {
        self.last_heard.elapsed()
    }

    /// Reads and interprets the next WebSocket message.
    pub async fn recv<T: DeserializeOwned>(&mut self) -> Incoming<T> {
        let received = self.ws.recv().await;
        if received.as_ref().is_some_and(|r| r.is_ok()) {
            self.last_heard = Instant::now();
        }
        match received {
            None => {
                self.closed = true;
                Incoming::Closed
            }
            Some(Ok(WsMessage::Close(_))) => {
                // The library has queued the echo of the client's close frame; flushing it
                // completes the closing handshake (a clean 1000 stays a clean 1000).
                // (Boxed, as the other rare paths: they stay out of every idle socket's state.)
                let _ = Box::pin(self.ws.close()).await;
                self.closed = true;
                Incoming::Closed
            }
            Some(Err(e)) => {
                match transport_fault(e) {
                    Some(code) => Box::pin(self.close(code, fault_reason(code))).await,
                    None => self.closed = true,
                }
                Incoming::Closed
            }
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => Incoming::Alive,
            Some(Ok(WsMessage::Binary(_))) => Incoming::Refused(ErrorOut::new(
                ErrorCode::BadFrame,
                "binary frames are not part of the protocol; send JSON text",
            )),
            Some(Ok(WsMessage::Text(text))) => parse(text.as_str()),
        }
    }

    /// Sends one frame; false when the connection is gone.
    ///
    /// The frame is serialised before the first await, so that the future (part of every
    /// idle socket's task while it sends) holds only the text.
    pub fn send<F: Serialize>(&mut self, frame: &F) -> impl Future<Output = bool> + Send + '_ {
        let json = serde_json::to_string(frame);
        async move {
            match json {
                Ok(json) => self.send_text(json).await,
                Err(e) => {
                    tracing::error!(error = %e, "frame serialisation failed");
                    false
                }
            }
        }
    }

    /// Sends a refusal (the same shape on both sides).
    pub fn send_error(&mut self, err: ErrorOut) -> impl Future<Output = bool> + Send + '_ {
        self.send(&CommonOut::Error(err))
    }

    async fn send_text(&mut self, json: String) -> bool {
        !self.closed && self.ws.send(WsMessage::Text(json.into())).await.is_ok()
    }

    /// Answers a client's `ping`.
    pub async fn send_pong(&mut self) -> bool {
        self.send(&CommonOut::Pong).await
    }

    /// Pings the client (its pong proves the connection alive).
    pub async fn ping(&mut self) -> bool {
        !self.closed
            && self
                .ws
                .send(WsMessage::Ping(Default::default()))
                .await
                .is_ok()
    }

    /// Closes with `code`: sends the close frame, then waits briefly for the client's answer
    /// so that the TCP connection ends after the handshake, as RFC 6455 asks.
    pub async fn close(&mut self, code: CloseCode, reason: &'static str) {
        if self.closed {
            return;
        }
        self.closed = true;
        let frame = CloseFrame {
            code: code.code(),
            reason: reason.into(),
        };
        if self.ws.send(WsMessage::Close(Some(frame))).await.is_err() {
            return;
        }
        let _ = tokio::time::timeout(CLOSE_HANDSHAKE, async {
            // Anything the client still sends before its close frame is dropped.
            while let Some(Ok(_)) = self.ws.recv().await {}
        })
        .await;
    }
}

/// Parses a text frame strictly.
pub fn parse<T: DeserializeOwned>(text: &str) -> Incoming<T> {
    if text.len() > MAX_FRAME_BYTES {
        return Incoming::Refused(ErrorOut::new(
            ErrorCode::FrameTooLarge,
            format!("frames are limited to {MAX_FRAME_BYTES} bytes"),
        ));
    }
    match serde_json::from_str::<T>(text) {
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
            Incoming::Refused(ErrorOut::new(
                ErrorCode::BadFrame,
                format!("malformed frame: {reason}"),
            ))
        }
    }
}

/// The close code for a read that failed because of the client, or `None` when the
/// connection itself is gone (nothing can be sent).
fn transport_fault(e: axum::Error) -> Option<CloseCode> {
    use tungstenite::Error;
    let inner = e.into_inner();
    let e = inner.downcast_ref::<Error>()?;
    match e {
        Error::Capacity(_) => Some(CloseCode::TooBig),
        Error::Utf8(_) => Some(CloseCode::InvalidData),
        Error::Protocol(_) | Error::AttackAttempt => Some(CloseCode::ProtocolError),
        _ => None,
    }
}

fn fault_reason(code: CloseCode) -> &'static str {
    match code {
        CloseCode::TooBig => "frame too big",
        CloseCode::InvalidData => "text frame not valid UTF-8",
        _ => "WebSocket protocol violation",
    }
}
