//! The one connection loop that both sockets run: hello, welcome and catch-up, then frames,
//! events, queue changes, heartbeats and shutdown, then leave. Each side (person, listener)
//! supplies its own frames and what they do through [`Side`].

use async_trait::async_trait;
use ecoute_domain::{CentreId, Event, QueueSnapshot, Topic};
use ecoute_protocol::limits::HELLO_TIMEOUT;
use ecoute_protocol::{CloseCode, ErrorCode, ErrorOut};
use ecoute_store::EventBus;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::{StreamExt, StreamMap};

use super::rate::{Kind, SocketLimits, Verdict};
use super::transport::{Incoming, Transport};
use crate::metrics::Side as MetricSide;
use crate::state::AppState;

/// What a side says about a frame, for the limits and for errors that must name it.
pub enum FrameKind<'a> {
    /// A `send`: refusals name its id (and conversation).
    Message {
        /// The message's id.
        id: &'a str,
        /// Its conversation (listener side).
        contact_id: Option<&'a str>,
    },
    /// A `typing` notice: relayed at most every 2 s.
    Typing,
    /// A heartbeat: answered here with `pong`.
    Ping,
    /// The first frame.
    Hello,
    /// Anything else.
    Other,
}

/// What the loop does next.
pub enum Flow {
    /// Go on.
    Continue,
    /// The connection is over (already closed, or the side said so): record the departure.
    Leave,
    /// Close with this code, then record the departure.
    Close(CloseCode, &'static str),
    /// A newer connection of the same party took over: close (4409) without recording a
    /// departure, since the newer connection is present.
    Replaced,
}

impl From<bool> for Flow {
    /// `true` (sent) goes on; `false` (the connection is gone) leaves.
    fn from(sent: bool) -> Flow {
        if sent {
            Flow::Continue
        } else {
            Flow::Leave
        }
    }
}

/// Why `hello` was refused.
pub struct Refusal {
    /// The error sent before closing.
    pub error: ErrorOut,
    /// The close code, if the connection closes.
    pub close: Option<(CloseCode, &'static str)>,
}

impl Refusal {
    /// The first frame was not `hello` (the loop passes only hellos to [`Side::open`]; this
    /// keeps that rule checked rather than assumed).
    pub fn not_hello() -> Self {
        Refusal {
            error: ErrorOut::new(ErrorCode::HelloRequired, "the first frame must be hello"),
            close: Some((CloseCode::HelloRequired, "hello required")),
        }
    }
}

/// The socket's frames and its subscriptions to the bus, which a side changes as its
/// conversations come and go.
pub struct Io {
    /// The WebSocket.
    pub transport: Transport,
    topics: StreamMap<Topic, BroadcastStream<Arc<Event>>>,
    bus: Arc<dyn EventBus>,
}

impl Io {
    /// Starts receiving `topic`'s events.
    pub fn follow(&mut self, topic: Topic) {
        let rx = self.bus.subscribe(topic);
        self.topics.insert(topic, BroadcastStream::new(rx));
    }

    /// Stops receiving `topic`'s events.
    pub fn unfollow(&mut self, topic: Topic) {
        self.topics.remove(&topic);
    }

    /// Whether `topic` is followed.
    pub fn follows(&self, topic: Topic) -> bool {
        self.topics.contains_key(&topic)
    }

    /// The contacts followed.
    pub fn contacts(&self) -> Vec<ecoute_domain::ContactId> {
        self.topics
            .keys()
            .filter_map(|t| match t {
                Topic::Contact(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// Sends one frame; false when the connection is gone.
    pub async fn send<F: serde::Serialize + Sync>(&mut self, frame: &F) -> bool {
        self.transport.send(frame).await
    }

    /// Sends messages, each wrapped in the side's `message` frame (`PersonOut::Message`,
    /// `ListenerOut::Message`); false when the connection is gone.
    pub async fn send_messages<F: serde::Serialize + Sync>(
        &mut self,
        messages: Vec<ecoute_protocol::MessageOut>,
        frame: fn(ecoute_protocol::MessageOut) -> F,
    ) -> bool {
        for m in messages {
            if !self.send(&frame(m)).await {
                return false;
            }
        }
        true
    }

    /// Sends a refusal.
    pub async fn error(&mut self, err: ErrorOut) -> bool {
        self.transport.send_error(err).await
    }
}

/// One side of the protocol.
#[async_trait]
pub trait Side: Sized + Send {
    /// Frames from the client.
    type In: DeserializeOwned + Send;
    /// What authenticated the upgrade (the listener's staff session), before `hello`.
    type Auth: Send;
    /// Which gauge counts this side's sockets.
    const METRIC: MetricSide;
    /// How often [`Side::on_tick`] runs; `None`: never (no timer is kept for it, which
    /// matters for the memory of thousands of idle sockets).
    const TICK: Option<Duration>;

    /// What the frame is, for limits and refusals.
    fn kind(frame: &Self::In) -> FrameKind<'_>;

    /// Authenticates with the `hello` frame and follows the side's topics — before anything
    /// is read from the store, so that what is committed meanwhile arrives as an event.
    async fn open(
        state: &AppState,
        auth: Self::Auth,
        hello: Self::In,
        io: &mut Io,
    ) -> Result<Self, Refusal>;

    /// The centre whose queue this socket watches.
    fn centre(&self) -> CentreId;

    /// Sends `welcome` and every missed message. False if the connection is gone.
    async fn welcome(&mut self, io: &mut Io) -> bool;

    /// Whether queue snapshots matter now (the person only while waiting).
    fn wants_queue(&self) -> bool;

    /// A new queue snapshot.
    async fn on_queue(&mut self, io: &mut Io, snapshot: &Arc<QueueSnapshot>) -> bool;

    /// A frame, past the limits (not `hello`, not `ping`).
    async fn on_frame(&mut self, io: &mut Io, frame: Self::In) -> Flow;

    /// An event of a followed topic; `Lagged` means events were missed: re-read the store.
    async fn on_event(
        &mut self,
        io: &mut Io,
        topic: Topic,
        event: Result<Arc<Event>, BroadcastStreamRecvError>,
    ) -> Flow;

    /// Runs every [`Side::TICK`].
    async fn on_tick(&mut self, _io: &mut Io) -> Flow {
        Flow::Continue
    }

    /// The connection is over (not replaced): record the absence, tell the other side.
    async fn left(&mut self, io: &mut Io);
}

/// Runs one socket of side `S` from upgrade to close.
///
/// The returned future is what every idle socket's task holds, so its size counts once per
/// waiting visitor: the socket is wrapped before it (the raw socket is not kept beside its
/// wrapper), and opening and closing, which run once each, are in their own allocations.
pub fn run<S: Side>(
    ws: axum::extract::ws::WebSocket,
    state: AppState,
    auth: S::Auth,
) -> impl std::future::Future<Output = ()> + Send {
    let mut io = Io {
        transport: Transport::new(ws),
        // One topic for a person (their conversation); a listener's grow as they take more.
        topics: StreamMap::with_capacity(1),
        bus: state.bus.clone(),
    };
    async move {
        let _counted = state.metrics.websocket_open(S::METRIC);
        let mut shutdown = state.shutdown.subscribe();
        let Some(mut side) = Box::pin(open::<S>(&state, auth, &mut io)).await else {
            return;
        };
        let flow = serve(&state, &mut side, &mut io, &mut shutdown).await;
        Box::pin(finish(flow, &mut side, &mut io)).await;
    }
}

/// Waits for `hello` and opens the side, or refuses and closes (`None`).
async fn open<S: Side>(state: &AppState, auth: S::Auth, io: &mut Io) -> Option<S> {
    let hello = expect_hello::<S>(&mut io.transport).await?;
    match S::open(state, auth, hello, io).await {
        Ok(side) => Some(side),
        Err(refusal) => {
            io.error(refusal.error).await;
            if let Some((code, reason)) = refusal.close {
                io.transport.close(code, reason).await;
            }
            None
        }
    }
}

/// Closes as `flow` says and records the departure (not when replaced).
async fn finish<S: Side>(flow: Flow, side: &mut S, io: &mut Io) {
    match flow {
        Flow::Replaced => {
            io.transport.close(CloseCode::Replaced, "replaced").await;
        }
        Flow::Close(code, reason) => {
            io.transport.close(code, reason).await;
            side.left(io).await;
        }
        Flow::Leave | Flow::Continue => {
            io.transport.close(CloseCode::Normal, "").await;
            side.left(io).await;
        }
    }
}

async fn serve<S: Side>(
    state: &AppState,
    side: &mut S,
    io: &mut Io,
    shutdown: &mut tokio::sync::watch::Receiver<bool>,
) -> Flow {
    if !side.welcome(io).await {
        return Flow::Leave;
    }
    let mut queue = state.queues.watch(side.centre());
    if side.wants_queue() {
        // Not kept past this first frame: a socket holding the snapshot it opened with would
        // keep every past version of a busy queue alive (20 KiB each for 1,000 waiting).
        let snapshot = queue.borrow_and_update().clone();
        if !side.on_queue(io, &snapshot).await {
            return Flow::Leave;
        }
    } else {
        queue.borrow_and_update();
    }
    let heartbeat = state.config.chat.heartbeat();
    let mut beat = tokio::time::interval(heartbeat);
    beat.tick().await;
    let mut tick = S::TICK.map(tokio::time::interval);
    if let Some(tick) = tick.as_mut() {
        tick.tick().await;
    }
    let mut limits = SocketLimits::new(tokio::time::Instant::now());
    loop {
        // What woke the loop, taken out of `select!` before acting on it: the branch futures
        // are dropped first, so that the task's state never holds them and a handler's
        // awaits at once (the size of every idle socket's task).
        let woke = tokio::select! {
            incoming = io.transport.recv::<S::In>() => Woke::Incoming(incoming),
            Some((topic, event)) = io.topics.next() => Woke::Event(topic, event),
            changed = queue.changed(), if side.wants_queue() => Woke::Queue(changed.is_ok()),
            _ = beat.tick() => Woke::Beat,
            () = next_tick(&mut tick) => Woke::Tick,
            () = stopping(shutdown) => Woke::Stopping,
        };
        let flow = match woke {
            // Boxed, like the sides' handlers: their states stay out of the idle task.
            Woke::Incoming(incoming) => {
                Box::pin(on_incoming(side, io, &mut limits, incoming)).await
            }
            Woke::Event(topic, event) => side.on_event(io, topic, event).await,
            Woke::Queue(false) => Flow::Leave,
            Woke::Queue(true) => {
                let snapshot = queue.borrow_and_update().clone();
                side.on_queue(io, &snapshot).await.into()
            }
            Woke::Beat => {
                // Three missed heartbeats: the network is dead (a phone losing signal does not
                // close its TCP connection). The other side is told at once.
                if io.transport.silent_for() > heartbeat * 3 {
                    Flow::Close(CloseCode::Timeout, "no answer to heartbeats")
                } else {
                    Box::pin(io.transport.ping()).await.into()
                }
            }
            Woke::Tick => side.on_tick(io).await,
            Woke::Stopping => Flow::Close(CloseCode::GoingAway, "server shutting down"),
        };
        if !matches!(flow, Flow::Continue) {
            return flow;
        }
    }
}

/// What woke the connection loop.
enum Woke<In> {
    Incoming(Incoming<In>),
    Event(Topic, Result<Arc<Event>, BroadcastStreamRecvError>),
    /// The queue's snapshot changed (`false`: its publisher is gone).
    Queue(bool),
    Beat,
    Tick,
    Stopping,
}

async fn on_incoming<S: Side>(
    side: &mut S,
    io: &mut Io,
    limits: &mut SocketLimits,
    incoming: Incoming<S::In>,
) -> Flow {
    let now = tokio::time::Instant::now();
    let frame = match incoming {
        Incoming::Closed => return Flow::Leave,
        Incoming::Alive => return Flow::Continue,
        Incoming::Refused(err) => {
            return match limits.check(Kind::Other, now) {
                Verdict::Close => Flow::Close(CloseCode::PolicyViolation, "too many frames"),
                Verdict::Refuse {
                    retry_after,
                    notify,
                } => {
                    if notify {
                        io.error(rate_limited(retry_after)).await.into()
                    } else {
                        Flow::Continue
                    }
                }
                Verdict::Accept | Verdict::Drop => io.error(err).await.into(),
            };
        }
        Incoming::Frame(frame) => frame,
    };
    let kind = S::kind(&frame);
    let limit_kind = match kind {
        FrameKind::Message { .. } => Kind::Message,
        FrameKind::Typing => Kind::Typing,
        _ => Kind::Other,
    };
    match limits.check(limit_kind, now) {
        Verdict::Accept => {}
        Verdict::Drop => return Flow::Continue,
        Verdict::Close => return Flow::Close(CloseCode::PolicyViolation, "too many frames"),
        Verdict::Refuse {
            retry_after,
            notify,
        } => {
            // Every refused message is named, so that its page retries it; other frames get
            // one notice per run of refusals.
            return match kind {
                FrameKind::Message { id, contact_id } => {
                    let mut err = rate_limited(retry_after).with_id(id);
                    if let Some(contact) = contact_id {
                        err = err.with_contact(contact);
                    }
                    io.error(err).await.into()
                }
                _ if notify => io.error(rate_limited(retry_after)).await.into(),
                _ => Flow::Continue,
            };
        }
    }
    match kind {
        FrameKind::Hello => io
            .error(ErrorOut::new(
                ErrorCode::BadFrame,
                "hello was already received",
            ))
            .await
            .into(),
        FrameKind::Ping => io.transport.send_pong().await.into(),
        _ => side.on_frame(io, frame).await,
    }
}

/// The next tick of `tick`, or never.
async fn next_tick(tick: &mut Option<tokio::time::Interval>) {
    match tick {
        Some(tick) => {
            tick.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// Resolves once the server is stopping (also if it already was when the socket opened).
async fn stopping(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    // `changed` rather than `wait_for`: a smaller future, in every idle socket's state. The
    // value only ever turns true, and a dropped sender means the server is gone too.
    while !*shutdown.borrow_and_update() {
        if shutdown.changed().await.is_err() {
            return;
        }
    }
}

fn rate_limited(retry_after: Duration) -> ErrorOut {
    ErrorOut::new(
        ErrorCode::RateLimited,
        "too many frames or messages per second; slow down",
    )
    .retry_after(retry_after)
}

/// Waits for the first frame, which must be a well-formed `hello`. On anything else, tells
/// the client why and closes (4400); returns `None`.
async fn expect_hello<S: Side>(transport: &mut Transport) -> Option<S::In> {
    let deadline = tokio::time::Instant::now() + HELLO_TIMEOUT;
    loop {
        let Ok(incoming) = tokio::time::timeout_at(deadline, transport.recv::<S::In>()).await
        else {
            break;
        };
        match incoming {
            Incoming::Alive => continue,
            Incoming::Closed => return None,
            Incoming::Frame(frame) if matches!(S::kind(&frame), FrameKind::Hello) => {
                return Some(frame)
            }
            // Too large is not a protocol violation: the client may try again, smaller.
            Incoming::Refused(err) if err.code == ErrorCode::FrameTooLarge => {
                transport.send_error(err).await;
                continue;
            }
            _ => break,
        }
    }
    let err = ErrorOut::new(
        ErrorCode::HelloRequired,
        "the first frame must be hello, within 10 seconds",
    );
    transport.send_error(err).await;
    transport
        .close(CloseCode::HelloRequired, "hello required")
        .await;
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::listener::ListenerConn;
    use crate::ws::person::PersonConn;
    use crate::ws::supervisor::SupervisorConn;

    /// The size of the future a function of three arguments returns.
    fn future_size<A, B, C, F>(_: fn(A, B, C) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    /// Every idle socket's task holds this future, so its size counts once per waiting
    /// visitor (3.5 KiB for the person before the rare paths were boxed out of it). An await
    /// added inline with a large state fails here rather than in the memory benchmark.
    #[test]
    fn the_socket_task_stays_small() {
        for (side, size) in [
            ("person", future_size(run::<PersonConn>)),
            ("listener", future_size(run::<ListenerConn>)),
            ("supervisor", future_size(run::<SupervisorConn>)),
        ] {
            assert!(size <= 2048, "the {side} socket's future is {size} bytes");
        }
    }
}
