//! `/supervisor`: the live board of supervisors; its data comes over `/ws/supervisor`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{page_layout, render, LangQuery, Layout};
use crate::auth::{Allowed, Supervising};
use crate::error::WebError;
use crate::state::AppState;

/// The board's path.
pub const PATH: &str = "/supervisor";

/// What `supervisor.js` says, in the page's language.
const SCRIPT_TEXTS: &[&str] = &[
    "board_alert_help",
    "board_alert_debrief",
    "board_alert_risk",
    "board_priority_up",
    "board_priority_down",
    "triage_none",
    "triage_wish_to_be_dead",
    "triage_ideation",
    "triage_method",
    "triage_intent",
    "triage_plan",
    "triage_behaviour",
    "triage_other",
    "triage_words",
    "board_alert_title",
    "board_read",
    "board_resolve",
    "board_no_alert",
    "board_nobody_waiting",
    "board_no_conversation",
    "board_nobody_on_duty",
    "board_channel_chat",
    "board_channel_message",
    "board_priority",
    "board_returning",
    "board_minutes",
    "board_since",
    "board_away",
    "board_answered_share",
    "board_answered_none",
    "board_reading",
    "board_reading_ended",
    "board_whisper_sent",
    "board_whisper_from",
    "presence_available",
    "presence_pause",
    "offline",
    "online",
    "error_generic",
    "message_invalid",
    "sending",
    "sent",
    "delivered",
    "send_failed",
];

#[derive(Template)]
#[template(path = "supervisor.html")]
struct BoardPage {
    layout: Layout,
    texts_json: String,
    max_whisper_chars: usize,
}
page_layout!(BoardPage);

/// `GET /supervisor`.
pub async fn board_page(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Supervising>,
) -> Result<Response, WebError> {
    let layout = Layout::staff(&state, q.page(), PATH, &session);
    let texts_json = layout.t.json(SCRIPT_TEXTS);
    render(&BoardPage {
        layout,
        texts_json,
        max_whisper_chars: ecoute_domain::supervision::MAX_WHISPER_CHARS,
    })
}
