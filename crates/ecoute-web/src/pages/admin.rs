//! Account administration (administrators only).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ecoute_app::accounts::AccountFields;
use ecoute_app::AppError;
use ecoute_domain::{Role, UserError, UserId};
use serde::Deserialize;

use super::staff::CsrfForm;
use super::{page_layout, render_status, LangQuery, Layout};
use crate::auth::{Accounts, Allowed, StaffSession};
use crate::error::WebError;
use crate::forms::Form;
use crate::i18n::{Arg, Texts};
use crate::state::AppState;

/// One row of the accounts table.
struct UserRow {
    id: i64,
    username: String,
    pseudonym: String,
    role_key: &'static str,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    own_id: i64,
    notice: Option<&'static str>,
    error: Option<String>,
}
page_layout!(UsersPage);

async fn users_response(
    state: &AppState,
    q: &LangQuery,
    session: &StaffSession,
    status: StatusCode,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let users = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id.0,
            username: u.username,
            pseudonym: u.pseudonym,
            role_key: role_key(u.role),
            disabled: u.disabled,
        })
        .collect();
    let layout = Layout::staff(state, q.page(), "/admin/users", session);
    let notice = notice.map(|k| layout.t.get(k));
    render_status(
        status,
        &UsersPage {
            layout,
            users,
            own_id: session.user.id.0,
            notice,
            error,
        },
    )
}

/// `GET /admin/users`.
pub async fn users_page(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Accounts>,
) -> Result<Response, WebError> {
    users_response(&state, &q, &session, StatusCode::OK, None, None).await
}

/// The new-account form.
#[derive(Deserialize)]
pub struct NewUserForm {
    csrf: String,
    username: String,
    pseudonym: String,
    role: String,
    password: String,
}

/// The i18n key of a role's name.
fn role_key(role: Role) -> &'static str {
    match role {
        Role::Listener => "role_listener",
        Role::Supervisor => "role_supervisor",
        Role::Admin => "role_admin",
        Role::Communication => "role_communication",
        Role::Coordinator => "role_coordinator",
    }
}

/// The i18n key of an account rule's text.
fn user_error_key(e: UserError) -> &'static str {
    match e {
        UserError::Username => "user_error_username",
        UserError::Pseudonym => "user_error_pseudonym",
        UserError::PasswordTooShort => "user_error_password_short",
        UserError::PasswordTooLong => "user_error_password_long",
        UserError::Role => "user_error_role",
    }
}

/// `POST /admin/users`.
pub async fn create_user(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Accounts>,
    Form(form): Form<NewUserForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let t = Texts::new(q.lang());
    let fields = AccountFields {
        username: &form.username,
        pseudonym: &form.pseudonym,
        role: &form.role,
        password: &form.password,
        centre: session.user.centre,
    };
    let (status, notice, error) = match state.app.create_account(fields).await {
        Ok(_) => (StatusCode::CREATED, Some("user_created"), None),
        Err(AppError::InvalidAccount(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(t.get(user_error_key(e)).to_owned()),
        ),
        // The only conflict of a new account: its username is taken.
        Err(AppError::UsernameTaken(username)) => (
            StatusCode::CONFLICT,
            None,
            Some(t.format("user_error_taken", &[("username", Arg::Text(&username))])),
        ),
        Err(e) => return Err(e.into()),
    };
    users_response(&state, &q, &session, status, notice, error).await
}

/// `POST /admin/users/{id}/disable` and `/enable`.
pub async fn set_disabled(
    State(state): State<AppState>,
    q: LangQuery,
    Path((id, action)): Path<(i64, String)>,
    Allowed { session, .. }: Allowed<Accounts>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let disabled = match action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(WebError::NotFound),
    };
    // Disabling ends the account's sessions and, at once, its open sockets; disabling
    // oneself is refused (`OwnAccount`).
    state
        .app
        .set_disabled(UserId(id), disabled, Some(session.user.id))
        .await?;
    Ok(Redirect::to(&format!("/admin/users{}", q.query())).into_response())
}
