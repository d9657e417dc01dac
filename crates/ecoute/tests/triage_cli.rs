//! `ecoute triage` as a person running the binary uses it: scoring a text, measuring the
//! scorer on the shipped sets, and a malformed set refused with its line.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn ecoute(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecoute"))
        .args(args)
        // Triage needs no configuration: none may leak in from the caller.
        .env_remove("ECOUTE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ecoute");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("ecoute output")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A file of its own in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("ecoute-triage-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("write temp file");
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn score_prints_the_level_and_the_words_that_made_it() {
    let out = ecoute(
        &[
            "triage",
            "score",
            "Ce soir je vais sauter du pont, je ne veux pas mourir seul",
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("level: plan (screener item 5, high risk)"),
        "{text}"
    );
    assert!(
        text.contains("counted       method         \"sauter du pont\""),
        "{text}"
    );
    assert!(
        text.contains("counted       time frame     \"Ce soir\""),
        "{text}"
    );
    assert!(text.contains("negated"), "{text}");
    assert!(text.contains("alerts a supervisor"), "{text}");
    assert!(text.contains("never a diagnosis"), "{text}");
}

#[test]
fn score_reads_standard_input_and_tells_someone_else_apart() {
    let out = ecoute(
        &["triage", "score"],
        "My friend says he wants to kill himself\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("level: none"), "{text}");
    assert!(text.contains("about someone else: ideation"), "{text}");
    assert!(text.contains("someone else"), "{text}");
}

#[test]
fn eval_measures_the_shipped_sets() {
    let out = ecoute(&["triage", "eval", "--misses"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for part in [
        "after-freeze (written after triage-1.0.0 was frozen",
        "held-out (written before the lexicon",
        "development (tuned on",
        "all three: 468 messages",
        "confusion matrix (rows: label; columns: scorer)",
        "wish_to_be_dead",
        "precision",
        "recall",
        "scored at another level than the label",
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
}

#[test]
fn eval_reads_a_set_of_ones_own() {
    let set = TempFile::new(
        "own.tsv",
        "lang\tlevel\ttext\tnote\n# a comment\nfr\tnone\tBonjour\t\nen\tintent\tI'm going to kill myself\n",
    );
    let out = ecoute(&["triage", "eval", "--set", set.path()], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("2 messages (fr 1, en 1); accuracy 1.00"),
        "{text}"
    );
}

#[test]
fn a_malformed_set_is_refused_with_its_line() {
    let set = TempFile::new(
        "bad.tsv",
        "lang\tlevel\ttext\nfr\tnone\tBonjour\nfr\tsad\tJe suis triste\n",
    );
    let out = ecoute(&["triage", "eval", "--set", set.path()], "");
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("is not a valid evaluation set"), "{err}");
    assert!(err.contains("line 3: unknown level \"sad\""), "{err}");

    let missing = ecoute(&["triage", "eval", "--set", "/nonexistent/set.tsv"], "");
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read /nonexistent/set.tsv"));
}
