//! Staff login, logout, and the listener workspace page.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ecoute_domain::Permission;
use serde::Deserialize;
use std::time::{Duration, Instant};

use super::{page_layout, render, render_status, LangQuery, Layout};
use crate::auth::{
    clear_session_cookie, constant_time_eq, cookie, random_token, session_cookie, sha256_hex,
    Allowed, Listening, PasswordChecks, StaffSession,
};
use crate::error::WebError;
use crate::forms::Form;
use crate::i18n::Texts;
use crate::state::AppState;

/// Short-lived cookie binding the login form to the browser that loaded it.
const LOGIN_CSRF_COOKIE: &str = "ecoute_login_csrf";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    error: Option<&'static str>,
    username: String,
}
page_layout!(LoginPage);

fn login_csrf_cookie(token: &str, secure: bool) -> String {
    format!(
        "{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        if secure { "; Secure" } else { "" }
    )
}

fn login_form(
    state: &AppState,
    q: &LangQuery,
    status: StatusCode,
    error: Option<&'static str>,
    username: String,
) -> Result<Response, WebError> {
    let token = random_token();
    let mut layout = Layout::staff_area(state, q.page(), "/login");
    layout.csrf = token.clone();
    let mut response = render_status(
        status,
        &LoginPage {
            layout,
            error,
            username,
        },
    )?;
    let cookie = login_csrf_cookie(&token, state.config.secure_cookies());
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// `GET /login`.
pub async fn login_page(State(state): State<AppState>, q: LangQuery) -> Result<Response, WebError> {
    login_form(&state, &q, StatusCode::OK, None, String::new())
}

/// The login form's fields.
#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    username: String,
    password: String,
}

/// `POST /login`.
pub async fn login(
    State(state): State<AppState>,
    q: LangQuery,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_time_eq(expected, &form.csrf) {
        return Err(WebError::Csrf);
    }
    let failed = |state: &AppState, username: String| {
        login_form(
            state,
            &q,
            StatusCode::UNAUTHORIZED,
            Some(Texts::new(q.lang()).get("login_failed")),
            username,
        )
    };
    let username = form.username.trim().to_ascii_lowercase();
    if username.len() > 64 || form.password.chars().count() > ecoute_domain::Password::MAX_CHARS {
        return failed(&state, String::new());
    }
    if let Err(wait) = state.login_throttle.check(&username, Instant::now()) {
        tracing::info!("staff login refused: too many failures for this username");
        let response = login_form(
            &state,
            &q,
            StatusCode::TOO_MANY_REQUESTS,
            Some(Texts::new(q.lang()).get("login_throttled")),
            username,
        )?;
        return busy_response(response, wait);
    }
    let credentials = state.store.credentials(&username).await?;
    let (user, hash) = match credentials {
        Some(c) if !c.user.disabled => (Some(c.user), c.password_hash),
        _ => (None, state.dummy_hash.to_string()),
    };
    // Verified even for unknown accounts, so that timing does not tell which exist.
    let Ok(matches) = state.password_checks.verify(form.password, hash).await else {
        tracing::info!("staff login refused: every password check is busy");
        return busy_response(
            login_form(
                &state,
                &q,
                StatusCode::SERVICE_UNAVAILABLE,
                Some(Texts::new(q.lang()).get("login_busy")),
                username,
            )?,
            PasswordChecks::WAIT,
        );
    };
    let Some(user) = user.filter(|_| matches) else {
        tracing::info!("failed staff login");
        state.login_throttle.failed(&username, Instant::now());
        return failed(&state, username);
    };
    state.login_throttle.succeeded(&username);

    let token = random_token();
    let lifetime_s = state.config.auth.session_hours * 3600;
    state
        .app
        .open_session(user.id, sha256_hex(&token), random_token(), lifetime_s)
        .await?;
    let target =
        if user.role.may(Permission::ManageAccounts) && state.store.count_users().await? <= 1 {
            "/admin/users"
        } else if user.role.may(Permission::Listen) {
            "/listener"
        } else if user.role.may(Permission::EditStories) {
            super::stories_admin::PATH
        } else {
            super::volunteers_admin::PATH
        };
    let mut response = Redirect::to(&format!("{target}{}", q.query())).into_response();
    let secure = state.config.secure_cookies();
    for c in [
        session_cookie(&token, lifetime_s, secure),
        format!("{LOGIN_CSRF_COOKIE}=; Path=/login; Max-Age=0"),
    ] {
        if let Ok(v) = HeaderValue::from_str(&c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

/// `response` with `Retry-After: wait` (whole seconds, rounded up).
fn busy_response(mut response: Response, wait: Duration) -> Result<Response, WebError> {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    Ok(response)
}

/// A form carrying only the CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    /// The session's CSRF token.
    pub csrf: String,
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    session: StaffSession,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    // Its sockets close at once (on every instance the bus reaches).
    state
        .app
        .logout(session.user.id, &session.token_hash)
        .await?;
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&clear_session_cookie(state.config.secure_cookies())) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// Strings the workspace script needs.
const SCRIPT_TEXTS: &[&str] = &[
    "sent",
    "queue_empty",
    "conversation_with",
    "returning",
    "person_away",
    "person_back",
    "person_typing",
    "ended_for_listener",
    "reason_person_ended",
    "reason_listener_ended",
    "reason_abandoned",
    "reason_never_connected",
    "reason_person_vanished",
    "requeued_listener",
    "fill_sheet",
    "you",
    "sending",
    "delivered",
    "confirm_end",
    "offline",
    "online",
    "replaced",
    "error_generic",
    "send_failed",
    "conversation_left",
    "error_busy",
    "error_not_available",
    "message_invalid",
    "someone_waiting",
    "someone_waiting_title",
    "alert_notify_on",
    "alert_notify_denied",
    "emergency_message",
    "alert_supervisor_sent",
    "error_duty_cap",
    "transferred_away",
    "triage_title",
    "triage_none",
    "triage_wish_to_be_dead",
    "triage_ideation",
    "triage_method",
    "triage_intent",
    "triage_plan",
    "triage_behaviour",
    "triage_other",
    "triage_words",
    "whisper_from",
];

#[derive(Template)]
#[template(path = "workspace.html")]
struct WorkspacePage {
    layout: Layout,
    max_message_chars: usize,
    texts_json: String,
    /// Arrived from a sheet just saved (`?saved=sheet`): the page says so.
    sheet_saved: bool,
    /// The sheet told of a hard conversation (`?saved=sheet-care`): the page offers a pause.
    offer_pause: bool,
}
page_layout!(WorkspacePage);

/// `GET /listener`.
pub async fn workspace_page(
    State(state): State<AppState>,
    q: LangQuery,
    RawQuery(query): RawQuery,
    Allowed { session, .. }: Allowed<Listening>,
) -> Result<Response, WebError> {
    let layout = Layout::staff(&state, q.page(), "/listener", &session);
    let texts_json = layout.t.json(SCRIPT_TEXTS);
    let saved = query
        .as_deref()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("saved=")));
    let offer_pause = saved == Some("sheet-care");
    let sheet_saved = offer_pause || saved == Some("sheet");
    render(&WorkspacePage {
        layout,
        max_message_chars: state.config.chat.max_message_chars,
        texts_json,
        sheet_saved,
        offer_pause,
    })
}
