//! Server-rendered pages: the public page, staff login, the listener workspace, the
//! statistics sheet, account administration.

pub(crate) mod admin;
mod public;
mod sheet;
mod staff;

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::auth::StaffSession;
use crate::error::{ErrorInfo, WebError};
use crate::i18n::{Lang, Texts};
use crate::state::AppState;

/// The page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(public::visitor_page))
        .route("/login", get(staff::login_page).post(staff::login))
        .route("/logout", post(staff::logout))
        .route("/listener", get(staff::workspace_page))
        .route(
            "/listener/sheet/{contact_id}",
            get(sheet::sheet_page).post(sheet::save_sheet),
        )
        .route(
            "/admin/users",
            get(admin::users_page).post(admin::create_user),
        )
        .route("/admin/users/{id}/{action}", post(admin::set_disabled))
}

/// `?lang=` on every page.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

impl LangQuery {
    /// The language asked for (French by default).
    pub fn lang(&self) -> Lang {
        Lang::from_query(self.lang.as_deref())
    }
}

/// What every page's layout needs; page templates reach these fields through `Deref`
/// (see [`page_layout!`]).
pub struct Layout {
    /// Strings.
    pub t: Texts,
    /// Helpline name.
    pub site_name: String,
    /// `""` or `?lang=en`, appended to links and form actions.
    pub lang_query: &'static str,
    /// Link to this page in the other language.
    pub other_lang_href: String,
    /// Staff pages: shows the accounts link.
    pub is_admin: bool,
    /// Staff pages: shown as "who am I".
    pub pseudonym: String,
    /// Staff pages: the session's CSRF token; the login page: the login form's token.
    pub csrf: String,
}

impl Layout {
    /// The layout of a public page at `path` in `lang`.
    pub fn public(state: &AppState, lang: Lang, path: &str) -> Layout {
        let other_lang_href = match lang.other() {
            Lang::En => format!("{path}?lang=en"),
            Lang::Fr => path.to_owned(),
        };
        Layout {
            t: Texts::new(lang),
            site_name: state.config.site.name.clone(),
            lang_query: lang_query(lang),
            other_lang_href,
            is_admin: false,
            pseudonym: String::new(),
            csrf: String::new(),
        }
    }

    /// The layout of a staff page.
    pub fn staff(state: &AppState, lang: Lang, path: &str, session: &StaffSession) -> Layout {
        Layout {
            is_admin: session.user.role >= ecoute_domain::Role::Admin,
            pseudonym: session.user.pseudonym.clone(),
            csrf: session.csrf_token.clone(),
            ..Layout::public(state, lang, path)
        }
    }
}

/// Lets a page template use the layout's fields as its own.
macro_rules! page_layout {
    ($page:ty) => {
        impl std::ops::Deref for $page {
            type Target = $crate::pages::Layout;
            fn deref(&self) -> &Self::Target {
                &self.layout
            }
        }
    };
}
pub(crate) use page_layout;

/// `""` for French, `?lang=en` for English.
pub fn lang_query(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "",
        Lang::En => "?lang=en",
    }
}

/// Renders a template into a response.
pub fn render<T: Template>(template: &T) -> Result<Response, WebError> {
    Ok(Html(template.render()?).into_response())
}

/// Renders with a status other than 200.
pub fn render_status<T: Template>(status: StatusCode, template: &T) -> Result<Response, WebError> {
    Ok((status, Html(template.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Texts,
    site_name: String,
    status: u16,
    message: String,
}

/// Page routes answer errors with HTML: a login redirect for `401`, an error page otherwise.
/// The error itself was mapped once, by [`WebError`]; this only changes its clothes.
pub async fn html_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let lang = Lang::from_query(
        request
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang="))),
    );
    let response = next.run(request).await;
    let Some(info) = response.extensions().get::<ErrorInfo>().cloned() else {
        return response;
    };
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED {
        return Redirect::to(&format!("/login{}", lang_query(lang))).into_response();
    }
    let page = ErrorPage {
        t: Texts::new(lang),
        site_name: state.config.site.name.clone(),
        status: status.as_u16(),
        message: info.message.clone(),
    };
    match page.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            r.extensions_mut().insert(info);
            r
        }
        Err(_) => response,
    }
}

/// Pages are never cached: after a quick exit, "back" must not show the conversation.
pub async fn no_store(request: Request<Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
