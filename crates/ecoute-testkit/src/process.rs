//! `ecoute` as a process: its commands, and `ecoute serve` until it says where it listens.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// What `ecoute serve` prints once it listens, followed by its address (`host:port`).
pub const LISTENING: &str = "ecoute listening on http://";

/// The address in a line of `ecoute serve`'s output, if it is the "listening" line.
pub fn listening_addr(line: &str) -> Option<&str> {
    line.strip_prefix(LISTENING).map(str::trim)
}

/// `bin` (the `ecoute` binary) over the database at `db_url`, on a free local port, with a
/// quiet log, ready for arguments. Nothing leaks in from the caller's environment: every
/// `ECOUTE_*` variable is removed (a developer's database URL, the tests' own variables),
/// so the caller decides every setting.
pub fn ecoute_command(bin: &Path, db_url: &str) -> Command {
    let mut c = Command::new(bin);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ECOUTE_") {
            c.env_remove(name);
        }
    }
    c.env("ECOUTE_DATABASE__URL", db_url)
        .env("ECOUTE_SERVER__BIND", "127.0.0.1:0")
        .env("ECOUTE_SERVER__LOG", "warn")
        // The key of retrieval codes, given: with PostgreSQL the default key file is
        // `data/written-code.key` in the working folder, which would land in the source tree
        // (the key file's own behaviour has its unit test in the binary's settings).
        .env(
            "ECOUTE_WRITTEN__CODE_KEY",
            "746573742d6b65792d6f662d72657472696576616c2d636f646573",
        );
    c
}

/// Runs `command` to completion with `stdin` as its input; its output captured.
pub fn run_with_input(mut command: Command, stdin: &str) -> Output {
    let mut child = command
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

/// A running `ecoute serve` (or `demo`), killed when dropped.
#[derive(Debug)]
pub struct Instance {
    /// `host:port` it listens on.
    pub addr: String,
    /// What it printed up to and including the "listening" line.
    pub printed: Vec<String>,
    child: Child,
}

impl Instance {
    /// Starts `command` (stdout is taken; stderr as the command says) and returns once it
    /// prints where it listens. Panics with what it printed if it exits first.
    pub fn start(mut command: Command) -> Instance {
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn ecoute");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut printed = Vec::new();
        for line in lines.by_ref() {
            let line = line.expect("line");
            let addr = listening_addr(&line).map(str::to_owned);
            printed.push(line);
            if let Some(addr) = addr {
                // Keep reading stdout so that the server never blocks on a full pipe.
                std::thread::spawn(move || lines.for_each(drop));
                return Instance {
                    addr,
                    printed,
                    child,
                };
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("ecoute exited without listening; it printed {printed:?}");
    }

    /// SIGKILL: the process dies at once, closing nothing properly.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }

    /// `http://addr/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
