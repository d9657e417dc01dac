//! Account administration (administrators only).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ecoute_domain::{CentreId, Password, Pseudonym, Role, UserError, UserId, Username};
use ecoute_store::{NewUser, StoreError};
use serde::Deserialize;

use super::staff::CsrfForm;
use super::{page_layout, render_status, LangQuery, Layout};
use crate::auth::{hash_password, StaffSession};
use crate::clock;
use crate::error::{Refusal, WebError};
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
    session: StaffSession,
) -> Result<Response, WebError> {
    session.require(Role::Admin)?;
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

/// Validates the new-account fields into a store record (password hashed); the error as
/// text, for the command line.
pub async fn new_user(
    username: &str,
    pseudonym: &str,
    role: &str,
    password: &str,
    centre: CentreId,
) -> Result<NewUser, String> {
    new_account(username, pseudonym, role, password, centre)
        .await
        .map_err(|e| e.to_string())
}

/// Why a new account was refused.
#[derive(Debug, thiserror::Error)]
pub enum NewUserError {
    /// A field breaks the account rules.
    #[error(transparent)]
    Invalid(#[from] UserError),
    /// Hashing failed (ours, not the administrator's).
    #[error("could not hash the password: {0}")]
    Hash(anyhow::Error),
}

/// Validates the new-account fields into a store record (password hashed).
async fn new_account(
    username: &str,
    pseudonym: &str,
    role: &str,
    password: &str,
    centre: CentreId,
) -> Result<NewUser, NewUserError> {
    let username = Username::parse(username)?;
    let pseudonym = Pseudonym::parse(pseudonym)?;
    let role = Role::parse(role).ok_or(UserError::Role)?;
    let password = Password::parse(password)?;
    let password_hash = hash_password(password.expose().to_owned())
        .await
        .map_err(NewUserError::Hash)?;
    Ok(NewUser {
        username,
        pseudonym,
        role,
        password_hash,
        centre,
    })
}

/// The i18n key of a role's name.
fn role_key(role: Role) -> &'static str {
    match role {
        Role::Listener => "role_listener",
        Role::Supervisor => "role_supervisor",
        Role::Admin => "role_admin",
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
    session: StaffSession,
    Form(form): Form<NewUserForm>,
) -> Result<Response, WebError> {
    session.require(Role::Admin)?;
    session.check_csrf(&form.csrf)?;
    let t = Texts::new(q.lang());
    let new = match new_account(
        &form.username,
        &form.pseudonym,
        &form.role,
        &form.password,
        session.user.centre,
    )
    .await
    {
        Ok(n) => n,
        Err(NewUserError::Invalid(e)) => {
            let message = t.get(user_error_key(e)).to_owned();
            return users_response(
                &state,
                &q,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(message),
            )
            .await;
        }
        Err(NewUserError::Hash(e)) => return Err(WebError::Internal(e)),
    };
    match state.store.create_user(&new, clock::now()).await {
        Ok(user) => {
            tracing::info!(
                user = user.id.0,
                role = user.role.as_str(),
                "account created"
            );
            users_response(
                &state,
                &q,
                &session,
                StatusCode::CREATED,
                Some("user_created"),
                None,
            )
            .await
        }
        // The only conflict of a new account: its username is taken.
        Err(StoreError::UsernameTaken(_)) => {
            let message = t.format(
                "user_error_taken",
                &[("username", Arg::Text(new.username.as_str()))],
            );
            users_response(
                &state,
                &q,
                &session,
                StatusCode::CONFLICT,
                None,
                Some(message),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/users/{id}/disable` and `/enable`.
pub async fn set_disabled(
    State(state): State<AppState>,
    q: LangQuery,
    Path((id, action)): Path<(i64, String)>,
    session: StaffSession,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    session.require(Role::Admin)?;
    session.check_csrf(&form.csrf)?;
    let disabled = match action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(WebError::NotFound),
    };
    if id == session.user.id.0 {
        return Err(WebError::Refused(Refusal::OwnAccount));
    }
    state.store.set_disabled(UserId(id), disabled).await?;
    Ok(Redirect::to(&format!("/admin/users{}", q.query())).into_response())
}
