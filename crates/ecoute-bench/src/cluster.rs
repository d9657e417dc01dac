//! The cluster scenario of issue 4: the same measurements on single-instance SQLite (the
//! baseline), single-instance PostgreSQL, and two instances on one PostgreSQL database with
//! the persons on instance A and the listeners on instance B (every message crosses
//! LISTEN/NOTIFY). Per backend: one-way latency at the offered rate with N conversations,
//! throughput in a closed loop, and the queue-taking rate under concurrent listeners.

use anyhow::Context;
use ecoute_protocol::ListenerIn;
use ecoute_testkit::ws::ListenerWs;
use sqlx::Connection;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::client;
use crate::load::{self, Latency, Mode};
use crate::procs::{self, ChildProc};
use crate::{setup, Plan};

/// The admin URL used to create and drop the benchmark's databases.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// The longest a queue-taking phase may last, draining included.
const QUEUE_HARD_LIMIT: Duration = Duration::from_secs(90);

/// What the cluster scenario measures, besides the [`Plan`].
#[derive(Debug, Clone)]
pub struct ClusterPlan {
    pub postgres_url: String,
    /// Contacts queued before the listeners start taking.
    pub queue_persons: usize,
    /// Listeners taking at once.
    pub queue_listeners: usize,
    /// Seconds over which the taking rate is measured (the queue is drained anyway).
    pub queue_window: Duration,
    /// The closed-loop throughput phase.
    pub throughput: Plan,
}

/// The three deployments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    PostgresTwo,
}

impl Backend {
    pub const ALL: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::PostgresTwo];

    pub fn title(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite 1 instance",
            Backend::Postgres => "PostgreSQL 1 instance",
            Backend::PostgresTwo => "PostgreSQL 2 instances",
        }
    }
}

/// Everything measured on one backend.
pub struct Figures {
    pub backend: Backend,
    pub latency: Latency,
    pub throughput: Latency,
    pub queue: Queue,
}

/// The queue-taking phase.
#[derive(Debug, Default)]
pub struct Queue {
    pub persons: usize,
    /// Contacts taken in all (the queue is drained).
    pub takes: usize,
    /// Taken within the window.
    pub in_window: usize,
    pub window: Duration,
    /// From the first `next` to the last `assigned`.
    pub elapsed: Duration,
    /// Contacts given to two listeners (or more).
    pub duplicates: usize,
    /// Contacts given that were never queued here.
    pub unknown: usize,
}

impl Queue {
    /// Contacts taken per second: over the whole drain if it fitted in the window, else over
    /// the window.
    pub fn rate(&self) -> f64 {
        if self.elapsed <= self.window {
            self.takes as f64 / self.elapsed.as_secs_f64().max(1e-9)
        } else {
            self.in_window as f64 / self.window.as_secs_f64().max(1e-9)
        }
    }
}

/// Runs the three backends one after the other; every PostgreSQL database is created for the
/// run and dropped after it, also on error.
pub async fn run(plan: &Plan, cp: &ClusterPlan, bin: &Path) -> anyhow::Result<Vec<Figures>> {
    let mut out = Vec::new();
    for backend in Backend::ALL {
        println!("\n[{}]", backend.title());
        let figures = match backend {
            Backend::Sqlite => {
                let dir = procs::fresh_dir(&std::env::temp_dir(), "cluster-sqlite")?;
                let url = procs::db_url(&dir);
                measure(backend, plan, cp, bin, &url, Some(dir)).await
            }
            _ => {
                let db = PgDatabase::create(&cp.postgres_url).await?;
                let r = measure(backend, plan, cp, bin, &db.url, None).await;
                db.drop_it().await;
                r
            }
        }
        .with_context(|| format!("on {}", backend.title()))?;
        out.push(figures);
    }
    Ok(out)
}

async fn measure(
    backend: Backend,
    plan: &Plan,
    cp: &ClusterPlan,
    bin: &Path,
    url: &str,
    sqlite_dir: Option<std::path::PathBuf>,
) -> anyhow::Result<Figures> {
    let n = plan.conversations;
    let t = Instant::now();
    let mut cookies = setup::prepare_listeners(url, n + cp.queue_listeners).await?;
    let queue_cookies = cookies.split_off(n);
    print!(
        "      {} accounts and sessions {:.1} s; ",
        n + cp.queue_listeners,
        t.elapsed().as_secs_f64()
    );
    let max_waiting = n + cp.queue_persons + 10;
    let instances = if backend == Backend::PostgresTwo {
        2
    } else {
        1
    };
    let mut servers: Vec<ChildProc> = Vec::new();
    let mut sqlite_dir = sqlite_dir;
    for i in 0..instances {
        let dir = match sqlite_dir.take() {
            Some(d) => d,
            None => procs::fresh_dir(&std::env::temp_dir(), &format!("cluster-{i}"))?,
        };
        servers.push(procs::spawn_ecoute_on(bin, dir, url, max_waiting).await?);
    }
    let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let person_addr = addrs[0];
    let listener_addr = addrs[addrs.len() - 1];
    println!(
        "{} instance(s); persons on {person_addr}, listeners on {listener_addr}",
        instances
    );

    println!(
        "      [queue] {} contacts queued, {} listeners taking (split over the instances)",
        cp.queue_persons, cp.queue_listeners
    );
    let queue = queue(person_addr, &addrs, queue_cookies, cp).await?;
    println!(
        "      {} taken in {:.2} s ({:.0}/s), {} assigned twice, {} unknown",
        queue.takes,
        queue.elapsed.as_secs_f64(),
        queue.rate(),
        queue.duplicates,
        queue.unknown
    );
    for s in &servers {
        s.print_log();
    }

    println!(
        "      [latency] {n} conversations at {:.0} msg/s",
        plan.rate()
    );
    print!("      ");
    let pairs = load::open_conversations(person_addr, listener_addr, cookies).await?;
    let (latency, pairs) = load::measure(pairs, plan, Mode::Open, &mut servers).await?;
    anyhow::ensure!(
        pairs.len() == n,
        "conversations were lost in the latency phase: no throughput phase"
    );
    println!(
        "      [throughput] {n} conversations, closed loop (each side sends when its previous \
         message is acknowledged)"
    );
    let (throughput, _) = load::measure(pairs, &cp.throughput, Mode::Closed, &mut servers).await?;
    Ok(Figures {
        backend,
        latency,
        throughput,
        queue,
    })
}

/// Queues `cp.queue_persons` contacts on `person_addr`, then `cp.queue_listeners` listeners
/// (spread over `addrs`) press `next`, end the conversation at once, and press `next` again,
/// until the queue is empty.
async fn queue(
    person_addr: SocketAddr,
    addrs: &[SocketAddr],
    cookies: Vec<String>,
    cp: &ClusterPlan,
) -> anyhow::Result<Queue> {
    let http = crate::memory::http_client()?;
    let queued = client::parallel_map(
        vec![(); cp.queue_persons],
        client::SETUP_PARALLELISM,
        move |_, ()| {
            let http = http.clone();
            async move { Ok(setup::contact(&http, person_addr).await?.1) }
        },
    )
    .await
    .context("queueing the contacts")?;
    let queued: HashSet<String> = queued.into_iter().collect();
    let addrs = addrs.to_vec();
    let listeners = client::parallel_map(cookies, client::SETUP_PARALLELISM, move |i, c| {
        let addr = addrs[i % addrs.len()];
        async move { setup::listener(addr, &c).await }
    })
    .await
    .context("opening the queue listeners' workspaces")?;
    let started = Instant::now();
    let deadline = started + QUEUE_HARD_LIMIT;
    let mut tasks = tokio::task::JoinSet::new();
    for ws in listeners {
        tasks.spawn(take_all(ws, deadline));
    }
    let mut taken: Vec<(String, Instant)> = Vec::new();
    let mut sockets = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (ws, got) = joined.context("a queue listener panicked")??;
        taken.extend(got);
        sockets.push(ws);
    }
    // With row locks skipped, a listener may find the queue empty while others hold its
    // last rows: make sure nobody is left (for the next phase), uncounted in the rate.
    if taken.len() < queued.len() {
        if let Some(ws) = sockets.pop() {
            let (_, got) = take_all(ws, deadline).await?;
            taken.extend(got);
        }
    }
    let window = cp.queue_window;
    let elapsed = taken
        .iter()
        .map(|(_, at)| at.duration_since(started))
        .max()
        .unwrap_or_default();
    let mut seen = HashSet::new();
    let mut q = Queue {
        persons: queued.len(),
        takes: taken.len(),
        in_window: taken
            .iter()
            .filter(|(_, at)| at.duration_since(started) <= window)
            .count(),
        window,
        elapsed,
        ..Queue::default()
    };
    for (id, _) in &taken {
        if !seen.insert(id.as_str()) {
            q.duplicates += 1;
        }
        if !queued.contains(id) {
            q.unknown += 1;
        }
    }
    Ok(q)
}

/// One listener: `next`, `end` at once, `next`… until the queue is empty.
async fn take_all(
    mut ws: ListenerWs,
    deadline: Instant,
) -> anyhow::Result<(ListenerWs, Vec<(String, Instant)>)> {
    let mut got = Vec::new();
    loop {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the queue was not drained within {QUEUE_HARD_LIMIT:?}"
        );
        let Some(id) = setup::try_next(&mut ws).await? else {
            return Ok((ws, got));
        };
        got.push((id.clone(), Instant::now()));
        // The server handles a socket's frames in order: the end is committed before the
        // next `next` is looked at.
        ws.try_send(ListenerIn::End { contact_id: id }).await?;
    }
}

/// A database created for one run.
pub(crate) struct PgDatabase {
    admin: String,
    name: String,
    /// Where to connect to it.
    pub(crate) url: String,
}

impl PgDatabase {
    pub(crate) async fn create(admin: &str) -> anyhow::Result<PgDatabase> {
        let name = format!(
            "ecoute_bench_{}_{}",
            std::process::id(),
            crate::origin().elapsed().as_nanos() % 1_000_000_000
        );
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .with_context(|| format!("cannot reach PostgreSQL at {}", redact(admin)))?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .with_context(|| format!("cannot create the database {name}"))?;
        let _ = conn.close().await;
        let url = ecoute_testkit::pg::with_database(admin, &name);
        println!("      database {name} created");
        Ok(PgDatabase {
            admin: admin.to_owned(),
            name,
            url,
        })
    }

    /// Drops the database (the servers are gone; `FORCE` ends any connection left).
    pub(crate) async fn drop_it(self) {
        let result = async {
            let mut conn = sqlx::PgConnection::connect(&self.admin).await?;
            sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn)
            .await?;
            conn.close().await
        }
        .await;
        match result {
            Ok(()) => println!("      database {} dropped", self.name),
            Err(e) => eprintln!(
                "ecoute-bench: could not drop the database {}: {e}",
                self.name
            ),
        }
    }
}

/// A URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let user = &url[s + 3..at];
            let user = user.split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..s + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
