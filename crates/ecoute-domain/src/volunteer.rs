//! Becoming a listener: the application a candidate sends from the campaign's third door, and
//! the association's pipeline that coordinators move it through — received, first interview,
//! psychologist interview, committee decision, training (hours logged), supervised listening,
//! probation, active listener — or out of it ("left", at any stage).
//!
//! A candidate's personal data (name, contact details, city, availability, motivation, the
//! coordinators' notes) is theirs: it is erased on request, and after a configurable period
//! once they left the pipeline without becoming a listener. What remains of an erased
//! application is anonymous — its campaign, its dates and the stages it reached — so that the
//! pipeline's conversion per campaign still adds up.

use crate::{CampaignCode, Timestamp, Writer};

/// How long a new listener's link to set their password works.
pub const SETUP_LINK_DAYS: i64 = 7;
use serde::Serialize;
use uuid::Uuid;

/// An application's id (random: it says nothing about how many there are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ApplicationId(pub Uuid);

impl ApplicationId {
    /// A fresh random id.
    pub fn new_random() -> Self {
        ApplicationId(Uuid::new_v4())
    }
}

impl std::fmt::Display for ApplicationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for ApplicationId {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Uuid::parse_str(s).map(ApplicationId).map_err(|_| ())
    }
}

/// Where an application stands in the association's pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Sent, not yet read.
    Received,
    /// A first interview with a coordinator.
    FirstInterview,
    /// An interview with the association's psychologist.
    PsychologistInterview,
    /// Awaiting the committee's decision.
    CommitteeDecision,
    /// In training (hours are logged).
    Training,
    /// Listening with a supervisor beside them.
    SupervisedListening,
    /// On probation.
    Probation,
    /// An active listener.
    Active,
    /// Out of the pipeline (withdrew, not retained, or left after being a listener).
    Left,
}

impl Stage {
    /// Every stage, in the pipeline's order.
    pub const ALL: [Stage; 9] = [
        Stage::Received,
        Stage::FirstInterview,
        Stage::PsychologistInterview,
        Stage::CommitteeDecision,
        Stage::Training,
        Stage::SupervisedListening,
        Stage::Probation,
        Stage::Active,
        Stage::Left,
    ];

    /// Stable name used in storage and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::FirstInterview => "first_interview",
            Stage::PsychologistInterview => "psychologist_interview",
            Stage::CommitteeDecision => "committee_decision",
            Stage::Training => "training",
            Stage::SupervisedListening => "supervised_listening",
            Stage::Probation => "probation",
            Stage::Active => "active",
            Stage::Left => "left",
        }
    }

    /// Inverse of [`Stage::as_str`].
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|stage| stage.as_str() == s)
    }

    /// The stage after this one in the pipeline (`None` for the active listener and for one
    /// who left).
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Active | Stage::Left => None,
            other => Stage::ALL
                .iter()
                .position(|s| *s == other)
                .map(|i| Stage::ALL[i + 1]),
        }
    }

    /// Whether an application may move from this stage to `to`: one step forward, or out of
    /// the pipeline from anywhere it still is.
    pub fn may_move_to(self, to: Stage) -> Result<(), StageError> {
        if self == Stage::Left {
            return Err(StageError::HasLeft);
        }
        if to == Stage::Left || self.next() == Some(to) {
            Ok(())
        } else {
            Err(StageError::NotNext { from: self, to })
        }
    }
}

/// Why a move through the pipeline is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StageError {
    /// Only the next stage, or leaving.
    #[error("an application moves one stage at a time: from {from:?}, not to {to:?}")]
    NotNext {
        /// Where it is.
        from: Stage,
        /// Where it was asked to go.
        to: Stage,
    },
    /// The candidate left the pipeline.
    #[error("this candidate has left the pipeline")]
    HasLeft,
    /// The application's personal data was erased: only its anonymous trace remains.
    #[error("this application was erased")]
    Erased,
    /// Becoming an active listener creates the account: it needs a username and a pseudonym.
    #[error("becoming an active listener creates their account: give its username and pseudonym")]
    NeedsAccount,
    /// Training hours outside 0.25 to 100 at once, or logged outside the training stage.
    #[error("log between a quarter of an hour and 100 hours, during training")]
    Hours,
}

/// A field of the application form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Name.
    Name,
    /// E-mail address.
    Email,
    /// Telephone number.
    Phone,
    /// City.
    City,
    /// Availability.
    Availability,
    /// Motivation.
    Motivation,
}

impl Field {
    /// The most characters the field takes.
    pub fn max_chars(self) -> usize {
        match self {
            Field::Name | Field::City => 100,
            Field::Email => 254,
            Field::Phone => 30,
            Field::Availability => 500,
            Field::Motivation => 3000,
        }
    }
}

/// Why an application form is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    /// A required field is empty.
    #[error("a required field is empty")]
    Missing(Field),
    /// A field is longer than it may be.
    #[error("a field is too long")]
    TooLong(Field),
    /// An e-mail address that is none.
    #[error("the e-mail address is not one")]
    BadEmail,
    /// A telephone number that is none.
    #[error("the telephone number is not one")]
    BadPhone,
    /// Neither an e-mail address nor a telephone number to be contacted at.
    #[error("give an e-mail address or a telephone number")]
    NoContact,
    /// The consent to the processing of the data is not given.
    #[error("the consent to processing is required")]
    NoConsent,
}

/// The application form as a candidate filled it, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Name as they give it.
    pub name: String,
    /// E-mail address, if given.
    pub email: Option<String>,
    /// Telephone number, if given.
    pub phone: Option<String>,
    /// City.
    pub city: String,
    /// When they could listen.
    pub availability: String,
    /// Why they apply.
    pub motivation: String,
}

/// The form's fields as sent.
#[derive(Debug, Clone, Default)]
pub struct CandidateInput<'a> {
    /// Name.
    pub name: &'a str,
    /// E-mail address (may be empty).
    pub email: &'a str,
    /// Telephone number (may be empty).
    pub phone: &'a str,
    /// City.
    pub city: &'a str,
    /// Availability.
    pub availability: &'a str,
    /// Motivation.
    pub motivation: &'a str,
    /// The box consenting to the processing of the data.
    pub consent: bool,
}

/// `text` trimmed, one line or paragraphs kept, within `field`'s bound; control characters
/// other than line breaks are refused as too long would be (nothing to show them as).
fn clean(text: &str, field: Field, required: bool) -> Result<Option<String>, ApplicationError> {
    let text = text.trim();
    if text.is_empty() {
        return if required {
            Err(ApplicationError::Missing(field))
        } else {
            Ok(None)
        };
    }
    if text.chars().count() > field.max_chars()
        || text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ApplicationError::TooLong(field));
    }
    Ok(Some(text.to_owned()))
}

impl Candidate {
    /// Validates the form: every field but one of e-mail and telephone is required, each
    /// within its bound, and the consent box ticked.
    pub fn validate(input: &CandidateInput<'_>) -> Result<Candidate, ApplicationError> {
        let name = clean(input.name, Field::Name, true)?.unwrap_or_default();
        let email = clean(input.email, Field::Email, false)?;
        let phone = clean(input.phone, Field::Phone, false)?;
        let city = clean(input.city, Field::City, true)?.unwrap_or_default();
        let availability =
            clean(input.availability, Field::Availability, true)?.unwrap_or_default();
        let motivation = clean(input.motivation, Field::Motivation, true)?.unwrap_or_default();
        if let Some(email) = &email {
            let ok = email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.chars().any(char::is_whitespace)
                    && email.matches('@').count() == 1
            });
            if !ok {
                return Err(ApplicationError::BadEmail);
            }
        }
        if let Some(phone) = &phone {
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            let ok = (6..=15).contains(&digits)
                && phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-.()".contains(c));
            if !ok {
                return Err(ApplicationError::BadPhone);
            }
        }
        if email.is_none() && phone.is_none() {
            return Err(ApplicationError::NoContact);
        }
        if !input.consent {
            return Err(ApplicationError::NoConsent);
        }
        Ok(Candidate {
            name,
            email,
            phone,
            city,
            availability,
            motivation,
        })
    }
}

/// An application as coordinators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Application {
    /// Its id.
    pub id: ApplicationId,
    /// When it was sent.
    pub received_at: Timestamp,
    /// The campaign whose link brought the candidate, if a declared one.
    pub campaign: Option<CampaignCode>,
    /// Where it stands.
    pub stage: Stage,
    /// Since when.
    pub stage_since: Timestamp,
    /// The furthest stage it reached before leaving (the stage itself while in the pipeline).
    pub furthest: Stage,
    /// Training time logged, in minutes.
    pub training_minutes: i64,
    /// The candidate's data; `None` once erased.
    pub candidate: Option<Candidate>,
    /// The listener account they became, once active.
    pub account: Option<crate::UserId>,
}

/// Something that happened to an application: a move, a note, training hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationEvent {
    /// When.
    pub at: Timestamp,
    /// The coordinator responsible.
    pub by: Writer,
    /// What.
    pub kind: EventKind,
}

/// What an [`ApplicationEvent`] records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EventKind {
    /// Moved to a stage, with why (optional).
    Moved {
        /// The stage reached.
        to: Stage,
    },
    /// A note about the applicant (never about a caller); `None` once erased with the
    /// personal data.
    Note {
        /// The note.
        text: Option<String>,
    },
    /// Training time logged.
    Training {
        /// Minutes.
        minutes: i64,
    },
}

impl Application {
    /// The application after moving to `to` at `now`.
    pub fn after_move(&self, to: Stage, now: Timestamp) -> Result<Application, StageError> {
        if self.candidate.is_none() {
            return Err(StageError::Erased);
        }
        self.stage.may_move_to(to)?;
        let mut a = self.clone();
        a.stage = to;
        a.stage_since = now;
        if to != Stage::Left {
            a.furthest = to;
        }
        Ok(a)
    }

    /// Checks `minutes` of training may be logged now.
    pub fn may_log_training(&self, minutes: i64) -> Result<(), StageError> {
        if self.candidate.is_none() {
            return Err(StageError::Erased);
        }
        if self.stage != Stage::Training || !(15..=6000).contains(&minutes) {
            return Err(StageError::Hours);
        }
        Ok(())
    }
}

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// What a campaign's applications became, for the pipeline's conversion.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Conversion {
    /// The campaign (`None`: no campaign's link).
    pub campaign: Option<CampaignCode>,
    /// Applications received.
    pub received: u64,
    /// Of those, how many reached training.
    pub trained: u64,
    /// Of those, how many became active listeners.
    pub active: u64,
}

/// The pipeline in figures: how many applications stand at each stage now (in the order of
/// [`Stage::ALL`]), and the conversion per campaign (the campaigns by code, no campaign last).
/// Erased applications count too: their trace is anonymous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PipelineCounts {
    /// Applications per stage.
    pub per_stage: Vec<(Stage, u64)>,
    /// Conversion per campaign.
    pub conversion: Vec<Conversion>,
}

impl PipelineCounts {
    /// The figures of `applications`.
    pub fn of(applications: &[Application]) -> PipelineCounts {
        let per_stage = Stage::ALL
            .iter()
            .map(|s| {
                (
                    *s,
                    applications.iter().filter(|a| a.stage == *s).count() as u64,
                )
            })
            .collect();
        let mut by_campaign: std::collections::BTreeMap<(bool, Option<String>), Conversion> =
            Default::default();
        for a in applications {
            let key = (
                a.campaign.is_none(),
                a.campaign.as_ref().map(|c| c.as_str().to_owned()),
            );
            let c = by_campaign.entry(key).or_insert_with(|| Conversion {
                campaign: a.campaign.clone(),
                ..Conversion::default()
            });
            c.received += 1;
            if a.furthest >= Stage::Training {
                c.trained += 1;
            }
            if a.furthest == Stage::Active {
                c.active += 1;
            }
        }
        PipelineCounts {
            per_stage,
            conversion: by_campaign.into_values().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CandidateInput<'static> {
        CandidateInput {
            name: " Camille Martin ",
            email: "camille@example.org",
            phone: "",
            city: "Lyon",
            availability: "Two evenings a week",
            motivation: "I was helped once.",
            consent: true,
        }
    }

    #[test]
    fn a_form_is_validated_field_by_field() {
        let c = Candidate::validate(&input()).expect("valid");
        assert_eq!(c.name, "Camille Martin");
        assert_eq!(c.phone, None);
        for (changed, error) in [
            (
                CandidateInput {
                    consent: false,
                    ..input()
                },
                ApplicationError::NoConsent,
            ),
            (
                CandidateInput {
                    email: "",
                    ..input()
                },
                ApplicationError::NoContact,
            ),
            (
                CandidateInput {
                    email: "nope",
                    ..input()
                },
                ApplicationError::BadEmail,
            ),
            (
                CandidateInput {
                    email: "a@b",
                    ..input()
                },
                ApplicationError::BadEmail,
            ),
            (
                CandidateInput {
                    phone: "12",
                    ..input()
                },
                ApplicationError::BadPhone,
            ),
            (
                CandidateInput {
                    city: "  ",
                    ..input()
                },
                ApplicationError::Missing(Field::City),
            ),
        ] {
            assert_eq!(Candidate::validate(&changed), Err(error));
        }
        let long = "x".repeat(3001);
        assert_eq!(
            Candidate::validate(&CandidateInput {
                motivation: &long,
                ..input()
            }),
            Err(ApplicationError::TooLong(Field::Motivation))
        );
        let phone_only = CandidateInput {
            email: "",
            phone: "+33 6 12 34 56 78",
            ..input()
        };
        assert!(Candidate::validate(&phone_only).is_ok());
    }

    #[test]
    fn counts_per_stage_and_conversion_per_campaign() {
        let app = |campaign: Option<&str>, stage, furthest| Application {
            id: ApplicationId::new_random(),
            received_at: Timestamp(0),
            campaign: campaign.map(|c| CampaignCode::parse(c).expect("code")),
            stage,
            stage_since: Timestamp(0),
            furthest,
            training_minutes: 0,
            candidate: None,
            account: None,
        };
        let all = [
            app(Some("tv"), Stage::Received, Stage::Received),
            app(Some("tv"), Stage::Left, Stage::Training),
            app(Some("tv"), Stage::Active, Stage::Active),
            app(None, Stage::Training, Stage::Training),
            app(Some("fb"), Stage::Left, Stage::Received),
        ];
        let counts = PipelineCounts::of(&all);
        assert_eq!(counts.per_stage[0], (Stage::Received, 1));
        assert_eq!(counts.per_stage[8], (Stage::Left, 2));
        let rows: Vec<_> = counts
            .conversion
            .iter()
            .map(|c| {
                (
                    c.campaign.as_ref().map(|c| c.as_str().to_owned()),
                    c.received,
                    c.trained,
                    c.active,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (Some("fb".to_owned()), 1, 0, 0),
                (Some("tv".to_owned()), 3, 2, 1),
                (None, 1, 1, 0),
            ]
        );
    }

    #[test]
    fn the_pipeline_moves_one_step_or_out() {
        assert_eq!(Stage::Received.next(), Some(Stage::FirstInterview));
        assert_eq!(Stage::Probation.next(), Some(Stage::Active));
        assert_eq!(Stage::Active.next(), None);
        assert_eq!(Stage::Received.may_move_to(Stage::FirstInterview), Ok(()));
        assert_eq!(Stage::Training.may_move_to(Stage::Left), Ok(()));
        assert_eq!(Stage::Active.may_move_to(Stage::Left), Ok(()));
        assert!(matches!(
            Stage::Received.may_move_to(Stage::Training),
            Err(StageError::NotNext { .. })
        ));
        assert_eq!(
            Stage::Left.may_move_to(Stage::Received),
            Err(StageError::HasLeft)
        );
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
    }
}
