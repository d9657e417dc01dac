//! A burst of failed logins cannot run more password checks at once than the server allows
//! (each takes 19 MiB): the excess waits its turn or is told to come back, and the server
//! keeps answering.

mod common;

use common::{fast_config, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_failed_logins_never_exceed_the_password_check_bound() {
    let app = spawn_app(fast_config()).await;
    let bound = app.state.password_checks.size();
    let burst = 8 * bound.max(2);
    // Each login its own username: the per-username throttle never steps in.
    let logins = (0..burst).map(|i| {
        let app = &app;
        async move {
            let r = app
                .login_response(&format!("nobody{i}"), "wrong password!")
                .await;
            let status = r.status().as_u16();
            let retry = r.headers().get("retry-after").cloned();
            (status, retry, r.text().await.unwrap_or_default())
        }
    });
    let results = futures_util::future::join_all(logins).await;
    for (status, retry, html) in &results {
        match status {
            401 => assert!(html.contains("Identifiant ou mot de passe incorrect.")),
            503 => {
                assert!(retry.is_some(), "503 without Retry-After");
                assert!(html.contains("réessayez dans quelques secondes"), "{html}");
            }
            other => panic!("unexpected status {other}"),
        }
    }
    let peak = app.state.password_checks.peak();
    assert!(
        (1..=bound).contains(&peak),
        "{peak} checks ran at once; the bound is {bound}"
    );
    let health = app.http().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}
