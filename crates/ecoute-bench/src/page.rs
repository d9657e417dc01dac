//! The campaign page under a national campaign's first hour: `wrk` fetches `/stories` from
//! ecoute, then the same bytes from nginx (`gzip_static`, as nginx serves a static site at
//! its best), in the same run, on loopback. Target: at least nginx's requests per second.

use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

use crate::procs;

/// What wrk asks for: the page as a campaign's link names it, gzip accepted as browsers do.
const PATH: &str = "/stories?c=bench";

/// One server's figures.
pub struct Served {
    pub name: &'static str,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub bytes: usize,
}

/// wrk's load: threads, connections, seconds.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub threads: u32,
    pub connections: u32,
    pub seconds: u32,
}

fn need(program: &str) -> anyhow::Result<PathBuf> {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/sbin")])
        .map(|d| d.join(program))
        .find(|p| p.is_file());
    found.with_context(|| {
        format!("{program} is not installed: the campaign page benchmark needs wrk and nginx (Debian: apt-get install -y wrk nginx-light)")
    })
}

/// Runs the benchmark: ecoute, then nginx with the bytes ecoute served.
pub async fn run(bin: &Path, load: Load) -> anyhow::Result<(Served, Served)> {
    let wrk = need("wrk")?;
    let nginx = need("nginx")?;
    let dir = procs::fresh_dir(&std::env::temp_dir(), "page")?;
    let server = procs::spawn_ecoute(bin, dir, 10).await?;
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::new();
    let fetch = |gzip: bool| {
        let mut request = http.get(format!("{base}{PATH}"));
        if gzip {
            request = request.header("accept-encoding", "gzip");
        }
        async move {
            let response = request.send().await?.error_for_status()?;
            let encoding = response
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap_or("").to_owned());
            anyhow::Ok((encoding, response.bytes().await?))
        }
    };
    let (_, identity) = fetch(false).await.context("GET /stories")?;
    let (encoding, gzip) = fetch(true).await.context("GET /stories, gzip")?;
    anyhow::ensure!(
        encoding.as_deref() == Some("gzip"),
        "ecoute did not compress the page"
    );
    println!(
        "[page] /stories: {} bytes, {} gzip; wrk {} threads, {} connections, {} s each",
        identity.len(),
        gzip.len(),
        load.threads,
        load.connections,
        load.seconds
    );
    let ecoute = measure(&wrk, "ecoute", &base, load, gzip.len()).await?;
    drop(server);

    let root = procs::fresh_dir(&std::env::temp_dir(), "nginx")?;
    std::fs::write(root.join("stories"), &identity)?;
    std::fs::write(root.join("stories.gz"), &gzip)?;
    let (nginx_proc, port) = start_nginx(&nginx, &root).await?;
    let nginx_base = format!("http://127.0.0.1:{port}");
    // The same bytes, the same encoding: nginx must serve the precompressed copy.
    let same = http
        .get(format!("{nginx_base}{PATH}"))
        .header("accept-encoding", "gzip")
        .send()
        .await?;
    anyhow::ensure!(
        same.headers()
            .get("content-encoding")
            .is_some_and(|v| v == "gzip"),
        "nginx did not serve the precompressed page (is its gzip_static module there?)"
    );
    anyhow::ensure!(same.bytes().await? == gzip, "nginx served other bytes");
    let nginx_served = measure(&wrk, "nginx", &nginx_base, load, gzip.len()).await;
    drop(nginx_proc);
    let _ = std::fs::remove_dir_all(&root);
    Ok((ecoute, nginx_served?))
}

/// A running nginx, stopped when dropped.
struct Nginx(tokio::process::Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.start_kill();
    }
}

async fn start_nginx(nginx: &Path, root: &Path) -> anyhow::Result<(Nginx, u16)> {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
        probe.local_addr()?.port()
    };
    // As a static site at its best: one worker per core, files from the page cache, the
    // precompressed copy, no access log, keep-alive as long as wrk's connections last.
    let conf = format!(
        "daemon off; worker_processes auto; pid {root}/nginx.pid; error_log {root}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off; sendfile on; tcp_nodelay on; keepalive_requests 1000000;
  client_body_temp_path {root}; proxy_temp_path {root}; fastcgi_temp_path {root};
  uwsgi_temp_path {root}; scgi_temp_path {root};
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location = /stories {{
      default_type \"text/html; charset=utf-8\";
      gzip_static on; gzip_vary on;
      add_header Cache-Control no-store;
    }}
  }}
}}
",
        root = root.display()
    );
    let conf_path = root.join("nginx.conf");
    std::fs::write(&conf_path, conf)?;
    let child = Command::new(nginx)
        .arg("-c")
        .arg(&conf_path)
        .arg("-p")
        .arg(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start nginx")?;
    let guard = Nginx(child);
    // Ready once it answers.
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/stories");
    for _ in 0..500 {
        if http
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok((guard, port));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let log = std::fs::read_to_string(root.join("error.log")).unwrap_or_default();
    anyhow::bail!("nginx did not answer within 5 s: {log}")
}

/// Runs wrk against `base` and reads its summary.
async fn measure(
    wrk: &Path,
    name: &'static str,
    base: &str,
    load: Load,
    bytes: usize,
) -> anyhow::Result<Served> {
    let out = Command::new(wrk)
        .args([
            "--latency",
            "-t",
            &load.threads.to_string(),
            "-c",
            &load.connections.to_string(),
            "-d",
            &format!("{}s", load.seconds),
            "-H",
            "Accept-Encoding: gzip",
            &format!("{base}{PATH}"),
        ])
        .output()
        .await
        .context("cannot run wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(out.status.success(), "wrk failed on {name}: {text}");
    anyhow::ensure!(
        !text.contains("Non-2xx"),
        "{name} answered errors under load: {text}"
    );
    let requests_per_second = field(&text, "Requests/sec:")
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no Requests/sec in wrk's output: {text}"))?;
    let p50_ms = field(&text, "50%")
        .and_then(duration_ms)
        .unwrap_or(f64::NAN);
    let p99_ms = field(&text, "99%")
        .and_then(duration_ms)
        .unwrap_or(f64::NAN);
    println!("[page] {name}: {requests_per_second:.0} requests/s, p50 {p50_ms:.2} ms, p99 {p99_ms:.2} ms");
    Ok(Served {
        name,
        requests_per_second,
        p50_ms,
        p99_ms,
        bytes,
    })
}

/// The word after `label` on the line that starts with it.
fn field<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
}

/// A wrk duration (`812.00us`, `1.25ms`, `2.01s`) in milliseconds.
fn duration_ms(v: &str) -> Option<f64> {
    let (number, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic())?);
    let n: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}

/// Prints both, and the target.
pub fn print(ecoute: &Served, nginx: &Served) {
    println!();
    println!(
        "{:<10} {:>14} {:>10} {:>10} {:>10}",
        "campaign page", "requests/s", "p50 ms", "p99 ms", "bytes"
    );
    for s in [ecoute, nginx] {
        println!(
            "{:<10} {:>14.0} {:>10.2} {:>10.2} {:>10}",
            s.name, s.requests_per_second, s.p50_ms, s.p99_ms, s.bytes
        );
    }
    let ratio = ecoute.requests_per_second / nginx.requests_per_second;
    println!(
        "target: ecoute at least nginx's requests per second: {ratio:.2}× nginx: {}",
        if ratio >= 1.0 { "met" } else { "NOT met" }
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_summaries() {
        let text = "  Latency Distribution\n     50%  812.00us\n     99%    2.50ms\n  \
                    Requests/sec:  41234.56\nTransfer/sec:      1.2MB\n";
        assert_eq!(field(text, "Requests/sec:"), Some("41234.56"));
        assert_eq!(field(text, "50%").and_then(duration_ms), Some(0.812));
        assert_eq!(field(text, "99%").and_then(duration_ms), Some(2.5));
        assert_eq!(duration_ms("1.5s"), Some(1500.0));
        assert_eq!(duration_ms("x"), None);
    }
}
