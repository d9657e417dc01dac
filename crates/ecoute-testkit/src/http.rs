//! The HTTP steps every client takes: joining the queue, logging in through the form, and
//! reading cookies and CSRF fields.

use serde::Deserialize;

/// An HTTP client that does not follow redirects (the login answer is a 303 to read).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// What `POST /api/contacts` answers (201).
#[derive(Debug, Clone, Deserialize)]
pub struct Joined {
    /// The contact.
    pub contact_id: String,
    /// The resume token, for the person's `hello`.
    pub token: String,
}

/// Joins the queue on `addr` (`host:port`): `POST /api/contacts`. Errors name the status
/// when the server does not answer 201.
pub async fn try_join_queue(http: &reqwest::Client, addr: &str) -> Result<Joined, String> {
    let response = http
        .post(format!("http://{addr}/api/contacts"))
        .send()
        .await
        .map_err(|e| format!("POST /api/contacts: {e}"))?;
    let status = response.status();
    if status != 201 {
        let body = response.text().await.unwrap_or_default();
        return Err(format!("POST /api/contacts answered {status}: {body}"));
    }
    response
        .json()
        .await
        .map_err(|e| format!("POST /api/contacts: {e}"))
}

/// [`try_join_queue`], panicking on failure.
pub async fn join_queue(http: &reqwest::Client, addr: &str) -> Joined {
    try_join_queue(http, addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Fills in and posts the login form on `addr`; returns the server's answer (303 with the
/// session cookie when accepted).
pub async fn login_response(
    http: &reqwest::Client,
    addr: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let page = http
        .get(format!("http://{addr}/login"))
        .send()
        .await
        .expect("GET /login");
    let csrf_cookie = set_cookie(&page, "ecoute_login_csrf").expect("login csrf cookie");
    let html = page.text().await.expect("login page");
    let csrf = hidden_field(&html, "csrf").expect("csrf field");
    http.post(format!("http://{addr}/login"))
        .header("cookie", csrf_cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .expect("POST /login")
}

/// Logs in on `addr` through the form; the session cookie (`name=value`), or `None` when
/// the login is refused.
pub async fn login(
    http: &reqwest::Client,
    addr: &str,
    username: &str,
    password: &str,
) -> Option<String> {
    let response = login_response(http, addr, username, password).await;
    if response.status() != 303 {
        return None;
    }
    set_cookie(&response, "ecoute_session")
}

/// `name=value` of a `Set-Cookie` header.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|kv| kv.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The value of a hidden input in a page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}
