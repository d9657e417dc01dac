//! What the simulator needs to know about a helpline.

use serde::Serialize;

use crate::dist::Dist;
use crate::error::{non_negative, positive, probability, CapacityError, Result};
use crate::roster::{Staffing, HOURS_PER_WEEK};

/// What callers do after giving up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Redial {
    /// Probability that a caller who gave up (or found the line full) tries again.
    pub probability: f64,
    /// Time between giving up and trying again.
    pub delay: Dist,
    /// Attempts at most per person and episode, the first included; then they stop.
    pub max_attempts: u32,
}

impl Redial {
    /// Nobody calls back.
    pub fn none() -> Self {
        Redial {
            probability: 0.0,
            delay: Dist::Fixed { minutes: 0.0 },
            max_attempts: 1,
        }
    }
}

/// The order in which waiting callers are answered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Discipline {
    /// First come, first served.
    Fifo,
    /// Two classes, each first come first served; a share of people (e.g. those the triage
    /// flags at risk) are always answered before the others.
    Priority {
        /// Share of people in the priority class.
        high_share: f64,
    },
}

/// A complete description of one simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimConfig {
    /// Simulated length in days, starting on a Monday at 00:00 with nobody in the line.
    pub horizon_days: f64,
    /// New people (first attempts) per hour, for each of the 168 hours of the week; Poisson
    /// within each hour.
    pub fresh_per_hour: Vec<f64>,
    /// Conversation length.
    pub handle: Dist,
    /// Time a listener spends after each conversation (the statistics sheet) before taking
    /// the next one, in seconds.
    pub wrap_up_secs: f64,
    /// How long a caller waits before hanging up.
    pub patience: Dist,
    /// Whether and when callers who hang up try again.
    pub redial: Redial,
    /// Listeners on duty per half hour, repeated weekly.
    pub staffing: Staffing,
    /// Conversations a listener holds at once: 1 on the phone, up to 2 for chats.
    pub conversations_per_listener: u32,
    /// Queue order.
    pub discipline: Discipline,
    /// Callers the line can hold waiting; further attempts get a busy tone at once.
    /// `None` for no limit.
    pub queue_capacity: Option<u32>,
}

impl SimConfig {
    /// A stationary line: constant demand and staffing, exponential everything, no
    /// redials — the Erlang A model, for checking the simulator against the formula.
    pub fn stationary(
        arrivals_per_hour: f64,
        mean_handle_secs: f64,
        mean_patience_secs: f64,
        listeners: u32,
        horizon_days: f64,
    ) -> Self {
        SimConfig {
            horizon_days,
            fresh_per_hour: vec![arrivals_per_hour; HOURS_PER_WEEK],
            handle: Dist::exponential_secs(mean_handle_secs),
            wrap_up_secs: 0.0,
            patience: Dist::exponential_secs(mean_patience_secs),
            redial: Redial::none(),
            staffing: Staffing::constant(listeners),
            conversations_per_listener: 1,
            discipline: Discipline::Fifo,
            queue_capacity: None,
        }
    }

    /// Checks every parameter, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        positive("horizon_days", self.horizon_days)?;
        if self.fresh_per_hour.len() != HOURS_PER_WEEK {
            return Err(CapacityError::invalid(
                "demand",
                format!("{} hours", self.fresh_per_hour.len()),
                "needs one rate per hour of the week (168)",
            ));
        }
        for &rate in &self.fresh_per_hour {
            non_negative("arrivals_per_hour", rate)?;
        }
        self.handle.validate("handle")?;
        if self.handle.mean_secs() <= 0.0 {
            return Err(CapacityError::invalid(
                "handle",
                format!("{:?}", self.handle),
                "conversations must last some time",
            ));
        }
        non_negative("wrap_up_secs", self.wrap_up_secs)?;
        self.patience.validate("patience")?;
        probability("redial probability", self.redial.probability)?;
        self.redial.delay.validate("redial delay")?;
        if self.redial.max_attempts == 0 {
            return Err(CapacityError::invalid(
                "redial max_attempts",
                0,
                "must be at least 1 (the first attempt)",
            ));
        }
        if self.redial.max_attempts > u32::from(u16::MAX) {
            return Err(CapacityError::invalid(
                "redial max_attempts",
                self.redial.max_attempts,
                "must be at most 65535",
            ));
        }
        if self.conversations_per_listener == 0 {
            return Err(CapacityError::invalid(
                "conversations_per_listener",
                0,
                "must be at least 1",
            ));
        }
        if self.staffing.slots().iter().all(|&n| n == 0) {
            return Err(CapacityError::invalid(
                "listeners",
                0,
                "at least one listener must be on duty at some time of the week",
            ));
        }
        if let Discipline::Priority { high_share } = self.discipline {
            probability("priority share", high_share)?;
        }
        Ok(())
    }
}
