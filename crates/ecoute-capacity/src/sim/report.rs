//! What a simulation counts, and the figures derived from the counts.

use serde::Serialize;

use crate::roster::{hour_label, HOURS_PER_WEEK};

/// Waits are histogrammed by the second up to this bound (3 hours) for percentiles.
pub(crate) const WAIT_HISTOGRAM_SECS: usize = 3 * 3600;

/// Counts for one hour of the week, summed over every week of the run. Attempts are
/// filed under the hour in which they arrived.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HourStats {
    /// Hour of the week, 0 = Monday 00:00.
    pub hour_of_week: usize,
    /// "Mon 00:00".
    pub label: String,
    /// Attempts that arrived (first attempts and redials).
    pub attempts: u64,
    /// First attempts: new people.
    pub first_attempts: u64,
    /// Attempts answered.
    pub answered: u64,
    /// Attempts that gave up while waiting.
    pub abandoned: u64,
    /// Attempts that found the waiting line full.
    pub blocked: u64,
    /// Sum of the waits of answered attempts, in seconds.
    pub wait_answered_secs: f64,
    /// Sum of the waits of abandoned attempts, in seconds.
    pub wait_abandoned_secs: f64,
    /// Listener-seconds on duty (the roster).
    pub on_duty_secs: f64,
    /// Listener-seconds past the end of a shift: listeners finish the conversation they
    /// are in, so more of them can be talking than the roster has on duty.
    pub overtime_secs: f64,
    /// Conversation-seconds (talk and wrap-up).
    pub busy_secs: f64,
}

impl HourStats {
    /// Share of attempts answered (0 when there were none).
    pub fn answered_share(&self) -> f64 {
        ratio(self.answered as f64, self.attempts as f64)
    }

    /// Mean wait of answered attempts, in seconds.
    pub fn mean_wait_answered_secs(&self) -> f64 {
        ratio(self.wait_answered_secs, self.answered as f64)
    }

    /// Share of listener time spent in conversation (per conversation slot), counting
    /// the overtime of listeners finishing a conversation after their shift, so it never
    /// exceeds 100 %.
    pub fn occupancy(&self, conversations_per_listener: u32) -> f64 {
        occupancy(
            self.busy_secs,
            self.on_duty_secs + self.overtime_secs,
            conversations_per_listener,
        )
    }

    /// Mean listeners on duty in this hour.
    pub fn mean_on_duty(&self, weeks: f64) -> f64 {
        ratio(self.on_duty_secs / 3600.0, weeks)
    }
}

/// Conversation time over the conversation slots of the listeners present.
pub fn occupancy(busy_secs: f64, present_secs: f64, conversations_per_listener: u32) -> f64 {
    ratio(
        busy_secs,
        present_secs * f64::from(conversations_per_listener),
    )
}

pub(crate) fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Whole-run totals.
///
/// Attempts fall in exactly one of four outcomes: `attempts = answered + abandoned +
/// blocked + still_waiting`. People likewise: `people = people_answered + people_lost +
/// people_trying`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Attempts offered, redials included.
    pub attempts: u64,
    /// Attempts answered (= people answered: each person is answered at most once),
    /// including those whose conversation was still under way when the run ended.
    pub answered: u64,
    /// Attempts that gave up while waiting.
    pub abandoned: u64,
    /// Attempts that found the line full.
    pub blocked: u64,
    /// Attempts still waiting, neither answered nor given up, when the run ended.
    pub still_waiting: u64,
    /// Of the answered attempts, those still in conversation (or wrap-up) when the run
    /// ended: not an outcome of its own, a part of `answered`.
    pub talking_at_end: u64,
    /// People: episodes of one to several attempts by the same person.
    pub people: u64,
    /// People answered on one of their attempts.
    pub people_answered: u64,
    /// People who stopped trying without being answered.
    pub people_lost: u64,
    /// People neither answered nor lost when the run ended: waiting, or about to dial
    /// again.
    pub people_trying: u64,
    /// Of those, people who had tried more than once.
    pub people_lost_after_retrying: u64,
    /// Share of attempts answered.
    pub answered_share: f64,
    /// Share of people answered.
    pub people_answered_share: f64,
    /// Mean attempts per person.
    pub attempts_per_person: f64,
    /// Mean wait of answered attempts, seconds.
    pub mean_wait_answered_secs: f64,
    /// 90th percentile of the wait of answered attempts, seconds.
    pub p90_wait_answered_secs: f64,
    /// Mean time before hanging up of abandoned attempts, seconds.
    pub mean_wait_abandoned_secs: f64,
    /// Listener-hours on duty.
    pub listener_hours: f64,
    /// Listener-hours past the end of shifts, finishing a conversation.
    pub overtime_hours: f64,
    /// Listener-hours in conversation (talk and wrap-up): conversation-hours divided by the
    /// conversations a listener holds at once.
    pub conversation_hours: f64,
    /// Share of the listeners' present time in conversation:
    /// `conversation_hours / (listener_hours + overtime_hours)`, never above 1. Not to be
    /// confused with `conversation_hours / listener_hours` (over the rostered hours alone),
    /// which is higher on a saturated line because overtime is all conversation.
    pub occupancy: f64,
    /// Answered attempts per listener-hour.
    pub answered_per_listener_hour: f64,
}

/// Everything a simulation reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimReport {
    /// Seed of the run.
    pub seed: u64,
    /// Simulated days.
    pub horizon_days: f64,
    /// Whole-run totals.
    pub totals: Totals,
    /// Per hour of the week, summed over the weeks.
    pub by_hour: Vec<HourStats>,
    /// `answered_on_attempt[k]`: people answered on their (k+1)-th attempt.
    pub answered_on_attempt: Vec<u64>,
    /// `lost_after_attempts[k]`: people who stopped after k+1 unanswered attempts.
    pub lost_after_attempts: Vec<u64>,
    /// Share of attempts answered in the priority class and in the normal class
    /// (equal to the overall share under FIFO order).
    pub answered_share_by_class: [f64; 2],
    /// Conversations per listener, copied from the configuration for occupancy.
    pub conversations_per_listener: u32,
    /// The people at high risk and the others, tallied apart: under
    /// [`Discipline::Triage`](super::Discipline::Triage) only (absent from the JSON
    /// otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_risk: Option<RiskGroups>,
}

/// The two risk groups of a [`Discipline::Triage`](super::Discipline::Triage) run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskGroups {
    /// People at high risk.
    pub high_risk: GroupStats,
    /// Everyone else.
    pub others: GroupStats,
}

/// What happened to one risk group. Waits are counted in whole seconds up to three hours
/// (longer ones in the last second), as for the totals' percentile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStats {
    /// New people in the group.
    pub people: u64,
    /// Of them, those the triage flagged (answered in the priority class).
    pub flagged: u64,
    /// Their attempts, redials included.
    pub attempts: u64,
    /// Attempts answered (= people answered).
    pub answered: u64,
    /// Share of attempts answered.
    pub answered_share: f64,
    /// Share of people answered on one of their attempts.
    pub people_answered_share: f64,
    /// Mean wait of answered attempts, seconds (from that attempt's dial).
    pub mean_wait_answered_secs: f64,
    /// 90th percentile of the wait of answered attempts, seconds.
    pub p90_wait_answered_secs: f64,
    /// Mean time from a person's first dial to being answered, redials included, seconds.
    pub mean_since_first_dial_secs: f64,
    /// `wait_histogram[s]`: answered attempts that waited from `s` to `s + 1` seconds.
    #[serde(skip)]
    pub wait_histogram: Vec<u64>,
    /// `since_first_dial_histogram[s]`: people answered `s` to `s + 1` seconds after
    /// their first dial.
    #[serde(skip)]
    pub since_first_dial_histogram: Vec<u64>,
}

impl GroupStats {
    /// Share of attempts answered after waiting less than `secs` (whole seconds, at most
    /// three hours; longer bounds count as three hours).
    pub fn answered_within_share(&self, secs: u32) -> f64 {
        ratio(
            below(&self.wait_histogram, secs) as f64,
            self.attempts as f64,
        )
    }

    /// Share of people answered less than `secs` after their first dial, however many
    /// times they had to dial.
    pub fn people_answered_within_share(&self, secs: u32) -> f64 {
        ratio(
            below(&self.since_first_dial_histogram, secs) as f64,
            self.people as f64,
        )
    }

    /// Share of people flagged by the triage.
    pub fn flagged_share(&self) -> f64 {
        ratio(self.flagged as f64, self.people as f64)
    }
}

/// Counts of the bins below `secs`.
fn below(histogram: &[u64], secs: u32) -> u64 {
    histogram.iter().take(secs as usize).sum()
}

impl SimReport {
    /// Number of weeks simulated.
    pub fn weeks(&self) -> f64 {
        self.horizon_days / 7.0
    }

    /// Share of attempts answered over a set of hours of the day (e.g. the night 0–7).
    pub fn answered_share_in_hours_of_day(&self, hours: &[usize]) -> f64 {
        let (mut ans, mut att) = (0u64, 0u64);
        for h in &self.by_hour {
            if hours.contains(&(h.hour_of_week % 24)) {
                ans += h.answered;
                att += h.attempts;
            }
        }
        ratio(ans as f64, att as f64)
    }
}

/// Running tallies kept by the engine.
pub(crate) struct Tally {
    pub by_hour: Vec<HourStats>,
    pub wait_histogram: Vec<u64>,
    pub answered_on_attempt: Vec<u64>,
    pub lost_after_attempts: Vec<u64>,
    pub class_attempts: [u64; 2],
    pub class_answered: [u64; 2],
    /// The risk groups (high risk first) under `Discipline::Triage`.
    pub groups: Option<[GroupTally; 2]>,
}

/// Running counts of one risk group.
pub(crate) struct GroupTally {
    pub people: u64,
    pub flagged: u64,
    pub attempts: u64,
    answered: u64,
    wait_secs: f64,
    since_first_dial_secs: f64,
    wait_histogram: Vec<u64>,
    since_first_dial_histogram: Vec<u64>,
}

impl GroupTally {
    fn new() -> Self {
        GroupTally {
            people: 0,
            flagged: 0,
            attempts: 0,
            answered: 0,
            wait_secs: 0.0,
            since_first_dial_secs: 0.0,
            wait_histogram: vec![0; WAIT_HISTOGRAM_SECS + 1],
            since_first_dial_histogram: vec![0; WAIT_HISTOGRAM_SECS + 1],
        }
    }

    /// An attempt answered after `wait` seconds, `since_first_dial` after the person's
    /// first attempt.
    pub(crate) fn answered(&mut self, wait: f64, since_first_dial: f64) {
        self.answered += 1;
        self.wait_secs += wait;
        self.since_first_dial_secs += since_first_dial;
        self.wait_histogram[(wait as usize).min(WAIT_HISTOGRAM_SECS)] += 1;
        self.since_first_dial_histogram[(since_first_dial as usize).min(WAIT_HISTOGRAM_SECS)] += 1;
    }

    fn finish(self) -> GroupStats {
        GroupStats {
            people: self.people,
            flagged: self.flagged,
            attempts: self.attempts,
            answered: self.answered,
            answered_share: ratio(self.answered as f64, self.attempts as f64),
            people_answered_share: ratio(self.answered as f64, self.people as f64),
            mean_wait_answered_secs: ratio(self.wait_secs, self.answered as f64),
            p90_wait_answered_secs: percentile(&self.wait_histogram, 0.9),
            mean_since_first_dial_secs: ratio(self.since_first_dial_secs, self.answered as f64),
            wait_histogram: self.wait_histogram,
            since_first_dial_histogram: self.since_first_dial_histogram,
        }
    }
}

impl Tally {
    pub(crate) fn new(max_attempts: usize, risk_groups: bool) -> Self {
        Tally {
            by_hour: (0..HOURS_PER_WEEK)
                .map(|h| HourStats {
                    hour_of_week: h,
                    label: hour_label(h),
                    ..HourStats::default()
                })
                .collect(),
            wait_histogram: vec![0; WAIT_HISTOGRAM_SECS + 1],
            answered_on_attempt: vec![0; max_attempts],
            lost_after_attempts: vec![0; max_attempts],
            class_attempts: [0; 2],
            class_answered: [0; 2],
            groups: risk_groups.then(|| [GroupTally::new(), GroupTally::new()]),
        }
    }

    pub(crate) fn finish(
        self,
        seed: u64,
        horizon_days: f64,
        still_waiting: u64,
        talking_at_end: u64,
        conversations_per_listener: u32,
    ) -> SimReport {
        let sum = |f: fn(&HourStats) -> u64| self.by_hour.iter().map(f).sum::<u64>();
        let sumf = |f: fn(&HourStats) -> f64| self.by_hour.iter().map(f).sum::<f64>();
        let attempts = sum(|h| h.attempts);
        let answered = sum(|h| h.answered);
        let people = sum(|h| h.first_attempts);
        let people_lost: u64 = self.lost_after_attempts.iter().sum();
        let on_duty = sumf(|h| h.on_duty_secs);
        let busy = sumf(|h| h.busy_secs);
        let overtime = sumf(|h| h.overtime_secs);
        let totals = Totals {
            attempts,
            answered,
            abandoned: sum(|h| h.abandoned),
            blocked: sum(|h| h.blocked),
            still_waiting,
            talking_at_end,
            people,
            people_answered: answered,
            people_lost,
            people_trying: people.saturating_sub(answered + people_lost),
            people_lost_after_retrying: people_lost - self.lost_after_attempts[0],
            answered_share: ratio(answered as f64, attempts as f64),
            people_answered_share: ratio(answered as f64, people as f64),
            attempts_per_person: ratio(attempts as f64, people as f64),
            mean_wait_answered_secs: ratio(sumf(|h| h.wait_answered_secs), answered as f64),
            p90_wait_answered_secs: percentile(&self.wait_histogram, 0.9),
            mean_wait_abandoned_secs: ratio(
                sumf(|h| h.wait_abandoned_secs),
                sum(|h| h.abandoned) as f64,
            ),
            listener_hours: on_duty / 3600.0,
            overtime_hours: overtime / 3600.0,
            conversation_hours: busy / 3600.0 / f64::from(conversations_per_listener),
            occupancy: occupancy(busy, on_duty + overtime, conversations_per_listener),
            answered_per_listener_hour: ratio(answered as f64, on_duty / 3600.0),
        };
        SimReport {
            seed,
            horizon_days,
            totals,
            by_hour: self.by_hour,
            answered_on_attempt: self.answered_on_attempt,
            lost_after_attempts: self.lost_after_attempts,
            answered_share_by_class: [
                ratio(self.class_answered[0] as f64, self.class_attempts[0] as f64),
                ratio(self.class_answered[1] as f64, self.class_attempts[1] as f64),
            ],
            conversations_per_listener,
            by_risk: self.groups.map(|[high_risk, others]| RiskGroups {
                high_risk: high_risk.finish(),
                others: others.finish(),
            }),
        }
    }
}

/// The `q`-quantile of a one-second histogram, in seconds (upper edge of the bin).
fn percentile(histogram: &[u64], q: f64) -> f64 {
    let total: u64 = histogram.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let rank = (q * total as f64).ceil() as u64;
    let mut seen = 0;
    for (secs, &count) in histogram.iter().enumerate() {
        seen += count;
        if seen >= rank {
            return secs as f64;
        }
    }
    (histogram.len() - 1) as f64
}
