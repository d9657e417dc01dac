//! Every key used anywhere exists in both tables, and every key of the tables is used: the
//! templates (`t.get("…")`, `t.count("…"`, `t.with("…"`), the Rust sources (the same calls,
//! and the `=> "…"` arms of the functions named `…_key`), the scripts (`t("…")`, the
//! `*_TEXTS` maps, `#setDelivery(…, "…")`, `` t(`reason_${…}`) `` for each end reason), and
//! each page's `SCRIPT_TEXTS`, which must list exactly what its scripts use.

use std::collections::BTreeSet;
use std::path::Path;

use ecoute_domain::{AgeBand, ContactKind, EndReason, Gender, RiskLevel};

use super::{Catalog, Lang};

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files(dir: &str, ext: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == ext) {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    out
}

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The string literal right after each `marker` (spaces and new lines allowed before it);
/// `None` where something else follows (a variable, a template string).
fn after(text: &str, marker: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        let trimmed = rest.trim_start();
        let lit = trimmed
            .strip_prefix('"')
            .and_then(|r| r.find('"').map(|end| r[..end].to_owned()));
        out.push(lit);
    }
    out
}

/// Keys used by the Rust sources and templates.
fn server_keys(sources: &[(String, String)], problems: &mut Vec<String>) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (name, text) in sources {
        // Calls on a `Texts`: `t.get(`, `layout.t.get(`, `Texts::new(lang).get(`, and rustfmt's
        // `t\n    .get(`.
        let normalized: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let normalized = normalized.replace("t .", "t.");
        for method in ["get", "count", "with", "format"] {
            for marker in [format!("t.{method}("), format!(").{method}(")] {
                for lit in after(&normalized, &marker) {
                    match lit {
                        Some(k) if is_key(&k) => {
                            keys.insert(k);
                        }
                        // `.get(` on other things (maps, headers) takes other strings.
                        Some(_) => {}
                        None if marker.starts_with("t.") && method != "get" => {
                            problems.push(format!("{name}: t.{method}( without a literal key"))
                        }
                        None => {}
                    }
                }
            }
        }
        // `fn …_key(…) -> &'static str { match … { … => "key", … } }`
        let mut rest = text.as_str();
        while let Some(i) = rest.find("fn ") {
            rest = &rest[i + 3..];
            let fn_name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !fn_name.ends_with("_key") {
                continue;
            }
            let Some(open) = rest.find('{') else { break };
            let mut depth = 0;
            let mut end = open;
            for (j, c) in rest[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = open + j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            for k in after(&rest[open..end], "=> ").into_iter().flatten() {
                keys.insert(k);
            }
        }
    }
    keys
}

/// Keys a script uses.
fn script_keys(name: &str, text: &str, problems: &mut Vec<String>) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    // Comments may show examples; only code counts.
    let code: String = text
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            !(l.starts_with("//") || l.starts_with('*') || l.starts_with("/*"))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let text = code.as_str();
    let mut rest = text;
    while let Some(i) = rest.find("t(") {
        let before = rest[..i].chars().last();
        rest = &rest[i + 2..];
        // `t(` or `this.#t(` as a call of the texts function, not the end of `sheet(`.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let arg = rest.trim_start();
        if let Some(r) = arg.strip_prefix('"') {
            keys.insert(r[..r.find('"').unwrap()].to_owned());
        } else if arg.starts_with("`reason_${") {
            for reason in end_reasons() {
                keys.insert(format!("reason_{}", reason.as_str()));
            }
        } else if arg.starts_with("key)") || arg.starts_with("key,") {
            // `t(key)`: the keys come from a `*_TEXTS` map or `#setDelivery(…, "…")`, below.
        } else {
            problems.push(format!(
                "{name}: t({} — a key the test cannot see",
                &arg[..arg.len().min(30)]
            ));
        }
    }
    for line in text.lines().filter(|l| l.contains("#setDelivery(li, ")) {
        keys.extend(line.split('"').skip(1).step_by(2).map(str::to_owned));
    }
    // `const ERROR_TEXTS = { code: "key", … };`
    let mut rest = text;
    while let Some(i) = rest.find("_TEXTS = {") {
        rest = &rest[i..];
        let end = rest.find('}').unwrap();
        for lit in after(&rest[..end], ": ").into_iter().flatten() {
            keys.insert(lit);
        }
        rest = &rest[end..];
    }
    keys
}

/// Every end reason; the match fails to compile when one is added, so the list stays whole.
fn end_reasons() -> Vec<EndReason> {
    let all = [
        EndReason::PersonEnded,
        EndReason::ListenerEnded,
        EndReason::Abandoned,
        EndReason::PersonVanished,
        EndReason::NeverConnected,
    ];
    for r in all {
        match r {
            EndReason::PersonEnded
            | EndReason::ListenerEnded
            | EndReason::Abandoned
            | EndReason::PersonVanished
            | EndReason::NeverConnected => {}
        }
    }
    all.to_vec()
}

/// A page's `SCRIPT_TEXTS` list.
fn script_texts(rel: &str) -> BTreeSet<String> {
    let text = read(rel);
    let start = text.find("const SCRIPT_TEXTS").unwrap();
    let end = start + text[start..].find("];").unwrap();
    text[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_key_used_exists_in_both_languages_and_every_key_is_used() {
    let catalog = Catalog::load().unwrap();
    let mut problems = Vec::new();
    let mut sources = files("src", "rs");
    sources.retain(|(name, _)| !name.ends_with("i18n_keys.rs"));
    sources.extend(files("templates", "html"));
    let mut used = server_keys(&sources, &mut problems);
    // Built keys: the sheet's closed choices (`choice_key`).
    for v in AgeBand::ALL
        .iter()
        .map(|v| v.as_str())
        .chain(Gender::ALL.iter().map(|v| v.as_str()))
        .chain(ContactKind::ALL.iter().map(|v| v.as_str()))
        .chain(RiskLevel::ALL.iter().map(|v| v.as_str()))
    {
        used.insert(format!("choice_{v}"));
    }
    // Rust literals that name a key (a notice, a sheet field) count as a use of it.
    for (_, text) in &sources {
        for lit in text.split('"').skip(1).step_by(2) {
            if is_key(lit) && catalog.keys(Lang::Fr).any(|k| k == lit) {
                used.insert(lit.to_owned());
            }
        }
    }
    let socket = script_keys("socket.js", &read("static/socket.js"), &mut problems);
    for (page, script, list) in [
        ("public", "static/visitor.js", "src/pages/public.rs"),
        ("staff", "static/listener.js", "src/pages/staff.rs"),
        (
            "supervisor",
            "static/supervisor.js",
            "src/pages/supervision.rs",
        ),
    ] {
        let mut keys = script_keys(script, &read(script), &mut problems);
        keys.extend(socket.iter().cloned());
        let listed = script_texts(list);
        for k in keys.difference(&listed) {
            problems.push(format!(
                "{script} uses {k}, missing from the {page} page's SCRIPT_TEXTS"
            ));
        }
        for k in listed.difference(&keys) {
            problems.push(format!(
                "the {page} page's SCRIPT_TEXTS lists {k}, which {script} never uses"
            ));
        }
        used.extend(keys);
    }
    for lang in Lang::ALL {
        let table: BTreeSet<String> = catalog.keys(lang).map(str::to_owned).collect();
        for k in used.difference(&table) {
            problems.push(format!("{k} is used but missing from {}.ftl", lang.code()));
        }
        for k in table.difference(&used) {
            problems.push(format!("{k} in {}.ftl is never used", lang.code()));
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
