//! What the simulator needs to know about a helpline.

use serde::Serialize;

use crate::dist::Dist;
use crate::erlang::MAX_LISTENERS;
use crate::error::{non_negative, positive, probability, CapacityError, Result};
use crate::roster::{Staffing, HOURS_PER_WEEK};

/// The most new people one run simulates: fifty times the French national line's 2016
/// year (about a million people). Simulating costs time and memory in proportion to the
/// callers, and a run this large already takes about a minute.
pub const MAX_PEOPLE_PER_RUN: f64 = 50_000_000.0;

/// The longest horizon, ten years: the simulator steps through every half hour, and no
/// plan looks further ahead.
pub const MAX_HORIZON_DAYS: f64 = 3_660.0;

/// The most conversations a listener holds at once (chats).
pub const MAX_CONVERSATIONS_PER_LISTENER: u32 = 16;

/// Checks a horizon in days: positive and at most [`MAX_HORIZON_DAYS`].
pub(crate) fn horizon(name: &'static str, days: f64) -> Result<f64> {
    positive(name, days)?;
    if days > MAX_HORIZON_DAYS {
        return Err(CapacityError::invalid(
            name,
            days,
            "must be at most 3660 days, ten years: the simulator steps through every half hour \
             of the horizon",
        ));
    }
    Ok(days)
}

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
    /// Two groups of people, at high risk or not, and a triage that puts those it flags
    /// in the priority class: the report then tallies each group apart
    /// ([`SimReport::by_risk`](super::SimReport::by_risk)). With
    /// [`RiskTriage::off`] nobody is flagged and the order is FIFO, with the same tallies.
    Triage(RiskTriage),
}

/// Who is at high risk, and whom the triage flags, for [`Discipline::Triage`].
///
/// Each new person is at high risk with probability `high_risk_share`; the triage then
/// flags them with probability `recall` if they are, `false_positive_rate` if not. A
/// person keeps their group and flag over their redials.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RiskTriage {
    /// Share of new people at high risk.
    pub high_risk_share: f64,
    /// Probability that a person at high risk is flagged: the triage's recall.
    pub recall: f64,
    /// Probability that a person not at high risk is flagged.
    pub false_positive_rate: f64,
}

impl RiskTriage {
    /// No triage: the same people, nobody flagged, FIFO order.
    pub fn off(high_risk_share: f64) -> Self {
        RiskTriage {
            high_risk_share,
            recall: 0.0,
            false_positive_rate: 0.0,
        }
    }

    /// The false-positive rate implied by a precision measured on a set where a share
    /// `prevalence` was at high risk: flagged = `recall·q` true + `f·(1 − q)` false, so
    /// precision `p = recall·q / (recall·q + f·(1 − q))` and
    /// `f = recall·q·(1 − p) / (p·(1 − q))`. Precision depends on prevalence, the
    /// false-positive rate does not: that is the figure to carry from the measuring set to
    /// a line with another share at risk. Errors if the result is not a probability.
    pub fn false_positive_rate_from_precision(
        recall: f64,
        precision: f64,
        prevalence: f64,
    ) -> Result<f64> {
        probability("recall", recall)?;
        probability("prevalence", prevalence)?;
        if !(precision > 0.0 && precision <= 1.0) {
            return Err(CapacityError::invalid(
                "precision",
                precision,
                "must be above 0 and at most 1",
            ));
        }
        if prevalence >= 1.0 {
            return Err(CapacityError::invalid(
                "prevalence",
                prevalence,
                "must be below 1: with everyone at risk no false positive can be measured",
            ));
        }
        let f = recall * prevalence * (1.0 - precision) / (precision * (1.0 - prevalence));
        if f > 1.0 {
            return Err(CapacityError::invalid(
                "precision",
                format!("{precision} (a false-positive rate of {f:.2})"),
                "implies that more people not at risk are flagged than there are: precision, \
                 recall and prevalence do not fit together",
            ));
        }
        Ok(f)
    }

    /// The precision this triage has on the line: the share of the flagged who are at
    /// high risk (0 if it flags nobody).
    pub fn precision(&self) -> f64 {
        let h = self.high_risk_share;
        let flagged_at_risk = self.recall * h;
        let flagged = flagged_at_risk + self.false_positive_rate * (1.0 - h);
        if flagged > 0.0 {
            flagged_at_risk / flagged
        } else {
            0.0
        }
    }

    /// Share of new people flagged.
    pub fn flagged_share(&self) -> f64 {
        self.recall * self.high_risk_share + self.false_positive_rate * (1.0 - self.high_risk_share)
    }

    fn validate(&self) -> Result<()> {
        probability("high_risk_share", self.high_risk_share)?;
        probability("recall", self.recall)?;
        probability("false_positive_rate", self.false_positive_rate)?;
        Ok(())
    }
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
        horizon("horizon_days", self.horizon_days)?;
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
        let people = self.expected_people();
        if people > MAX_PEOPLE_PER_RUN {
            return Err(CapacityError::invalid(
                "arrivals_per_hour",
                format!("{people:.0} new people over the horizon"),
                "must be at most 50,000,000 new people per run, fifty times the French \
                 national line's year: time and memory grow with the callers",
            ));
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
        if self.conversations_per_listener == 0
            || self.conversations_per_listener > MAX_CONVERSATIONS_PER_LISTENER
        {
            return Err(CapacityError::invalid(
                "conversations_per_listener",
                self.conversations_per_listener,
                "must be from 1 to 16",
            ));
        }
        if let Some(&n) = self.staffing.slots().iter().find(|&&n| n > MAX_LISTENERS) {
            return Err(CapacityError::invalid(
                "listeners",
                n,
                "at most 100,000 on duty at once",
            ));
        }
        if self.staffing.slots().iter().all(|&n| n == 0) {
            return Err(CapacityError::invalid(
                "listeners",
                0,
                "at least one listener must be on duty at some time of the week",
            ));
        }
        match self.discipline {
            Discipline::Fifo => {}
            Discipline::Priority { high_share } => {
                probability("priority share", high_share)?;
            }
            Discipline::Triage(triage) => triage.validate()?,
        }
        Ok(())
    }

    /// New people expected over the horizon: the weekly profile times the weeks.
    pub fn expected_people(&self) -> f64 {
        self.fresh_per_hour.iter().sum::<f64>() * self.horizon_days / 7.0
    }
}
