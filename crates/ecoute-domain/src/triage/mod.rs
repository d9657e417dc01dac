//! Risk triage of what a waiting person writes: a transparent, bilingual (French and English),
//! lexicon-based scorer, and its evaluation.
//!
//! **An aid, never a diagnosis.** The scorer reads the words of a message and says which level
//! of the Columbia Suicide Severity Rating Scale (C-SSRS) screener they point to, and which
//! words made it say so. It may only **raise** a waiting person's place in the queue
//! ([`Assessment::queue_priority`], [`raise_priority`]): it never lowers one, never ends a
//! contact, never replaces what a listener hears and judges. A listener's assessment always
//! prevails. `docs/safety.md` describes it, its measured precision and recall, and its limits.
//!
//! How it reads, in order (`text.rs`, `lexicon.rs`, `rules.rs`):
//! 1. The text is normalised (lower case, no accents, contractions spelt out) and split into
//!    sentences, clauses and tokens; quotations are paired.
//! 2. The phrases of `lexicon.txt` are found: wishes, ideation, methods, means (drug names,
//!    doses such as "800mg", the pill emoji), time frames, intent, plans, preparations,
//!    attempts… and the markers that discount them: idioms ("mort de rire", "dying to"),
//!    therapeutic contexts ("pour ma migraine"), fiction and songs, the distant past.
//! 3. Each cue is judged: negated ("je ne veux pas mourir"), quoted without being the writer's
//!    own words, said of someone else ("my friend wants to kill himself"), inside an idiom, in
//!    the distant past — or counted.
//! 4. The counted cues are combined into a level, the highest that they support.
//!
//! Cues about someone else do not make the writer's level: they make [`Assessment::other`],
//! shown to the listener, and raise the priority only when someone's life may be at stake now
//! (behaviour: "my brother has just swallowed his pills"), because the person who wrote needs
//! a listener soon to be directed to the emergency services.
//!
//! Pure and bounded: no I/O, no allocation beyond the tokens, linear in the text's length
//! (each phrase is tried at each position; look-backs are capped).

pub mod eval;
mod lexicon;
mod rules;
mod text;

use serde::{Deserialize, Serialize};

pub use lexicon::LexiconError;

/// The scorer's version: the code and the lexicon together. Bumped whenever either changes,
/// so that a level stored with a contact says which scorer produced it.
pub const SCORER_VERSION: &str = "triage-1.0.0";

/// A level of the C-SSRS screener, from none to behaviour, in order of severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TriageLevel {
    /// Nothing in the words points to suicidal thoughts of the writer.
    None,
    /// Screener item 1: wish to be dead, or to fall asleep and not wake up.
    WishToBeDead,
    /// Screener item 2: non-specific active thoughts of killing oneself.
    Ideation,
    /// Screener item 3: suicidal thoughts with a method in mind, without intent or plan;
    /// or lethal means brought up (a drug by name, a dose, the pill emoji).
    Method,
    /// Screener item 4: some intent to act, without a specific plan.
    Intent,
    /// Screener item 5: intent with a plan at least partly worked out: how, when or where.
    Plan,
    /// Screener item 6: done, started or prepared something to end one's life (recently).
    Behaviour,
}

impl TriageLevel {
    /// Every level, in order.
    pub const ALL: [TriageLevel; 7] = [
        TriageLevel::None,
        TriageLevel::WishToBeDead,
        TriageLevel::Ideation,
        TriageLevel::Method,
        TriageLevel::Intent,
        TriageLevel::Plan,
        TriageLevel::Behaviour,
    ];

    /// The level's name, as serialised (`none`, `wish_to_be_dead`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TriageLevel::None => "none",
            TriageLevel::WishToBeDead => "wish_to_be_dead",
            TriageLevel::Ideation => "ideation",
            TriageLevel::Method => "method",
            TriageLevel::Intent => "intent",
            TriageLevel::Plan => "plan",
            TriageLevel::Behaviour => "behaviour",
        }
    }

    /// Reads a level's name (the serialised form; `behavior` also reads).
    pub fn parse(s: &str) -> Option<TriageLevel> {
        match s {
            "behavior" => Some(TriageLevel::Behaviour),
            s => TriageLevel::ALL.into_iter().find(|l| l.as_str() == s),
        }
    }

    /// The screener's item number (0 for none, 1 to 6).
    pub fn item(self) -> u8 {
        self as u8
    }

    /// The queue priority this level asks for: 0 for none, then 1 to 6. The queue serves
    /// higher priorities first; the scorer's priority is only ever used to raise a contact's
    /// ([`raise_priority`]).
    pub fn queue_priority(self) -> i32 {
        i32::from(self.item())
    }

    /// The screener's risk band: low for items 1–2, moderate for 3, high for 4–6.
    pub fn risk(self) -> ScreenerRisk {
        match self {
            TriageLevel::None => ScreenerRisk::NoneFound,
            TriageLevel::WishToBeDead | TriageLevel::Ideation => ScreenerRisk::Low,
            TriageLevel::Method => ScreenerRisk::Moderate,
            TriageLevel::Intent | TriageLevel::Plan | TriageLevel::Behaviour => ScreenerRisk::High,
        }
    }
}

impl std::fmt::Display for TriageLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The risk band the C-SSRS screener associates with its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ScreenerRisk {
    /// No item endorsed in the words.
    NoneFound,
    /// Wish to be dead or non-specific thoughts.
    Low,
    /// Thoughts with a method.
    Moderate,
    /// Intent, plan or behaviour.
    High,
}

/// What a cue is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CueKind {
    /// A wish to be dead ("je voudrais disparaître").
    Wish,
    /// Thoughts of killing oneself ("en finir", "kill myself").
    Ideation,
    /// A way of dying ("me pendre", "jump off the bridge").
    Method,
    /// Lethal means: a drug by name, a dose, medication, a rope, a gun, the pill emoji.
    Means,
    /// A place: a bridge, a roof, a platform.
    Place,
    /// A time frame ("ce soir", "tomorrow").
    TimeFrame,
    /// Intent ("je vais", "my mind is made up", a farewell).
    Intent,
    /// A plan worked out ("j'ai tout prévu").
    Plan,
    /// Preparation: letters, pills saved up, means obtained or held, being at the place.
    Preparation,
    /// An act: an attempt, pills taken, self-injury.
    Act,
    /// A lethal purpose ("pour mourir", "lethal dose").
    Purpose,
    /// Thinking about, wanting ("je pense à", "I keep picturing").
    Contemplation,
    /// Distress ("je n'en peux plus", 😭).
    Distress,
}

/// Whether a cue counted for the writer's level, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CueStatus {
    /// Counted for the writer's level.
    Counted,
    /// Negated ("je ne veux pas mourir", "I would never…").
    Negated,
    /// Inside a quotation that is not the writer's own words (a song, a saying).
    Quoted,
    /// Said of someone else ("mon frère veut mourir"): counted for [`Assessment::other`].
    SomeoneElse,
    /// In a sentence about fiction, a song, the news, a class.
    Reported,
    /// Inside a figure of speech or a joke ("mort de rire", "dying to", "jk").
    Idiom,
    /// In a therapeutic or working context ("pour ma migraine", "prescribed").
    Benign,
    /// Told of the distant past ("il y a dix ans").
    Past,
}

/// One phrase of the text that the scorer read, and what it made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Cue {
    /// What the phrase is about.
    pub kind: CueKind,
    /// Whether it counted, and if not, why.
    pub status: CueStatus,
    /// The words as written.
    pub text: String,
    /// Byte offsets of those words in the assessed text.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
}

/// What the scorer made of a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Assessment {
    /// [`SCORER_VERSION`] of the scorer that produced it.
    pub version: String,
    /// The writer's own level.
    pub level: TriageLevel,
    /// The level of what the text says about someone else.
    pub other: TriageLevel,
    /// Every cue read, counted or not, in the order of the text.
    pub cues: Vec<Cue>,
}

impl Assessment {
    /// The queue priority the assessment asks for: the writer's level's
    /// ([`TriageLevel::queue_priority`]); when someone else's life may be at stake now
    /// (behaviour), at least the priority of a method, so that the writer is answered soon
    /// and can be directed to the emergency services.
    pub fn queue_priority(&self) -> i32 {
        let own = self.level.queue_priority();
        if self.other >= TriageLevel::Behaviour {
            own.max(TriageLevel::Method.queue_priority())
        } else {
            own
        }
    }

    /// Whether a supervisor should be alerted: the screener's moderate or high risk
    /// (a method, intent, plan or behaviour), or someone else's behaviour.
    pub fn alerts_supervisor(&self) -> bool {
        self.level >= TriageLevel::Method || self.other >= TriageLevel::Behaviour
    }

    /// The cues that counted: the words to show a listener as "what triggered it".
    pub fn triggers(&self) -> impl Iterator<Item = &Cue> {
        self.cues.iter().filter(|c| c.status == CueStatus::Counted)
    }
}

/// A contact's new priority after an assessment: never lower than it was.
pub fn raise_priority(current: i32, assessment: &Assessment) -> i32 {
    current.max(assessment.queue_priority())
}

/// Reads `text` and says which level of the screener its words point to, and why.
pub fn assess(text: &str) -> Assessment {
    rules::assess(text, lexicon::Lexicon::shipped())
}

/// Checks the shipped lexicon: the lines that cannot be read (none, when it is right).
pub fn lexicon_errors() -> Vec<LexiconError> {
    lexicon::Lexicon::parse(lexicon::SOURCE).1
}

#[cfg(test)]
mod tests;
