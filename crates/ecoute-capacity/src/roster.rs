//! The week, its half-hour slots, shift patterns and who is on duty when.
//!
//! Time in the crate is measured in seconds from Monday 00:00. Demand is given per hour of
//! the week (168 hours); staffing per half-hour slot (336 slots), because real shifts start
//! on the half hour (a night shift runs 22:00–08:30).

use serde::Serialize;

use crate::error::{CapacityError, Result};

/// Seconds in an hour.
pub const SECS_PER_HOUR: f64 = 3600.0;
/// Hours in a week: the length of a demand profile.
pub const HOURS_PER_WEEK: usize = 168;
/// Half-hour slots in a week: the length of a staffing profile.
pub const SLOTS_PER_WEEK: usize = 336;
/// Length of a staffing slot, in seconds.
pub const SLOT_SECS: f64 = 1800.0;
/// Seconds in a week.
pub const SECS_PER_WEEK: f64 = 604_800.0;
/// Day names, Monday first, for tables and charts.
pub const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// "Mon 22:00" for an hour of the week.
pub fn hour_label(hour_of_week: usize) -> String {
    format!(
        "{} {:02}:00",
        DAY_NAMES[(hour_of_week / 24) % 7],
        hour_of_week % 24
    )
}

/// Listeners on duty in each half-hour slot of the week, repeated every week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staffing {
    slots: Vec<u32>,
}

impl Staffing {
    /// From 336 half-hour counts, Monday 00:00 first.
    pub fn from_slots(slots: Vec<u32>) -> Result<Self> {
        if slots.len() != SLOTS_PER_WEEK {
            return Err(CapacityError::invalid(
                "staffing",
                format!("{} slots", slots.len()),
                "needs one count per half hour of the week (336)",
            ));
        }
        Ok(Staffing { slots })
    }

    /// The same number of listeners all week.
    pub fn constant(listeners: u32) -> Self {
        Staffing {
            slots: vec![listeners; SLOTS_PER_WEEK],
        }
    }

    /// Listeners on duty per half-hour slot.
    pub fn slots(&self) -> &[u32] {
        &self.slots
    }

    /// Mean listeners on duty in each hour of the week (the mean of its two slots).
    pub fn hourly(&self) -> Vec<f64> {
        self.slots
            .chunks(2)
            .map(|c| f64::from(c[0] + c[1]) / 2.0)
            .collect()
    }

    /// Listener-hours per week.
    pub fn listener_hours_per_week(&self) -> f64 {
        self.slots.iter().map(|&n| f64::from(n)).sum::<f64>() / 2.0
    }

    /// Mean number of listeners on duty.
    pub fn mean_on_duty(&self) -> f64 {
        self.listener_hours_per_week() / HOURS_PER_WEEK as f64
    }
}

/// A kind of shift: when it starts in the day and how long it lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShiftPattern {
    /// Name shown in plans ("evening", "night"…).
    pub name: String,
    /// Start, in minutes after midnight; a multiple of 30.
    pub start_minute: u32,
    /// Length in minutes; a multiple of 30, at most a week.
    pub minutes: u32,
}

impl ShiftPattern {
    /// Validates and builds a pattern.
    pub fn new(name: impl Into<String>, start_minute: u32, minutes: u32) -> Result<Self> {
        let name = name.into();
        if start_minute >= 24 * 60 || start_minute % 30 != 0 {
            return Err(CapacityError::invalid(
                "shift start",
                format!("{name}: minute {start_minute}"),
                "must be a time of day on the half hour",
            ));
        }
        if minutes == 0 || minutes % 30 != 0 || minutes > 7 * 24 * 60 {
            return Err(CapacityError::invalid(
                "shift length",
                format!("{name}: {minutes} minutes"),
                "must be a positive number of half hours",
            ));
        }
        Ok(ShiftPattern {
            name,
            start_minute,
            minutes,
        })
    }

    /// Length in hours.
    pub fn hours(&self) -> f64 {
        f64::from(self.minutes) / 60.0
    }

    /// The half-hour slots of the week this pattern covers when it starts on `day`
    /// (0 = Monday); a Sunday night shift runs on into Monday.
    pub fn slots(&self, day: usize) -> impl Iterator<Item = usize> {
        let first = day * 48 + (self.start_minute / 30) as usize;
        let count = (self.minutes / 30) as usize;
        (first..first + count).map(|s| s % SLOTS_PER_WEEK)
    }

    /// "22:00–08:30" for tables.
    pub fn span_label(&self) -> String {
        let end = (self.start_minute + self.minutes) % (24 * 60);
        format!(
            "{:02}:{:02}–{:02}:{:02}",
            self.start_minute / 60,
            self.start_minute % 60,
            end / 60,
            end % 60
        )
    }
}

/// A weekly roster: for every shift pattern, how many listeners start it on each day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Roster {
    /// The allowed shift patterns.
    pub patterns: Vec<ShiftPattern>,
    /// `counts[p][d]`: listeners taking pattern `p` starting on day `d` (Monday = 0).
    pub counts: Vec<[u32; 7]>,
}

impl Roster {
    /// Validates and builds a roster.
    pub fn new(patterns: Vec<ShiftPattern>, counts: Vec<[u32; 7]>) -> Result<Self> {
        if patterns.is_empty() || patterns.len() != counts.len() {
            return Err(CapacityError::invalid(
                "roster",
                format!("{} patterns, {} count rows", patterns.len(), counts.len()),
                "needs at least one pattern and one row of 7 daily counts per pattern",
            ));
        }
        Ok(Roster { patterns, counts })
    }

    /// Listeners on duty per half-hour slot.
    pub fn staffing(&self) -> Staffing {
        let mut slots = vec![0u32; SLOTS_PER_WEEK];
        for (pattern, counts) in self.patterns.iter().zip(&self.counts) {
            for (day, &count) in counts.iter().enumerate() {
                for s in pattern.slots(day) {
                    // Saturating: validation refuses such counts with a message.
                    slots[s] = slots[s].saturating_add(count);
                }
            }
        }
        Staffing { slots }
    }

    /// Shifts per week, all patterns together.
    pub fn shifts_per_week(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }

    /// Listener-hours per week.
    pub fn listener_hours_per_week(&self) -> f64 {
        self.patterns
            .iter()
            .zip(&self.counts)
            .map(|(p, c)| p.hours() * f64::from(c.iter().sum::<u32>()))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sunday_night_shift_wraps_into_monday() {
        let night = ShiftPattern::new("night", 22 * 60, 630).expect("valid");
        let roster = Roster::new(vec![night], vec![[0, 0, 0, 0, 0, 0, 2]]).expect("valid");
        let s = roster.staffing();
        assert_eq!(s.slots()[6 * 48 + 44], 2); // Sunday 22:00
        assert_eq!(s.slots()[16], 2); // Monday 08:00
        assert_eq!(s.slots()[17], 0); // Monday 08:30
        assert_eq!(s.listener_hours_per_week(), 21.0);
        assert_eq!(roster.listener_hours_per_week(), 21.0);
        assert_eq!(s.hourly()[8], 1.0); // half of 08:00–09:00 covered
    }

    #[test]
    fn patterns_must_sit_on_the_half_hour() {
        assert!(ShiftPattern::new("odd", 22 * 60 + 15, 240).is_err());
        assert!(ShiftPattern::new("empty", 0, 0).is_err());
    }
}
