//! The latency measurement: N conversations open at once, each carrying one message per
//! period, alternately from the visitor and the listener, with phases spread evenly over the
//! period so that the aggregate rate is steady. Every message id carries its send instant
//! (nanoseconds since [`crate::origin`]); the receiver, in this same process, subtracts it from
//! the instant the frame came off its socket: one-way latency on one monotonic clock.

use anyhow::Context;
use ecoute_protocol::{Author, ListenerIn, PersonIn};
use ecoute_testkit::ws::{self as testkit, Listener, Person};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{self, Ws};
use crate::procs::{self, ChildProc};
use crate::{origin, setup, Plan};
use ecoute_testkit::ws::Raw;

/// The longest wait, after the last send, for every measured message to arrive.
const DRAIN_WAIT: Duration = Duration::from_secs(10);
/// The latency recorded for a message that never arrived.
pub const LOST: u32 = u32::MAX;
/// Between the end of setup and the first send, so that every task is running.
const START_DELAY: Duration = Duration::from_millis(500);

/// How each side of a conversation sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Open loop: one message per period, whatever the server's pace (latency at a fixed
    /// offered rate).
    Open,
    /// Closed loop: the next message as soon as the previous one is acknowledged (throughput).
    Closed,
}

/// Which server the conversations go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Ecoute,
    Relay,
}

/// The two ends of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Visitor = 0,
    Listener = 1,
}

impl Side {
    fn letter(self) -> char {
        match self {
            Side::Visitor => 'v',
            Side::Listener => 'l',
        }
    }

    /// The `author` of its messages in ecoute's frames.
    fn author(self) -> Author {
        match self {
            Side::Visitor => Author::Person,
            Side::Listener => Author::Listener,
        }
    }

    fn other(self) -> Side {
        match self {
            Side::Visitor => Side::Listener,
            Side::Listener => Side::Visitor,
        }
    }
}

/// One open conversation.
pub struct Pair {
    visitor: Ws,
    listener: Ws,
    /// ecoute's contact id (the listener names it in `send`).
    contact_id: Option<String>,
}

/// What one latency run measured. Latencies in microseconds, sorted.
#[derive(Debug, Default)]
pub struct Latency {
    /// Visitor's send → listener's receipt of the message.
    pub v2l: Vec<u32>,
    /// Listener's send → visitor's receipt.
    pub l2v: Vec<u32>,
    /// Send → the sender's `ack` (ecoute: after the commit; relay: the echo), both sides.
    pub ack: Vec<u32>,
    /// Messages sent within the measurement window, per side (visitor, listener).
    pub sent: [u64; 2],
    /// Of those, received by the other side, per sending side.
    pub received: [u64; 2],
    /// Of those, acknowledged to their sender, per sending side.
    pub acked: [u64; 2],
    /// `error` frames and sockets lost during the run.
    pub errors: u64,
    /// The first of them.
    pub first_error: Option<String>,
    /// Measured seconds.
    pub measured: Duration,
    /// Time to open every conversation.
    pub setup: Duration,
    /// Server RSS with every conversation open, after the traffic, KiB.
    pub rss_kib: u64,
    /// Every measured sample: what, when it was sent (ms into the measurement), latency (µs).
    pub timeline: Vec<(Measure, u32, u32)>,
}

/// What a sample measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    VisitorToListener,
    ListenerToVisitor,
    Ack,
}

impl Measure {
    /// Its name in the timeline file.
    pub fn name(self) -> &'static str {
        match self {
            Measure::VisitorToListener => "visitor_to_listener",
            Measure::ListenerToVisitor => "listener_to_visitor",
            Measure::Ack => "ack",
        }
    }
}

impl Latency {
    /// Messages per second acknowledged (committed) of those sent during the measurement.
    pub fn acked_rate(&self) -> f64 {
        (self.acked[0] + self.acked[1]) as f64 / self.measured.as_secs_f64().max(1e-9)
    }

    /// Messages per second sent during the measurement.
    pub fn rate(&self) -> f64 {
        (self.sent[0] + self.sent[1]) as f64 / self.measured.as_secs_f64().max(1e-9)
    }

    /// Measured messages that never arrived (or were never acknowledged).
    pub fn missing(&self) -> u64 {
        (0..2)
            .map(|i| {
                self.sent[i].saturating_sub(self.received[i])
                    + self.sent[i].saturating_sub(self.acked[i])
            })
            .sum()
    }
}

/// ecoute: N listeners and N visitors through `ecoute serve` on a fresh database under
/// `db_parent`.
pub async fn ecoute(plan: &Plan, bin: &Path, db_parent: &Path) -> anyhow::Result<Latency> {
    let n = plan.conversations;
    let started = Instant::now();
    let dir = procs::fresh_dir(db_parent, "chat")?;
    let cookies = setup::prepare_listeners(&procs::db_url(&dir), n).await?;
    let accounts = started.elapsed();
    print!(
        "      {n} accounts and sessions {:.1} s; ",
        accounts.as_secs_f64()
    );
    let mut server = procs::spawn_ecoute(bin, dir, n + 10).await?;
    let pairs = open_conversations(server.addr, server.addr, cookies).await?;
    let setup = started.elapsed();
    let (mut result, _) = run(
        Target::Ecoute,
        pairs,
        plan,
        Mode::Open,
        std::slice::from_mut(&mut server),
    )
    .await?;
    result.setup = setup;
    Ok(result)
}

/// Opens one conversation per cookie: visitors join the queue on `person_addr`, listeners
/// open their workspace on `listener_addr` and press "next". The queue must hold nobody
/// else.
pub async fn open_conversations(
    person_addr: SocketAddr,
    listener_addr: SocketAddr,
    cookies: Vec<String>,
) -> anyhow::Result<Vec<Pair>> {
    let n = cookies.len();
    let started = Instant::now();
    let listeners =
        client::parallel_map(cookies, client::SETUP_PARALLELISM, move |_, c| async move {
            setup::listener(listener_addr, &c).await
        })
        .await
        .context("opening the listeners' workspaces")?;
    let t_listeners = started.elapsed();
    let t = Instant::now();
    let http = crate::memory::http_client()?;
    let visitors = client::parallel_map(vec![(); n], client::SETUP_PARALLELISM, move |_, ()| {
        let http = http.clone();
        async move { setup::visitor(&http, person_addr).await }
    })
    .await
    .context("visitors joining the queue")?;
    let t_visitors = t.elapsed();
    let t = Instant::now();
    let taken = client::parallel_map(
        listeners,
        client::SETUP_PARALLELISM,
        |_, mut ws| async move {
            let contact = setup::next(&mut ws).await?;
            Ok((ws, contact))
        },
    )
    .await
    .context("listeners pressing next")?;
    let t_next = t.elapsed();
    let mut waiting: HashMap<String, Ws> = visitors.into_iter().map(|(ws, c)| (c, ws)).collect();
    let mut pairs = Vec::with_capacity(n);
    for (listener, contact) in taken {
        let visitor = waiting
            .remove(&contact)
            .with_context(|| format!("a listener was given the unknown contact {contact}"))?;
        pairs.push(Pair {
            visitor,
            listener: listener.into_side(),
            contact_id: Some(contact),
        });
    }
    println!(
        "{n} conversations opened in {:.1} s: listeners {:.1} s, visitors {:.1} s, next {:.1} s",
        started.elapsed().as_secs_f64(),
        t_listeners.as_secs_f64(),
        t_visitors.as_secs_f64(),
        t_next.as_secs_f64()
    );
    Ok(pairs)
}

/// Measures open conversations through ecoute (one or several instances, whose memory is
/// summed) and gives them back for another phase.
pub async fn measure(
    pairs: Vec<Pair>,
    plan: &Plan,
    mode: Mode,
    servers: &mut [ChildProc],
) -> anyhow::Result<(Latency, Vec<Pair>)> {
    run(Target::Ecoute, pairs, plan, mode, servers).await
}

/// The bare relay: N pairs of sockets.
pub async fn relay(plan: &Plan) -> anyhow::Result<Latency> {
    let started = Instant::now();
    let mut server = procs::spawn_relay(None).await?;
    let addr = server.addr;
    let pairs = client::parallel_map(
        vec![(); plan.conversations],
        client::SETUP_PARALLELISM,
        move |i, ()| async move {
            let visitor = client::connect::<Raw>(addr, &format!("/r/{i}/v"), None).await?;
            let listener = client::connect::<Raw>(addr, &format!("/r/{i}/l"), None).await?;
            Ok(Pair {
                visitor,
                listener,
                contact_id: None,
            })
        },
    )
    .await
    .context("opening the relay's pairs")?;
    let setup = started.elapsed();
    println!("      setup {:.1} s", setup.as_secs_f64());
    let (mut result, _) = run(
        Target::Relay,
        pairs,
        plan,
        Mode::Open,
        std::slice::from_mut(&mut server),
    )
    .await?;
    result.setup = setup;
    Ok(result)
}

/// When each side sends, and which sends count.
#[derive(Clone, Copy)]
struct Schedule {
    every: Duration,
    measure_from: Instant,
    measure_to: Instant,
}

impl Schedule {
    fn measured(&self, sent: Instant) -> bool {
        sent >= self.measure_from && sent < self.measure_to
    }

    /// Milliseconds from the start of the measurement to `sent`.
    fn offset_ms(&self, sent: Instant) -> u32 {
        u32::try_from(
            sent.saturating_duration_since(self.measure_from)
                .as_millis(),
        )
        .unwrap_or(u32::MAX)
    }
}

#[derive(Default)]
struct Shared {
    sent: [AtomicU64; 2],
    received: [AtomicU64; 2],
    acked: [AtomicU64; 2],
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Shared {
    fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_error.lock().unwrap_or_else(|e| e.into_inner());
        first.get_or_insert(what);
    }

    fn done(&self) -> bool {
        (0..2).all(|i| {
            let sent = self.sent[i].load(Ordering::Relaxed);
            self.received[i].load(Ordering::Relaxed) >= sent
                && self.acked[i].load(Ordering::Relaxed) >= sent
        })
    }
}

#[derive(Default)]
struct Samples {
    /// Messages received from the other side.
    messages: Vec<u32>,
    /// Acknowledgements of this side's messages.
    acks: Vec<u32>,
    /// (is an ack, ms into the measurement when sent, latency µs).
    timeline: Vec<(bool, u32, u32)>,
}

async fn run(
    target: Target,
    pairs: Vec<Pair>,
    plan: &Plan,
    mode: Mode,
    servers: &mut [ChildProc],
) -> anyhow::Result<(Latency, Vec<Pair>)> {
    for server in servers.iter_mut() {
        server.check_alive()?;
    }
    let n = pairs.len();
    let mut contacts = Vec::with_capacity(n);
    let half = plan.period;
    let every = 2 * plan.period;
    let first = Instant::now() + START_DELAY;
    let measure_from = first + plan.warmup;
    let schedule = Schedule {
        every,
        measure_from,
        measure_to: measure_from + plan.duration,
    };
    let body: Arc<str> = body(plan.body_chars).into();
    let shared = Arc::new(Shared::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    for (i, pair) in pairs.into_iter().enumerate() {
        // Golden-ratio phases: spread evenly over the period, whatever N.
        let phase = match mode {
            Mode::Open => every.mul_f64((i as f64 * 0.618_033_988_749_895).fract()),
            Mode::Closed => Duration::ZERO,
        };
        let offset = match mode {
            Mode::Open => half,
            Mode::Closed => Duration::ZERO,
        };
        contacts.push(pair.contact_id.clone());
        let contact: Option<Arc<str>> = pair.contact_id.map(Into::into);
        for (side, ws, offset) in [
            (Side::Visitor, pair.visitor, Duration::ZERO),
            (Side::Listener, pair.listener, offset),
        ] {
            let task = SideTask {
                target,
                mode,
                side,
                pair: i,
                contact: contact.clone(),
                start: first + phase + offset,
                schedule,
                body: body.clone(),
                shared: shared.clone(),
                stop: stop_rx.clone(),
            };
            tasks.spawn(async move {
                let (samples, ws) = task.run(ws).await;
                (i, side, samples, ws)
            });
        }
    }
    println!(
        "      sending for {:.0} s ({:.0} s warm-up)…",
        (plan.warmup + plan.duration).as_secs_f64(),
        plan.warmup.as_secs_f64()
    );
    tokio::time::sleep_until((schedule.measure_to + Duration::from_millis(50)).into()).await;
    let drain_until = Instant::now() + DRAIN_WAIT;
    while !shared.done() && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut rss_kib = 0;
    for server in servers.iter_mut() {
        server.check_alive()?;
        rss_kib += server.rss_kib()?;
    }
    let _ = stop_tx.send(true);
    let mut out = Latency::default();
    let mut sockets: Vec<[Option<Ws>; 2]> = (0..n).map(|_| [None, None]).collect();
    while let Some(joined) = tasks.join_next().await {
        let (i, side, samples, ws) = joined.context("a connection task panicked")?;
        sockets[i][side as usize] = ws;
        let received = match side {
            Side::Visitor => Measure::ListenerToVisitor,
            Side::Listener => Measure::VisitorToListener,
        };
        out.timeline.extend(
            samples
                .timeline
                .iter()
                .map(|&(ack, at, us)| (if ack { Measure::Ack } else { received }, at, us)),
        );
        match side {
            Side::Visitor => out.l2v.extend(samples.messages),
            Side::Listener => out.v2l.extend(samples.messages),
        }
        out.ack.extend(samples.acks);
    }
    for i in 0..2 {
        out.sent[i] = shared.sent[i].load(Ordering::Relaxed);
        out.received[i] = shared.received[i].load(Ordering::Relaxed);
        out.acked[i] = shared.acked[i].load(Ordering::Relaxed);
    }
    // A message that never arrived counts as infinitely late, not as absent: percentiles
    // are over everything sent.
    let lost = |i: usize, got: &[u64; 2]| out.sent[i].saturating_sub(got[i]) as usize;
    let (lost_v2l, lost_l2v) = (lost(0, &out.received), lost(1, &out.received));
    let lost_ack = lost(0, &out.acked) + lost(1, &out.acked);
    out.v2l.extend(std::iter::repeat_n(LOST, lost_v2l));
    out.l2v.extend(std::iter::repeat_n(LOST, lost_l2v));
    out.ack.extend(std::iter::repeat_n(LOST, lost_ack));
    for v in [&mut out.v2l, &mut out.l2v, &mut out.ack] {
        v.sort_unstable();
    }
    out.errors = shared.errors.load(Ordering::Relaxed);
    out.first_error = shared
        .first_error
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    out.measured = plan.duration;
    out.rss_kib = rss_kib;
    println!(
        "      {} measured messages at {:.0} msg/s ({:.0} committed/s); visitor→listener p50 {}, p99 {}; ack p50 {}; missing {}, errors {}",
        out.sent[0] + out.sent[1],
        out.rate(),
        out.acked_rate(),
        crate::report::ms(crate::report::percentile(&out.v2l, 0.50)),
        crate::report::ms(crate::report::percentile(&out.v2l, 0.99)),
        crate::report::ms(crate::report::percentile(&out.ack, 0.50)),
        out.missing(),
        out.errors
    );
    if let Some(e) = &out.first_error {
        println!("      first error: {e}");
    }
    for server in servers.iter() {
        server.print_log();
    }
    // The conversations, for another phase, if every socket is still open.
    let pairs = sockets
        .into_iter()
        .zip(contacts)
        .map_while(|([v, l], contact_id)| {
            Some(Pair {
                visitor: v?,
                listener: l?,
                contact_id,
            })
        })
        .collect::<Vec<_>>();
    let pairs = if pairs.len() == n { pairs } else { Vec::new() };
    Ok((out, pairs))
}

/// A chat message body of `chars` characters.
fn body(chars: usize) -> String {
    "Bonsoir, je n'arrive pas à dormir et j'avais besoin de parler à quelqu'un ce soir. "
        .chars()
        .cycle()
        .take(chars)
        .collect()
}

/// One side of one conversation.
struct SideTask {
    target: Target,
    mode: Mode,
    side: Side,
    pair: usize,
    contact: Option<Arc<str>>,
    start: Instant,
    schedule: Schedule,
    body: Arc<str>,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
}

/// What a received frame means to the measurement.
enum Got {
    /// This side's message (sent at this instant) is acknowledged.
    Ack(Instant),
    /// The other side's message, sent at this instant, arrived.
    Message(Instant),
    Error(String),
    Other,
}

impl SideTask {
    /// Sends and receives until told to stop; gives the socket back unless it failed.
    async fn run(mut self, mut ws: Ws) -> (Samples, Option<Ws>) {
        let mut samples = Samples::default();
        let closed = self.mode == Mode::Closed;
        // Closed loop: the tick only starts the first message, acks trigger the next ones.
        let period = if closed {
            Duration::from_secs(3600)
        } else {
            self.schedule.every
        };
        let mut tick = tokio::time::interval_at(self.start.into(), period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut sending = true;
        let mut started = false;
        let mut in_flight = false;
        let mut failed = false;
        let mut count = 0u64;
        loop {
            let send_now = closed && started && !in_flight;
            tokio::select! {
                _ = self.stop.changed() => break,
                _ = async {}, if sending && send_now => {
                    let now = Instant::now();
                    if now >= self.schedule.measure_to {
                        sending = false;
                        continue;
                    }
                    count += 1;
                    if let Err(e) = self.send(&mut ws, count, now).await {
                        self.shared.error(e);
                        failed = true;
                        break;
                    }
                    in_flight = true;
                }
                _ = tick.tick(), if sending && !(closed && started) => {
                    started = true;
                    let now = Instant::now();
                    if now >= self.schedule.measure_to {
                        sending = false;
                        continue;
                    }
                    count += 1;
                    if let Err(e) = self.send(&mut ws, count, now).await {
                        self.shared.error(e);
                        failed = true;
                        break;
                    }
                    in_flight = closed;
                }
                received = ws.next_message() => {
                    let at = Instant::now();
                    match received {
                        Some(Ok(Message::Text(text))) => {
                            if self.on_text(text.as_str(), at, &mut samples) {
                                in_flight = false;
                            }
                        }
                        Some(Ok(Message::Close(f))) => {
                            self.shared.error(format!("{:?} {}: closed by the server: {f:?}", self.side, self.pair));
                            failed = true;
                            break;
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            self.shared.error(format!("{:?} {}: socket failed: {e}", self.side, self.pair));
                            failed = true;
                            break;
                        }
                        None => {
                            self.shared.error(format!("{:?} {}: socket closed", self.side, self.pair));
                            failed = true;
                            break;
                        }
                    }
                }
            }
        }
        (samples, (!failed).then_some(ws))
    }

    /// Sends message number `count`, its id carrying the send instant `now`.
    async fn send(&self, ws: &mut Ws, count: u64, now: Instant) -> Result<(), String> {
        let id = format!(
            "{}{}-{count}_{}",
            self.side.letter(),
            self.pair,
            now.duration_since(origin()).as_nanos()
        );
        let frame = self.frame(&id);
        ws.try_send_text(frame)
            .await
            .map_err(|e| format!("{:?} {}: send failed: {e}", self.side, self.pair))?;
        if self.schedule.measured(now) {
            self.shared.sent[self.side as usize].fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// The `send` frame of message `id` (the relay forwards the person's shape).
    fn frame(&self, id: &str) -> String {
        let (id, body) = (id.to_owned(), self.body.as_ref().to_owned());
        let text = match (self.target, self.side, &self.contact) {
            (Target::Ecoute, Side::Listener, Some(contact)) => {
                serde_json::to_string(&ListenerIn::Send {
                    contact_id: contact.as_ref().to_owned(),
                    id,
                    body,
                })
            }
            _ => serde_json::to_string(&PersonIn::Send { id, body }),
        };
        text.expect("frames serialise")
    }

    /// Records a received frame; true when it acknowledges one of this side's messages.
    fn on_text(&self, text: &str, at: Instant, samples: &mut Samples) -> bool {
        match self.classify(text) {
            Got::Ack(sent) => {
                if self.schedule.measured(sent) {
                    samples.acks.push(micros(at - sent));
                    samples
                        .timeline
                        .push((true, self.schedule.offset_ms(sent), micros(at - sent)));
                    self.shared.acked[self.side as usize].fetch_add(1, Ordering::Relaxed);
                }
                return true;
            }
            Got::Message(sent) => {
                if self.schedule.measured(sent) {
                    samples.messages.push(micros(at - sent));
                    samples.timeline.push((
                        false,
                        self.schedule.offset_ms(sent),
                        micros(at - sent),
                    ));
                    self.shared.received[self.side.other() as usize]
                        .fetch_add(1, Ordering::Relaxed);
                }
            }
            Got::Error(e) => self
                .shared
                .error(format!("{:?} {}: {e}", self.side, self.pair)),
            Got::Other => {}
        }
        false
    }

    /// What a frame means, parsed as the protocol's type of this side's socket (the relay's
    /// frames are the senders' own `send` frames, echoed and forwarded).
    fn classify(&self, text: &str) -> Got {
        match (self.target, self.side) {
            (Target::Ecoute, Side::Visitor) => self.classify_as::<Person>(text),
            (Target::Ecoute, Side::Listener) => self.classify_as::<Listener>(text),
            (Target::Relay, _) => match serde_json::from_str(text) {
                Ok(PersonIn::Send { id, .. }) => match sent_at(&id) {
                    Some(t) if id.starts_with(self.side.letter()) => Got::Ack(t),
                    Some(t) => Got::Message(t),
                    None => Got::Other,
                },
                Ok(_) => Got::Other,
                Err(_) => not_a_frame(text),
            },
        }
    }

    /// [`SideTask::classify`] for a frame of ecoute's socket of side `S`.
    fn classify_as<S: testkit::Side>(&self, text: &str) -> Got {
        let Ok(frame) = serde_json::from_str::<S::Out>(text) else {
            return not_a_frame(text);
        };
        if let Some((id, _)) = S::ack(&frame) {
            sent_at(id).map_or(Got::Other, Got::Ack)
        } else if let Some(m) = S::message(&frame) {
            // Its own messages come back too (every message reaches both sides).
            if m.author == self.side.other().author() {
                sent_at(&m.id).map_or(Got::Other, Got::Message)
            } else {
                Got::Other
            }
        } else if S::error(&frame).is_some() {
            Got::Error(text.to_owned())
        } else {
            Got::Other
        }
    }
}

fn not_a_frame(text: &str) -> Got {
    Got::Error(format!("not a frame of the protocol: {text}"))
}

/// The send instant carried by a message id (`<side><pair>-<n>_<nanos since origin>`).
fn sent_at(id: &str) -> Option<Instant> {
    let (_, nanos) = id.rsplit_once('_')?;
    Some(origin() + Duration::from_nanos(nanos.parse().ok()?))
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(LOST - 1)
}
