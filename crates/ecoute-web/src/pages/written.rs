//! The written door for a person: `/write` to write without any account, then the thread
//! read, continued and deleted with the retrieval code alone.
//!
//! Every step after the first page is a `POST` whose form carries the code: it never enters
//! an address (history, logs, a referrer), and the pages are never cached. Each check of a
//! code costs a slow hash, so they draw on a budget shared by everyone (as joins do), and the
//! failed lookups of each first word are slowed like failed logins — nothing about who tries
//! is counted or kept.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ecoute_app::written::PersonThread;
use ecoute_app::AppError;
use ecoute_domain::written::REPLY_TARGET_HOURS;
use ecoute_domain::{
    Author, CampaignEvent, ClientMessageId, Day, MessageError, RetrievalCode, ThreadRefusal,
    Timestamp, WordList, WrittenMessage,
};
use serde::Deserialize;
use std::time::Instant;

use super::{page_layout, render_status, LangQuery, Layout};
use crate::error::WebError;
use crate::forms::Form;
use crate::i18n::{Lang, Texts};
use crate::state::AppState;

/// The page's path.
pub const PATH: &str = "/write";

/// A message as the pages show it.
pub struct ShownMessage {
    /// From the person (`true`) or a listener.
    pub mine: bool,
    /// Who wrote it, as shown.
    pub who: String,
    /// When, as shown (UTC).
    pub when: String,
    /// When, machine-readable (`<time datetime>`).
    pub datetime: String,
    /// The text.
    pub body: String,
}

/// `at` as the pages show it: `2026-12-01 21:40 UTC`.
pub fn shown_time(at: Timestamp) -> String {
    let day = Day::of(at);
    let minutes = (at.0 - day.start().0) / 60_000;
    format!("{} {:02}:{:02} UTC", day.iso(), minutes / 60, minutes % 60)
}

/// `at` as `<time datetime>` wants it.
pub fn machine_time(at: Timestamp) -> String {
    let day = Day::of(at);
    let minutes = (at.0 - day.start().0) / 60_000;
    format!("{}T{:02}:{:02}Z", day.iso(), minutes / 60, minutes % 60)
}

/// The messages of a thread as shown to `person_side` (the person: "you"; staff: the label).
pub fn shown_messages(messages: &[WrittenMessage], t: &Texts, person: &str) -> Vec<ShownMessage> {
    messages
        .iter()
        .map(|m| ShownMessage {
            mine: m.author == Author::Person,
            who: match (&m.author, &m.listener) {
                (Author::Person, _) => person.to_owned(),
                (Author::Listener, Some(w)) => w.pseudonym.clone(),
                (Author::Listener, None) => t.get("written_a_listener").to_owned(),
            },
            when: shown_time(m.at),
            datetime: machine_time(m.at),
            body: m.body.clone(),
        })
        .collect()
}

/// A fresh random form token, hex (a form's idempotency key).
fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A form token read back; anything else is a bad request.
fn parse_token(hex: &str) -> Result<[u8; 16], WebError> {
    uuid::Uuid::try_parse(hex)
        .map(|u| *u.as_bytes())
        .map_err(|_| WebError::BadRequest("the form's token is malformed".into()))
}

#[derive(Template)]
#[template(path = "write.html")]
struct WritePage {
    layout: Layout,
    quick_exit_url: String,
    token: String,
    campaign: Option<String>,
    max_chars: usize,
    purge_days: usize,
    /// What was typed, when refused.
    text: String,
    /// Why the message was refused.
    error: Option<String>,
    /// What was typed as a code, when refused.
    code_text: String,
    /// Why the code was refused.
    code_error: Option<String>,
    /// Something happened (the thread was deleted).
    notice: Option<String>,
}
page_layout!(WritePage);

#[derive(Template)]
#[template(path = "written_thread.html")]
struct ThreadPage {
    layout: Layout,
    quick_exit_url: String,
    /// Shown in full only right after the thread opened; kept in the forms otherwise.
    new_code: bool,
    code: String,
    messages: Vec<ShownMessage>,
    /// A listener's reply waits to be read (the last message is theirs).
    answered: bool,
    client_id: String,
    max_chars: usize,
    purge_days: usize,
    reply_hours: usize,
    notice: Option<String>,
    error: Option<String>,
    text: String,
}
page_layout!(ThreadPage);

impl WritePage {
    fn new(state: &AppState, q: &LangQuery) -> WritePage {
        WritePage {
            layout: Layout::public(state, q.page(), PATH),
            quick_exit_url: state.config.site.quick_exit_url.clone(),
            token: new_token(),
            campaign: None,
            max_chars: state.app.written_settings().max_chars,
            purge_days: state.app.written_settings().purge_after_days as usize,
            text: String::new(),
            error: None,
            code_text: String::new(),
            code_error: None,
            notice: None,
        }
    }
}

fn thread_page(
    state: &AppState,
    q: &LangQuery,
    thread: &PersonThread,
    new_code: bool,
) -> ThreadPage {
    let layout = Layout::public(state, q.page(), PATH);
    let messages = shown_messages(&thread.messages, &layout.t, layout.t.get("you"));
    ThreadPage {
        answered: thread
            .messages
            .last()
            .is_some_and(|m| m.author == Author::Listener),
        messages,
        layout,
        quick_exit_url: state.config.site.quick_exit_url.clone(),
        new_code,
        code: thread.code.words(),
        client_id: new_token(),
        max_chars: state.app.written_settings().max_chars,
        purge_days: state.app.written_settings().purge_after_days as usize,
        reply_hours: REPLY_TARGET_HOURS as usize,
        notice: None,
        error: None,
        text: String::new(),
    }
}

/// The word list of a page's language.
fn word_list(lang: Lang) -> WordList {
    match lang {
        Lang::Fr => WordList::French,
        Lang::En => WordList::English,
    }
}

/// Why a message is refused, in the page's words.
pub fn message_error(t: &Texts, e: &MessageError, max: usize) -> String {
    match e {
        MessageError::Empty => t.get("written_error_empty").to_owned(),
        MessageError::TooLong { .. } => t.count("written_error_long", "n", max),
        MessageError::ControlCharacters => t.get("message_invalid").to_owned(),
    }
}

/// Refuses a form posted by another site, then takes one code check from the budget.
fn admit(state: &AppState, headers: &HeaderMap) -> Result<(), WebError> {
    if !crate::joins::same_site(headers, &state.config.public_url) {
        tracing::info!("written form refused: cross-site request");
        return Err(WebError::CrossSite);
    }
    state
        .code_checks
        .take(state.clock.now())
        .map_err(|wait| WebError::RateLimited {
            retry_after: crate::joins::whole_seconds(wait),
        })
}

/// A typed code, refused before any hash when malformed or when its first word must wait.
fn typed_code(state: &AppState, typed: &str) -> Result<RetrievalCode, AppError> {
    let code = RetrievalCode::parse(typed).map_err(|_| AppError::MalformedCode)?;
    if state
        .code_guesses
        .check(&code.first_word(), Instant::now())
        .is_err()
    {
        // Not the hash's cost, and not a word on how close it was.
        return Err(AppError::UnknownCode);
    }
    Ok(code)
}

/// Records the outcome of a lookup of `code` for its first word's budget.
fn looked_up<T>(state: &AppState, code: &RetrievalCode, result: &Result<T, AppError>) {
    match result {
        Err(AppError::UnknownCode) => {
            state.metrics.written_code_missed();
            state
                .code_guesses
                .failed(&code.first_word(), Instant::now())
        }
        Ok(_) => state.code_guesses.succeeded(&code.first_word()),
        Err(_) => {}
    }
}

/// `GET /write` (`?c=` or `?via=`: by a campaign, counted as for the chat page).
pub async fn write_page(
    State(state): State<AppState>,
    q: LangQuery,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let query = query.as_deref();
    let campaign = crate::attribution::door_campaign(&state.app, query);
    let page = WritePage {
        campaign: campaign.map(String::from),
        ..WritePage::new(&state, &q)
    };
    render_status(StatusCode::OK, &page)
}

/// The first message's form.
#[derive(Deserialize)]
pub struct FirstMessage {
    token: String,
    text: String,
    #[serde(default)]
    campaign: Option<String>,
}

/// `POST /write`: opens the thread and shows its code.
pub async fn open_thread(
    State(state): State<AppState>,
    q: LangQuery,
    headers: HeaderMap,
    Form(form): Form<FirstMessage>,
) -> Result<Response, WebError> {
    let token = parse_token(&form.token)?;
    admit(&state, &headers)?;
    let opened = state
        .app
        .open_thread(&token, word_list(q.lang()), &form.text)
        .await;
    match opened {
        Ok(thread) => {
            if thread.created {
                let campaign = state.app.campaign_of(form.campaign.as_deref());
                state
                    .app
                    .count(campaign.as_ref(), CampaignEvent::MessageWritten);
                state.metrics.written_thread_opened();
            }
            render_status(StatusCode::OK, &thread_page(&state, &q, &thread, true))
        }
        Err(AppError::InvalidMessage(e)) => {
            let t = Texts::new(q.lang());
            let page = WritePage {
                error: Some(message_error(
                    &t,
                    &e,
                    state.app.written_settings().max_chars,
                )),
                text: form.text,
                campaign: form.campaign,
                token: form.token,
                ..WritePage::new(&state, &q)
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(AppError::InboxFull) => {
            let t = Texts::new(q.lang());
            let page = WritePage {
                error: Some(t.get("written_inbox_full").to_owned()),
                text: form.text,
                campaign: form.campaign,
                token: form.token,
                ..WritePage::new(&state, &q)
            };
            render_status(StatusCode::SERVICE_UNAVAILABLE, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// A form that carries the code.
#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// The deletion's form: the code, and the box saying it is for good.
#[derive(Deserialize)]
pub struct DeleteForm {
    code: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// The code form refused: the write page again, the code as typed, and why.
fn code_refused(
    state: &AppState,
    q: &LangQuery,
    typed: String,
    e: AppError,
) -> Result<Response, WebError> {
    let t = Texts::new(q.lang());
    let (status, key) = match e {
        AppError::MalformedCode => (StatusCode::UNPROCESSABLE_ENTITY, "written_code_malformed"),
        AppError::UnknownCode => (StatusCode::NOT_FOUND, "written_code_unknown"),
        other => return Err(other.into()),
    };
    let page = WritePage {
        code_text: typed,
        code_error: Some(t.get(key).to_owned()),
        ..WritePage::new(state, q)
    };
    render_status(status, &page)
}

/// `POST /write/thread`: the thread a code opens.
pub async fn read_thread(
    State(state): State<AppState>,
    q: LangQuery,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let code = match typed_code(&state, &form.code) {
        Ok(code) => code,
        Err(e) => return code_refused(&state, &q, form.code, e),
    };
    admit(&state, &headers)?;
    let found = state.app.thread_for_code(&code).await;
    looked_up(&state, &code, &found);
    match found {
        Ok(thread) => render_status(StatusCode::OK, &thread_page(&state, &q, &thread, false)),
        Err(e) => code_refused(&state, &q, form.code, e),
    }
}

/// A message written again.
#[derive(Deserialize)]
pub struct NextMessage {
    code: String,
    client_id: String,
    text: String,
}

/// `POST /write/thread/send`: the person writes again.
pub async fn write_again(
    State(state): State<AppState>,
    q: LangQuery,
    headers: HeaderMap,
    Form(form): Form<NextMessage>,
) -> Result<Response, WebError> {
    let client_id = ClientMessageId::parse(&form.client_id)
        .map_err(|_| WebError::BadRequest("the form's message id is malformed".into()))?;
    let code = match typed_code(&state, &form.code) {
        Ok(code) => code,
        Err(e) => return code_refused(&state, &q, form.code, e),
    };
    admit(&state, &headers)?;
    // The code first, counted as any lookup; then the text.
    let opened = state.app.thread_for_code(&code).await;
    looked_up(&state, &code, &opened);
    let opened = match opened {
        Ok(opened) => opened,
        Err(e) => return code_refused(&state, &q, form.code, e),
    };
    let written = state.app.write_again(&opened, &client_id, &form.text).await;
    let t = Texts::new(q.lang());
    match written {
        Ok(thread) => {
            let page = ThreadPage {
                notice: Some(t.get("written_sent").to_owned()),
                ..thread_page(&state, &q, &thread, false)
            };
            render_status(StatusCode::OK, &page)
        }
        Err(e @ (AppError::InvalidMessage(_) | AppError::Thread(ThreadRefusal::Full))) => {
            let error = match &e {
                AppError::InvalidMessage(m) => {
                    message_error(&t, m, state.app.written_settings().max_chars)
                }
                _ => t.get("written_thread_full").to_owned(),
            };
            let page = ThreadPage {
                error: Some(error),
                text: form.text,
                client_id: form.client_id,
                ..thread_page(&state, &q, &opened, false)
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => code_refused(&state, &q, form.code, e),
    }
}

/// `POST /write/thread/delete`: the person deletes their thread.
pub async fn delete_thread(
    State(state): State<AppState>,
    q: LangQuery,
    headers: HeaderMap,
    Form(form): Form<DeleteForm>,
) -> Result<Response, WebError> {
    if form.confirm.as_deref() != Some("on") {
        return Err(WebError::Unprocessable(
            "tick the box saying the thread is deleted for good".into(),
        ));
    }
    let code = match typed_code(&state, &form.code) {
        Ok(code) => code,
        Err(e) => return code_refused(&state, &q, form.code, e),
    };
    admit(&state, &headers)?;
    let deleted = state.app.delete_thread_by_code(&code).await;
    looked_up(&state, &code, &deleted);
    match deleted {
        Ok(()) => {
            let t = Texts::new(q.lang());
            let page = WritePage {
                notice: Some(t.get("written_deleted").to_owned()),
                ..WritePage::new(&state, &q)
            };
            render_status(StatusCode::OK, &page)
        }
        Err(e) => code_refused(&state, &q, form.code, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_in_utc_to_the_minute() {
        let at = Timestamp(Day(20_423).start().0 + (21 * 60 + 7) * 60_000 + 59_999);
        assert_eq!(shown_time(at), format!("{} 21:07 UTC", Day(20_423).iso()));
        assert_eq!(machine_time(at), format!("{}T21:07Z", Day(20_423).iso()));
    }
}
