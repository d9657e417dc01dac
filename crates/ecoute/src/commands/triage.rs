//! `ecoute triage`: score a text with the risk-triage scorer, or measure the scorer on an
//! evaluation set. Needs neither the configuration nor a database.

use anyhow::Context;
use clap::Subcommand;
use ecoute_domain::triage::eval::{self, Case, Evaluation};
use ecoute_domain::triage::{self, CueKind, CueStatus, ScreenerRisk};
use std::io::Read;
use std::path::PathBuf;

/// The triage sub-commands.
#[derive(Debug, Subcommand)]
pub enum TriageCommand {
    /// Measure the scorer: precision and recall per level and the confusion matrix, on the
    /// shipped sets (held-out, development, all) or on a set of your own.
    Eval {
        /// A set to measure instead of the shipped ones: UTF-8, one message a line, the
        /// tab-separated columns `lang level text [note]` (see
        /// crates/ecoute-domain/src/triage/eval/METHOD.md).
        #[arg(long)]
        set: Option<PathBuf>,
        /// Also list the messages scored at another level than their label.
        #[arg(long)]
        misses: bool,
    },
    /// Score a text and show the words that made the level. Reads standard input when no
    /// text is given.
    Score {
        /// The text (several arguments are joined with spaces).
        text: Vec<String>,
    },
}

/// Runs a triage sub-command.
pub fn run(command: TriageCommand) -> anyhow::Result<()> {
    match command {
        TriageCommand::Eval { set, misses } => eval_command(set, misses),
        TriageCommand::Score { text } => {
            let text = if text.is_empty() {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the text from standard input")?;
                s
            } else {
                text.join(" ")
            };
            print!("{}", score_report(&text));
            Ok(())
        }
    }
}

fn eval_command(set: Option<PathBuf>, misses: bool) -> anyhow::Result<()> {
    let errors = triage::lexicon_errors();
    if let Some(e) = errors.first() {
        anyhow::bail!(
            "the shipped lexicon has an error at line {}: {}",
            e.line,
            e.message
        );
    }
    println!(
        "ecoute risk triage {} (an aid, never a diagnosis)",
        triage::SCORER_VERSION
    );
    let evaluations =
        match set {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let cases = eval::parse_set(&text)
                    .with_context(|| format!("{} is not a valid evaluation set", path.display()))?;
                vec![eval::evaluate(&path.display().to_string(), &cases)]
            }
            None => {
                let shipped = |name: &str, tsv: &str| -> anyhow::Result<Vec<Case>> {
                    eval::parse_set(tsv).with_context(|| format!("the shipped {name} set"))
                };
                let after = shipped("after-freeze", eval::AFTER_FREEZE)?;
                let heldout = shipped("held-out", eval::HELDOUT)?;
                let development = shipped("development", eval::DEVELOPMENT)?;
                let all: Vec<Case> = after
                    .iter()
                    .chain(&heldout)
                    .chain(&development)
                    .cloned()
                    .collect();
                vec![
                eval::evaluate(
                    "after-freeze (written after triage-1.0.0 was frozen, never tuned on)",
                    &after,
                ),
                eval::evaluate(
                    "held-out (written before the lexicon, never tuned on, but read by its author)",
                    &heldout,
                ),
                eval::evaluate("development (tuned on: in-sample, optimistic)", &development),
                eval::evaluate("all three", &all),
            ]
            }
        };
    for e in &evaluations {
        println!();
        print!("{e}");
        if misses {
            print_misses(e);
        }
    }
    Ok(())
}

fn print_misses(e: &Evaluation) {
    println!();
    println!(
        "scored at another level than the label ({}):",
        e.misses.len()
    );
    for m in &e.misses {
        println!(
            "  line {:>3} {} {:<15} scored {:<15} {}",
            m.case.line,
            m.case.lang.as_str(),
            m.case.level.as_str(),
            m.scored.as_str(),
            m.case.text
        );
    }
}

fn kind_name(kind: CueKind) -> &'static str {
    match kind {
        CueKind::Wish => "wish",
        CueKind::Ideation => "ideation",
        CueKind::Method => "method",
        CueKind::Means => "means",
        CueKind::Place => "place",
        CueKind::TimeFrame => "time frame",
        CueKind::Intent => "intent",
        CueKind::Plan => "plan",
        CueKind::Preparation => "preparation",
        CueKind::Act => "act",
        CueKind::Purpose => "purpose",
        CueKind::Contemplation => "contemplation",
        CueKind::Distress => "distress",
    }
}

fn risk_name(risk: ScreenerRisk) -> &'static str {
    match risk {
        ScreenerRisk::NoneFound => "no",
        ScreenerRisk::Low => "low",
        ScreenerRisk::Moderate => "moderate",
        ScreenerRisk::High => "high",
    }
}

fn status_name(status: CueStatus) -> &'static str {
    match status {
        CueStatus::Counted => "counted",
        CueStatus::Negated => "negated",
        CueStatus::Quoted => "quoted",
        CueStatus::SomeoneElse => "someone else",
        CueStatus::Reported => "reported",
        CueStatus::Idiom => "idiom",
        CueStatus::Benign => "benign",
        CueStatus::Past => "past",
    }
}

/// What `ecoute triage score` prints.
fn score_report(text: &str) -> String {
    let a = triage::assess(text);
    let mut out = String::new();
    out.push_str(&format!(
        "level: {} (screener item {}, {} risk)\n",
        a.level,
        a.level.item(),
        risk_name(a.level.risk())
    ));
    out.push_str(&format!("about someone else: {}\n", a.other));
    out.push_str(&format!(
        "queue priority: {}{}\n",
        a.queue_priority(),
        if a.alerts_supervisor() {
            " (alerts a supervisor)"
        } else {
            ""
        }
    ));
    out.push_str(&format!("scorer: {}\n", a.version));
    if a.cues.is_empty() {
        out.push_str("cues: none\n");
    } else {
        out.push_str("cues:\n");
        for c in &a.cues {
            out.push_str(&format!(
                "  {:<13} {:<14} \"{}\"\n",
                status_name(c.status),
                kind_name(c.kind),
                c.text
            ));
        }
    }
    out.push_str("An aid, never a diagnosis: a listener's assessment always prevails.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_report_names_the_level_and_the_words() {
        let r = score_report("Je ne veux pas mourir, mais ce soir je vais sauter du pont");
        assert!(r.starts_with("level: plan"), "{r}");
        assert!(r.contains("negated"), "{r}");
        assert!(r.contains("\"sauter du pont\""), "{r}");
        let r = score_report("Bonjour");
        assert!(r.contains("level: none") && r.contains("cues: none"), "{r}");
    }
}
