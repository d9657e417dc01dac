//! The authorization matrix: every route of the server, asked by someone anonymous and by
//! each role, through real HTTP (and the sockets' upgrades), answers as its row says — public
//! routes the same for everyone, staff routes only to the roles that may use them (`403` to
//! the others, the login page to no one logged in). A route added to the server without a
//! row here fails the test.

mod common;

use common::{fast_config, hidden_field, spawn_app, TestApp, PASSWORD};
use ecoute_domain::Role;
use std::collections::BTreeSet;
use std::path::Path;

/// Who may use a route.
#[derive(Debug, Clone, Copy)]
enum Access {
    /// Anyone: the same answer whoever asks (a form may refuse everyone alike).
    Public,
    /// Staff with one of these roles; other roles get `403`, no session the login page.
    Staff(&'static [Role]),
}

use Access::{Public, Staff};
use Role::{Admin, Communication, Coordinator, Listener, Supervisor};

const LISTENING: &[Role] = &[Listener, Supervisor, Admin];
const SUPERVISING: &[Role] = &[Supervisor, Admin];
const ALL_STAFF: &[Role] = &[Listener, Supervisor, Admin, Communication, Coordinator];

/// (method, route as the server declares it, the path asked, access).
const MATRIX: &[(&str, &str, &str, Access)] = &[
    ("GET", "/", "/", Public),
    ("GET", "/stories", "/stories", Public),
    ("GET", "/static/{name}", "/static/ecoute.css", Public),
    ("POST", "/api/contacts", "/api/contacts", Public),
    ("POST", "/api/contacts/leave", "/api/contacts/leave", Public),
    ("POST", "/api/reveals", "/api/reveals", Public),
    ("GET", "/write", "/write", Public),
    ("POST", "/write", "/write", Public),
    ("POST", "/write/thread", "/write/thread", Public),
    ("POST", "/write/thread/send", "/write/thread/send", Public),
    (
        "POST",
        "/write/thread/delete",
        "/write/thread/delete",
        Public,
    ),
    ("GET", "/volunteer", "/volunteer", Public),
    ("GET", "/welcome", "/welcome?token=00", Public),
    ("POST", "/welcome", "/welcome", Public),
    ("POST", "/volunteer", "/volunteer", Public),
    ("GET", "/api/openapi.json", "/api/openapi.json", Public),
    ("GET", "/healthz", "/healthz", Public),
    ("GET", "/metrics", "/metrics", Public),
    ("WS", "/ws/person", "/ws/person", Public),
    ("GET", "/login", "/login", Public),
    ("POST", "/login", "/login", Public),
    ("POST", "/logout", "/logout", Staff(ALL_STAFF)),
    ("GET", "/listener", "/listener", Staff(LISTENING)),
    ("WS", "/ws/listener", "/ws/listener", Staff(LISTENING)),
    ("GET", "/supervisor", "/supervisor", Staff(SUPERVISING)),
    ("WS", "/ws/supervisor", "/ws/supervisor", Staff(SUPERVISING)),
    ("GET", "/admin/audit", "/admin/audit", Staff(&[Admin])),
    (
        "GET",
        "/listener/inbox",
        "/listener/inbox",
        Staff(LISTENING),
    ),
    (
        "GET",
        "/listener/inbox/{thread_id}",
        "/listener/inbox/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11",
        Staff(LISTENING),
    ),
    (
        "POST",
        "/listener/inbox/{thread_id}/claim",
        "/listener/inbox/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11/claim",
        Staff(LISTENING),
    ),
    (
        "POST",
        "/listener/inbox/{thread_id}/release",
        "/listener/inbox/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11/release",
        Staff(LISTENING),
    ),
    (
        "POST",
        "/listener/inbox/{thread_id}/reply",
        "/listener/inbox/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11/reply",
        Staff(LISTENING),
    ),
    (
        "GET",
        "/listener/sheet/{contact_id}",
        "/listener/sheet/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11",
        Staff(LISTENING),
    ),
    (
        "POST",
        "/listener/sheet/{contact_id}",
        "/listener/sheet/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11",
        Staff(LISTENING),
    ),
    ("GET", "/admin/users", "/admin/users", Staff(&[Admin])),
    ("POST", "/admin/users", "/admin/users", Staff(&[Admin])),
    (
        "POST",
        "/admin/users/{id}/{action}",
        "/admin/users/99999/disable",
        Staff(&[Admin]),
    ),
    (
        "GET",
        "/admin/campaigns",
        "/admin/campaigns",
        Staff(&[Admin, Communication]),
    ),
    (
        "POST",
        "/admin/campaigns",
        "/admin/campaigns",
        Staff(&[Admin, Communication]),
    ),
    (
        "GET",
        "/admin/stories",
        "/admin/stories",
        Staff(&[Admin, Communication]),
    ),
    (
        "POST",
        "/admin/stories/{key}",
        "/admin/stories/zoe",
        Staff(&[Admin, Communication]),
    ),
    (
        "GET",
        "/admin/volunteers",
        "/admin/volunteers",
        Staff(&[Admin, Coordinator]),
    ),
    (
        "GET",
        "/admin/volunteers/{id}",
        "/admin/volunteers/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11",
        Staff(&[Admin, Coordinator]),
    ),
    (
        "POST",
        "/admin/volunteers/{id}/move",
        "/admin/volunteers/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11/move",
        Staff(&[Admin, Coordinator]),
    ),
    (
        "POST",
        "/admin/volunteers/{id}/note",
        "/admin/volunteers/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11/note",
        Staff(&[Admin, Coordinator]),
    ),
    (
        "POST",
        "/admin/volunteers/{id}/training",
        "/admin/volunteers/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11/training",
        Staff(&[Admin, Coordinator]),
    ),
    (
        "POST",
        "/admin/volunteers/{id}/erase",
        "/admin/volunteers/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11/erase",
        Staff(&[Admin, Coordinator]),
    ),
    (
        "POST",
        "/admin/volunteers/{id}/activate",
        "/admin/volunteers/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11/activate",
        Staff(&[Admin, Coordinator]),
    ),
    (
        "POST",
        "/admin/volunteers/{id}/link",
        "/admin/volunteers/7b0e6b52-2f34-4f7e-9e55-2d1c2d6f0a11/link",
        Staff(&[Admin, Coordinator]),
    ),
];

/// Every route the server declares: the paths of its `.route(…)` calls (literal, or a
/// module's `PATH` constant).
fn declared_routes() -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.clone()];
    let mut sources = Vec::new();
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(
                std::fs::read_dir(&p)
                    .expect("src")
                    .flatten()
                    .map(|e| e.path()),
            );
        } else if p.extension().is_some_and(|e| e == "rs") {
            sources.push((p.clone(), std::fs::read_to_string(&p).expect("source")));
        }
    }
    let constant = |module: &str| -> String {
        let (_, text) = sources
            .iter()
            .find(|(p, _)| p.file_stem().is_some_and(|s| s == module))
            .unwrap_or_else(|| panic!("no module {module}"));
        let rest = text
            .split("pub const PATH: &str = \"")
            .nth(1)
            .unwrap_or_else(|| panic!("{module} has no PATH"));
        rest[..rest.find('"').expect("end of PATH")].to_owned()
    };
    let mut routes = BTreeSet::new();
    for (_, text) in &sources {
        for call in text.split(".route(").skip(1) {
            let arg = call.trim_start();
            let path = if let Some(literal) = arg.strip_prefix('"') {
                literal[..literal.find('"').expect("end of path")].to_owned()
            } else {
                let module = arg.split("::PATH").next().expect("a PATH constant");
                constant(module.trim())
            };
            routes.insert(path);
        }
    }
    routes
}

#[test]
fn every_declared_route_has_a_row() {
    let declared = declared_routes();
    let rows: BTreeSet<String> = MATRIX.iter().map(|(_, r, _, _)| (*r).to_owned()).collect();
    assert_eq!(
        declared, rows,
        "routes of the server and rows of the matrix differ: add the new route's row"
    );
}

/// One caller: a session cookie and its CSRF token, or no one.
struct Caller {
    name: String,
    cookie: Option<String>,
    csrf: String,
}

async fn caller(app: &TestApp, role: Role) -> Caller {
    let username = format!("as-{}", role.as_str());
    app.add_user(&username, role.as_str()).await;
    let cookie = app.login(&username, PASSWORD).await.expect("login");
    // Any staff page the role may open carries the session's CSRF token.
    let mut csrf = None;
    for page in [
        "/listener",
        "/admin/users",
        "/admin/stories",
        "/admin/volunteers",
    ] {
        let r = app.get_as(page, &cookie).await;
        if r.status() == 200 {
            csrf = hidden_field(&r.text().await.expect("html"), "csrf");
            break;
        }
    }
    Caller {
        name: role.as_str().to_owned(),
        cookie: Some(cookie),
        csrf: csrf.expect("a page with the CSRF token"),
    }
}

/// The status of `method path` asked by `who`.
async fn status(app: &TestApp, who: &Caller, method: &str, path: &str) -> u16 {
    if method == "WS" {
        let origin = format!("http://{}", app.addr);
        return match app.try_ws(path, who.cookie.as_deref(), Some(&origin)).await {
            Ok(_) => 101,
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => r.status().as_u16(),
            Err(e) => panic!("{method} {path}: {e}"),
        };
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut request = match method {
        "GET" => http.get(app.url(path)),
        _ => http
            .post(app.url(path))
            .form(&[("csrf", who.csrf.as_str()), ("field", "value")]),
    };
    if let Some(cookie) = &who.cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.expect("request").status().as_u16()
}

#[tokio::test]
async fn every_route_answers_each_role_as_its_row_says() {
    let app = spawn_app(fast_config()).await;
    let mut callers = vec![Caller {
        name: "anonymous".into(),
        cookie: None,
        csrf: String::new(),
    }];
    for role in Role::ALL {
        callers.push(caller(&app, role).await);
    }
    for (method, route, path, access) in MATRIX {
        // Logging out ends the session: asked last, below.
        if *route == "/logout" {
            continue;
        }
        let mut answers = Vec::new();
        for who in &callers {
            answers.push((who.name.as_str(), status(&app, who, method, path).await));
        }
        let what = format!("{method} {path}: {answers:?}");
        match access {
            Public => {
                let first = answers[0].1;
                assert!(answers.iter().all(|(_, s)| *s == first), "{what}");
                assert!(first != 401 && first != 403 || *route == "/login", "{what}");
            }
            Staff(allowed) => {
                for (who, s) in &answers {
                    let expected = if *who == "anonymous" {
                        matches!(s, 303 | 401)
                    } else if allowed.iter().any(|r| r.as_str() == *who) {
                        !matches!(s, 303 | 401 | 403)
                    } else {
                        *s == 403
                    };
                    assert!(expected, "{what}: {who}");
                }
            }
        }
    }
    for who in &callers {
        let s = status(&app, who, "POST", "/logout").await;
        let expected = if who.cookie.is_none() {
            matches!(s, 303 | 401)
        } else {
            s == 303
        };
        assert!(expected, "POST /logout: {} answered {s}", who.name);
    }
}
