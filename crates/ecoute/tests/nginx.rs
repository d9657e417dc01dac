//! The shipped nginx configuration (deploy/nginx/ecoute.conf), run by a real nginx in front
//! of two ecoute instances without sticky sessions: logging in, a whole conversation over
//! WebSockets, and resuming it through the same address after one instance is killed.
//!
//! Runs when `ECOUTE_TEST_NGINX=1` (it also needs `ECOUTE_TEST_POSTGRES_URL`); fails if set
//! and nginx is missing (Debian: `apt-get install -y nginx-light`).

mod common;

use common::{
    add_listener, available_listener, join_queue, listener_ws, login, person_ws, run_ok, serve,
    FreshDb, Party, PG_VAR,
};
use ecoute_protocol::{ContactStatus, ListenerIn, ListenerOut, PersonIn, PersonOut};
use ecoute_testkit::expect_frame;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SHIPPED: &str = include_str!("../../../deploy/nginx/ecoute.conf");

const FAST: &[(&str, &str)] = &[
    ("ECOUTE_CHAT__LISTENER_RETURN_SECONDS", "30"),
    ("ECOUTE_CHAT__PERSON_RETURN_SECONDS", "30"),
];

/// The text between `# BEGIN ecoute NAME` and `# END ecoute NAME` in the shipped file.
fn section(name: &str) -> &'static str {
    let begin = format!("# BEGIN ecoute {name}\n");
    let start = SHIPPED
        .find(&begin)
        .unwrap_or_else(|| panic!("deploy/nginx/ecoute.conf lost its {begin:?} marker"))
        + begin.len();
    let end = SHIPPED[start..]
        .find(&format!("# END ecoute {name}"))
        .unwrap_or_else(|| panic!("deploy/nginx/ecoute.conf lost its END {name} marker"))
        + start;
    &SHIPPED[start..end]
}

fn nginx_binary() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|d| d.join("nginx"))
        .find(|p| p.is_file())
        .expect("ECOUTE_TEST_NGINX=1 but nginx is not installed (apt-get install -y nginx-light)")
}

/// A free local port (bound then released; nginx binds it right after).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// nginx with the shipped sections, plain HTTP on a local port, in a folder of its own.
struct Nginx {
    addr: String,
    dir: PathBuf,
    child: Child,
}

impl Nginx {
    fn start(upstreams: &[&str]) -> Nginx {
        let dir = std::env::temp_dir().join(format!("ecoute-nginx-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("nginx dir");
        let port = free_port();
        let servers: String = upstreams
            .iter()
            .map(|a| format!("        server {a} max_fails=1 fail_timeout=10s;\n"))
            .collect();
        let conf = format!(
            "daemon off;\nworker_processes 1;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log warn;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n    access_log off;\n{http}\n    upstream ecoute {{\n{servers}        keepalive 16;\n    }}\n\
             server {{\n        listen 127.0.0.1:{port};\n{locations}\n    }}\n}}\n",
            dir = dir.display(),
            http = section("http"),
            locations = section("locations"),
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("write nginx.conf");
        let mut child = Command::new(nginx_binary())
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn nginx");
        let addr = format!("127.0.0.1:{port}");
        // Wait for the port, or for nginx to exit with its reason in the error log.
        for _ in 0..200 {
            if std::net::TcpStream::connect(&addr).is_ok() {
                return Nginx { addr, dir, child };
            }
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
                panic!("nginx exited ({status}): {log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        panic!("nginx did not listen on {addr}");
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM to the master stops its workers too (SIGKILL would orphan them).
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn enabled() -> Option<String> {
    if std::env::var("ECOUTE_TEST_NGINX").as_deref() != Ok("1") {
        eprintln!("skipped: ECOUTE_TEST_NGINX is not 1");
        return None;
    }
    Some(
        std::env::var(PG_VAR)
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| panic!("ECOUTE_TEST_NGINX=1 needs {PG_VAR} too")),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversation_through_nginx_without_sticky_sessions() {
    let Some(server) = enabled() else { return };
    let db = FreshDb::create(&server).await;
    run_ok(&db.url, &["migrate"], "");
    add_listener(&db.url, "lina", "Lina");
    let mut a = serve(&db.url, FAST);
    let b = serve(&db.url, FAST);
    let proxy = Nginx::start(&[&a.addr, &b.addr]);
    let front = proxy.addr.as_str();

    // Round robin: successive requests land on both instances, and each answers.
    for _ in 0..4 {
        let health = common::http()
            .get(format!("http://{front}/healthz"))
            .send()
            .await
            .expect("GET /healthz");
        assert_eq!(health.status(), 200);
    }
    // Metrics pass for the local monitoring the shipped file allows.
    let metrics = common::http()
        .get(format!("http://{front}/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(metrics.status(), 200);
    assert!(metrics
        .text()
        .await
        .expect("body")
        .contains("ecoute_contacts_created_total"));

    // The login form and its POST may be served by different instances.
    let cookie = login(front, "lina").await;
    let mut lws = available_listener(front, &cookie).await;

    let (contact, token) = join_queue(front).await;
    let mut person = Party::person(person_ws(front).await);
    let welcome = person.hello(&token, 0).await;
    assert!(matches!(
        welcome,
        PersonOut::Welcome {
            state: ContactStatus::Waiting,
            ..
        }
    ));
    person.say("p1", "bonjour").await.expect("send");

    lws.send(ListenerIn::Next).await;
    let assigned = expect_frame!(lws, ListenerOut::Assigned { conversation } => conversation);
    assert_eq!(assigned.contact_id, contact);
    let mut listener = Party::listener(lws, &contact);
    person
        .until("assigned", |f| matches!(f, PersonOut::Assigned { .. }))
        .await;

    let mut sent = BTreeSet::from(["p1".to_owned()]);
    listener.say("l1", "je vous écoute").await.expect("send");
    sent.insert("l1".into());
    person.until_all(&sent).await;
    listener.until_all(&sent).await;

    // One instance dies; both clients reconnect through the same address, as the pages do,
    // and land on the survivor.
    a.kill();
    person.ws = person_ws(front).await;
    let last_seq = person.last_seq();
    person.ws.send(PersonIn::hello(token, last_seq)).await;
    let welcome = person.until("welcome", is_welcome).await;
    assert!(matches!(
        welcome,
        PersonOut::Welcome {
            state: ContactStatus::Active,
            ..
        }
    ));
    listener.ws = listener_ws(front, &cookie).await;
    let last_seqs = HashMap::from([(contact.clone(), listener.last_seq())]);
    listener.ws.send(ListenerIn::Hello { last_seqs }).await;
    listener
        .until("welcome", |f| matches!(f, ListenerOut::Welcome { .. }))
        .await;
    person.resend_unacked().await;
    listener.resend_unacked().await;

    person.say("p2", "merci").await.expect("send");
    listener.say("l2", "je reste là").await.expect("send");
    sent.extend(["p2".to_owned(), "l2".to_owned()]);
    person.until_all(&sent).await;
    listener.until_all(&sent).await;
    let transcript = person.transcript("the person");
    assert_eq!(transcript, listener.transcript("the listener"));
    let ids: BTreeSet<String> = transcript.into_iter().map(|m| m.id).collect();
    assert_eq!(ids, sent, "every message exactly once");
    // Stop the proxy and the instances before the database is dropped.
    drop(proxy);
    drop(b);
}

fn is_welcome(frame: &PersonOut) -> bool {
    matches!(frame, PersonOut::Welcome { .. })
}
