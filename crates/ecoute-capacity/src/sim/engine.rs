//! The event loop.
//!
//! Three clocks drive the simulation: the next new person (drawn from the hour-of-week
//! Poisson process), the next half-hour staffing slot, and a heap of scheduled events
//! (conversations ending, callers giving up, callers dialling again). Waiting callers sit
//! in one FIFO per class; one who gives up is only marked, and skipped when reached, so
//! giving up costs O(1) instead of a search through the line.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use rand::{Rng, SeedableRng};
use rand_distr::Exp1;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::config::{Discipline, RiskTriage, SimConfig};
use super::report::{SimReport, Tally, WAIT_HISTOGRAM_SECS};
use crate::dist::Sampler;
use crate::error::{CapacityError, Result};
use crate::roster::{HOURS_PER_WEEK, SECS_PER_HOUR, SLOTS_PER_WEEK, SLOT_SECS};

/// The most scheduled events and waiting places a run holds at once (a run stopped there
/// peaked at 260 MB resident): past it the run stops with an error instead of growing
/// until memory runs out. A line needs that many only when callers wait far longer than
/// anyone is answered, e.g. a patience of days on an overloaded line.
pub const MAX_IN_FLIGHT: usize = 10_000_000;

/// A scheduled event.
#[derive(Debug, Clone, Copy)]
struct Event {
    time: f64,
    /// Order of scheduling: breaks ties between equal times (rare with continuous times)
    /// so the order never depends on anything but the seed.
    seq: u64,
    kind: Kind,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A conversation (and its wrap-up) ends: one conversation slot frees.
    ConversationEnd,
    /// The caller in waiting slot `slot` runs out of patience, if still the same caller.
    GiveUp { slot: u32, generation: u32 },
    /// A person dials again: attempt number `attempt` (1-based), in class `class`, with
    /// what the risk groups' tallies need of them (inline: the event stays 32 bytes).
    Redial {
        attempt: u16,
        class: u8,
        high_risk: bool,
        since: f64,
    },
}

impl Event {
    /// The heap's sort key. Times are never negative, and the bits of non-negative floats
    /// order like the floats: integer comparisons, the heap's hottest operation, are cheap.
    #[inline]
    fn key(&self) -> (u64, u64) {
        (self.time.to_bits(), self.seq)
    }
}

// The heap is a max-heap: reverse the key so the earliest event comes first.
impl Ord for Event {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}
impl PartialOrd for Event {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Event {}

/// What the risk groups' tallies need of a person, carried over their redials (unused but
/// under [`Discipline::Triage`]).
#[derive(Debug, Clone, Copy, Default)]
struct Who {
    /// Time of their first attempt, to measure the wait from it.
    since: f64,
    high_risk: bool,
}

/// A caller in the line.
#[derive(Debug, Clone, Copy)]
struct Waiter {
    arrival: f64,
    attempt: u16,
    class: u8,
    /// Who is waiting, for the risk groups' tallies.
    who: Who,
    /// Bumped each time the slot is reused, so stale give-up events can be told apart.
    generation: u32,
    /// False once the caller gave up (the entry stays in the FIFO until reached).
    waiting: bool,
}

/// Independent random streams, one per kind of draw, so that changing the staffing does
/// not change who arrives when or how long they talk: plans compared with the same seed
/// see the same callers (common random numbers), which makes their difference sharper.
struct Streams {
    arrivals: Xoshiro256PlusPlus,
    handle: Xoshiro256PlusPlus,
    patience: Xoshiro256PlusPlus,
    redial: Xoshiro256PlusPlus,
    /// Who is at risk and who is flagged, drawn only under [`Discipline::Triage`], so the
    /// other streams, and every other discipline's runs, are unchanged by it.
    risk: Xoshiro256PlusPlus,
}

impl Streams {
    fn new(seed: u64) -> Self {
        let arrivals = Xoshiro256PlusPlus::seed_from_u64(seed);
        // Jumps of 2^128 draws: streams that can never overlap.
        let mut handle = arrivals.clone();
        handle.jump();
        let mut patience = handle.clone();
        patience.jump();
        let mut redial = patience.clone();
        redial.jump();
        let mut risk = redial.clone();
        risk.jump();
        Streams {
            arrivals,
            handle,
            patience,
            redial,
            risk,
        }
    }
}

pub(crate) struct Engine<'a> {
    config: &'a SimConfig,
    rng: Streams,
    handle: Sampler,
    patience: Sampler,
    redial_delay: Sampler,
    /// Arrival rate per second for each hour of the week.
    rates: Vec<f64>,
    high_share: f64,
    /// The risk groups and the triage, under [`Discipline::Triage`].
    triage: Option<RiskTriage>,
    horizon: f64,

    now: f64,
    heap: BinaryHeap<Event>,
    /// Events scheduled so far: the next event's `seq`.
    scheduled: u64,
    next_fresh: f64,
    next_slot: f64,
    slot_index: usize,
    /// Conversations the listeners on duty can hold now.
    capacity: u32,
    /// Conversations under way (may exceed `capacity` just after a shift ends: listeners
    /// finish the conversation they are in).
    busy: u32,
    waiting: u32,
    queues: [VecDeque<u32>; 2],
    waiters: Vec<Waiter>,
    free_waiters: Vec<u32>,
    tally: Tally,
    /// [`MAX_IN_FLIGHT`], or less in tests.
    max_in_flight: usize,
}

impl<'a> Engine<'a> {
    pub(crate) fn new(config: &'a SimConfig, seed: u64, max_in_flight: usize) -> Result<Self> {
        config.validate()?;
        let (high_share, triage) = match config.discipline {
            Discipline::Fifo => (0.0, None),
            Discipline::Priority { high_share } => (high_share, None),
            Discipline::Triage(triage) => (0.0, Some(triage)),
        };
        let mut engine = Engine {
            config,
            rng: Streams::new(seed),
            handle: config.handle.sampler(),
            patience: config.patience.sampler(),
            redial_delay: config.redial.delay.sampler(),
            rates: config
                .fresh_per_hour
                .iter()
                .map(|r| r / SECS_PER_HOUR)
                .collect(),
            high_share,
            triage,
            horizon: config.horizon_days * 86_400.0,
            now: 0.0,
            heap: BinaryHeap::with_capacity(1024),
            scheduled: 0,
            next_fresh: 0.0,
            next_slot: SLOT_SECS,
            slot_index: 0,
            capacity: config.staffing.slots()[0] * config.conversations_per_listener,
            busy: 0,
            waiting: 0,
            queues: [VecDeque::with_capacity(256), VecDeque::with_capacity(1024)],
            waiters: Vec::with_capacity(1024),
            free_waiters: Vec::with_capacity(1024),
            tally: Tally::new(config.redial.max_attempts as usize, triage.is_some()),
            max_in_flight,
        };
        engine.next_fresh = engine.draw_next_fresh(0.0);
        Ok(engine)
    }

    /// Runs to the horizon, calling `progress` with the simulated fraction at every
    /// half-hour slot.
    pub(crate) fn run(mut self, seed: u64, progress: &mut dyn FnMut(f64)) -> Result<SimReport> {
        loop {
            if self.heap.len() + self.waiters.len() > self.max_in_flight {
                return Err(self.too_much_in_flight());
            }
            let heap_time = self.heap.peek().map_or(f64::INFINITY, |e| e.time);
            let t = heap_time.min(self.next_fresh).min(self.next_slot);
            if t >= self.horizon {
                self.advance_to(self.horizon);
                break;
            }
            self.advance_to(t);
            if t == self.next_slot {
                self.change_slot();
                progress(self.now / self.horizon);
            } else if t == self.next_fresh {
                let (class, who) = match self.triage {
                    None => (
                        u8::from(
                            !(self.high_share > 0.0
                                && self.rng.arrivals.random::<f64>() < self.high_share),
                        ),
                        Who::default(),
                    ),
                    Some(triage) => self.new_person(triage),
                };
                let hour = self.hour();
                self.tally.by_hour[hour].first_attempts += 1;
                self.arrive(1, class, who);
                self.next_fresh = self.draw_next_fresh(self.now);
            } else if let Some(event) = self.heap.pop() {
                match event.kind {
                    Kind::ConversationEnd => {
                        self.busy -= 1;
                        self.dispatch();
                    }
                    Kind::GiveUp { slot, generation } => self.give_up(slot, generation),
                    Kind::Redial {
                        attempt,
                        class,
                        high_risk,
                        since,
                    } => self.arrive(attempt, class, Who { since, high_risk }),
                }
            }
        }
        progress(1.0);
        Ok(self.tally.finish(
            seed,
            self.config.horizon_days,
            u64::from(self.waiting),
            u64::from(self.busy),
            self.config.conversations_per_listener,
        ))
    }

    fn too_much_in_flight(&self) -> CapacityError {
        CapacityError::BeyondModel(format!(
            "the simulation holds more than {} waiting callers and scheduled events at once \
             (day {:.0}: {} waiting, mean patience {:.0} min): it stops rather than exhaust \
             memory; the line is far more overloaded than callers who hang up would allow, \
             so lower the demand or the patience",
            self.max_in_flight,
            self.now / 86_400.0,
            self.waiting,
            self.config.patience.mean_secs() / 60.0
        ))
    }

    /// Schedules `kind` at `time`.
    #[inline]
    fn schedule(&mut self, time: f64, kind: Kind) {
        self.heap.push(Event {
            time,
            seq: self.scheduled,
            kind,
        });
        self.scheduled += 1;
    }

    /// Hour of the week of the current time.
    #[inline]
    fn hour(&self) -> usize {
        // Two half-hour slots an hour, and the slot clock moves with time.
        self.slot_index / 2
    }

    /// Moves the clock, crediting on-duty and busy time to the hour being left. Slot
    /// changes every half hour guarantee an interval never straddles two hours.
    #[inline]
    fn advance_to(&mut self, t: f64) {
        let dt = t - self.now;
        if dt > 0.0 {
            let hour = self.hour();
            let rostered = self.config.staffing.slots()[self.slot_index];
            // Listeners needed for the conversations under way; those beyond the roster
            // are finishing a conversation after their shift ended.
            let talking = self.busy.div_ceil(self.config.conversations_per_listener);
            let stats = &mut self.tally.by_hour[hour];
            stats.on_duty_secs += dt * f64::from(rostered);
            stats.overtime_secs += dt * f64::from(talking.saturating_sub(rostered));
            stats.busy_secs += dt * f64::from(self.busy);
            self.now = t;
        }
    }

    fn change_slot(&mut self) {
        self.slot_index = (self.slot_index + 1) % SLOTS_PER_WEEK;
        self.next_slot += SLOT_SECS;
        self.capacity =
            self.config.staffing.slots()[self.slot_index] * self.config.conversations_per_listener;
        self.dispatch();
    }

    /// Next first attempt after `t` for a Poisson process whose rate is constant within
    /// each hour: spend one Exp(1) draw of cumulative rate, hour by hour.
    fn draw_next_fresh(&mut self, mut t: f64) -> f64 {
        let mut budget: f64 = self.rng.arrivals.sample(Exp1);
        // A week without any demand would loop for ever: stop at the horizon.
        while t < self.horizon {
            let hour = ((t / SECS_PER_HOUR) as usize) % HOURS_PER_WEEK;
            let rate = self.rates[hour];
            let hour_end = ((t / SECS_PER_HOUR).floor() + 1.0) * SECS_PER_HOUR;
            if rate > 0.0 {
                let dt = budget / rate;
                if t + dt < hour_end {
                    return t + dt;
                }
                budget -= rate * (hour_end - t);
            }
            t = hour_end;
        }
        f64::INFINITY
    }

    /// A new person under [`Discipline::Triage`]: at risk or not, flagged or not (two
    /// draws each, always, so that the same seed gives the same people at risk whatever
    /// the recall). Returns their class and who they are.
    fn new_person(&mut self, triage: RiskTriage) -> (u8, Who) {
        let high_risk = self.rng.risk.random::<f64>() < triage.high_risk_share;
        let flag_probability = if high_risk {
            triage.recall
        } else {
            triage.false_positive_rate
        };
        let flagged = self.rng.risk.random::<f64>() < flag_probability;
        if let Some(groups) = &mut self.tally.groups {
            let g = &mut groups[group(high_risk)];
            g.people += 1;
            g.flagged += u64::from(flagged);
        }
        (
            u8::from(!flagged),
            Who {
                since: self.now,
                high_risk,
            },
        )
    }

    /// An attempt reaches the line.
    fn arrive(&mut self, attempt: u16, class: u8, who: Who) {
        let hour = self.hour();
        self.tally.by_hour[hour].attempts += 1;
        self.tally.class_attempts[usize::from(class)] += 1;
        if let Some(groups) = &mut self.tally.groups {
            groups[group(who.high_risk)].attempts += 1;
        }
        if self.busy < self.capacity && self.waiting == 0 {
            self.answer(self.now, attempt, class, who);
            return;
        }
        if self
            .config
            .queue_capacity
            .is_some_and(|cap| self.waiting >= cap)
        {
            self.tally.by_hour[hour].blocked += 1;
            self.failed(attempt, class, who);
            return;
        }
        let patience = self.patience.sample(&mut self.rng.patience);
        let slot = match self.free_waiters.pop() {
            Some(slot) => slot,
            None => {
                self.waiters.push(Waiter {
                    arrival: 0.0,
                    attempt: 0,
                    class: 0,
                    who: Who::default(),
                    generation: 0,
                    waiting: false,
                });
                (self.waiters.len() - 1) as u32
            }
        };
        let w = &mut self.waiters[slot as usize];
        w.arrival = self.now;
        w.attempt = attempt;
        w.class = class;
        w.who = who;
        w.waiting = true;
        let generation = w.generation;
        self.queues[usize::from(class)].push_back(slot);
        self.waiting += 1;
        self.schedule(self.now + patience, Kind::GiveUp { slot, generation });
    }

    /// Starts a conversation with an attempt that arrived at `arrival`.
    fn answer(&mut self, arrival: f64, attempt: u16, class: u8, who: Who) {
        let wait = self.now - arrival;
        if let Some(groups) = &mut self.tally.groups {
            groups[group(who.high_risk)].answered(wait, self.now - who.since);
        }
        let stats = &mut self.tally.by_hour[hour_of(arrival)];
        stats.answered += 1;
        stats.wait_answered_secs += wait;
        self.tally.wait_histogram[(wait as usize).min(WAIT_HISTOGRAM_SECS)] += 1;
        self.tally.answered_on_attempt[usize::from(attempt) - 1] += 1;
        self.tally.class_answered[usize::from(class)] += 1;
        self.busy += 1;
        let talk = self.handle.sample(&mut self.rng.handle);
        self.schedule(
            self.now + talk + self.config.wrap_up_secs,
            Kind::ConversationEnd,
        );
    }

    /// Free conversation slots take the next callers, priority class first.
    fn dispatch(&mut self) {
        while self.busy < self.capacity && self.waiting > 0 {
            let Some(slot) = self.queues[0]
                .pop_front()
                .or_else(|| self.queues[1].pop_front())
            else {
                break;
            };
            let w = self.waiters[slot as usize];
            self.release(slot);
            if w.waiting {
                self.waiting -= 1;
                self.answer(w.arrival, w.attempt, w.class, w.who);
            }
        }
    }

    /// Returns a waiting slot to the free list; its generation changes so a pending
    /// give-up event for the previous occupant is ignored.
    fn release(&mut self, slot: u32) {
        let w = &mut self.waiters[slot as usize];
        w.generation = w.generation.wrapping_add(1);
        w.waiting = false;
        self.free_waiters.push(slot);
    }

    fn give_up(&mut self, slot: u32, generation: u32) {
        let w = &mut self.waiters[slot as usize];
        if w.generation != generation || !w.waiting {
            return; // answered meanwhile
        }
        // Stay in the FIFO, marked, until reached; the slot is freed then.
        w.waiting = false;
        let (arrival, attempt, class, who) = (w.arrival, w.attempt, w.class, w.who);
        self.waiting -= 1;
        let stats = &mut self.tally.by_hour[hour_of(arrival)];
        stats.abandoned += 1;
        stats.wait_abandoned_secs += self.now - arrival;
        self.failed(attempt, class, who);
    }

    /// An attempt ended unanswered: the person may try again.
    fn failed(&mut self, attempt: u16, class: u8, who: Who) {
        let redial = &self.config.redial;
        if u32::from(attempt) < redial.max_attempts
            && self.rng.redial.random::<f64>() < redial.probability
        {
            let delay = self.redial_delay.sample(&mut self.rng.redial);
            self.schedule(
                self.now + delay,
                Kind::Redial {
                    attempt: attempt + 1,
                    class,
                    high_risk: who.high_risk,
                    since: who.since,
                },
            );
        } else {
            self.tally.lost_after_attempts[usize::from(attempt) - 1] += 1;
        }
    }
}

/// Index of a risk group in the tallies: 0 at high risk, 1 the others.
#[inline]
fn group(high_risk: bool) -> usize {
    usize::from(!high_risk)
}

#[inline]
fn hour_of(t: f64) -> usize {
    ((t / SECS_PER_HOUR) as usize) % HOURS_PER_WEEK
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Callers who never hang up on a line that answers few of them pile up: the run stops
    /// at its bound with an error (a small bound here; [`MAX_IN_FLIGHT`] in production).
    #[test]
    fn a_run_that_would_exhaust_memory_stops_at_its_bound() {
        // 600 calls an hour of 20 minutes on one listener, patience of a year.
        let config = SimConfig::stationary(600.0, 1200.0, 365.0 * 86_400.0, 1, 28.0);
        let err = Engine::new(&config, 1, 5_000)
            .expect("valid")
            .run(1, &mut |_| {})
            .expect_err("bounded");
        assert!(
            err.to_string().contains("more than 5000 waiting callers"),
            "{err}"
        );
        // The same line with callers who hang up runs to the end under the same bound.
        let config = SimConfig::stationary(600.0, 1200.0, 120.0, 1, 28.0);
        assert!(Engine::new(&config, 1, 5_000)
            .expect("valid")
            .run(1, &mut |_| {})
            .is_ok());
    }
}
