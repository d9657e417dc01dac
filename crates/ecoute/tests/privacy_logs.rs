//! Nothing identifying a person reaches the logs on the written door and the volunteer door:
//! the real binary, logging our own crates at their most verbose, is sent what a browser and
//! a proxy add (user agent, forwarded-for headers) along with a message, a retrieval code and
//! an application; its whole log is then searched for any of them.

mod common;

use ecoute_testkit::hidden_field;
use ecoute_testkit::process::Instance;
use std::process::Stdio;

/// The code a thread page shows.
fn shown_code(html: &str) -> String {
    let start = html
        .find(r#"id="retrieval-code""#)
        .expect("the page shows the code");
    let open = html[start..].find('>').expect("tag") + start + 1;
    let close = html[open..].find('<').expect("end") + open;
    html[open..close].trim().to_owned()
}

#[tokio::test]
async fn the_new_doors_log_nothing_about_the_people_who_use_them() {
    let dir = std::env::temp_dir().join(format!("ecoute-logs-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let log_path = dir.join("server.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut command = common::ecoute(&format!("sqlite://{}/ecoute.db", dir.display()));
    command
        .arg("serve")
        .current_dir(&dir)
        .env(
            "ECOUTE_SERVER__LOG",
            "info,ecoute=trace,ecoute_web=trace,ecoute_app=trace,ecoute_store=trace",
        )
        .stderr(Stdio::from(log));
    let server = Instance::start(command);
    let base = format!("http://{}", server.addr);
    let identifying = [
        ("user-agent", "Mozilla/5.0 (Identifying-Agent-9035)"),
        ("x-forwarded-for", "203.0.113.201"),
        ("forwarded", "for=198.51.100.202"),
        ("x-real-ip", "192.0.2.203"),
    ];
    let http = common::http();
    let with = |request: reqwest::RequestBuilder| {
        identifying.iter().fold(
            request.header("sec-fetch-site", "same-origin"),
            |r, (k, v)| r.header(*k, *v),
        )
    };
    let secret_text = "Personne ne sait que je bois, Lucien-7741.";
    let page = with(http.get(format!("{base}/write")))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("html");
    let token = hidden_field(&page, "token").expect("token");
    let opened = with(http.post(format!("{base}/write")))
        .form(&[("token", token.as_str()), ("text", secret_text)])
        .send()
        .await
        .expect("POST");
    assert_eq!(opened.status(), 200);
    let code = shown_code(&opened.text().await.expect("html"));
    let read = with(http.post(format!("{base}/write/thread")))
        .form(&[("code", code.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(read.status(), 200);
    let wrong = with(http.post(format!("{base}/write/thread")))
        .form(&[(
            "code",
            "abandon ability able about above absent absorb abstract",
        )])
        .send()
        .await
        .expect("POST");
    assert_eq!(wrong.status(), 404);
    let page = with(http.get(format!("{base}/volunteer")))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("html");
    let token = hidden_field(&page, "token").expect("token");
    let applied = with(http.post(format!("{base}/volunteer")))
        .form(&[
            ("token", token.as_str()),
            ("name", "Zéphyrine Quatremare"),
            ("email", "zephyrine.q@example.org"),
            ("city", "Montélimar"),
            ("availability", "Le jeudi"),
            ("motivation", "Écouter, Quatremare-5512."),
            ("consent", "on"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(applied.status(), 200);
    drop(server);

    let logged = std::fs::read_to_string(&log_path).expect("read the log");
    assert!(
        logged.contains("POST"),
        "the log holds the requests: {logged}"
    );
    let mut needles: Vec<&str> = identifying.iter().map(|(_, v)| *v).collect();
    needles.extend([
        "198.51.100.202",
        "Identifying-Agent",
        "Lucien-7741",
        "Quatremare",
        "zephyrine.q",
        "Montélimar",
    ]);
    // The code, and any two of its words in a row (a word alone may be a common one).
    let words: Vec<&str> = code.split(' ').collect();
    let pairs: Vec<String> = words.windows(2).map(|w| w.join(" ")).collect();
    needles.extend(pairs.iter().map(String::as_str));
    needles.push(&code);
    for needle in needles {
        assert!(
            !logged.contains(needle),
            "{needle:?} reached the log:\n{logged}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
