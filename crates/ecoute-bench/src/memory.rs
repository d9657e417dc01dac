//! Resident memory per idle connection: the server's RSS once settled, then with M more idle
//! waiting visitors (or bare relay connections), settled again.

use std::path::Path;

use crate::client::{self, Drains};
use crate::procs::{self, ChildProc};
use crate::{setup, Plan};
use ecoute_testkit::ws::Raw;

/// Connections opened before the first reading, so that what is created once (the queue's
/// live snapshot, the first buffers of each thread) is not counted per visitor.
const WARM: usize = 10;

/// Two readings of a server's resident memory.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// RSS with the warm-up connections only, KiB.
    pub before_kib: u64,
    /// RSS with `count` more idle connections, KiB.
    pub after_kib: u64,
    /// Idle connections added between the two readings.
    pub count: usize,
}

impl Memory {
    /// KiB per idle connection.
    pub fn per_connection_kib(&self) -> f64 {
        (self.after_kib as f64 - self.before_kib as f64) / self.count.max(1) as f64
    }
}

/// ecoute: idle visitors who joined the queue (`POST /api/contacts`, socket, `hello`) and wait
/// with no listener on duty, on a fresh database in a fresh folder under `db_parent`.
pub async fn ecoute(plan: &Plan, bin: &Path, db_parent: &Path) -> anyhow::Result<Memory> {
    let dir = procs::fresh_dir(db_parent, "idle")?;
    let server = procs::spawn_ecoute(bin, dir, plan.idle + WARM + 10).await?;
    let addr = server.addr;
    let http = http_client()?;
    let open = move |n: usize| {
        let http = http.clone();
        client::parallel_map(vec![(); n], client::SETUP_PARALLELISM, move |_, ()| {
            let http = http.clone();
            async move { Ok(setup::visitor(&http, addr).await?.0) }
        })
    };
    let mut drains = Drains::default();
    drains.extend(open(WARM).await?);
    let before_kib = server.settled_rss_kib().await?;
    drains.extend(open(plan.idle).await?);
    let after_kib = server.settled_rss_kib().await?;
    report(&server, before_kib, after_kib, plan.idle);
    drop(drains);
    Ok(Memory {
        before_kib,
        after_kib,
        count: plan.idle,
    })
}

/// The small read buffer of the second relay measurement: tungstenite's default (128 KiB)
/// is zero-filled at the first read, so it is resident for every connection.
pub const SMALL_READ_BUFFER: usize = 4096;

/// The bare relay: idle WebSocket connections that were never paired, with tungstenite's
/// default read buffer or `read_buffer` bytes.
pub async fn relay(plan: &Plan, read_buffer: Option<usize>) -> anyhow::Result<Memory> {
    let server = procs::spawn_relay(read_buffer).await?;
    let addr = server.addr;
    let open = move |label: &'static str, n: usize| {
        client::parallel_map(
            vec![(); n],
            client::SETUP_PARALLELISM,
            move |i, ()| async move {
                client::connect::<Raw>(addr, &format!("/r/{label}{i}/v"), None).await
            },
        )
    };
    let mut drains = Drains::default();
    drains.extend(open("warm", WARM).await?);
    let before_kib = server.settled_rss_kib().await?;
    drains.extend(open("idle", plan.idle).await?);
    let after_kib = server.settled_rss_kib().await?;
    report(&server, before_kib, after_kib, plan.idle);
    drop(drains);
    Ok(Memory {
        before_kib,
        after_kib,
        count: plan.idle,
    })
}

fn report(server: &ChildProc, before: u64, after: u64, n: usize) {
    let m = Memory {
        before_kib: before,
        after_kib: after,
        count: n,
    };
    println!(
        "      RSS {} KiB -> {} KiB with {n} more idle: {:.1} KiB each (server {})",
        before,
        after,
        m.per_connection_kib(),
        server.addr
    );
    server.print_log();
}

/// An HTTP client that keeps no idle connection (they would count in the server's memory).
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?)
}
