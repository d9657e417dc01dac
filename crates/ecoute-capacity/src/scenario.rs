//! Scenario files: a helpline described in TOML, turned into a [`SimConfig`] and a
//! [`Roster`], with the published figures it should reproduce.
//!
//! Reading the file is the caller's business (this crate does no I/O): pass its text to
//! [`Scenario::from_toml`], or use [`Scenario::builtin`] for the scenarios shipped inside
//! the crate.

use serde::{Deserialize, Serialize};

use crate::dist::Dist;
use crate::erlang::MAX_LISTENERS;
use crate::error::{non_negative, probability, CapacityError, Result};
use crate::roster::{Roster, ShiftPattern, HOURS_PER_WEEK};
use crate::sim::{
    horizon, Discipline, Redial, SimConfig, SimReport, MAX_CONVERSATIONS_PER_LISTENER,
    MAX_PEOPLE_PER_RUN,
};

/// Scenarios compiled into the crate: `(name, TOML text)`.
pub const BUILTIN: &[(&str, &str)] = &[(
    "sos-amitie-2016",
    include_str!("../scenarios/sos-amitie-2016.toml"),
)];

/// A helpline scenario as written in a TOML file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, e.g. `sos-amitie-2016`.
    pub name: String,
    /// One line saying what it models.
    pub title: String,
    /// Days to simulate (366 for 2016).
    pub horizon_days: f64,
    /// Default seed, so that the published comparison is reproducible.
    #[serde(default)]
    pub seed: u64,
    /// Who calls, when.
    pub demand: DemandSpec,
    /// How long conversations last.
    pub handle: Dist,
    /// How long callers wait before hanging up.
    pub patience: Dist,
    /// Whether callers who hang up call back.
    pub redial: RedialSpec,
    /// How the line works.
    #[serde(default)]
    pub line: LineSpec,
    /// Shift patterns and how many listeners take each, day by day.
    #[serde(rename = "shift")]
    pub shifts: Vec<ShiftSpec>,
    /// The published figures the scenario should reproduce.
    #[serde(default)]
    pub published: Option<Published>,
}

/// Demand: new people per year spread over the week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandSpec {
    /// New people (first attempts) over the horizon; redials come on top.
    pub people_per_horizon: f64,
    /// Relative weight of each hour of the day (24 values, 00:00 first).
    pub hour_of_day: Vec<f64>,
    /// Relative weight of each day (7 values, Monday first).
    pub day_of_week: Vec<f64>,
}

/// Redials as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedialSpec {
    /// Probability of calling again after an unanswered attempt.
    pub probability: f64,
    /// Delay before calling again.
    pub delay: Dist,
    /// Attempts at most per episode.
    pub max_attempts: u32,
}

/// How the line works.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineSpec {
    /// Minutes after each conversation before the next (the statistics sheet).
    #[serde(default)]
    pub wrap_up_minutes: f64,
    /// Conversations at once per listener (1 for calls, 2 for chats).
    #[serde(default = "one")]
    pub conversations_per_listener: u32,
    /// Waiting places; further callers get a busy tone. Absent for no limit.
    #[serde(default)]
    pub queue_capacity: Option<u32>,
    /// Share of people answered first (triaged at risk); 0 for plain FIFO.
    #[serde(default)]
    pub priority_share: f64,
}

fn one() -> u32 {
    1
}

impl Default for LineSpec {
    fn default() -> Self {
        LineSpec {
            wrap_up_minutes: 0.0,
            conversations_per_listener: 1,
            queue_capacity: None,
            priority_share: 0.0,
        }
    }
}

/// A shift pattern and its weekly head-count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftSpec {
    /// Name ("evening", "night"…).
    pub name: String,
    /// Start time, "HH:MM" on the half hour.
    pub start: String,
    /// End time, "HH:MM"; an end at or before the start means the next day.
    pub end: String,
    /// Listeners starting this shift on each day, Monday first.
    pub listeners: [u32; 7],
}

/// Published figures a scenario is compared with, and where they come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Published {
    /// Where the figures come from.
    pub source: String,
    /// Attempts offered over the horizon.
    pub attempts: Option<f64>,
    /// Attempts answered.
    pub answered: Option<f64>,
    /// Share of attempts answered.
    pub answered_share: Option<f64>,
    /// Share of attempts answered at night.
    pub night_answered_share: Option<f64>,
    /// Hours of the day counted as night, e.g. `[0, 1, …, 7]`.
    #[serde(default)]
    pub night_hours: Vec<usize>,
    /// Listener-hours over the horizon.
    pub listener_hours: Option<f64>,
    /// Relative tolerance of the comparison for counts (e.g. 0.05).
    pub tolerance: f64,
    /// Absolute tolerance for shares (e.g. 0.02 = two points).
    pub share_tolerance: f64,
}

/// One line of the published-versus-simulated comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// What is compared.
    pub figure: &'static str,
    /// The published value.
    pub published: f64,
    /// The simulated value.
    pub simulated: f64,
    /// Whether the simulated value is within the stated tolerance.
    pub within_tolerance: bool,
    /// The tolerance, as written ("±5 %" or "±2 pts").
    pub tolerance: String,
}

impl Scenario {
    /// Parses and validates a scenario from TOML text.
    pub fn from_toml(text: &str) -> Result<Self> {
        let scenario: Scenario =
            toml::from_str(text).map_err(|e| CapacityError::Scenario(e.to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// One of the scenarios shipped with the crate, by name (see [`BUILTIN`]).
    pub fn builtin(name: &str) -> Result<Self> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            let names: Vec<_> = BUILTIN.iter().map(|(n, _)| *n).collect();
            CapacityError::Scenario(format!(
                "no built-in scenario named {name:?} (known: {})",
                names.join(", ")
            ))
        })?;
        Self::from_toml(text)
    }

    /// Checks every key of the file, naming it as written there (`demand.hour_of_day`,
    /// `redial.probability`…), before the simulation's own checks.
    fn validate(&self) -> Result<()> {
        horizon("horizon_days", self.horizon_days)?;
        non_negative("demand.people_per_horizon", self.demand.people_per_horizon)?;
        if self.demand.people_per_horizon > MAX_PEOPLE_PER_RUN {
            return Err(CapacityError::invalid(
                "demand.people_per_horizon",
                self.demand.people_per_horizon,
                "must be at most 50,000,000, fifty times the French national line's year: a \
                 simulation's time and memory grow with the callers",
            ));
        }
        weights(
            "demand.hour_of_day",
            &self.demand.hour_of_day,
            24,
            "needs 24 weights, 00:00 first",
            "all 24 weights are zero, so nobody would ever call: give each hour's relative \
             share of the calls",
        )?;
        weights(
            "demand.day_of_week",
            &self.demand.day_of_week,
            7,
            "needs 7 weights, Monday first",
            "all 7 weights are zero, so nobody would ever call: give each day's relative \
             share of the calls",
        )?;
        self.handle.validate("handle")?;
        if self.handle.mean_secs() <= 0.0 {
            return Err(CapacityError::invalid(
                "handle",
                "minutes = 0",
                "conversations must last some time",
            ));
        }
        self.patience.validate("patience")?;
        probability("redial.probability", self.redial.probability)?;
        self.redial.delay.validate("redial.delay")?;
        if self.redial.max_attempts == 0 || self.redial.max_attempts > u32::from(u16::MAX) {
            return Err(CapacityError::invalid(
                "redial.max_attempts",
                self.redial.max_attempts,
                "must be from 1, the first attempt only, to 65535",
            ));
        }
        non_negative("line.wrap_up_minutes", self.line.wrap_up_minutes)?;
        let per_listener = self.line.conversations_per_listener;
        if per_listener == 0 || per_listener > MAX_CONVERSATIONS_PER_LISTENER {
            return Err(CapacityError::invalid(
                "line.conversations_per_listener",
                per_listener,
                "must be from 1 to 16",
            ));
        }
        probability("line.priority_share", self.line.priority_share)?;
        if self.shifts.is_empty() {
            return Err(CapacityError::invalid(
                "shift",
                "none",
                "needs at least one [[shift]] table",
            ));
        }
        for s in &self.shifts {
            if let Some(&n) = s.listeners.iter().find(|&&n| n > MAX_LISTENERS) {
                return Err(CapacityError::invalid(
                    "shift.listeners",
                    format!("{}: {n}", s.name),
                    "at most 100,000 listeners per shift and day",
                ));
            }
        }
        let staffing = self.roster()?.staffing();
        if staffing.slots().iter().all(|&n| n == 0) {
            return Err(CapacityError::invalid(
                "shift.listeners",
                "0 all week",
                "at least one listener must be on duty at some time of the week",
            ));
        }
        if let Some(&n) = staffing.slots().iter().find(|&&n| n > MAX_LISTENERS) {
            return Err(CapacityError::invalid(
                "shift.listeners",
                format!("{n} on duty at once"),
                "at most 100,000 listeners on duty at once, all shifts together",
            ));
        }
        if let Some(p) = &self.published {
            for &h in &p.night_hours {
                if h >= 24 {
                    return Err(CapacityError::invalid(
                        "published.night_hours",
                        h,
                        "hours of the day run from 0 to 23",
                    ));
                }
            }
            non_negative("published.tolerance", p.tolerance)?;
            non_negative("published.share_tolerance", p.share_tolerance)?;
        }
        // Every key is checked above: the simulation's own checks can only agree.
        self.sim_config()?.validate()
    }

    /// The weekly roster described by the `[[shift]]` tables.
    pub fn roster(&self) -> Result<Roster> {
        let mut patterns = Vec::with_capacity(self.shifts.len());
        for s in &self.shifts {
            let start = parse_time(&s.start, "shift.start")?;
            let end = parse_time(&s.end, "shift.end")?;
            let minutes = if end > start {
                end - start
            } else {
                end + 24 * 60 - start
            };
            patterns.push(ShiftPattern::new(s.name.clone(), start, minutes)?);
        }
        Roster::new(patterns, self.shifts.iter().map(|s| s.listeners).collect())
    }

    /// New people per hour for each hour of the week.
    pub fn fresh_per_hour(&self) -> Vec<f64> {
        let weights: Vec<f64> = (0..HOURS_PER_WEEK)
            .map(|h| self.demand.hour_of_day[h % 24] * self.demand.day_of_week[h / 24])
            .collect();
        let total: f64 = weights.iter().sum();
        let per_week = self.demand.people_per_horizon * 7.0 / self.horizon_days;
        weights
            .iter()
            .map(|w| {
                if total > 0.0 {
                    per_week * w / total
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// The simulation this scenario describes, with its own roster.
    pub fn sim_config(&self) -> Result<SimConfig> {
        self.sim_config_with(&self.roster()?)
    }

    /// The simulation this scenario describes, with another roster (for planning).
    pub fn sim_config_with(&self, roster: &Roster) -> Result<SimConfig> {
        Ok(SimConfig {
            horizon_days: self.horizon_days,
            fresh_per_hour: self.fresh_per_hour(),
            handle: self.handle,
            wrap_up_secs: self.line.wrap_up_minutes * 60.0,
            patience: self.patience,
            redial: Redial {
                probability: self.redial.probability,
                delay: self.redial.delay,
                max_attempts: self.redial.max_attempts,
            },
            staffing: roster.staffing(),
            conversations_per_listener: self.line.conversations_per_listener,
            discipline: if self.line.priority_share > 0.0 {
                Discipline::Priority {
                    high_share: self.line.priority_share,
                }
            } else {
                Discipline::Fifo
            },
            queue_capacity: self.line.queue_capacity,
        })
    }

    /// Simulated figures side by side with the published ones (empty if none published).
    pub fn compare(&self, report: &SimReport) -> Vec<Comparison> {
        let Some(p) = &self.published else {
            return Vec::new();
        };
        let t = &report.totals;
        let count = |figure, published: Option<f64>, simulated: f64| {
            published.map(|published| Comparison {
                figure,
                published,
                simulated,
                within_tolerance: (simulated - published).abs() <= p.tolerance * published,
                tolerance: format!("±{:.0} %", p.tolerance * 100.0),
            })
        };
        let share = |figure, published: Option<f64>, simulated: f64| {
            published.map(|published| Comparison {
                figure,
                published,
                simulated,
                within_tolerance: (simulated - published).abs() <= p.share_tolerance,
                tolerance: format!("±{:.0} pts", p.share_tolerance * 100.0),
            })
        };
        [
            count("attempts", p.attempts, t.attempts as f64),
            count("answered", p.answered, t.answered as f64),
            share("answered share", p.answered_share, t.answered_share),
            share(
                "night answered share",
                p.night_answered_share,
                report.answered_share_in_hours_of_day(&p.night_hours),
            ),
            count("listener-hours", p.listener_hours, t.listener_hours),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Checks a weight table: `len` finite weights, none negative, not all zero.
fn weights(
    name: &'static str,
    values: &[f64],
    len: usize,
    wrong_len: &'static str,
    all_zero: &'static str,
) -> Result<()> {
    if values.len() != len {
        return Err(CapacityError::invalid(
            name,
            format!("{} values", values.len()),
            wrong_len,
        ));
    }
    if let Some((i, w)) = values
        .iter()
        .enumerate()
        .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
    {
        return Err(CapacityError::invalid(
            name,
            format!("{w} at position {}", i + 1),
            "weights must be zero or positive numbers",
        ));
    }
    if values.iter().all(|&w| w == 0.0) {
        return Err(CapacityError::invalid(name, "all zero", all_zero));
    }
    Ok(())
}

/// "22:00" → minutes after midnight, on the half hour.
fn parse_time(text: &str, name: &'static str) -> Result<u32> {
    let bad = || CapacityError::invalid(name, text, "expected HH:MM on the half hour");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    let m: u32 = m.trim().parse().map_err(|_| bad())?;
    if h > 24 || m >= 60 || (h == 24 && m != 0) || m % 30 != 0 {
        return Err(bad());
    }
    Ok((h * 60 + m) % (24 * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_on_the_half_hour() {
        assert_eq!(parse_time("22:00", "t").expect("valid"), 1320);
        assert_eq!(parse_time("08:30", "t").expect("valid"), 510);
        assert_eq!(parse_time("24:00", "t").expect("valid"), 0);
        assert!(parse_time("8h30", "t").is_err());
        assert!(parse_time("08:15", "t").is_err());
    }

    /// The shipped scenario with one line replaced.
    fn shipped_with(from: &str, to: &str) -> Result<Scenario> {
        let text = BUILTIN[0].1;
        assert!(text.contains(from), "{from:?} not in the scenario");
        Scenario::from_toml(&text.replacen(from, to, 1))
    }

    /// Inputs that would make a simulation run without end or silently empty are refused,
    /// each naming its key and the limit.
    #[test]
    fn unbounded_or_empty_demand_is_refused() {
        let err = shipped_with("people_per_horizon = 985_000", "people_per_horizon = 1e12")
            .expect_err("a trillion people");
        let text = err.to_string();
        assert!(text.contains("demand.people_per_horizon"), "{text}");
        assert!(text.contains("at most 50,000,000"), "{text}");
        // The same bound holds through a long horizon.
        let err = shipped_with("people_per_horizon = 985_000", "people_per_horizon = 4e7")
            .and_then(|s| {
                let mut c = s.sim_config()?;
                c.horizon_days = 3_000.0;
                c.validate().map(|()| s)
            })
            .expect_err("40 million a year over eight years");
        assert!(err.to_string().contains("at most 50,000,000"), "{err}");
        let err = shipped_with("horizon_days = 366", "horizon_days = 1e9").expect_err("long");
        assert!(err.to_string().contains("horizon_days"), "{err}");
        assert!(err.to_string().contains("at most 3660"), "{err}");

        let zeros = format!("hour_of_day = [{}]", ["0"; 24].join(", "));
        let text = BUILTIN[0].1;
        let start = text.find("hour_of_day = [").expect("key");
        let end = start + text[start..].find(']').expect("end") + 1;
        let err = Scenario::from_toml(&format!("{}{zeros}{}", &text[..start], &text[end..]))
            .expect_err("all-zero hours");
        let text = err.to_string();
        assert!(text.contains("demand.hour_of_day"), "{text}");
        assert!(text.contains("all 24 weights are zero"), "{text}");
        let err = shipped_with(
            "day_of_week = [1.00, 0.98, 0.98, 0.98, 1.00, 1.04, 1.08]",
            "day_of_week = [0, 0, 0, 0, 0, 0, 0]",
        )
        .expect_err("all-zero days");
        assert!(err.to_string().contains("demand.day_of_week"), "{err}");
    }

    /// Every message names the key as written in the file.
    #[test]
    fn errors_name_the_file_keys() {
        for (from, to, key) in [
            (
                "probability = 0.8",
                "probability = 1.8",
                "redial.probability",
            ),
            (
                "max_attempts = 20",
                "max_attempts = 0",
                "redial.max_attempts",
            ),
            ("mean_minutes = 24.0", "mean_minutes = -24.0", "handle"),
            (
                "wrap_up_minutes = 1.0",
                "wrap_up_minutes = -1.0",
                "line.wrap_up_minutes",
            ),
            (
                "conversations_per_listener = 1",
                "conversations_per_listener = 0",
                "line.conversations_per_listener",
            ),
            ("start = \"08:30\"", "start = \"08:20\"", "shift.start"),
            (
                "listeners = [34, 34, 34, 34, 34, 34, 34]",
                "listeners = [4000000000, 34, 34, 34, 34, 34, 34]",
                "shift.listeners",
            ),
            (
                "0.60, 0.50, 0.50",
                "0.60, -0.50, 0.50",
                "demand.hour_of_day",
            ),
        ] {
            let err = shipped_with(from, to).expect_err(to);
            assert!(err.to_string().contains(key), "{to}: {err}");
        }
    }

    #[test]
    fn a_bad_file_names_what_is_wrong() {
        let err = Scenario::from_toml("name = 3").expect_err("not a scenario");
        assert!(err.to_string().starts_with("scenario:"), "{err}");
        let err = Scenario::builtin("nowhere").expect_err("unknown");
        assert!(err.to_string().contains("sos-amitie-2016"), "{err}");
    }
}
