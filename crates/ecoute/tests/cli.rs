//! The command line as an administrator uses it: a real `ecoute` process each time.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

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
        let mut c = Command::new(env!("CARGO_BIN_EXE_ecoute"));
        c.args(args)
            .current_dir(&self.dir)
            .env_remove("ECOUTE_CONFIG")
            .env(
                "ECOUTE_DATABASE__URL",
                format!("sqlite://{}/ecoute.db", self.dir.display()),
            )
            .env("ECOUTE_SERVER__BIND", "127.0.0.1:0")
            .env("ECOUTE_SERVER__LOG", "warn")
            // Variables outside the configuration's sections are not configuration.
            .env("ECOUTE_SOME_TOOL", "unrelated");
        c
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn ecoute");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    }

    /// Starts `ecoute` with `args` and returns it with the lines it printed up to the
    /// "listening" line.
    fn serve(&self, args: &[&str]) -> (Child, Vec<String>) {
        let mut child = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn ecoute");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("line");
            let done = line.starts_with("ecoute listening on http://127.0.0.1:");
            lines.push(line);
            if done {
                return (child, lines);
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("ecoute exited without listening; it printed {lines:?}");
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

#[test]
fn accounts_are_managed_from_the_command_line() {
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
    let (mut child, lines) = s.serve(&["serve"]);
    let addr = listening_address(&lines);
    assert_eq!(login_status(&addr, "camille", "a brand new password"), 401);
    assert!(s.run(&["user", "enable", "camille"], "").status.success());
    assert_eq!(login_status(&addr, "camille", "a long password"), 401);
    assert_eq!(login_status(&addr, "camille", "a brand new password"), 303);
    let _ = child.kill();
    let _ = child.wait();
}

fn listening_address(lines: &[String]) -> String {
    lines
        .last()
        .and_then(|l| l.strip_prefix("ecoute listening on http://"))
        .expect("address")
        .to_owned()
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
    let (mut child, lines) = s.serve(&["serve"]);
    let _ = child.kill();
    let _ = child.wait();
    let printed = lines.join("\n");
    assert!(
        printed.contains("ecoute user add --role admin"),
        "{printed}"
    );
    assert!(
        s.dir.join("ecoute.db").exists(),
        "the SQLite file is created on first start"
    );
}

#[test]
fn demo_mode_prints_accounts_that_can_log_in() {
    let s = Sandbox::new();
    // The demo keeps to its own database unless one is configured: use the sandbox's.
    let (mut child, lines) = s.serve(&["demo"]);
    let printed = lines.join("\n");
    let addr = listening_address(&lines);
    let camille = lines
        .iter()
        .find(|l| l.contains("camille"))
        .unwrap_or_else(|| panic!("no demo listener in {printed}"));
    let password = camille.split_whitespace().last().expect("password");
    assert!(password.len() >= 10, "{camille}");
    assert!(printed.contains("admin"));
    // The printed password is the real one: the login form accepts it, and refuses another.
    assert_eq!(login_status(&addr, "camille", password), 303);
    assert_eq!(login_status(&addr, "camille", "not the password"), 401);
    let _ = child.kill();
    let _ = child.wait();
}

/// Logs in through the form with plain HTTP/1.1; returns the status code.
fn login_status(addr: &str, username: &str, password: &str) -> u16 {
    let page = http(
        addr,
        &format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    let cookie = page
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ecoute_login_csrf="))
        .and_then(|v| v.split(';').next())
        .expect("login csrf cookie")
        .to_owned();
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("csrf field") + marker.len();
    let csrf = &page[start..start + page[start..].find('"').expect("end of field")];
    let body = format!(
        "csrf={csrf}&username={username}&password={}",
        password.replace(' ', "+")
    );
    let response = http(
        addr,
        &format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: ecoute_login_csrf={cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("status line")
}

fn http(addr: &str, request: &str) -> String {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}
