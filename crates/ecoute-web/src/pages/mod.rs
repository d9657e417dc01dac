//! Server-rendered pages: the public page, the campaign page (stories), the written door,
//! staff login, the listener workspace and written inbox, the statistics sheet, the live
//! board, account administration and the audit log, campaigns.

pub(crate) mod admin;
mod audit;
mod campaigns;
mod inbox;
mod public;
mod sheet;
mod staff;
mod stories;
mod stories_admin;
mod supervision;
mod volunteer;
mod volunteers_admin;
mod welcome;
mod written;

pub use stories::StoryPages;

use crate::auth::StaffSession;
use crate::error::{ErrorInfo, WebError};
use crate::i18n::{negotiate, Lang, PageLang, Texts};
use crate::state::AppState;
use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

/// The page routes: the public page, and the staff area with its robots exclusion.
pub fn router() -> Router<AppState> {
    let staff = Router::new()
        .route("/login", get(staff::login_page).post(staff::login))
        .route("/logout", post(staff::logout))
        .route("/listener", get(staff::workspace_page))
        .route(supervision::PATH, get(supervision::board_page))
        .route(audit::PATH, get(audit::audit_page))
        .route(inbox::PATH, get(inbox::inbox_page))
        .route("/listener/inbox/{thread_id}", get(inbox::thread))
        .route("/listener/inbox/{thread_id}/claim", post(inbox::claim))
        .route("/listener/inbox/{thread_id}/release", post(inbox::release))
        .route("/listener/inbox/{thread_id}/reply", post(inbox::reply))
        .route(
            "/listener/sheet/{contact_id}",
            get(sheet::sheet_page).post(sheet::save_sheet),
        )
        .route(
            "/admin/users",
            get(admin::users_page).post(admin::create_user),
        )
        .route("/admin/users/{id}/{action}", post(admin::set_disabled))
        .route(
            "/admin/campaigns",
            get(campaigns::campaigns_page).post(campaigns::declare_campaign),
        )
        .route(stories_admin::PATH, get(stories_admin::stories_page))
        .route("/admin/stories/{key}", post(stories_admin::save_story))
        .route(volunteers_admin::PATH, get(volunteers_admin::pipeline_page))
        .route("/admin/volunteers/{id}", get(volunteers_admin::file))
        .route(
            "/admin/volunteers/{id}/move",
            post(volunteers_admin::move_to),
        )
        .route("/admin/volunteers/{id}/note", post(volunteers_admin::note))
        .route(
            "/admin/volunteers/{id}/training",
            post(volunteers_admin::training),
        )
        .route(
            "/admin/volunteers/{id}/erase",
            post(volunteers_admin::erase),
        )
        .route(
            "/admin/volunteers/{id}/activate",
            post(volunteers_admin::activate),
        )
        .route(
            "/admin/volunteers/{id}/link",
            post(volunteers_admin::relink),
        )
        .route(
            welcome::PATH,
            get(welcome::welcome_page).post(welcome::set_password),
        )
        .layer(middleware::from_fn(no_robots));
    Router::new()
        .route("/", get(public::visitor_page))
        .route(stories::PATH, get(stories::stories_page))
        .route(
            written::PATH,
            get(written::write_page).post(written::open_thread),
        )
        .route("/write/thread", post(written::read_thread))
        .route("/write/thread/send", post(written::write_again))
        .route("/write/thread/delete", post(written::delete_thread))
        .route(
            volunteer::PATH,
            get(volunteer::volunteer_page).post(volunteer::apply),
        )
        .merge(staff)
}

/// The language of every page: `?lang=`, else the browser's `Accept-Language`, else
/// French (see [`negotiate`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct LangQuery(PageLang);

impl LangQuery {
    /// The language shown.
    pub fn lang(&self) -> Lang {
        self.0.lang
    }

    /// The language and how it was chosen, for a page's [`Layout`].
    pub fn page(&self) -> PageLang {
        self.0
    }

    /// `""` or `?lang=…`, appended to the links and redirects that keep the language.
    pub fn query(&self) -> &'static str {
        self.0.query()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LangQuery {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query();
        // Two answers to one question: refused, as a repeated parameter is everywhere else.
        let asked = query.map_or(0, |q| {
            q.split('&').filter(|kv| kv.starts_with("lang=")).count()
        });
        if asked > 1 {
            return Err(WebError::BadRequest(
                "the query parameter lang is repeated".into(),
            ));
        }
        Ok(LangQuery(negotiate(query, &parts.headers)))
    }
}

/// What every page's layout needs; page templates reach these fields through `Deref`
/// (see [`page_layout!`]).
pub struct Layout {
    /// Strings.
    pub t: Texts,
    /// Helpline name.
    pub site_name: String,
    /// `""` or `?lang=…`, appended to links and form actions.
    pub lang_query: &'static str,
    /// Link to this page in the other language.
    pub other_lang_href: String,
    /// `?lang=` asked for a language the pages do not have: the page says which it shows.
    pub lang_notice: bool,
    /// Staff pages: what the navigation links to, by what the role may do.
    pub nav: Nav,
    /// Staff pages: shown as "who am I".
    pub pseudonym: String,
    /// Staff pages: the session's CSRF token; the login page: the login form's token.
    pub csrf: String,
    /// Staff pages: search engines are asked to stay out (`<meta name="robots">`).
    pub noindex: bool,
}

/// The staff navigation: a link for each area the role may use.
#[derive(Debug, Default, Clone, Copy)]
pub struct Nav {
    /// The listener workspace.
    pub workspace: bool,
    /// The written inbox.
    pub inbox: bool,
    /// Accounts.
    pub users: bool,
    /// Campaigns.
    pub campaigns: bool,
    /// The campaign page's stories.
    pub stories: bool,
    /// The volunteer pipeline.
    pub volunteers: bool,
    /// The live board.
    pub board: bool,
    /// The audit log of conversation reads.
    pub audit: bool,
}

impl Nav {
    fn of(role: ecoute_domain::Role) -> Nav {
        use ecoute_domain::Permission;
        Nav {
            workspace: role.may(Permission::Listen),
            inbox: role.may(Permission::Listen),
            users: role.may(Permission::ManageAccounts),
            campaigns: role.may(Permission::ManageCampaigns),
            stories: role.may(Permission::EditStories),
            volunteers: role.may(Permission::ManageVolunteers),
            board: role.may(Permission::Supervise),
            audit: role.may(Permission::ManageAccounts),
        }
    }
}

impl Layout {
    /// The layout of a public page at `path` in `lang`.
    pub fn public(state: &AppState, lang: PageLang, path: &str) -> Layout {
        // Explicit both ways: a bare path would let the browser's language choose again.
        let other_lang_href = format!("{path}?lang={}", lang.lang.other().code());
        Layout {
            t: Texts::new(lang.lang),
            site_name: state.config.site.name.clone(),
            lang_query: lang.query(),
            other_lang_href,
            lang_notice: lang.unknown_asked,
            nav: Nav::default(),
            pseudonym: String::new(),
            csrf: String::new(),
            noindex: false,
        }
    }

    /// The layout of a staff page that needs no session (login, errors).
    pub fn staff_area(state: &AppState, lang: PageLang, path: &str) -> Layout {
        Layout {
            noindex: true,
            ..Layout::public(state, lang, path)
        }
    }

    /// The layout of a staff page.
    pub fn staff(state: &AppState, lang: PageLang, path: &str, session: &StaffSession) -> Layout {
        Layout {
            nav: Nav::of(session.user.role),
            pseudonym: session.user.pseudonym.clone(),
            csrf: session.csrf_token.clone(),
            ..Layout::staff_area(state, lang, path)
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

/// Renders a template into a response.
pub fn render<T: Template>(template: &T) -> Result<Response, WebError> {
    Ok(Html(template.render()?).into_response())
}

/// Renders with a status other than 200.
pub fn render_status<T: Template>(status: StatusCode, template: &T) -> Result<Response, WebError> {
    Ok((status, Html(template.render()?)).into_response())
}

/// Where a path belongs, for the clothes of its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    /// JSON endpoints, sockets, assets and probes: errors stay JSON.
    Api,
    /// The public site: error pages carry the quick exit and the emergency numbers.
    Public,
    /// The staff area: error pages link back to it and keep search engines out.
    Staff,
}

fn area(path: &str) -> Area {
    let under = |prefix: &&str| {
        path.strip_prefix(*prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if ["/api", "/ws", "/static", "/healthz", "/metrics"]
        .iter()
        .any(under)
    {
        Area::Api
    } else if ["/login", "/logout", "/listener", "/admin", "/welcome"]
        .iter()
        .any(under)
    {
        Area::Staff
    } else {
        Area::Public
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    staff: bool,
    quick_exit_url: String,
    status: u16,
    message: String,
}
page_layout!(ErrorPage);

/// `X-Robots-Tag` of every staff response.
const NO_ROBOTS: HeaderValue = HeaderValue::from_static("noindex, nofollow");

/// Headers of an error response that its page keeps.
const KEPT_HEADERS: [header::HeaderName; 2] = [header::ALLOW, header::RETRY_AFTER];

/// Largest framework error text read (they are one line).
const FRAMEWORK_TEXT_BYTES: usize = 4096;

/// Every error response passes here once. An error axum or tower produced by itself (an
/// extractor's rejection, the router's 404 and 405, the body limit: plain text or no body,
/// no [`ErrorInfo`]) becomes its [`WebError`]; our own responses always say HTML or JSON.
/// Then API paths keep the JSON, and pages get an HTML page in their language: a login
/// redirect for `401` in the staff area, an error page of the site otherwise.
pub async fn html_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let lang = negotiate(request.uri().query(), request.headers());
    let response = next.run(request).await;
    let (response, info) = match response.extensions().get::<ErrorInfo>().cloned() {
        Some(info) => (response, info),
        None if is_framework_error(&response) => {
            let (parts, body) = response.into_parts();
            let text = axum::body::to_bytes(body, FRAMEWORK_TEXT_BYTES)
                .await
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let mut mapped = WebError::from_framework(parts.status, &text).into_response();
            keep_headers(&parts.headers, mapped.headers_mut());
            let Some(info) = mapped.extensions().get::<ErrorInfo>().cloned() else {
                return mapped;
            };
            (mapped, info)
        }
        None => return response,
    };
    let area = area(&path);
    if area == Area::Api {
        return response;
    }
    let status = response.status();
    let staff = area == Area::Staff;
    if status == StatusCode::UNAUTHORIZED && staff {
        return Redirect::to(&format!("/login{}", lang.query())).into_response();
    }
    // The language link repeats the path, unless it could read as another site's address.
    let own_path = if path.starts_with("//") || path.starts_with("/\\") {
        "/"
    } else {
        path.as_str()
    };
    let layout = if staff {
        Layout::staff_area(&state, lang, own_path)
    } else {
        Layout::public(&state, lang, own_path)
    };
    let page = ErrorPage {
        message: layout.t.get(info.text_key).to_owned(),
        layout,
        staff,
        quick_exit_url: state.config.site.quick_exit_url.clone(),
        status: status.as_u16(),
    };
    match page.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            keep_headers(response.headers(), r.headers_mut());
            if staff {
                r.headers_mut().insert(X_ROBOTS_TAG, NO_ROBOTS);
            }
            r.extensions_mut().insert(info);
            r
        }
        Err(_) => response,
    }
}

/// An error status whose body is plain text or nothing: axum's and tower's own answers.
fn is_framework_error(response: &Response) -> bool {
    let status = response.status();
    (status.is_client_error() || status.is_server_error())
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|ct| ct.starts_with("text/plain"))
}

fn keep_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for name in KEPT_HEADERS {
        if let Some(v) = from.get(&name) {
            to.insert(name, v.clone());
        }
    }
}

/// The `X-Robots-Tag` header.
const X_ROBOTS_TAG: HeaderName = HeaderName::from_static("x-robots-tag");

/// Staff pages stay out of search engines (public pages stay indexable).
async fn no_robots(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(X_ROBOTS_TAG, NO_ROBOTS);
    response
}

/// Pages are never cached: after a quick exit, "back" must not show the conversation.
pub async fn no_store(request: Request<Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
