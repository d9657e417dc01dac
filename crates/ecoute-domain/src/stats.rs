//! The anonymous statistics sheet a listener fills in after a contact: what remains of a
//! conversation once its text is purged. It describes, it never identifies: no free text.

use crate::ids::ContactId;
use serde::{Deserialize, Serialize};

/// One theme of the taxonomy, with its labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theme {
    /// Stable code stored in sheets (`a-z`, `_`).
    pub code: String,
    /// French label.
    pub fr: String,
    /// English label.
    pub en: String,
}

/// The default taxonomy: (code, French, English).
pub const THEMES: &[(&str, &str, &str)] = &[
    ("solitude", "Solitude", "Loneliness"),
    (
        "psychological_suffering",
        "Souffrance psychique",
        "Psychological suffering",
    ),
    (
        "suicidal_thoughts",
        "Idées suicidaires",
        "Suicidal thoughts",
    ),
    ("family", "Famille", "Family"),
    ("couple", "Couple", "Couple"),
    ("health", "Santé", "Health"),
    ("violence", "Violence", "Violence"),
    ("addiction", "Addiction", "Addiction"),
    ("work", "Travail", "Work"),
    ("grief", "Deuil", "Grief"),
    ("other", "Autre", "Other"),
];

impl Theme {
    /// The default taxonomy as owned values.
    pub fn defaults() -> Vec<Theme> {
        THEMES
            .iter()
            .map(|(code, fr, en)| Theme {
                code: (*code).to_owned(),
                fr: (*fr).to_owned(),
                en: (*en).to_owned(),
            })
            .collect()
    }

    /// Whether `code` is a well-formed theme code (1–40 of `a-z`, `0-9`, `_`).
    pub fn valid_code(code: &str) -> bool {
        (1..=40).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    }
}

macro_rules! closed_set {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $s)] $variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Stable name used in storage and forms.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            /// Inverse of `as_str`.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

closed_set!(
    /// Estimated age band of the person (as perceived; never asked).
    AgeBand {
        /// Unknown.
        Unknown = "unknown",
        /// Under 18.
        Under18 = "under_18",
        /// 18–24.
        From18To24 = "18_24",
        /// 25–39.
        From25To39 = "25_39",
        /// 40–59.
        From40To59 = "40_59",
        /// 60–74.
        From60To74 = "60_74",
        /// 75 and over.
        Over75 = "75_plus",
    }
);

closed_set!(
    /// Estimated gender of the person (as perceived; never asked).
    Gender {
        /// Unknown.
        Unknown = "unknown",
        /// Woman.
        Woman = "woman",
        /// Man.
        Man = "man",
        /// Other.
        Other = "other",
    }
);

closed_set!(
    /// First contact with the helpline, or a regular caller.
    ContactKind {
        /// Unknown.
        Unknown = "unknown",
        /// First contact.
        First = "first",
        /// Has called before.
        Regular = "regular",
    }
);

closed_set!(
    /// The listener's assessment of suicide risk. "Not assessed" is a choice of its own, never
    /// a default: a sheet says whether the risk was assessed, and what was found.
    RiskLevel {
        /// The listener could not assess it (said so explicitly).
        NotAssessed = "not_assessed",
        /// Assessed: no risk perceived.
        None = "none",
        /// Low.
        Low = "low",
        /// Moderate.
        Moderate = "moderate",
        /// High.
        High = "high",
        /// Imminent danger.
        Imminent = "imminent",
    }
);

/// A completed statistics sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsSheet {
    /// The contact it describes.
    pub contact: ContactId,
    /// Conversation length in seconds (prefilled, adjustable).
    pub duration_seconds: i64,
    /// Theme codes, from the configured taxonomy, at least one.
    pub themes: Vec<String>,
    /// Estimated age band.
    pub age_band: AgeBand,
    /// Estimated gender.
    pub gender: Gender,
    /// First or regular contact.
    pub contact_kind: ContactKind,
    /// Risk level.
    pub risk: RiskLevel,
    /// The listener would like a debrief with a supervisor.
    pub debrief_wanted: bool,
}

/// Why a statistics sheet was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsSheetError {
    /// Negative or longer than a day.
    #[error("duration must be between 0 and 1440 minutes")]
    Duration,
    /// No theme chosen.
    #[error("choose at least one theme")]
    NoTheme,
    /// A theme outside the taxonomy.
    #[error("unknown theme: {0}")]
    UnknownTheme(String),
    /// A field whose value is not one of its choices.
    #[error("invalid value for {0}")]
    Choice(&'static str),
}

/// The fields of a sheet as submitted by a form, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatsSheetInput {
    /// Minutes (forms speak minutes).
    pub duration_minutes: i64,
    /// Theme codes.
    pub themes: Vec<String>,
    /// Age band name.
    pub age_band: String,
    /// Gender name.
    pub gender: String,
    /// Contact kind name.
    pub contact_kind: String,
    /// Risk level name.
    pub risk: String,
    /// Debrief wanted.
    pub debrief_wanted: bool,
}

impl StatsSheet {
    /// Whether the conversation it describes was a hard one for the listener (a high or
    /// imminent risk, or a debrief asked for): the workspace then offers them a pause.
    pub fn calls_for_care(&self) -> bool {
        matches!(self.risk, RiskLevel::High | RiskLevel::Imminent) || self.debrief_wanted
    }

    /// Validates `input` against the taxonomy `themes`.
    pub fn validate(
        contact: ContactId,
        input: &StatsSheetInput,
        themes: &[Theme],
    ) -> Result<StatsSheet, StatsSheetError> {
        if !(0..=1440).contains(&input.duration_minutes) {
            return Err(StatsSheetError::Duration);
        }
        if input.themes.is_empty() {
            return Err(StatsSheetError::NoTheme);
        }
        let mut chosen: Vec<String> = Vec::new();
        for code in &input.themes {
            if !themes.iter().any(|t| &t.code == code) {
                // Echo a bounded, sanitized excerpt only.
                let shown: String = code
                    .chars()
                    .filter(|c| c.is_ascii_graphic())
                    .take(40)
                    .collect();
                return Err(StatsSheetError::UnknownTheme(shown));
            }
            if !chosen.contains(code) {
                chosen.push(code.clone());
            }
        }
        Ok(StatsSheet {
            contact,
            duration_seconds: input.duration_minutes * 60,
            themes: chosen,
            age_band: AgeBand::parse(&input.age_band).ok_or(StatsSheetError::Choice("age_band"))?,
            gender: Gender::parse(&input.gender).ok_or(StatsSheetError::Choice("gender"))?,
            contact_kind: ContactKind::parse(&input.contact_kind)
                .ok_or(StatsSheetError::Choice("contact_kind"))?,
            risk: RiskLevel::parse(&input.risk).ok_or(StatsSheetError::Choice("risk"))?,
            debrief_wanted: input.debrief_wanted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn input() -> StatsSheetInput {
        StatsSheetInput {
            duration_minutes: 18,
            themes: vec!["solitude".into(), "grief".into(), "solitude".into()],
            age_band: "60_74".into(),
            gender: "woman".into(),
            contact_kind: "first".into(),
            risk: "low".into(),
            debrief_wanted: true,
        }
    }

    #[test]
    fn a_valid_sheet() {
        let id = ContactId(Uuid::nil());
        let s = StatsSheet::validate(id, &input(), &Theme::defaults()).unwrap();
        assert_eq!(s.duration_seconds, 18 * 60);
        assert_eq!(s.themes, vec!["solitude", "grief"]);
        assert_eq!(s.age_band, AgeBand::From60To74);
        assert!(s.debrief_wanted);
    }

    #[test]
    fn a_hard_conversation_calls_for_care() {
        let id = ContactId(Uuid::nil());
        let sheet = |risk: &str, debrief: bool| {
            let mut i = input();
            i.risk = risk.into();
            i.debrief_wanted = debrief;
            StatsSheet::validate(id, &i, &Theme::defaults()).unwrap()
        };
        assert!(sheet("low", true).calls_for_care(), "a debrief asked for");
        assert!(sheet("high", false).calls_for_care());
        assert!(sheet("imminent", false).calls_for_care());
        for quiet in ["not_assessed", "none", "low", "moderate"] {
            assert!(!sheet(quiet, false).calls_for_care(), "{quiet}");
        }
    }

    #[test]
    fn invalid_sheets() {
        let id = ContactId(Uuid::nil());
        let t = Theme::defaults();
        let mut i = input();
        i.themes.clear();
        assert_eq!(
            StatsSheet::validate(id, &i, &t),
            Err(StatsSheetError::NoTheme)
        );
        let mut i = input();
        i.themes = vec!["<b>x</b>".into()];
        assert_eq!(
            StatsSheet::validate(id, &i, &t),
            Err(StatsSheetError::UnknownTheme("<b>x</b>".into()))
        );
        let mut i = input();
        i.duration_minutes = -1;
        assert_eq!(
            StatsSheet::validate(id, &i, &t),
            Err(StatsSheetError::Duration)
        );
        let mut i = input();
        i.risk = "extreme".into();
        assert_eq!(
            StatsSheet::validate(id, &i, &t),
            Err(StatsSheetError::Choice("risk"))
        );
    }

    #[test]
    fn default_taxonomy_codes_are_valid() {
        assert_eq!(Theme::defaults().len(), 11);
        assert!(Theme::defaults().iter().all(|t| Theme::valid_code(&t.code)));
        assert!(!Theme::valid_code("Bad Code"));
        for a in AgeBand::ALL {
            assert_eq!(AgeBand::parse(a.as_str()), Some(*a));
        }
    }
}
