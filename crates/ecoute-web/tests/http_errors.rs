//! Errors as a newcomer meets them: every error page is a page of the site in its language
//! (the quick exit and emergency numbers on public pages, the way back on staff pages), every
//! API error is the documented JSON, and staff pages stay out of search engines.

mod common;

use common::{fast_config, hidden_field, spawn_app, TestApp, PASSWORD};
use serde_json::{json, Value};

fn content_type(r: &reqwest::Response) -> String {
    r.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// The status and HTML of a response that must be a page of the site.
async fn page(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    assert!(
        content_type(&r).starts_with("text/html"),
        "{status} is {:?}, not a page",
        content_type(&r)
    );
    (status, r.text().await.expect("body"))
}

/// The status and JSON error of a response that must be an API error.
async fn api_error(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    assert!(
        content_type(&r).starts_with("application/json"),
        "{status} is {:?}, not JSON",
        content_type(&r)
    );
    let body: Value = r.json().await.expect("json");
    assert!(body["error"].is_string(), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    (status, body)
}

fn assert_public_page(html: &str) {
    assert!(html.contains("id=\"quick-exit\""), "no quick exit: {html}");
    assert!(
        html.contains("/static/quick-exit.js"),
        "no quick-exit script"
    );
    for number in ["tel:3114", "tel:15", "tel:112", "sms:114"] {
        assert!(html.contains(number), "no {number}");
    }
    assert!(
        !html.contains("name=\"robots\""),
        "public pages stay indexable"
    );
}

fn assert_staff_page(html: &str) {
    assert!(html.contains("href=\"/listener"), "no way back: {html}");
    assert!(
        !html.contains("href=\"/\""),
        "staff errors do not send to the public page"
    );
    assert!(html.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"));
}

#[tokio::test]
async fn an_unknown_address_is_a_page_of_the_site_in_its_language() {
    let app = spawn_app(fast_config()).await;
    let http = app.http();
    let (status, html) = page(http.get(app.url("/nope")).send().await.unwrap()).await;
    assert_eq!(status, 404);
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(
        html.contains(&escape("Il n'y a rien à cette adresse.")),
        "{html}"
    );
    assert!(html.contains(&escape("Retour à l'accueil")));
    assert_public_page(&html);

    let (status, html) = page(http.get(app.url("/nope?lang=en")).send().await.unwrap()).await;
    assert_eq!(status, 404);
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("There is nothing at this address."));
    assert!(html.contains("In an emergency"));
    assert!(
        !html.contains(&escape("Il n'y a rien")),
        "no French in an English page"
    );
    assert_public_page(&html);

    // The language link never points at another site.
    let (_, html) = page(http.get(app.url("//evil.example/x")).send().await.unwrap()).await;
    assert!(!html.contains("//evil.example"), "{html}");
}

#[tokio::test]
async fn staff_errors_are_staff_pages_in_their_language() {
    let app = spawn_app(fast_config()).await;
    app.add_user("camille", "listener").await;
    let cookie = app.login("camille", PASSWORD).await.unwrap();

    let r = app.get_as("/admin/users", &cookie).await;
    assert_eq!(r.headers()["x-robots-tag"], "noindex, nofollow");
    let (status, html) = page(r).await;
    assert_eq!(status, 403);
    assert!(
        html.contains(&escape("Vous n'avez pas accès à cette page.")),
        "{html}"
    );
    assert!(!html.contains("not allowed"), "no English in a French page");
    assert!(!html.contains("id=\"quick-exit\""));
    assert_staff_page(&html);

    let (status, html) = page(app.get_as("/admin/users?lang=en", &cookie).await).await;
    assert_eq!(status, 403);
    assert!(html.contains("You are not allowed to do this."));
    assert!(html.contains("Back to the volunteers"));
    assert_staff_page(&html);

    let unknown = format!("/listener/sheet/{}", ecoute_domain::ContactId::new_random());
    let (status, html) = page(app.get_as(&unknown, &cookie).await).await;
    assert_eq!(status, 404);
    assert!(html.contains(&escape("Il n'y a rien à cette adresse.")));
    assert_staff_page(&html);

    // A login form posted without its token: refused in French, still a staff page.
    let r = app
        .http()
        .post(app.url("/login"))
        .form(&[
            ("csrf", "x"),
            ("username", "camille"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let (status, html) = page(r).await;
    assert_eq!(status, 403);
    assert!(html.contains("Le formulaire a expiré"), "{html}");
    assert_staff_page(&html);
}

#[tokio::test]
async fn api_errors_are_json_and_page_errors_are_pages() {
    let app = spawn_app(fast_config()).await;
    app.add_user("root", "admin").await;
    let cookie = app.login("root", PASSWORD).await.unwrap();
    let http = app.http();

    // Unmatched paths and wrong methods under /api, and unknown assets: JSON.
    let (status, body) = api_error(http.get(app.url("/api/nope")).send().await.unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    let r = http.get(app.url("/api/contacts")).send().await.unwrap();
    assert_eq!(r.headers()["allow"], "POST");
    let (status, body) = api_error(r).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (405, Some("method_not_allowed"))
    );
    let (status, _) = api_error(http.delete(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(status, 405);
    let (status, _) = api_error(http.get(app.url("/static/nope.js")).send().await.unwrap()).await;
    assert_eq!(status, 404);
    // Not a WebSocket upgrade.
    let (status, body) = api_error(http.get(app.url("/ws/person")).send().await.unwrap()).await;
    assert!((400..500).contains(&status), "{status}");
    assert_eq!(body["error"], "bad_request");
    // A body beyond the limit.
    let r = http
        .post(app.url("/api/contacts"))
        .header("content-type", "application/json")
        .body("x".repeat(200 * 1024))
        .send()
        .await
        .unwrap();
    let (status, body) = api_error(r).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (413, Some("payload_too_large"))
    );

    // The same mistakes on pages are pages: a repeated query parameter, a bad path
    // parameter, a wrong method.
    let (status, html) = page(http.get(app.url("/?lang=en&lang=fr")).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(html.contains("The request is malformed."), "{html}");
    assert_public_page(&html);
    let page_csrf = admin_csrf(&app, &cookie).await;
    let r = app
        .post_form_as(
            "/admin/users/not-a-number/disable?lang=en",
            &cookie,
            &[("csrf", &page_csrf)],
        )
        .await;
    let (status, html) = page(r).await;
    assert_eq!(status, 400);
    assert!(html.contains("The request is malformed."), "{html}");
    assert_staff_page(&html);
    let r = http.put(app.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET,HEAD");
    let (status, html) = page(r).await;
    assert_eq!(status, 405);
    assert_public_page(&html);
}

#[tokio::test]
async fn the_join_answer_is_never_cached_and_staff_pages_are_not_indexed() {
    let app = spawn_app(fast_config()).await;
    app.add_user("root", "admin").await;
    let http = app.http();
    let r = http.post(app.url("/api/contacts")).send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["cache-control"], "no-store");

    let public = http.get(app.url("/")).send().await.unwrap();
    assert!(public.headers().get("x-robots-tag").is_none());
    assert!(!public.text().await.unwrap().contains("name=\"robots\""));

    let cookie = app.login("root", PASSWORD).await.unwrap();
    let login = http.get(app.url("/login")).send().await.unwrap();
    for r in [
        login,
        app.get_as("/listener", &cookie).await,
        app.get_as("/admin/users", &cookie).await,
    ] {
        let url = r.url().path().to_owned();
        assert_eq!(r.headers()["x-robots-tag"], "noindex, nofollow", "{url}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"),
            "{url}"
        );
    }
}

/// The account page's messages come from the table, in the page's language.
#[tokio::test]
async fn the_admin_page_speaks_the_pages_language() {
    let app = spawn_app(fast_config()).await;
    app.add_user("root", "admin").await;
    let cookie = app.login("root", PASSWORD).await.unwrap();
    let csrf = admin_csrf(&app, &cookie).await;
    let create = |query: &'static str, username: &'static str, password: &'static str| {
        let form = [
            ("csrf", csrf.clone()),
            ("username", username.to_owned()),
            ("pseudonym", "Zoé".to_owned()),
            ("role", "listener".to_owned()),
            ("password", password.to_owned()),
        ];
        let request = app
            .http()
            .post(app.url(&format!("/admin/users{query}")))
            .header("cookie", cookie.clone())
            .form(&form);
        async move { page(request.send().await.unwrap()).await }
    };
    assert_eq!(create("", "zoe", "another long password").await.0, 201);
    for (query, needle, foreign) in [
        ("", "L'identifiant « zoe » est déjà pris.", "already taken"),
        (
            "?lang=en",
            "The username “zoe” is already taken.",
            "déjà pris",
        ),
    ] {
        let (status, html) = create(query, "zoe", "another long password").await;
        assert_eq!(status, 409);
        assert!(html.contains(&escape(needle)), "{query}: {html}");
        assert!(!html.contains(foreign), "{query}");
    }
    for (query, needle, foreign) in [
        ("", "au moins 10 caractères", "at least"),
        ("?lang=en", "at least 10 characters", "au moins"),
    ] {
        let (status, html) = create(query, "yan", "short").await;
        assert_eq!(status, 422);
        assert!(html.contains(needle), "{query}: {html}");
        assert!(!html.contains(foreign), "{query}");
    }
    let (status, html) = create("", "A B", "another long password").await;
    assert_eq!(status, 422);
    assert!(html.contains("L&#39;identifiant doit compter"), "{html}");

    // Disabling oneself is refused in French.
    let own_id = app
        .store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "root")
        .unwrap()
        .id
        .0;
    let r = app
        .post_form_as(
            &format!("/admin/users/{own_id}/disable"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    let (status, html) = page(r).await;
    assert_eq!(status, 409);
    assert!(html.contains("propre compte"), "{html}");
}

/// The CSRF token of the accounts page.
async fn admin_csrf(app: &TestApp, cookie: &str) -> String {
    let html = app.get_as("/admin/users", cookie).await.text().await;
    hidden_field(&html.expect("page"), "csrf").expect("csrf field")
}

/// HTML-escapes like askama, for the characters these tests use.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('\'', "&#39;")
        .replace('"', "&quot;")
}

/// Ends a conversation of `camille`'s and returns (listener cookie, sheet url).
async fn ended_conversation(app: &TestApp) -> (String, String) {
    app.add_user("camille", "listener").await;
    let mut listener = app.listener("camille").await;
    listener.available().await;
    let mut person = app.person().await;
    let contact = listener.next().await;
    person.ws.expect("assigned").await;
    listener
        .ws
        .send(json!({"type": "end", "contact_id": contact}))
        .await;
    let ended = listener.ws.expect("ended").await;
    let url = ended["sheet_url"].as_str().expect("sheet url").to_owned();
    (listener.cookie, url)
}

/// A sheet posted with a field missing gets the form back with the error named (422), as
/// the docs promise, in the page's language; a sheet filled twice is refused in it too.
#[tokio::test]
async fn a_sheet_with_a_missing_field_is_shown_again_with_the_error() {
    let app = spawn_app(fast_config()).await;
    let (cookie, url) = ended_conversation(&app).await;
    let csrf = hidden_field(
        &app.get_as(&url, &cookie).await.text().await.unwrap(),
        "csrf",
    )
    .unwrap();
    let complete = [
        ("csrf", csrf.as_str()),
        ("duration_minutes", "18"),
        ("themes", "solitude"),
        ("age_band", "60_74"),
        ("gender", "woman"),
        ("contact_kind", "first"),
        ("risk", "low"),
    ];
    let post = |fields: Vec<(&str, &str)>, query: &str| {
        let body = serde_html_form::to_string(&fields).unwrap();
        let request = app
            .http()
            .post(app.url(&format!("{url}{query}")))
            .header("cookie", cookie.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        async move { request.send().await.unwrap() }
    };
    let without = |name: &str| -> Vec<(&str, &str)> {
        complete
            .iter()
            .copied()
            .filter(|(k, _)| *k != name)
            .collect()
    };
    for (missing, query, needle) in [
        (
            "duration_minutes",
            "",
            "La durée doit être un nombre de minutes",
        ),
        (
            "duration_minutes",
            "?lang=en",
            "The duration must be a number of minutes",
        ),
        ("themes", "", "Choisissez au moins un thème."),
        (
            "risk",
            "",
            "Choisissez une réponse pour « Niveau de risque ».",
        ),
        (
            "age_band",
            "?lang=en",
            "Choose an answer for “Estimated age band”.",
        ),
    ] {
        let (status, html) = page(post(without(missing), query).await).await;
        assert_eq!(status, 422, "{missing}");
        assert!(html.contains(needle), "{missing}{query}: {html}");
        assert!(html.contains("name=\"duration_minutes\""), "the form again");
        assert!(html.contains("role=\"alert\""));
    }
    // What was answered is kept in the form shown again.
    let (_, html) = page(post(without("risk"), "").await).await;
    assert!(html.contains("value=\"60_74\" required checked"), "{html}");
    assert!(app
        .store
        .sheet(url.rsplit('/').next().unwrap().parse().unwrap())
        .await
        .unwrap()
        .is_none());

    assert_eq!(post(complete.to_vec(), "").await.status(), 303);
    let (status, html) = page(post(complete.to_vec(), "").await).await;
    assert_eq!(status, 409);
    assert!(html.contains("Cette fiche a déjà été remplie."), "{html}");
    assert_staff_page(&html);
}
