//! `/welcome?token=…`: a new listener, made active by a coordinator, sets their password with
//! the one-time link they were given, then logs in. The link works once and for a week; only
//! its hash is stored.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ecoute_app::AppError;
use ecoute_domain::Password;
use serde::Deserialize;

use super::{page_layout, render_status, LangQuery, Layout};
use crate::error::WebError;
use crate::forms::Form;
use crate::i18n::Texts;
use crate::state::AppState;

/// The page's path.
pub const PATH: &str = "/welcome";

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    layout: Layout,
    token: String,
    username: String,
    pseudonym: String,
    min_chars: usize,
    error: Option<String>,
}
page_layout!(WelcomePage);

/// The link's query.
#[derive(Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    token: String,
}

/// A token's shape, checked before any lookup.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `GET /welcome?token=…`.
pub async fn welcome_page(
    State(state): State<AppState>,
    q: LangQuery,
    Query(link): Query<LinkQuery>,
) -> Result<Response, WebError> {
    page(&state, &q, link.token, StatusCode::OK, None).await
}

async fn page(
    state: &AppState,
    q: &LangQuery,
    token: String,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, WebError> {
    if !well_formed(&token) {
        return Err(WebError::NotFound);
    }
    let user = state.app.setup_link_account(&token).await?;
    render_status(
        status,
        &WelcomePage {
            layout: Layout::staff_area(state, q.page(), PATH),
            token,
            username: user.username,
            pseudonym: user.pseudonym,
            min_chars: Password::MIN_CHARS,
            error,
        },
    )
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    token: String,
    password: String,
    confirm: String,
}

/// `POST /welcome`: sets the password; then the login page.
pub async fn set_password(
    State(state): State<AppState>,
    q: LangQuery,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    if !well_formed(&form.token) {
        return Err(WebError::NotFound);
    }
    let t = Texts::new(q.lang());
    if form.password != form.confirm {
        let error = Some(t.get("welcome_mismatch").to_owned());
        return page(
            &state,
            &q,
            form.token,
            StatusCode::UNPROCESSABLE_ENTITY,
            error,
        )
        .await;
    }
    match state.app.complete_setup(&form.token, &form.password).await {
        Ok(_) => Ok(Redirect::to(&format!("/login{}", q.query())).into_response()),
        Err(AppError::InvalidAccount(_)) => {
            let error = Some(t.count("welcome_weak", "n", Password::MIN_CHARS));
            page(
                &state,
                &q,
                form.token,
                StatusCode::UNPROCESSABLE_ENTITY,
                error,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
