//! TypeScript declarations of every frame, for the browser scripts.
//!
//! The scripts in `crates/ecoute-web/static` are plain JavaScript with JSDoc types that
//! `tsc --noEmit --checkJs` checks (the test command runs it) against `protocol.d.ts`, which
//! [`declarations`] writes from the Rust types. The test below fails when the committed file
//! differs from what the types give, so a renamed field fails both here and in the scripts.
//! Regenerate with `ECOUTE_BLESS=1 cargo test -p ecoute-protocol`.

use crate::{
    AlertKind, AlertOut, BoardOut, Channel, OngoingOut, RosterOut, SupervisorIn, SupervisorOut,
    TriageLevel, TriageOut, WaitingOut, WhisperOut,
};
use crate::{
    Author, CloseCode, ContactStatus, ConversationOut, EndReason, ErrorCode, ErrorOut, ListenerIn,
    ListenerOut, MessageOut, PendingSheetOut, PersonIn, PersonOut, Presence, WaitEstimate,
};
use ts_rs::{Config, TS};

/// Where the declarations live, relative to this crate.
pub const DECLARATIONS_PATH: &str = "../ecoute-web/static/protocol.d.ts";

/// The declarations file's text.
pub fn declarations() -> String {
    // Every integer of the protocol fits a JavaScript number (seqs, milliseconds).
    let cfg = Config::new().with_large_int("number");
    let decls = [
        Author::decl(&cfg),
        ContactStatus::decl(&cfg),
        EndReason::decl(&cfg),
        Presence::decl(&cfg),
        WaitEstimate::decl(&cfg),
        ErrorCode::decl(&cfg),
        ErrorOut::decl(&cfg),
        CloseCode::decl(&cfg),
        MessageOut::decl(&cfg),
        PersonIn::decl(&cfg),
        PersonOut::decl(&cfg),
        ConversationOut::decl(&cfg),
        PendingSheetOut::decl(&cfg),
        ListenerIn::decl(&cfg),
        ListenerOut::decl(&cfg),
        Channel::decl(&cfg),
        AlertKind::decl(&cfg),
        TriageLevel::decl(&cfg),
        TriageOut::decl(&cfg),
        WaitingOut::decl(&cfg),
        OngoingOut::decl(&cfg),
        RosterOut::decl(&cfg),
        AlertOut::decl(&cfg),
        BoardOut::decl(&cfg),
        WhisperOut::decl(&cfg),
        SupervisorIn::decl(&cfg),
        SupervisorOut::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/ecoute-protocol by `ECOUTE_BLESS=1 cargo test -p ecoute-protocol`.\n\
         // Do not edit: change the Rust types, then regenerate.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.push_str(&format!(
        "/** Close codes after which reconnecting cannot help. */\nexport type FinalCloseCode = {};\n",
        CloseCode::ALL
            .into_iter()
            .filter(|c| c.is_final())
            .map(|c| c.code().to_string())
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    out.push_str(&format!(
        "\n/** Error codes after which the same frame may succeed later. */\nexport type RetryableErrorCode = {};\n",
        ErrorCode::ALL
            .into_iter()
            .filter(|c| c.is_retryable())
            .map(|c| format!("\"{}\"", c.as_str()))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn committed_declarations_match_the_types() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DECLARATIONS_PATH);
        let want = declarations();
        if std::env::var_os("ECOUTE_BLESS").is_some() {
            std::fs::write(&path, &want).expect("write protocol.d.ts");
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is stale: run `ECOUTE_BLESS=1 cargo test -p ecoute-protocol` and commit it",
            path.display()
        );
    }
}

#[cfg(test)]
mod docs {
    use super::declarations;
    use crate::{CloseCode, ErrorCode};
    use std::collections::BTreeSet;
    use std::path::Path;

    fn protocol_md() -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/protocol.md");
        std::fs::read_to_string(&path).expect("docs/protocol.md")
    }

    /// Every frame `type` of the types, from the declarations generated from them.
    fn frame_types() -> BTreeSet<String> {
        let decls = declarations();
        let mut types = BTreeSet::new();
        let mut rest = decls.as_str();
        while let Some(at) = rest.find("\"type\": \"") {
            rest = &rest[at + 9..];
            if let Some(end) = rest.find('"') {
                types.insert(rest[..end].to_owned());
            }
        }
        types
    }

    #[test]
    fn the_protocol_document_names_every_frame_error_and_close_code() {
        let doc = protocol_md();
        let types = frame_types();
        assert!(types.len() > 20, "frame types found: {types:?}");
        for t in &types {
            assert!(
                doc.contains(&format!("\"type\":\"{t}\"")),
                "docs/protocol.md does not describe the frame {t:?}"
            );
        }
        for code in ErrorCode::ALL {
            assert!(
                doc.contains(&format!("| `{}` |", code.as_str())),
                "docs/protocol.md's error table lacks {code}"
            );
        }
        // The sheet's form fields take the domain's closed sets.
        use ecoute_domain::{AgeBand, ContactKind, Gender, RiskLevel};
        let sheet_codes = AgeBand::ALL
            .iter()
            .map(|c| c.as_str())
            .chain(Gender::ALL.iter().map(|c| c.as_str()))
            .chain(ContactKind::ALL.iter().map(|c| c.as_str()))
            .chain(RiskLevel::ALL.iter().map(|c| c.as_str()));
        for code in sheet_codes {
            assert!(
                doc.contains(&format!("`{code}`")),
                "docs/protocol.md does not list the sheet's code {code:?}"
            );
        }
        for code in CloseCode::ALL {
            assert!(
                doc.contains(&format!("| {} |", code.code())),
                "docs/protocol.md's close table lacks {}",
                code.code()
            );
        }
    }
}
