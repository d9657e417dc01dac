//! The command line as an administrator uses it: a real `ecoute` process each time.

use ecoute_testkit::process::{ecoute_command, run_with_input, Instance};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = std::env::temp_dir()
            .join(format!("ecoute-cli-{}", std::process::id()))
            .join(format!("{:x}", rand_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Sandbox { dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        let db = format!("sqlite://{}/ecoute.db", self.dir.display());
        let mut c = ecoute_command(env!("CARGO_BIN_EXE_ecoute").as_ref(), &db);
        c.args(args)
            .current_dir(&self.dir)
            // Variables outside the configuration's sections are not configuration.
            .env("ECOUTE_SOME_TOOL", "unrelated");
        c
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        run_with_input(self.command(args), stdin)
    }

    /// Starts `ecoute` with `args`; it keeps what it printed up to the "listening" line, and
    /// is killed when dropped.
    fn serve(&self, args: &[&str]) -> Instance {
        let mut command = self.command(args);
        command.stderr(Stdio::null());
        let server = Instance::start(command);
        assert!(
            server.addr.starts_with("127.0.0.1:"),
            "{:?}",
            server.printed
        );
        server
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn accounts_are_managed_from_the_command_line() {
    let s = Sandbox::new();
    let add = [
        "user",
        "add",
        "--username",
        "Camille",
        "--pseudonym",
        "Camille",
        "--password-stdin",
    ];
    let out = s.run(&add, "a long password\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("created listener camille"));

    // The same username again, a short password, a bad role: refused with the reason.
    let out = s.run(&add, "another long password\n");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("camille"),
        "{}",
        text(&out.stderr)
    );
    let out = s.run(
        &[
            "user",
            "add",
            "--username",
            "alex",
            "--pseudonym",
            "Alex",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("at least 10 characters"));
    let out = s.run(
        &[
            "user",
            "add",
            "--username",
            "alex",
            "--pseudonym",
            "Alex",
            "--role",
            "boss",
            "--password-stdin",
        ],
        "a long password\n",
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("role must be one of"));

    let out = s.run(&["user", "disable", "camille"], "");
    assert!(out.status.success());
    let out = s.run(&["user", "list"], "");
    let listing = text(&out.stdout);
    assert!(
        listing.contains("camille") && listing.contains("disabled"),
        "{listing}"
    );
    let out = s.run(&["user", "disable", "nobody"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no account named"));

    // A disabled account cannot log in; re-enabled with a new password, it can.
    let out = s.run(&["user", "passwd", "camille"], "a brand new password\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let server = s.serve(&["serve"]);
    let addr = server.addr.as_str();
    assert_eq!(
        login_status(addr, "camille", "a brand new password").await,
        401
    );
    assert!(s.run(&["user", "enable", "camille"], "").status.success());
    assert_eq!(login_status(addr, "camille", "a long password").await, 401);
    assert_eq!(
        login_status(addr, "camille", "a brand new password").await,
        303
    );
}

#[test]
fn bad_configuration_names_the_key() {
    let s = Sandbox::new();
    let out = s
        .command(&["migrate"])
        .env("ECOUTE_CHAT__MAX_CONVERSATIONS", "5")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("chat.max_conversations"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(s.dir.join("bad.toml"), "[chat]\nmax_mesage_chars = 10\n").expect("write");
    let out = s
        .command(&["--config", "bad.toml", "migrate"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("max_mesage_chars"),
        "{}",
        text(&out.stderr)
    );

    let out = s
        .command(&["--config", "missing.toml", "migrate"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing.toml"));

    let out = s
        .command(&["migrate"])
        .env("ECOUTE_DATABASE__URL", "mysql://x")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unsupported database URL"));
}

#[test]
fn a_fresh_install_explains_how_to_create_the_first_administrator() {
    let s = Sandbox::new();
    let server = s.serve(&["serve"]);
    let printed = server.printed.join("\n");
    drop(server);
    assert!(
        printed.contains("ecoute user add --role admin"),
        "{printed}"
    );
    assert!(
        s.dir.join("ecoute.db").exists(),
        "the SQLite file is created on first start"
    );
}

#[tokio::test]
async fn demo_mode_prints_accounts_that_can_log_in() {
    let s = Sandbox::new();
    // The demo keeps to its own database unless one is configured: use the sandbox's.
    let server = s.serve(&["demo"]);
    let printed = server.printed.join("\n");
    let addr = server.addr.as_str();
    let camille = server
        .printed
        .iter()
        .find(|l| l.contains("camille"))
        .unwrap_or_else(|| panic!("no demo listener in {printed}"));
    let password = camille.split_whitespace().last().expect("password");
    assert!(password.len() >= 10, "{camille}");
    assert!(printed.contains("admin"));
    // The printed password is the real one: the login form accepts it, and refuses another.
    assert_eq!(login_status(addr, "camille", password).await, 303);
    assert_eq!(login_status(addr, "camille", "not the password").await, 401);
}

/// Logs in through the form; returns the status code.
async fn login_status(addr: &str, username: &str, password: &str) -> u16 {
    let http = ecoute_testkit::http_client();
    ecoute_testkit::login_response(&http, addr, username, password)
        .await
        .status()
        .as_u16()
}

/// Campaigns declared from the command line count a running server's visits by their links,
/// read back with `campaign counts`; bad campaigns are refused with the reason.
#[tokio::test]
async fn campaigns_are_declared_and_counted_from_the_command_line() {
    let s = Sandbox::new();
    let today = ecoute_domain::Day::of(ecoute_domain::Timestamp(
        i64::try_from(rand_suffix() / 1_000_000).expect("milliseconds fit"),
    ));
    let (from, to) = (today.iso(), today.plus(30).iso());
    let add = |code: &str, from: &str, to: &str| {
        s.run(
            &[
                "campaign", "add", "--code", code, "--name", "Campagne", "--from", from, "--to", to,
            ],
            "",
        )
    };
    let out = add("FB-2017-11", &from, &to);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("?c=fb-2017-11"),
        "{}",
        text(&out.stdout)
    );
    for (code, first, last, reason) in [
        ("fb-2017-11", from.as_str(), to.as_str(), "exists already"),
        ("f b", from.as_str(), to.as_str(), "letters a-z"),
        ("tv", to.as_str(), from.as_str(), "ends before it starts"),
        ("tv", "2017-02-30", to.as_str(), "not a date"),
    ] {
        let out = add(code, first, last);
        assert!(!out.status.success(), "{code} {first} {last}");
        assert!(
            text(&out.stderr).contains(reason),
            "{reason}: {}",
            text(&out.stderr)
        );
    }
    let listing = text(&s.run(&["campaign", "list"], "").stdout);
    assert!(
        listing.starts_with(&format!("fb-2017-11\t{from}\t{to}\tCampagne")),
        "{listing}"
    );

    let server = s.serve(&["serve"]);
    let http = ecoute_testkit::http_client();
    for path in ["/?c=fb-2017-11", "/?c=fb-2017-11", "/?c=unknown"] {
        let page = http
            .get(server.url(path))
            .send()
            .await
            .expect("GET the page");
        assert_eq!(page.status(), 200);
    }
    // The server adds its tally to the database every 10 s: wait for it to show.
    let wanted = [
        format!("{from}\t-\tpage_view\t1"),
        format!("{from}\tfb-2017-11\tpage_view\t2"),
    ];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let out = s.run(&["campaign", "counts", "--from", &from], "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let counts = text(&out.stdout);
        if wanted.iter().all(|line| counts.lines().any(|l| l == line)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the counts never showed: {counts}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let out = s.run(&["campaign", "counts", "--from", &to, "--to", &from], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--to is before --from"));
}
