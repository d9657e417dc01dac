//! The listeners' written inbox: `/listener/inbox` lists the threads waiting for a reply
//! (priority, then the longest waiting, with the 48-hour target); a thread's page lets a
//! listener take it, keep a draft, send their reply or leave it to others.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ecoute_app::AppError;
use ecoute_domain::written::REPLY_TARGET_HOURS;
use ecoute_domain::{ClientMessageId, Due, Thread, ThreadId, ThreadRefusal, Timestamp};
use serde::Deserialize;

use super::written::{message_error, shown_messages, shown_time, ShownMessage};
use super::{page_layout, render_status, LangQuery, Layout};
use crate::auth::{Allowed, Listening, StaffSession};
use crate::error::WebError;
use crate::forms::Form;
use crate::i18n::Texts;
use crate::state::AppState;

/// The inbox's path.
pub const PATH: &str = "/listener/inbox";

/// Threads listed at most.
const INBOX_LIMIT: u32 = 200;

/// A thread's line in the inbox.
struct InboxRow {
    id: String,
    label: String,
    waiting_since: String,
    due: String,
    overdue: bool,
    messages: i64,
    claimed: Option<String>,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    layout: Layout,
    /// A reply was just sent and its sheet saved.
    replied: bool,
    rows: Vec<InboxRow>,
    reply_hours: usize,
}
page_layout!(InboxPage);

#[derive(Template)]
#[template(path = "inbox_thread.html")]
struct ThreadPage {
    layout: Layout,
    id: String,
    label: String,
    messages: Vec<ShownMessage>,
    due: Option<String>,
    overdue: bool,
    /// Ours to answer now.
    mine: bool,
    /// Someone else's claim, by pseudonym.
    other: Option<String>,
    claim_until: String,
    draft: String,
    client_id: String,
    max_chars: usize,
    notice: Option<String>,
    error: Option<String>,
}
page_layout!(ThreadPage);

/// Where a waiting thread stands, in words.
fn due_text(t: &Texts, thread: &Thread, now: Timestamp) -> Option<(String, bool)> {
    let due = thread.reply_due()?;
    Some(match Due::at(due, now) {
        Due::In { hours } => (t.count("inbox_due_in", "n", hours as usize), false),
        Due::Overdue { hours } => (t.count("inbox_overdue", "n", hours as usize), true),
    })
}

fn thread_id(raw: &str) -> Result<ThreadId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// The thread `raw` names, if it is one of the listener's centre (else, as for no thread,
/// 404).
async fn own_thread(
    state: &AppState,
    session: &StaffSession,
    raw: &str,
) -> Result<ThreadId, WebError> {
    let id = thread_id(raw)?;
    match state.store.thread(id).await? {
        Some(thread) if thread.centre == session.user.centre => Ok(id),
        _ => Err(WebError::NotFound),
    }
}

/// `GET /listener/inbox`.
pub async fn inbox_page(
    State(state): State<AppState>,
    q: LangQuery,
    RawQuery(query): RawQuery,
    Allowed { session, .. }: Allowed<Listening>,
) -> Result<Response, WebError> {
    let layout = Layout::staff(&state, q.page(), PATH, &session);
    let replied = query
        .as_deref()
        .is_some_and(|q| q.split('&').any(|kv| kv == "saved=sheet"));
    let now = state.app.now();
    let threads = state.app.inbox(session.user.centre, INBOX_LIMIT).await?;
    let rows = threads
        .iter()
        .map(|thread| {
            let (due, overdue) = due_text(&layout.t, thread, now).unwrap_or_default();
            InboxRow {
                id: thread.id.to_string(),
                label: thread.id.label(),
                waiting_since: thread.waiting_since.map(shown_time).unwrap_or_default(),
                due,
                overdue,
                messages: thread.last_seq,
                claimed: thread.claim_at(now).map(|c| c.listener.pseudonym.clone()),
            }
        })
        .collect();
    render_status(
        StatusCode::OK,
        &InboxPage {
            layout,
            replied,
            rows,
            reply_hours: REPLY_TARGET_HOURS as usize,
        },
    )
}

/// What the thread page shows besides the thread.
#[derive(Default)]
struct Shown {
    notice: Option<String>,
    error: Option<String>,
    /// The text typed, when it was refused (else the saved draft).
    typed: Option<String>,
    client_id: Option<String>,
}

async fn thread_page(
    state: &AppState,
    q: &LangQuery,
    session: &StaffSession,
    id: ThreadId,
    status: StatusCode,
    shown: Shown,
) -> Result<Response, WebError> {
    let listener = session.user.id;
    let seen = state.app.listener_thread(id, listener).await?;
    if seen.thread.centre != session.user.centre {
        return Err(WebError::NotFound);
    }
    let path = format!("{PATH}/{id}");
    let layout = Layout::staff(state, q.page(), &path, session);
    let now = state.app.now();
    let claim = seen.thread.claim_at(now);
    let mine = claim.is_some_and(|c| c.listener.id == listener);
    let due = due_text(&layout.t, &seen.thread, now);
    let label = seen.thread.id.label();
    render_status(
        status,
        &ThreadPage {
            id: id.to_string(),
            messages: shown_messages(&seen.messages, &layout.t, &label),
            label,
            overdue: due.as_ref().is_some_and(|d| d.1),
            due: due.map(|d| d.0),
            mine,
            other: claim
                .filter(|c| c.listener.id != listener)
                .map(|c| c.listener.pseudonym.clone()),
            claim_until: claim.map(|c| shown_time(c.until)).unwrap_or_default(),
            draft: shown.typed.or(seen.draft).unwrap_or_default(),
            client_id: shown
                .client_id
                .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()),
            max_chars: state.app.written_settings().max_chars,
            notice: shown.notice,
            error: shown.error,
            layout,
        },
    )
}

/// `GET /listener/inbox/{thread_id}`.
pub async fn thread(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Listening>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = thread_id(&id)?;
    thread_page(&state, &q, &session, id, StatusCode::OK, Shown::default()).await
}

/// A form with only the session's token.
#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

impl CsrfForm {
    /// The token.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// A claim refused, in the page's words.
fn refusal_text(t: &Texts, refusal: &ThreadRefusal) -> String {
    match refusal {
        ThreadRefusal::ClaimedByAnother { pseudonym } => {
            t.with("inbox_claimed_by", "name", pseudonym)
        }
        ThreadRefusal::NotClaimed => t.get("inbox_not_claimed").to_owned(),
        ThreadRefusal::Full => t.get("written_thread_full").to_owned(),
    }
}

/// `POST /listener/inbox/{thread_id}/claim`: the listener takes the thread to answer it.
pub async fn claim(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Listening>,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let id = own_thread(&state, &session, &id).await?;
    let t = Texts::new(q.lang());
    match state.app.claim_thread(id, session.user.id).await {
        Ok(_) => thread_page(&state, &q, &session, id, StatusCode::OK, Shown::default()).await,
        Err(AppError::Thread(refusal)) => {
            let shown = Shown {
                error: Some(refusal_text(&t, &refusal)),
                ..Shown::default()
            };
            thread_page(&state, &q, &session, id, StatusCode::CONFLICT, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /listener/inbox/{thread_id}/release`: the listener leaves the thread to others.
pub async fn release(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Listening>,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let id = own_thread(&state, &session, &id).await?;
    state.app.release_thread(id, session.user.id).await?;
    Ok(Redirect::to(&format!("{PATH}{}", q.query())).into_response())
}

/// The reply form: its text, and whether to send it or keep it as a draft.
#[derive(Deserialize)]
pub struct ReplyForm {
    csrf: String,
    client_id: String,
    text: String,
    action: ReplyAction,
}

/// What the reply form's button asks.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyAction {
    /// Keep the text as a draft.
    Draft,
    /// Send it to the person.
    Send,
}

/// `POST /listener/inbox/{thread_id}/reply`: keeps a draft or sends the reply.
pub async fn reply(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Listening>,
    Path(id): Path<String>,
    Form(form): Form<ReplyForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let id = own_thread(&state, &session, &id).await?;
    let client_id = ClientMessageId::parse(&form.client_id)
        .map_err(|_| WebError::BadRequest("the form's message id is malformed".into()))?;
    let t = Texts::new(q.lang());
    let listener = session.user.id;
    let done = match form.action {
        ReplyAction::Draft => state
            .app
            .save_reply_draft(id, listener, &form.text)
            .await
            .map(|_| None),
        ReplyAction::Send => state
            .app
            .reply_in_thread(id, listener, &client_id, &form.text)
            .await
            .map(|written| Some(written.sheet)),
    };
    let max = state.app.written_settings().max_chars;
    let error = match done {
        // Sent: its statistics sheet, as after a conversation.
        Ok(Some(Some(sheet))) => {
            let to = format!("/listener/sheet/{sheet}{}", q.query());
            return Ok(Redirect::to(&to).into_response());
        }
        // Sent before (the form sent twice): its sheet is owed in the workspace already.
        Ok(Some(None)) => {
            return Ok(Redirect::to(&format!("{PATH}{}", q.query())).into_response());
        }
        Ok(None) => {
            let shown = Shown {
                notice: Some(t.get("inbox_draft_saved").to_owned()),
                ..Shown::default()
            };
            return thread_page(&state, &q, &session, id, StatusCode::OK, shown).await;
        }
        Err(AppError::Thread(refusal)) => (StatusCode::CONFLICT, refusal_text(&t, &refusal)),
        Err(AppError::InvalidMessage(e)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, message_error(&t, &e, max))
        }
        Err(e) => return Err(e.into()),
    };
    let shown = Shown {
        error: Some(error.1),
        typed: Some(form.text),
        client_id: Some(form.client_id),
        ..Shown::default()
    };
    thread_page(&state, &q, &session, id, error.0, shown).await
}
