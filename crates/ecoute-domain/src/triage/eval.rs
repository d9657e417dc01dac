//! The evaluation set and the scorer's measures on it: precision, recall and support per
//! level, and the confusion matrix.
//!
//! The shipped set (`eval/*.tsv`, described in `eval/METHOD.md`) was written for the project:
//! no message is a real person's. Its format: UTF-8 lines of four tab-separated columns,
//! `lang level text note` (the note may be left out), `#` comment lines, and the header line.

use super::{assess, TriageLevel};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The held-out set: written before the lexicon, never used to tune it.
pub const HELDOUT: &str = include_str!("eval/heldout.tsv");
/// The development set: used to tune the lexicon.
pub const DEVELOPMENT: &str = include_str!("eval/development.tsv");
/// A third set, written after the scorer `triage-1.0.0` was frozen and scored once: the least
/// biased of the three.
pub const AFTER_FREEZE: &str = include_str!("eval/after-freeze.tsv");

/// The language of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// French.
    Fr,
    /// English.
    En,
}

impl Lang {
    /// `fr` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

/// One labelled message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Its language.
    pub lang: Lang,
    /// The level its author gave it.
    pub level: TriageLevel,
    /// The message.
    pub text: String,
    /// Why it is there (may be empty).
    pub note: String,
    /// Its line in the set's file, from 1.
    pub line: usize,
}

/// A line of a set that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct SetError {
    /// Line number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

const HEADER: &str = "lang\tlevel\ttext";

/// Reads a set. Every line must be right: the first wrong one is the error.
pub fn parse_set(tsv: &str) -> Result<Vec<Case>, SetError> {
    let mut cases = Vec::new();
    for (n, raw) in tsv.lines().enumerate() {
        let line = n + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() || raw.starts_with('#') || raw.starts_with(HEADER) {
            continue;
        }
        let err = |message: String| SetError { line, message };
        let cols: Vec<&str> = raw.split('\t').collect();
        if !(3..=4).contains(&cols.len()) {
            return Err(err(format!(
                "expected 3 or 4 tab-separated columns (lang, level, text, note), found {}",
                cols.len()
            )));
        }
        let lang = match cols[0].trim() {
            "fr" => Lang::Fr,
            "en" => Lang::En,
            other => return Err(err(format!("unknown language {other:?} (fr or en)"))),
        };
        let level = TriageLevel::parse(cols[1].trim()).ok_or_else(|| {
            let names: Vec<&str> = TriageLevel::ALL.iter().map(|l| l.as_str()).collect();
            err(format!(
                "unknown level {:?} (one of {})",
                cols[1].trim(),
                names.join(", ")
            ))
        })?;
        let text = cols[2].trim();
        if text.is_empty() {
            return Err(err("empty text".into()));
        }
        cases.push(Case {
            lang,
            level,
            text: text.to_string(),
            note: cols.get(3).map_or("", |s| s.trim()).to_string(),
            line,
        });
    }
    if cases.is_empty() {
        return Err(SetError {
            line: tsv.lines().count(),
            message: "no message in the set".into(),
        });
    }
    Ok(cases)
}

const N: usize = TriageLevel::ALL.len();

/// A confusion matrix: rows are the labels, columns what the scorer said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Confusion {
    /// `counts[label][scored]`, indexed by [`TriageLevel::item`].
    pub counts: [[u32; N]; N],
}

impl Confusion {
    /// Counts (label, scored) pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (TriageLevel, TriageLevel)>) -> Self {
        let mut c = Confusion::default();
        for (label, scored) in pairs {
            c.add(label, scored);
        }
        c
    }

    /// Counts one more message.
    pub fn add(&mut self, label: TriageLevel, scored: TriageLevel) {
        self.counts[usize::from(label.item())][usize::from(scored.item())] += 1;
    }

    /// How many messages.
    pub fn total(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }

    /// How many scored at their label.
    pub fn correct(&self) -> u32 {
        (0..N).map(|i| self.counts[i][i]).sum()
    }

    /// Correct over total (none without messages).
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.correct(), self.total())
    }

    /// How many messages carry this label.
    pub fn support(&self, level: TriageLevel) -> u32 {
        self.counts[usize::from(level.item())].iter().sum()
    }

    /// How many messages the scorer put at this level.
    pub fn scored(&self, level: TriageLevel) -> u32 {
        let j = usize::from(level.item());
        self.counts.iter().map(|row| row[j]).sum()
    }

    /// Of the messages scored at `level`, the share labelled so (none if none was scored).
    pub fn precision(&self, level: TriageLevel) -> Option<f64> {
        let i = usize::from(level.item());
        ratio(self.counts[i][i], self.scored(level))
    }

    /// Of the messages labelled `level`, the share scored so (none if none is labelled).
    pub fn recall(&self, level: TriageLevel) -> Option<f64> {
        let i = usize::from(level.item());
        ratio(self.counts[i][i], self.support(level))
    }

    /// Precision and recall of "at least `threshold`" against "below it".
    pub fn at_least(&self, threshold: TriageLevel) -> (Option<f64>, Option<f64>) {
        let t = usize::from(threshold.item());
        let (mut tp, mut scored, mut labelled) = (0, 0, 0);
        for (i, row) in self.counts.iter().enumerate() {
            for (j, &n) in row.iter().enumerate() {
                if i >= t && j >= t {
                    tp += n;
                }
                if j >= t {
                    scored += n;
                }
                if i >= t {
                    labelled += n;
                }
            }
        }
        (ratio(tp, scored), ratio(tp, labelled))
    }

    /// Messages scored below their label, and above it.
    pub fn under_over(&self) -> (u32, u32) {
        let (mut under, mut over) = (0, 0);
        for (i, row) in self.counts.iter().enumerate() {
            for (j, &n) in row.iter().enumerate() {
                if j < i {
                    under += n;
                } else if j > i {
                    over += n;
                }
            }
        }
        (under, over)
    }
}

fn ratio(a: u32, b: u32) -> Option<f64> {
    (b > 0).then(|| f64::from(a) / f64::from(b))
}

/// A message the scorer did not put at its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    /// The case.
    pub case: Case,
    /// What the scorer said.
    pub scored: TriageLevel,
}

/// The measures of the scorer on a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// A name for the set ("held-out", a file name…).
    pub name: String,
    /// All messages.
    pub all: Confusion,
    /// French messages.
    pub fr: Confusion,
    /// English messages.
    pub en: Confusion,
    /// The messages scored at another level than their label.
    pub misses: Vec<Miss>,
}

/// Scores every case with the shipped scorer and measures it.
pub fn evaluate(name: &str, cases: &[Case]) -> Evaluation {
    evaluate_with(name, cases, |text| assess(text).level)
}

/// Measures `score` on `cases` (the arithmetic, with any scorer).
pub fn evaluate_with(
    name: &str,
    cases: &[Case],
    score: impl Fn(&str) -> TriageLevel,
) -> Evaluation {
    let mut e = Evaluation {
        name: name.to_string(),
        all: Confusion::default(),
        fr: Confusion::default(),
        en: Confusion::default(),
        misses: Vec::new(),
    };
    for case in cases {
        let scored = score(&case.text);
        e.all.add(case.level, scored);
        match case.lang {
            Lang::Fr => e.fr.add(case.level, scored),
            Lang::En => e.en.add(case.level, scored),
        }
        if scored != case.level {
            e.misses.push(Miss {
                case: case.clone(),
                scored,
            });
        }
    }
    e
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".to_string(), |r| format!("{r:.2}"))
}

fn short(level: TriageLevel) -> &'static str {
    match level {
        TriageLevel::None => "none",
        TriageLevel::WishToBeDead => "wish",
        TriageLevel::Ideation => "ideat",
        TriageLevel::Method => "method",
        TriageLevel::Intent => "intent",
        TriageLevel::Plan => "plan",
        TriageLevel::Behaviour => "behav",
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.all;
        writeln!(
            f,
            "{}: {} messages (fr {}, en {}); accuracy {} (fr {}, en {})",
            self.name,
            a.total(),
            self.fr.total(),
            self.en.total(),
            fmt_ratio(a.accuracy()),
            fmt_ratio(self.fr.accuracy()),
            fmt_ratio(self.en.accuracy()),
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<16} {:>7} {:>7} {:>9} {:>7}",
            "level", "labelled", "scored", "precision", "recall"
        )?;
        for level in TriageLevel::ALL {
            writeln!(
                f,
                "{:<16} {:>8} {:>7} {:>9} {:>7}",
                level.as_str(),
                a.support(level),
                a.scored(level),
                fmt_ratio(a.precision(level)),
                fmt_ratio(a.recall(level)),
            )?;
        }
        writeln!(f)?;
        for (what, threshold) in [
            ("any risk (>= wish_to_be_dead)", TriageLevel::WishToBeDead),
            ("supervisor alert (>= method)", TriageLevel::Method),
            ("high risk (>= intent)", TriageLevel::Intent),
        ] {
            let (p, r) = a.at_least(threshold);
            writeln!(
                f,
                "{what:<30} precision {}  recall {}",
                fmt_ratio(p),
                fmt_ratio(r)
            )?;
        }
        let (under, over) = a.under_over();
        writeln!(f, "scored below the label: {under}; above it: {over}")?;
        writeln!(f)?;
        writeln!(f, "confusion matrix (rows: label; columns: scorer)")?;
        write!(f, "{:<16}", "")?;
        for level in TriageLevel::ALL {
            write!(f, " {:>6}", short(level))?;
        }
        writeln!(f)?;
        for label in TriageLevel::ALL {
            write!(f, "{:<16}", label.as_str())?;
            for scored in TriageLevel::ALL {
                let n = a.counts[usize::from(label.item())][usize::from(scored.item())];
                write!(f, " {n:>6}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TriageLevel as L;

    #[test]
    fn the_arithmetic_on_a_hand_computed_example() {
        // Labels and scores of six messages, worked out by hand:
        //   none→none, none→wish, wish→wish, plan→plan, plan→intent, behaviour→none
        let c = Confusion::from_pairs([
            (L::None, L::None),
            (L::None, L::WishToBeDead),
            (L::WishToBeDead, L::WishToBeDead),
            (L::Plan, L::Plan),
            (L::Plan, L::Intent),
            (L::Behaviour, L::None),
        ]);
        assert_eq!(c.total(), 6);
        assert_eq!(c.correct(), 3);
        assert_eq!(c.accuracy(), Some(0.5));
        // none: scored 2 times (one right) → precision 1/2; labelled 2 (one right) → 1/2.
        assert_eq!(c.precision(L::None), Some(0.5));
        assert_eq!(c.recall(L::None), Some(0.5));
        // wish: scored twice, once right; labelled once, found.
        assert_eq!(c.precision(L::WishToBeDead), Some(0.5));
        assert_eq!(c.recall(L::WishToBeDead), Some(1.0));
        // plan: scored once, right; labelled twice.
        assert_eq!(c.precision(L::Plan), Some(1.0));
        assert_eq!(c.recall(L::Plan), Some(0.5));
        // intent: scored once, wrongly; never labelled.
        assert_eq!(c.precision(L::Intent), Some(0.0));
        assert_eq!(c.recall(L::Intent), None);
        // behaviour: labelled once, missed; never scored.
        assert_eq!(c.precision(L::Behaviour), None);
        assert_eq!(c.recall(L::Behaviour), Some(0.0));
        assert_eq!(c.support(L::Plan), 2);
        assert_eq!(c.scored(L::None), 2);
        // At least wish: scored 4 (wish, wish, plan, intent), of which labelled ≥ wish 3;
        // labelled ≥ wish 4 (wish, plan, plan, behaviour), of which found 3.
        assert_eq!(c.at_least(L::WishToBeDead), (Some(0.75), Some(0.75)));
        // Below the label: plan→intent, behaviour→none; above: none→wish.
        assert_eq!(c.under_over(), (2, 1));
        assert_eq!(c.counts[6][0], 1);
    }

    #[test]
    fn evaluation_splits_languages_and_lists_misses() {
        let cases =
            parse_set("fr\tnone\tun\nen\tplan\ttwo\tnote\nen\tnone\tthree\n").expect("a valid set");
        let e = evaluate_with(
            "t",
            &cases,
            |text| {
                if text == "two" {
                    L::Intent
                } else {
                    L::None
                }
            },
        );
        assert_eq!((e.fr.total(), e.en.total()), (1, 2));
        assert_eq!(e.misses.len(), 1);
        assert_eq!(e.misses[0].case.line, 2);
        assert_eq!(e.misses[0].scored, L::Intent);
        let shown = e.to_string();
        assert!(shown.contains("accuracy 0.67"), "{shown}");
        assert!(shown.contains("confusion matrix"), "{shown}");
    }

    #[test]
    fn a_malformed_set_says_which_line() {
        let bad = |tsv: &str| parse_set(tsv).expect_err("malformed");
        assert_eq!(bad("fr\tnone\tok\nfr none text\n").line, 2);
        assert!(bad("fr\tnone\tok\nde\tnone\tx\n")
            .message
            .contains("language"));
        assert!(bad("fr\tsad\tx\n").message.contains("unknown level"));
        assert!(bad("fr\tnone\t \n").message.contains("empty"));
        assert!(bad("fr\tnone\tx\ty\tz\n").message.contains("columns"));
        assert!(bad("# nothing\n").message.contains("no message"));
    }

    #[test]
    fn the_shipped_sets_are_large_bilingual_and_cover_every_level() {
        let heldout = parse_set(HELDOUT).expect("held-out set");
        let dev = parse_set(DEVELOPMENT).expect("development set");
        let after = parse_set(AFTER_FREEZE).expect("after-freeze set");
        let all: Vec<&Case> = heldout.iter().chain(&dev).chain(&after).collect();
        assert!(all.len() >= 360, "{}", all.len());
        assert!(heldout.len() >= 100);
        let fr = all.iter().filter(|c| c.lang == Lang::Fr).count();
        assert!(
            fr * 10 >= all.len() * 4 && fr * 10 <= all.len() * 6,
            "{fr} French"
        );
        for level in TriageLevel::ALL {
            for set in [&heldout, &dev, &after] {
                assert!(
                    set.iter().filter(|c| c.level == level).count() >= 5,
                    "{level}"
                );
            }
        }
        let hard = all
            .iter()
            .filter(|c| c.note.starts_with("hard negative"))
            .count();
        assert!(
            hard * 4 >= all.len(),
            "{hard} hard negatives of {}",
            all.len()
        );
        // No message twice.
        let mut texts: Vec<&str> = all.iter().map(|c| c.text.as_str()).collect();
        texts.sort_unstable();
        let n = texts.len();
        texts.dedup();
        assert_eq!(texts.len(), n, "a message is in the sets twice");
    }
}
