//! `/admin/audit`: for administrators, the log of conversations read by someone other than
//! their listener — who, which conversation, when; never what was read — and of the
//! priorities supervisors changed by hand.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::written::{machine_time, shown_time};
use super::{page_layout, render, LangQuery, Layout};
use crate::auth::{Accounts, Allowed};
use crate::error::WebError;
use crate::state::AppState;

/// The audit log's path.
pub const PATH: &str = "/admin/audit";
/// Entries shown, newest first.
const SHOWN: u32 = 500;

struct ReadRow {
    at: String,
    at_machine: String,
    reader: String,
    label: String,
}

struct PriorityRow {
    at: String,
    at_machine: String,
    by: String,
    label: String,
    from: i32,
    to: i32,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    reads: Vec<ReadRow>,
    priorities: Vec<PriorityRow>,
    shown: usize,
}
page_layout!(AuditPage);

/// `GET /admin/audit`: who read which conversation, and when — never what they read.
pub async fn audit_page(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Accounts>,
) -> Result<Response, WebError> {
    let layout = Layout::staff(&state, q.page(), PATH, &session);
    let reads = state
        .store
        .conversation_reads(SHOWN)
        .await?
        .into_iter()
        .map(|r| ReadRow {
            at: shown_time(r.at),
            at_machine: machine_time(r.at),
            reader: r.reader_pseudonym,
            label: r.contact.person_label(),
        })
        .collect();
    let priorities = state
        .store
        .priority_changes(SHOWN)
        .await?
        .into_iter()
        .map(|p| PriorityRow {
            at: shown_time(p.at),
            at_machine: machine_time(p.at),
            by: p.by_pseudonym,
            label: p.contact.person_label(),
            from: p.from,
            to: p.to,
        })
        .collect();
    render(&AuditPage {
        layout,
        reads,
        priorities,
        shown: SHOWN as usize,
    })
}
