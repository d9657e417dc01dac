//! The public page where a person reaches out.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::{page_layout, render, LangQuery, Layout};
use crate::error::WebError;
use crate::state::AppState;

/// Strings the visitor script needs.
const SCRIPT_TEXTS: &[&str] = &[
    "transferred",
    "left_queue",
    "sent",
    "starting",
    "start_chat",
    "queue_position",
    "queue_first",
    "queue_head",
    "wait_soon",
    "wait_minutes",
    "wait_none_on_duty",
    "wait_hint",
    "assigned",
    "listener_typing",
    "listener_away",
    "listener_back",
    "requeued",
    "ended",
    "you",
    "sending",
    "delivered",
    "end_chat",
    "leave_queue",
    "confirm_end",
    "offline",
    "replaced",
    "chars_left",
    "error_generic",
    "queue_full",
    "joins_busy",
    "send_failed",
    "conversation_gone",
    "chars_over",
    "too_long",
    "message_invalid",
];

#[derive(Template)]
#[template(path = "visitor.html")]
struct VisitorPage {
    layout: Layout,
    quick_exit_url: String,
    max_message_chars: usize,
    /// `site.opening_hours` in the page's language, shown when nobody is on duty.
    opening_hours: Option<String>,
    texts_json: String,
    /// The declared campaign whose link brought the person, handed on to the join so that
    /// the conversation counts under it.
    campaign: Option<String>,
    /// The written door, handing the campaign on (`via`: the view is counted here).
    write_href: String,
}
page_layout!(VisitorPage);

/// `GET /` (`?c=CODE`: by a campaign's link; the view is counted under it, anonymously;
/// `?via=CODE`: from the campaign page's door, the conversation counts under it but the view
/// was counted there).
pub async fn visitor_page(
    State(state): State<AppState>,
    q: LangQuery,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let query = query.as_deref();
    let campaign = crate::attribution::door_campaign(&state.app, query);
    let layout = Layout::public(&state, q.page(), "/");
    let texts_json = layout.t.json(SCRIPT_TEXTS);
    render(&VisitorPage {
        layout,
        quick_exit_url: state.config.site.quick_exit_url.clone(),
        max_message_chars: state.config.chat.max_message_chars,
        opening_hours: state
            .config
            .site
            .opening_hours
            .get(q.lang())
            .map(str::to_owned),
        texts_json,
        write_href: match &campaign {
            Some(code) => match q.query() {
                "" => format!("/write?via={code}"),
                lang => format!("/write{lang}&via={code}"),
            },
            None => format!("/write{}", q.query()),
        },
        campaign: campaign.map(String::from),
    })
}
