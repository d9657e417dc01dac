//! Campaigns and their attribution without tracking.
//!
//! A campaign's links carry its code (`?c=fb-2017-11`). What the people who came by them do
//! is counted per campaign and per day — page views, reveals, conversations started,
//! messages written, volunteer applications — as aggregate counters only: no cookie, no
//! identifier, no address, nothing per person. Days are UTC days ([`Day`]).

use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// A campaign's code, as its links carry it: 1 to [`CampaignCode::MAX_CHARS`] characters
/// among `a`–`z`, `0`–`9`, `-` and `_`, stored in lowercase (a link typed in capitals counts
/// the same).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CampaignCode(String);

/// Why a campaign code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CampaignCodeError {
    /// Nothing.
    #[error("the campaign code is empty")]
    Empty,
    /// Longer than allowed.
    #[error("the campaign code has {chars} characters; at most {max} are allowed")]
    TooLong {
        /// Characters given.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// A character outside the allowed set.
    #[error("the campaign code may hold only letters a-z, digits, '-' and '_'")]
    BadCharacter,
}

impl CampaignCode {
    /// Longest code, in characters.
    pub const MAX_CHARS: usize = 40;

    /// Validates and lowercases `text`.
    pub fn parse(text: &str) -> Result<Self, CampaignCodeError> {
        if text.is_empty() {
            return Err(CampaignCodeError::Empty);
        }
        let chars = text.chars().count();
        if chars > Self::MAX_CHARS {
            return Err(CampaignCodeError::TooLong {
                chars,
                max: Self::MAX_CHARS,
            });
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(CampaignCodeError::BadCharacter);
        }
        Ok(CampaignCode(text.to_ascii_lowercase()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CampaignCode {
    type Error = CampaignCodeError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        CampaignCode::parse(&text)
    }
}

impl From<CampaignCode> for String {
    fn from(code: CampaignCode) -> String {
        code.0
    }
}

impl std::fmt::Display for CampaignCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A UTC calendar day, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Day(pub i64);

impl Day {
    const MILLIS: i64 = 86_400_000;

    /// The day `at` falls on.
    pub fn of(at: Timestamp) -> Day {
        Day(at.0.div_euclid(Self::MILLIS))
    }

    /// The day `days` later (earlier if negative).
    pub fn plus(self, days: i64) -> Day {
        Day(self.0.saturating_add(days))
    }

    /// Its first instant.
    pub fn start(self) -> Timestamp {
        Timestamp(self.0.saturating_mul(Self::MILLIS))
    }

    /// From `YYYY-MM-DD` (years 1970 to 9999); `None` for anything else, or a date that
    /// does not exist (`2017-02-30`).
    pub fn parse_iso(text: &str) -> Option<Day> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(y) && digits(m) && digits(d)) {
            return None;
        }
        let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        if y < 1970 || !(1..=12).contains(&m) || d < 1 {
            return None;
        }
        let day = Day(days_from_civil(y, m, d));
        // A day past the month's end lands in the next month: refuse it.
        (day.civil() == (y, m, d)).then_some(day)
    }

    /// As `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        let (y, m, d) = self.civil();
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// Year, month (1-12) and day of the month (1-31).
    fn civil(self) -> (i64, i64, i64) {
        // Howard Hinnant's `civil_from_days` (proleptic Gregorian calendar).
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }
}

/// Days since 1970-01-01 of a date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignEvent {
    /// The campaign page was shown.
    PageView,
    /// A story's hidden side was revealed.
    Reveal,
    /// A conversation was started (someone joined the queue).
    ConversationStarted,
    /// A person wrote a message (chat or written messaging).
    MessageWritten,
    /// Someone applied to become a listener.
    Application,
}

impl CampaignEvent {
    /// Every event, in the order reports show them.
    pub const ALL: [CampaignEvent; 5] = [
        CampaignEvent::PageView,
        CampaignEvent::Reveal,
        CampaignEvent::ConversationStarted,
        CampaignEvent::MessageWritten,
        CampaignEvent::Application,
    ];

    /// Stable name used in storage and the protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignEvent::PageView => "page_view",
            CampaignEvent::Reveal => "reveal",
            CampaignEvent::ConversationStarted => "conversation_started",
            CampaignEvent::MessageWritten => "message_written",
            CampaignEvent::Application => "application",
        }
    }

    /// The inverse of [`CampaignEvent::as_str`].
    pub fn parse(name: &str) -> Option<CampaignEvent> {
        CampaignEvent::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

/// A campaign, as staff declare it: only declared codes are counted, so that links made up
/// by anyone cannot fill the counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    /// The code its links carry.
    pub code: CampaignCode,
    /// What staff call it ("Tout le bonheur du monde… en apparence, 2017").
    pub name: String,
    /// First day it runs.
    pub starts: Day,
    /// Last day it runs (the same as or after `starts`).
    pub ends: Day,
}

/// Why a campaign was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CampaignError {
    /// A bad code.
    #[error(transparent)]
    Code(#[from] CampaignCodeError),
    /// No name, or too long a one.
    #[error("the campaign's name must have 1 to {max} characters")]
    Name {
        /// The limit.
        max: usize,
    },
    /// Ends before it starts.
    #[error("the campaign ends before it starts")]
    EndsBeforeStart,
}

impl Campaign {
    /// Longest name, in characters.
    pub const MAX_NAME_CHARS: usize = 200;

    /// Validates a campaign.
    pub fn new(code: &str, name: &str, starts: Day, ends: Day) -> Result<Self, CampaignError> {
        let code = CampaignCode::parse(code)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > Self::MAX_NAME_CHARS {
            return Err(CampaignError::Name {
                max: Self::MAX_NAME_CHARS,
            });
        }
        if ends < starts {
            return Err(CampaignError::EndsBeforeStart);
        }
        Ok(Campaign {
            code,
            name: name.to_owned(),
            starts,
            ends,
        })
    }
}

/// How many times `event` happened on `day` for people who came by `campaign` (`None`:
/// by no declared campaign's link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignCount {
    /// The campaign, if any.
    pub campaign: Option<CampaignCode>,
    /// The day.
    pub day: Day,
    /// What happened.
    pub event: CampaignEvent,
    /// How many times.
    pub count: u64,
}

/// Days compared before and after a campaign at the most (a year).
pub const MAX_COMPARED_DAYS: i64 = 366;

/// An event's daily average over three periods as long as the campaign: before it, while it
/// ran and after it (periods cut at `today`; `None` for a period not begun).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Periods {
    /// Length of the compared periods, days.
    pub days: i64,
    /// Per day before the campaign.
    pub before: Option<f64>,
    /// Per day while it ran.
    pub during: Option<f64>,
    /// Per day after it.
    pub after: Option<f64>,
}

/// What a campaign brought: what came by its links while it ran, and the conversations of
/// the whole helpline (by any link or none) before, during and after it.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignReport {
    /// The campaign.
    pub campaign: Campaign,
    /// Per event (in [`CampaignEvent::ALL`]'s order), how many came by its links.
    pub totals: [u64; 5],
    /// Conversations started per day, every source together.
    pub conversations: Periods,
}

impl CampaignReport {
    /// The days whose counts [`CampaignReport::from_counts`] needs.
    pub fn span(campaign: &Campaign) -> (Day, Day) {
        let days = Self::compared_days(campaign);
        (campaign.starts.plus(-days), campaign.ends.plus(days))
    }

    fn compared_days(campaign: &Campaign) -> i64 {
        (campaign.ends.0 - campaign.starts.0 + 1).clamp(1, MAX_COMPARED_DAYS)
    }

    /// The report from the counts of [`CampaignReport::span`] (others are ignored), as of
    /// `today`.
    pub fn from_counts(campaign: &Campaign, counts: &[CampaignCount], today: Day) -> Self {
        let mut totals = [0u64; 5];
        let days = Self::compared_days(campaign);
        let periods = [
            (campaign.starts.plus(-days), campaign.starts.plus(-1)),
            (campaign.starts, campaign.ends),
            (campaign.ends.plus(1), campaign.ends.plus(days)),
        ];
        let mut conversations = [0u64; 3];
        for c in counts {
            let during = c.day >= campaign.starts && c.day <= campaign.ends;
            if during && c.campaign.as_ref() == Some(&campaign.code) {
                if let Some(i) = CampaignEvent::ALL.iter().position(|e| *e == c.event) {
                    totals[i] = totals[i].saturating_add(c.count);
                }
            }
            if c.event == CampaignEvent::ConversationStarted {
                for (i, (from, to)) in periods.iter().enumerate() {
                    if c.day >= *from && c.day <= *to {
                        conversations[i] = conversations[i].saturating_add(c.count);
                    }
                }
            }
        }
        // Days of a period up to today; a period not begun has no average.
        let average = |i: usize| {
            let (from, to) = periods[i];
            let elapsed = to.min(today).0 - from.0 + 1;
            (elapsed > 0).then(|| conversations[i] as f64 / elapsed as f64)
        };
        CampaignReport {
            campaign: campaign.clone(),
            totals,
            conversations: Periods {
                days,
                before: average(0),
                during: average(1),
                after: average(2),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_validated_and_lowercased() {
        assert_eq!(
            CampaignCode::parse("FB-2017_11").map(String::from),
            Ok("fb-2017_11".to_owned())
        );
        assert_eq!(CampaignCode::parse(""), Err(CampaignCodeError::Empty));
        assert_eq!(
            CampaignCode::parse(&"a".repeat(41)),
            Err(CampaignCodeError::TooLong { chars: 41, max: 40 })
        );
        for bad in ["a b", "é", "a/b", "a?c=1", "<x>"] {
            assert_eq!(
                CampaignCode::parse(bad),
                Err(CampaignCodeError::BadCharacter),
                "{bad}"
            );
        }
    }

    #[test]
    fn days_are_utc_days() {
        assert_eq!(Day::of(Timestamp(0)), Day(0));
        assert_eq!(Day::of(Timestamp(86_399_999)), Day(0));
        assert_eq!(Day::of(Timestamp(86_400_000)), Day(1));
        assert_eq!(Day::of(Timestamp(-1)), Day(-1));
        assert_eq!(Day(3).start(), Timestamp(3 * 86_400_000));
        assert_eq!(Day(3).plus(-4), Day(-1));
    }

    #[test]
    fn days_read_and_write_as_iso_dates() {
        assert_eq!(Day::parse_iso("1970-01-01"), Some(Day(0)));
        assert_eq!(Day::parse_iso("2017-11-06"), Some(Day(17_476)));
        assert_eq!(Day(17_476).iso(), "2017-11-06");
        assert_eq!(
            Day::parse_iso("2016-02-29").map(Day::iso).as_deref(),
            Some("2016-02-29")
        );
        assert_eq!(
            Day::parse_iso("2000-12-31").map(Day::iso).as_deref(),
            Some("2000-12-31")
        );
        for day in (0..40_000).step_by(37) {
            assert_eq!(Day::parse_iso(&Day(day).iso()), Some(Day(day)), "{day}");
        }
        for bad in [
            "2017-02-30",
            "2017-13-01",
            "2017-00-10",
            "2017-1-06",
            "17-11-06",
            "2017-11-06x",
            "1969-12-31",
            "2017/11/06",
            "",
            "+017-11-06",
            "2017-11--6",
        ] {
            assert_eq!(Day::parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn event_names_round_trip() {
        for e in CampaignEvent::ALL {
            assert_eq!(CampaignEvent::parse(e.as_str()), Some(e));
        }
        assert_eq!(CampaignEvent::parse("click"), None);
    }

    #[test]
    fn a_report_compares_the_periods_around_a_campaign() {
        let c = Campaign::new("fb", "Campagne", Day(100), Day(109)).expect("valid");
        assert_eq!(CampaignReport::span(&c), (Day(90), Day(119)));
        let fb = Some(&c.code);
        let tv = CampaignCode::parse("tv").expect("code");
        let n = |campaign: Option<&CampaignCode>, day, event, count| CampaignCount {
            campaign: campaign.cloned(),
            day: Day(day),
            event,
            count,
        };
        let counts = [
            n(None, 95, CampaignEvent::ConversationStarted, 20),
            n(None, 101, CampaignEvent::ConversationStarted, 30),
            n(fb, 101, CampaignEvent::ConversationStarted, 10),
            n(Some(&tv), 102, CampaignEvent::ConversationStarted, 10),
            n(fb, 103, CampaignEvent::PageView, 500),
            n(fb, 104, CampaignEvent::MessageWritten, 40),
            // Outside the campaign's days: not its totals.
            n(fb, 99, CampaignEvent::PageView, 7),
            n(fb, 111, CampaignEvent::PageView, 7),
            n(None, 112, CampaignEvent::ConversationStarted, 12),
        ];
        // Five days after the end.
        let report = CampaignReport::from_counts(&c, &counts, Day(114));
        assert_eq!(report.totals, [500, 0, 10, 40, 0]);
        assert_eq!(report.conversations.days, 10);
        assert_eq!(report.conversations.before, Some(2.0));
        assert_eq!(report.conversations.during, Some(5.0));
        assert_eq!(report.conversations.after, Some(12.0 / 5.0));
        // On its third day: during counts three days, after has not begun.
        let early = CampaignReport::from_counts(&c, &counts, Day(102));
        assert_eq!(early.conversations.during, Some(50.0 / 3.0));
        assert_eq!(early.conversations.after, None);
    }

    #[test]
    fn campaigns_are_validated() {
        let c = Campaign::new("fb-2017-11", "  Campagne 2017 ", Day(10), Day(40)).expect("ok");
        assert_eq!(c.name, "Campagne 2017");
        assert_eq!(
            Campaign::new("fb", " ", Day(1), Day(2)),
            Err(CampaignError::Name { max: 200 })
        );
        assert_eq!(
            Campaign::new("fb", "x", Day(2), Day(1)),
            Err(CampaignError::EndsBeforeStart)
        );
        assert!(matches!(
            Campaign::new("f b", "x", Day(1), Day(1)),
            Err(CampaignError::Code(_))
        ));
    }
}
