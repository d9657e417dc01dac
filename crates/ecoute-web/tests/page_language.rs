//! The page's language: `?lang=` first, then the browser's `Accept-Language` (q-values
//! honoured), then French; an unknown `?lang=` says which language it shows. And the texts the
//! server writes into the public page itself: plurals, the opening hours, no `maxlength`.

mod common;

use common::{fast_config, spawn_app};
use ecoute_web::config::PerLanguage;

async fn visitor_page(app: &common::TestApp, query: &str, accept: Option<&str>) -> String {
    let mut request = app.http().get(app.url(&format!("/{query}")));
    if let Some(a) = accept {
        request = request.header("accept-language", a);
    }
    let r = request.send().await.expect("the page answers");
    assert_eq!(r.status().as_u16(), 200);
    r.text().await.expect("a body")
}

fn lang_of(html: &str) -> &str {
    let start = html.find("<html lang=\"").expect("<html lang>") + "<html lang=\"".len();
    &html[start..start + 2]
}

#[tokio::test]
async fn the_language_is_asked_then_the_browsers_then_french() {
    let app = spawn_app(fast_config()).await;
    for (query, accept, expected) in [
        ("", None, "fr"),
        ("", Some("en-US,en;q=0.9"), "en"),
        ("", Some("de-DE,de;q=0.9,en;q=0.8,fr;q=0.7"), "en"),
        ("", Some("de, fr;q=0.2, en;q=0.5"), "en"),
        ("", Some("en;q=0, fr;q=0.1"), "fr"),
        ("", Some("de"), "fr"),
        ("?lang=fr", Some("en"), "fr"),
        ("?lang=en", Some("fr"), "en"),
        ("?lang=de", Some("en"), "en"),
        ("?lang=de", None, "fr"),
    ] {
        let html = visitor_page(&app, query, accept).await;
        assert_eq!(lang_of(&html), expected, "{query} with {accept:?}");
        let notice = html.contains("langue n&#39;est pas disponible")
            || html.contains("language is not available");
        assert_eq!(
            notice,
            query == "?lang=de",
            "{query}: the notice of an unknown language"
        );
    }
    // French chosen on an English browser stays French on the links of the page.
    let html = visitor_page(&app, "?lang=fr", Some("en")).await;
    assert!(html.contains("data-lang-query=\"?lang=fr\""), "{html}");
    assert!(html.contains("href=\"/?lang=en\""));
    let html = visitor_page(&app, "", Some("en")).await;
    assert!(
        html.contains("href=\"/?lang=fr\""),
        "the switch to French is explicit"
    );
}

#[tokio::test]
async fn the_public_page_counts_with_plurals_and_cuts_nothing() {
    let mut config = fast_config();
    config.chat.max_message_chars = 1;
    let app = spawn_app(config).await;
    let html = visitor_page(&app, "", None).await;
    assert!(html.contains("1 caractère restant"), "{html}");
    assert!(!html.contains("(s)"), "no hand-made plural");
    assert!(
        !html.contains("maxlength=\"1\""),
        "maxlength cuts a long message silently"
    );
    let html = visitor_page(&app, "?lang=en", None).await;
    assert!(html.contains("1 character left"));
}

#[tokio::test]
async fn the_opening_hours_are_shown_in_their_own_language_only() {
    let mut config = fast_config();
    config.site.opening_hours = PerLanguage {
        fr: Some("du lundi au vendredi, 18 h – 2 h".into()),
        en: None,
    };
    let app = spawn_app(config).await;
    let html = visitor_page(&app, "", None).await;
    assert!(
        html.contains("Horaires d&#39;écoute : du lundi au vendredi, 18 h – 2 h"),
        "{html}"
    );
    let html = visitor_page(&app, "?lang=en", None).await;
    assert!(
        !html.contains("opening-hours"),
        "no French on an English page"
    );

    let mut config = fast_config();
    config.site.opening_hours.en = Some("x".repeat(PerLanguage::MAX_CHARS + 1));
    let e = config.validate().unwrap_err();
    assert_eq!(e.key, "site.opening_hours.en");
}
