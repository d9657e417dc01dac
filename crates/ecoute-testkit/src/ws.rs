//! A WebSocket client of ecoute's protocol, typed by side.
//!
//! A [`Ws<S>`] sends `S::In` and receives `S::Out`: [`PersonWs`] speaks
//! [`PersonIn`]/[`PersonOut`], [`ListenerWs`] [`ListenerIn`]/[`ListenerOut`], and [`RawWs`]
//! plain JSON. Every side also takes raw JSON, text and bytes, and reads raw JSON, for the
//! tests that send what the types cannot express (malformed input).
//!
//! Every wait is bounded ([`Connect::wait`]): the panicking methods (for tests) name what
//! they waited for; the `try_` methods (for the benchmark) return a [`WaitError`].
//! Typed waits read best with [`expect_frame!`](crate::expect_frame):
//!
//! ```text
//! let seq = expect_frame!(person, PersonOut::Ack { seq, .. } => seq);
//! ```

use ecoute_protocol::{
    CloseCode, ErrorOut, ListenerIn, ListenerOut, MessageOut, PersonIn, PersonOut, SupervisorIn,
    SupervisorOut,
};
use futures_util::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a wait lasts unless [`Connect::wait`] says otherwise.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(10);

/// The transport under a [`Ws`].
pub type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One side of the protocol: what its socket sends and receives.
pub trait Side: Sized {
    /// Frames the client sends.
    type In: Serialize + Outgoing<Self>;
    /// Frames the server sends.
    type Out: DeserializeOwned + fmt::Debug;
    /// The type's name, for messages.
    const NAME: &'static str;
    /// The message a frame carries, if it is a `message` frame.
    fn message(frame: &Self::Out) -> Option<&MessageOut>;
    /// `(id, seq)` of an `ack` frame.
    fn ack(frame: &Self::Out) -> Option<(&str, i64)>;
    /// The refusal an `error` frame carries.
    fn error(frame: &Self::Out) -> Option<&ErrorOut>;
}

/// The person's socket, `/ws/person`.
#[derive(Debug)]
pub enum Person {}
/// The listener's socket, `/ws/listener`.
#[derive(Debug)]
pub enum Listener {}
/// Untyped JSON both ways.
/// The supervisor's board ([`SupervisorIn`]/[`SupervisorOut`]).
#[derive(Debug)]
pub enum Supervisor {}
#[derive(Debug)]
pub enum Raw {}

impl Side for Person {
    type In = PersonIn;
    type Out = PersonOut;
    const NAME: &'static str = "PersonOut";
    fn message(frame: &PersonOut) -> Option<&MessageOut> {
        match frame {
            PersonOut::Message(m) => Some(m),
            _ => None,
        }
    }
    fn ack(frame: &PersonOut) -> Option<(&str, i64)> {
        match frame {
            PersonOut::Ack { id, seq } => Some((id, *seq)),
            _ => None,
        }
    }
    fn error(frame: &PersonOut) -> Option<&ErrorOut> {
        match frame {
            PersonOut::Error(e) => Some(e),
            _ => None,
        }
    }
}

impl Side for Listener {
    type In = ListenerIn;
    type Out = ListenerOut;
    const NAME: &'static str = "ListenerOut";
    fn message(frame: &ListenerOut) -> Option<&MessageOut> {
        match frame {
            ListenerOut::Message(m) => Some(m),
            _ => None,
        }
    }
    fn ack(frame: &ListenerOut) -> Option<(&str, i64)> {
        match frame {
            ListenerOut::Ack { id, seq, .. } => Some((id, *seq)),
            _ => None,
        }
    }
    fn error(frame: &ListenerOut) -> Option<&ErrorOut> {
        match frame {
            ListenerOut::Error(e) => Some(e),
            _ => None,
        }
    }
}

impl Side for Raw {
    type In = Value;
    type Out = Value;
    const NAME: &'static str = "JSON";
    fn message(_: &Value) -> Option<&MessageOut> {
        None
    }
    fn ack(_: &Value) -> Option<(&str, i64)> {
        None
    }
    fn error(_: &Value) -> Option<&ErrorOut> {
        None
    }
}

/// The person's socket.
impl Side for Supervisor {
    type In = SupervisorIn;
    type Out = SupervisorOut;
    const NAME: &'static str = "SupervisorOut";
    fn message(frame: &SupervisorOut) -> Option<&MessageOut> {
        match frame {
            SupervisorOut::Message(m) => Some(m),
            _ => None,
        }
    }
    fn ack(frame: &SupervisorOut) -> Option<(&str, i64)> {
        match frame {
            SupervisorOut::Whispered { id, whisper } => Some((id, whisper.seq)),
            _ => None,
        }
    }
    fn error(frame: &SupervisorOut) -> Option<&ErrorOut> {
        match frame {
            SupervisorOut::Error(e) => Some(e),
            _ => None,
        }
    }
}

impl Ws<Supervisor> {
    /// Waits for a `board` frame that satisfies `want` (boards come as the helpline changes).
    pub async fn board_until(
        &mut self,
        what: &str,
        want: impl Fn(&ecoute_protocol::BoardOut) -> bool,
    ) -> ecoute_protocol::BoardOut {
        match self
            .until(
                what,
                |f| matches!(f, SupervisorOut::Board { board } if want(board)),
            )
            .await
        {
            SupervisorOut::Board { board } => board,
            other => unreachable!("until returned {other:?}"),
        }
    }
}

pub type PersonWs = Ws<Person>;
/// A supervisor's board socket.
pub type SupervisorWs = Ws<Supervisor>;
/// The listener's socket.
pub type ListenerWs = Ws<Listener>;
/// A socket of untyped JSON frames.
pub type RawWs = Ws<Raw>;

/// What a socket of side `S` may send: its typed frames, or raw JSON (any side).
pub trait Outgoing<S> {
    /// The text frame.
    fn to_text(&self) -> String;
}

fn to_text(frame: &impl Serialize) -> String {
    serde_json::to_string(frame).expect("frames serialise")
}

impl Outgoing<Person> for PersonIn {
    fn to_text(&self) -> String {
        to_text(self)
    }
}
impl Outgoing<Person> for &PersonIn {
    fn to_text(&self) -> String {
        to_text(self)
    }
}
impl Outgoing<Listener> for ListenerIn {
    fn to_text(&self) -> String {
        to_text(self)
    }
}
impl Outgoing<Listener> for &ListenerIn {
    fn to_text(&self) -> String {
        to_text(self)
    }
}
impl Outgoing<Supervisor> for SupervisorIn {
    fn to_text(&self) -> String {
        to_text(self)
    }
}
impl Outgoing<Supervisor> for &SupervisorIn {
    fn to_text(&self) -> String {
        to_text(self)
    }
}
impl<S> Outgoing<S> for Value {
    fn to_text(&self) -> String {
        self.to_string()
    }
}
impl<S> Outgoing<S> for &Value {
    fn to_text(&self) -> String {
        self.to_string()
    }
}

/// Why a wait ended without what it waited for.
#[derive(Debug)]
pub enum WaitError {
    /// Nothing matching within the wait.
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        after: Duration,
    },
    /// The server closed the socket (with this close code, if it sent one).
    Closed {
        /// What was awaited.
        what: String,
        /// The close code.
        code: Option<u16>,
    },
    /// The connection broke.
    Failed {
        /// What was awaited.
        what: String,
        /// The transport's error (boxed: it is large).
        error: Box<tungstenite::Error>,
    },
    /// A text frame that is not a frame of this side.
    BadFrame {
        /// What was awaited.
        what: String,
        /// The frame.
        text: String,
        /// Why it does not parse.
        error: serde_json::Error,
    },
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Timeout { what, after } => {
                write!(f, "timed out after {after:?} waiting for {what}")
            }
            WaitError::Closed { what, code } => {
                write!(f, "socket closed ({code:?}) while waiting for {what}")
            }
            WaitError::Failed { what, error } => {
                write!(f, "socket failed while waiting for {what}: {error}")
            }
            WaitError::BadFrame { what, text, error } => {
                write!(
                    f,
                    "while waiting for {what}, a frame that does not parse ({error}): {text:.300}"
                )
            }
        }
    }
}

impl std::error::Error for WaitError {}

/// How to open a socket: `ws://addr/path`, with an `Origin` and a session cookie if given.
#[derive(Debug, Clone)]
pub struct Connect {
    addr: String,
    path: String,
    origin: Option<String>,
    cookie: Option<String>,
    wait: Duration,
}

impl Connect {
    /// `ws://addr/path` (`addr` is `host:port`), without `Origin` or cookie.
    pub fn new(addr: impl fmt::Display, path: &str) -> Connect {
        Connect {
            addr: addr.to_string(),
            path: path.to_owned(),
            origin: None,
            cookie: None,
            wait: DEFAULT_WAIT,
        }
    }

    /// With `Origin: http://addr`, as the server's own pages send.
    pub fn same_origin(mut self) -> Connect {
        self.origin = Some(format!("http://{}", self.addr));
        self
    }

    /// With this `Origin` (or none).
    pub fn origin(mut self, origin: Option<&str>) -> Connect {
        self.origin = origin.map(str::to_owned);
        self
    }

    /// With this `Cookie` header (`name=value`), or none.
    pub fn cookie(mut self, cookie: Option<&str>) -> Connect {
        self.cookie = cookie.map(str::to_owned);
        self
    }

    /// The bound of every wait on the socket.
    pub fn wait(mut self, wait: Duration) -> Connect {
        self.wait = wait;
        self
    }

    /// Opens the socket; the upgrade's refusal is returned as is.
    #[allow(clippy::result_large_err)]
    pub async fn try_open<S: Side>(self) -> Result<Ws<S>, tungstenite::Error> {
        let mut request = format!("ws://{}{}", self.addr, self.path).into_client_request()?;
        let headers = request.headers_mut();
        if let Some(o) = &self.origin {
            headers.insert("origin", header(o)?);
        }
        if let Some(c) = &self.cookie {
            headers.insert("cookie", header(c)?);
        }
        // Nagle off: frames go out at once (the benchmark measures latency).
        let (stream, _) = tokio_tungstenite::connect_async_with_config(request, None, true).await?;
        Ok(Ws {
            stream,
            wait: self.wait,
            side: PhantomData,
        })
    }

    /// Opens the socket, panicking with the reason if the server refuses.
    pub async fn open<S: Side>(self) -> Ws<S> {
        let what = format!("websocket {} on {}", self.path, self.addr);
        self.try_open()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"))
    }
}

// The upgrade's error is tungstenite's own, returned as is for tests to inspect.
#[allow(clippy::result_large_err)]
fn header(value: &str) -> Result<HeaderValue, tungstenite::Error> {
    HeaderValue::from_str(value)
        .map_err(|e| tungstenite::Error::HttpFormat(tungstenite::http::Error::from(e)))
}

/// A socket of side `S` (see the module's documentation).
pub struct Ws<S> {
    stream: Stream,
    wait: Duration,
    side: PhantomData<S>,
}

impl<S> fmt::Debug for Ws<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ws").field("wait", &self.wait).finish()
    }
}

impl<S: Side> Ws<S> {
    /// The bound of each wait.
    pub fn wait_bound(&self) -> Duration {
        self.wait
    }

    /// The same socket, read and written as side `T` (e.g. [`Raw`], so that one loop drives
    /// sockets of both sides).
    pub fn into_side<T: Side>(self) -> Ws<T> {
        Ws {
            stream: self.stream,
            wait: self.wait,
            side: PhantomData,
        }
    }

    /// Sends a frame: typed, or raw JSON. Panics if the socket is broken.
    pub async fn send(&mut self, frame: impl Outgoing<S>) {
        self.send_text(frame.to_text()).await;
    }

    /// Sends a frame; an error when the socket is broken (the server may just have died).
    pub async fn try_send(&mut self, frame: impl Outgoing<S>) -> Result<(), WaitError> {
        self.try_send_text(frame.to_text()).await
    }

    /// Sends a text frame as is (malformed input).
    pub async fn send_text(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.try_send_text(text).await.expect("send a frame");
    }

    /// Sends a text frame as is; an error when the socket is broken.
    pub async fn try_send_text(&mut self, text: String) -> Result<(), WaitError> {
        self.stream
            .send(Message::Text(text.into()))
            .await
            .map_err(|error| WaitError::Failed {
                what: "a send".into(),
                error: Box::new(error),
            })
    }

    /// Sends a binary frame (the protocol has none: malformed input).
    pub async fn send_bytes(&mut self, bytes: Vec<u8>) {
        self.stream
            .send(Message::Binary(bytes.into()))
            .await
            .expect("send a binary frame");
    }

    /// The next WebSocket message as the transport gives it (`None` once the stream ends).
    /// Cancel-safe, for `select!` loops.
    pub async fn next_message(&mut self) -> Option<Result<Message, tungstenite::Error>> {
        self.stream.next().await
    }

    /// The next text frame before `deadline` (control frames skipped).
    async fn text_before(&mut self, what: &str, deadline: Instant) -> Result<String, WaitError> {
        loop {
            let next = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .map_err(|_| WaitError::Timeout {
                    what: what.to_owned(),
                    after: self.wait,
                })?;
            match next {
                Some(Ok(Message::Text(t))) => return Ok(t.as_str().to_owned()),
                Some(Ok(Message::Close(frame))) => {
                    return Err(WaitError::Closed {
                        what: what.to_owned(),
                        code: frame.map(|f| f.code.into()),
                    })
                }
                Some(Ok(_)) => continue,
                Some(Err(error)) => {
                    return Err(WaitError::Failed {
                        what: what.to_owned(),
                        error: Box::new(error),
                    })
                }
                None => {
                    return Err(WaitError::Closed {
                        what: what.to_owned(),
                        code: None,
                    })
                }
            }
        }
    }

    fn parse<T: DeserializeOwned>(what: &str, text: String) -> Result<T, WaitError> {
        serde_json::from_str(&text).map_err(|error| WaitError::BadFrame {
            what: what.to_owned(),
            text,
            error,
        })
    }

    /// Reads frames until `want` accepts one, within the socket's wait; returns it.
    pub async fn try_until(
        &mut self,
        what: &str,
        mut want: impl FnMut(&S::Out) -> bool,
    ) -> Result<S::Out, WaitError> {
        let deadline = Instant::now() + self.wait;
        loop {
            let text = self.text_before(what, deadline).await?;
            let frame = Self::parse(what, text)?;
            if want(&frame) {
                return Ok(frame);
            }
        }
    }

    /// [`Ws::try_until`], panicking with what it waited for.
    pub async fn until(&mut self, what: &str, want: impl FnMut(&S::Out) -> bool) -> S::Out {
        self.try_until(what, want)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The next frame, typed; `None` if the socket closes or breaks first. Panics on a
    /// timeout or a frame that is not of this side.
    pub async fn recv_frame(&mut self) -> Option<S::Out> {
        match self.try_until(S::NAME, |_| true).await {
            Ok(frame) => Some(frame),
            Err(WaitError::Closed { .. } | WaitError::Failed { .. }) => None,
            Err(e) => panic!("{e}"),
        }
    }

    /// The next frame as raw JSON; `None` if the socket closes or breaks first. Panics on a
    /// timeout.
    pub async fn recv(&mut self) -> Option<Value> {
        let deadline = Instant::now() + self.wait;
        match self.text_before("a frame", deadline).await {
            Ok(text) => Some(Self::parse("a frame", text).unwrap_or_else(|e| panic!("{e}"))),
            Err(WaitError::Closed { .. } | WaitError::Failed { .. }) => None,
            Err(e) => panic!("{e}"),
        }
    }

    /// Skips frames until one whose `type` is `kind` arrives; returns it as raw JSON.
    pub async fn expect(&mut self, kind: &str) -> Value {
        self.expect_each(&[kind]).await.remove(0)
    }

    /// Skips frames until one of each type in `kinds` has arrived, in any order; returns them
    /// as raw JSON, in the order of `kinds`.
    pub async fn expect_each(&mut self, kinds: &[&str]) -> Vec<Value> {
        let what = kinds.join(", ");
        let deadline = Instant::now() + self.wait;
        let mut found: Vec<Option<Value>> = vec![None; kinds.len()];
        while found.iter().any(Option::is_none) {
            let frame: Value = match self.text_before(&what, deadline).await {
                Ok(text) => Self::parse(&what, text),
                Err(e) => Err(e),
            }
            .unwrap_or_else(|e| panic!("{e}"));
            if let Some(i) = kinds.iter().position(|k| frame["type"] == *k) {
                found[i].get_or_insert(frame);
            }
        }
        found.into_iter().flatten().collect()
    }

    /// The close code once the server closes the socket (frames skipped); `None` when the
    /// connection ends without a close frame. Panics if it stays open.
    pub async fn closed_with(&mut self) -> Option<u16> {
        let deadline = Instant::now() + self.wait;
        loop {
            match self.text_before("the socket to close", deadline).await {
                Ok(_) => continue,
                Err(WaitError::Closed { code, .. }) => return code,
                Err(WaitError::Failed { .. }) => return None,
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// [`Ws::closed_with`] as the protocol's close code; panics on a number the protocol
    /// does not have.
    pub async fn close_code(&mut self) -> Option<CloseCode> {
        self.closed_with().await.map(|n| {
            CloseCode::from_code(n)
                .unwrap_or_else(|| panic!("closed with {n}, not a close code of ecoute"))
        })
    }

    /// Closes the socket cleanly (a close frame with 1000).
    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// Reads frames from a [`Ws`] until one matches the pattern (bounded; panics naming the
/// pattern). `expect_frame!(ws, Pattern)` gives the frame; `expect_frame!(ws, Pattern =>
/// expr)` gives `expr` over the pattern's bindings.
///
/// ```text
/// let (id, seq) = expect_frame!(person.ws, PersonOut::Ack { id, seq } => (id, seq));
/// let err = expect_frame!(listener.ws, ListenerOut::Error(e) => e);
/// ```
#[macro_export]
macro_rules! expect_frame {
    ($ws:expr, $pat:pat => $out:expr) => {{
        let found = $ws
            .until(stringify!($pat), |frame| {
                // The bindings serve `$out` below, not this test.
                #[allow(unused_variables)]
                let hit = matches!(frame, $pat);
                hit
            })
            .await;
        match found {
            $pat => $out,
            other => unreachable!("{other:?} matched {}", stringify!($pat)),
        }
    }};
    ($ws:expr, $pat:pat) => {
        $ws.until(stringify!($pat), |frame| {
            #[allow(unused_variables)]
            let hit = matches!(frame, $pat);
            hit
        })
        .await
    };
}
