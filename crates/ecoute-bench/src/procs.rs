//! Child processes (the ecoute server, the relay), their resident memory, and the open-file
//! limit.

use anyhow::Context;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a child may take to print its address.
const START_WAIT: Duration = Duration::from_secs(30);

/// The `ecoute` binary: `--ecoute-bin`, else next to this executable.
pub fn locate_ecoute(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => std::env::current_exe()
            .context("cannot find this executable's path")?
            .parent()
            .context("this executable has no folder")?
            .join("ecoute"),
    };
    anyhow::ensure!(
        path.is_file(),
        "the ecoute binary {} does not exist: build it in the same profile first, \
         `cargo build --release -p ecoute -p ecoute-bench` (or pass --ecoute-bin PATH)",
        path.display()
    );
    Ok(path)
}

/// Raises the soft open-file limit to the hard one if it is below `needed` (children inherit
/// it); fails with a clear message if even the hard limit is too low.
pub fn raise_open_files(needed: u64) -> anyhow::Result<()> {
    let (soft, hard) = rlimit::Resource::NOFILE
        .get()
        .context("cannot read the open-file limit")?;
    if soft >= needed {
        return Ok(());
    }
    anyhow::ensure!(
        hard >= needed,
        "this run needs about {needed} open files per process but the hard limit is {hard}: \
         raise it (ulimit -Hn, /etc/security/limits.conf) or run fewer conversations"
    );
    rlimit::Resource::NOFILE
        .set(hard, hard)
        .context("cannot raise the open-file limit")?;
    println!("open-file limit raised from {soft} to {hard}");
    Ok(())
}

/// A running child process; killed (and its folder removed) when dropped.
pub struct ChildProc {
    name: &'static str,
    child: Child,
    pid: u32,
    /// Where it listens.
    pub addr: SocketAddr,
    /// A temporary folder that belongs to it.
    dir: Option<PathBuf>,
    /// What it wrote on stderr.
    log: Arc<Mutex<Log>>,
}

/// A child's stderr, summarised: how many lines, and the first few.
#[derive(Default)]
struct Log {
    lines: u64,
    first: Vec<String>,
}

/// Lines of a child's stderr shown in full after each step.
const LOG_SHOWN: usize = 3;
/// Lines of a child's stderr kept (shown when it fails to start).
const LOG_KEPT: usize = 20;

impl ChildProc {
    /// Starts `cmd` and waits for a stdout line `<marker><address>`.
    pub async fn spawn(
        name: &'static str,
        mut cmd: Command,
        marker: &str,
        dir: Option<PathBuf>,
    ) -> anyhow::Result<ChildProc> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so that whatever it starts (a wrapper's children) is
            // killed with it.
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        let pid = child.id().context("child without pid")?;
        let stdout = child.stdout.take().context("child without stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let log = Arc::new(Mutex::new(Log::default()));
        if let Some(stderr) = child.stderr.take() {
            let log = log.clone();
            tokio::spawn(async move {
                let mut errs = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = errs.next_line().await {
                    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                    log.lines += 1;
                    if log.first.len() < LOG_KEPT {
                        log.first.push(strip_ansi(&line));
                    }
                }
            });
        }
        // Guard first: from here on, an error kills the child.
        let mut proc = ChildProc {
            name,
            child,
            pid,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            dir,
            log,
        };
        let found = tokio::time::timeout(START_WAIT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(rest) = line.strip_prefix(marker) {
                    return Ok(Some(rest.trim().to_owned()));
                }
            }
            Ok::<_, std::io::Error>(None)
        })
        .await
        .with_context(|| format!("{name} did not print its address within {START_WAIT:?}"))??;
        let Some(addr) = found else {
            // Let it exit and the stderr reader catch up, then say why.
            let status = tokio::time::timeout(Duration::from_secs(2), proc.child.wait()).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let status = match status {
                Ok(Ok(s)) => s.to_string(),
                _ => "still running".into(),
            };
            let log = proc.log.lock().unwrap_or_else(|e| e.into_inner());
            anyhow::bail!(
                "{name} closed its output before listening ({status}); its stderr:\n{}\n\
                 (a schema error means the ecoute binary and this benchmark were built from \
                 different sources: `cargo build --release -p ecoute -p ecoute-bench`)",
                log.first.join("\n")
            );
        };
        proc.addr = addr
            .parse()
            .with_context(|| format!("{name} printed a bad address {addr:?}"))?;
        // Keep draining its stdout so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(proc)
    }

    /// Resident memory now, in KiB (`VmRSS` of `/proc/<pid>/status`).
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .with_context(|| format!("cannot read the memory of {} (Linux only)", self.name))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no VmRSS for {}", self.name))
    }

    /// Resident memory once it has stopped moving: at least a second later, then until two
    /// readings half a second apart differ by less than 0.5 % (at most 10 s).
    pub async fn settled_rss_kib(&self) -> anyhow::Result<u64> {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut last = self.rss_kib()?;
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let now = self.rss_kib()?;
            if now.abs_diff(last) <= (last / 200).max(64) {
                return Ok(now);
            }
            last = now;
        }
        Ok(last)
    }

    /// Prints how much the child logged (its log level is `warn`: every line is a warning or
    /// an error) and the first lines, then forgets them.
    pub fn print_log(&self) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.lines > 0 {
            println!(
                "      {} wrote {} lines on stderr; the first:",
                self.name, log.lines
            );
            for line in log.first.iter().take(LOG_SHOWN) {
                println!("        {line}");
            }
        }
        *log = Log::default();
    }

    /// Fails if the child has exited.
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        match self.child.try_wait()? {
            Some(status) => anyhow::bail!("{} exited: {status}", self.name),
            None => Ok(()),
        }
    }
}

impl Drop for ChildProc {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        // The rest of its process group (its group id is its pid).
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.pid)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A fresh, empty folder under `parent` for one server's database.
pub fn fresh_dir(parent: &Path, label: &str) -> anyhow::Result<PathBuf> {
    let dir = parent.join(format!(
        "ecoute-bench-{label}-{}-{}",
        std::process::id(),
        crate::origin().elapsed().as_nanos()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Starts `ecoute serve` on 127.0.0.1 (a free port) over `sqlite://<dir>/ecoute.db`, quiet,
/// accepting `max_waiting` waiting visitors. The folder is removed when the server is dropped.
pub async fn spawn_ecoute(
    bin: &Path,
    dir: PathBuf,
    max_waiting: usize,
) -> anyhow::Result<ChildProc> {
    let url = db_url(&dir);
    spawn_ecoute_on(bin, dir, &url, max_waiting).await
}

/// Starts `ecoute serve` as [`spawn_ecoute`] does, working in `dir` (removed when dropped)
/// but over the database at `url` (SQLite or PostgreSQL).
pub async fn spawn_ecoute_on(
    bin: &Path,
    dir: PathBuf,
    url: &str,
    max_waiting: usize,
) -> anyhow::Result<ChildProc> {
    let mut cmd = Command::new(bin);
    cmd.arg("serve")
        // An ecoute.toml in the working folder would be read: work in the empty folder.
        .current_dir(&dir)
        .env_remove("ECOUTE_CONFIG")
        .env("ECOUTE_SERVER__BIND", "127.0.0.1:0")
        .env("ECOUTE_SERVER__LOG", "warn")
        .env("ECOUTE_DATABASE__URL", url)
        .env("ECOUTE_CHAT__MAX_WAITING", max_waiting.max(1).to_string())
        // The benchmark joins by the thousand in seconds: the join budget must not be what
        // it measures.
        .env("ECOUTE_CHAT__JOINS_PER_MINUTE", "1000000")
        .env("ECOUTE_CHAT__JOIN_BURST", "1000000");
    ChildProc::spawn("ecoute", cmd, "ecoute listening on http://", Some(dir)).await
}

/// The SQLite URL of the database in `dir`.
pub fn db_url(dir: &Path) -> String {
    format!("sqlite://{}/ecoute.db", dir.display())
}

/// Starts the bare relay (this executable, `relay` sub-command), with tungstenite's default
/// read buffer or `read_buffer` bytes.
pub async fn spawn_relay(read_buffer: Option<usize>) -> anyhow::Result<ChildProc> {
    let exe = std::env::current_exe().context("cannot find this executable's path")?;
    let mut cmd = Command::new(exe);
    cmd.arg("relay");
    if let Some(n) = read_buffer {
        cmd.arg("--read-buffer").arg(n.to_string());
    }
    ChildProc::spawn("relay", cmd, crate::relay::MARKER, None).await
}

/// `line` without terminal colour codes.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ … letter
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
