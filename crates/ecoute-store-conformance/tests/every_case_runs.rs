//! Every case of the suite runs on both backends: each `pub async fn` of a case file is in
//! the one list of `conformance_tests!`, the list names nothing else, and both backends'
//! test files expand it.

use std::collections::BTreeSet;
use std::path::Path;

/// The files holding cases, one per store trait (`lib.rs`, `pg.rs` and `support.rs` hold
/// none).
const CASE_FILES: &[&str] = &[
    "users",
    "sessions",
    "contacts",
    "messages",
    "presence",
    "stats",
    "campaigns",
    "stories",
    "written",
    "volunteers",
    "supervision",
    "transfer",
    "instances",
];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_case_is_listed_and_run_on_both_backends() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut defined = BTreeSet::new();
    for file in CASE_FILES {
        for line in read(&root.join("src").join(format!("{file}.rs"))).lines() {
            if let Some(rest) = line.strip_prefix("pub async fn ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                defined.insert(format!("{file}::{name}"));
            }
        }
    }
    // Files outside the list must not hold cases either (a case takes the store under test).
    for entry in std::fs::read_dir(root.join("src")).expect("src") {
        let path = entry.expect("entry").path();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if !CASE_FILES.contains(&stem) {
            let holds_a_case = read(&path)
                .lines()
                .any(|l| l.starts_with("pub async fn ") && l.contains("Arc<dyn Store>"));
            assert!(
                !holds_a_case,
                "{} holds a case but is not a case file",
                path.display()
            );
        }
    }
    let lib = read(&root.join("src/lib.rs"));
    let list = lib
        .split("// cases: begin")
        .nth(1)
        .and_then(|rest| rest.split("// cases: end").next())
        .expect("the case list in conformance_tests!");
    let listed: BTreeSet<String> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    assert!(!defined.is_empty());
    assert_eq!(
        defined.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "cases defined but not in conformance_tests!"
    );
    assert_eq!(
        listed.difference(&defined).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "cases listed in conformance_tests! but not defined"
    );
    for backend in ["sqlite", "postgres"] {
        let tests = read(&root.join("tests").join(format!("{backend}.rs")));
        assert!(
            tests.contains("ecoute_store_conformance::conformance_tests!(fresh_store);"),
            "tests/{backend}.rs does not run the conformance suite"
        );
    }
}
