//! `ecoute-bench`: the chat benchmark of issue 2.
//!
//! Measures, on loopback, against the real `ecoute serve` started as a child process:
//! - the one-way latency of a chat message between a visitor and a listener while N
//!   conversations are open at once (and the time to the sender's `ack`, i.e. the commit);
//! - the resident memory the server spends per idle waiting visitor;
//!
//! and the same figures for a bare WebSocket relay (this binary re-executed as
//! `ecoute-bench relay`) in the same run, printed side by side. See README.md.

mod client;
mod cluster;
mod ladder;
mod load;
mod memory;
mod page;
mod procs;
mod relay;
mod report;
mod setup;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Chat benchmark: ecoute next to a bare WebSocket relay, on loopback.
#[derive(Parser)]
#[command(name = "ecoute-bench", about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Conversations open at once during the latency measurement.
    #[arg(long, default_value_t = 1000)]
    conversations: usize,
    /// Idle waiting visitors opened for the memory measurement.
    #[arg(long, default_value_t = 1000)]
    idle: usize,
    /// Seconds of measurement (after the warm-up).
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    /// Seconds of traffic before measuring (not counted).
    #[arg(long, default_value_t = 3.0)]
    warmup: f64,
    /// Seconds between two messages of one conversation (they alternate: visitor, listener).
    /// The aggregate rate is conversations / period messages per second.
    #[arg(long, default_value_t = 1.0)]
    period: f64,
    /// Characters in each message body.
    #[arg(long, default_value_t = 100)]
    body_chars: usize,
    /// A small smoke run: 50 conversations, 50 idle visitors, 5 s.
    #[arg(long)]
    quick: bool,
    /// Skip the comparison run with the database on tmpfs (/dev/shm).
    #[arg(long)]
    no_tmpfs: bool,
    /// Folder for the main run's temporary database (default: the system temp folder).
    #[arg(long)]
    db_dir: Option<PathBuf>,
    /// The `ecoute` binary (default: next to this one, i.e. target/release/ecoute).
    #[arg(long)]
    ecoute_bin: Option<PathBuf>,
    /// Write every latency sample to this CSV file (run, measure, sent_ms, latency_us), to
    /// see when the slow ones happened.
    #[arg(long)]
    timeline: Option<PathBuf>,
    /// `chat`: ecoute on SQLite next to a bare relay (issue 2). `page`: the campaign page under
    /// wrk next to nginx (issue 9). `cluster`: SQLite 1 instance,
    /// PostgreSQL 1 instance and PostgreSQL 2 instances side by side (issue 4).
    #[arg(long, value_enum, default_value_t = Scenario::Chat)]
    scenario: Scenario,
    /// Cluster: the PostgreSQL URL used to create and drop the run's databases (default:
    /// $ECOUTE_BENCH_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test).
    #[arg(long)]
    postgres_url: Option<String>,
    /// Cluster: contacts queued for the queue-taking measurement.
    #[arg(long, default_value_t = 2000)]
    queue_persons: usize,
    /// Cluster: listeners taking from the queue at once.
    #[arg(long, default_value_t = 50)]
    queue_listeners: usize,
    /// Cluster: seconds of the closed-loop throughput measurement (after 2 s of warm-up).
    #[arg(long, default_value_t = 10.0)]
    throughput_duration: f64,
    /// Only this half of the benchmark.
    #[arg(long, value_enum)]
    only: Option<Only>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scenario {
    /// ecoute on SQLite next to a bare relay.
    Chat,
    /// SQLite, PostgreSQL, two instances on PostgreSQL.
    Cluster,
    /// The rate ladder: the highest rate each of relay, SQLite on disk, on tmpfs and
    /// PostgreSQL sustains with one-way p99 under 20 ms, next to an fsync probe (issue 8).
    Ladder,
    /// The campaign page served to wrk, next to nginx serving the same bytes (issue 9).
    Page,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Only {
    /// Memory per idle waiting visitor.
    Memory,
    /// Message latency.
    Latency,
}

#[derive(Subcommand)]
enum Command {
    /// The bare relay baseline (started by the benchmark itself).
    #[command(hide = true)]
    Relay {
        /// WebSocket read buffer per connection, bytes (default: tungstenite's, 128 KiB).
        #[arg(long)]
        read_buffer: Option<usize>,
    },
}

/// What one run measures.
#[derive(Debug, Clone)]
pub struct Plan {
    pub conversations: usize,
    pub idle: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub period: Duration,
    pub body_chars: usize,
}

impl Plan {
    /// Messages per second over all conversations.
    pub fn rate(&self) -> f64 {
        self.conversations as f64 / self.period.as_secs_f64()
    }
}

/// The benchmark's clock origin: message ids carry nanoseconds since it, so that the receiver
/// (in this same process) knows exactly when a message was sent.
pub fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = origin();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ecoute-bench: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Some(Command::Relay { read_buffer }) => relay::serve(read_buffer).await,
            None => {
                tokio::select! {
                    r = bench(cli) => r,
                    _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
                }
            }
        }
    });
    // Children are killed when their handles drop (also on error); do not wait for stray
    // connection tasks.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ecoute-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn plan(cli: &Cli) -> anyhow::Result<Plan> {
    let mut plan = Plan {
        conversations: cli.conversations,
        idle: cli.idle,
        duration: secs("--duration", cli.duration)?,
        warmup: secs("--warmup", cli.warmup)?,
        period: secs("--period", cli.period)?,
        body_chars: cli.body_chars,
    };
    if cli.quick {
        plan.conversations = plan.conversations.min(50);
        plan.idle = plan.idle.min(50);
        plan.duration = plan.duration.min(Duration::from_secs(5));
        plan.warmup = plan.warmup.min(Duration::from_secs(1));
    }
    anyhow::ensure!(
        (1..=20_000).contains(&plan.conversations),
        "--conversations must be between 1 and 20000"
    );
    anyhow::ensure!(
        (1..=50_000).contains(&plan.idle),
        "--idle must be between 1 and 50000"
    );
    anyhow::ensure!(
        plan.period >= Duration::from_millis(10),
        "--period must be at least 0.01 s"
    );
    anyhow::ensure!(
        plan.duration >= Duration::from_secs(1),
        "--duration must be at least 1 s"
    );
    anyhow::ensure!(
        (40..=2000).contains(&plan.body_chars),
        "--body-chars must be between 40 and 2000"
    );
    Ok(plan)
}

fn secs(flag: &str, s: f64) -> anyhow::Result<Duration> {
    anyhow::ensure!(
        s.is_finite() && (0.0..=3600.0).contains(&s),
        "{flag} must be between 0 and 3600 seconds"
    );
    Ok(Duration::from_secs_f64(s))
}

async fn bench(cli: Cli) -> anyhow::Result<()> {
    if cli.scenario == Scenario::Cluster {
        return cluster(cli).await;
    }
    if cli.scenario == Scenario::Page {
        return campaign_page(cli).await;
    }
    if cli.scenario == Scenario::Ladder {
        return ladder(cli).await;
    }
    let plan = plan(&cli)?;
    let ecoute_bin = procs::locate_ecoute(cli.ecoute_bin.as_deref())?;
    // Each side of a socket pair is in a different process: the bench holds the client ends,
    // the server the others, plus a little for files and listeners.
    let needed = 2 * plan.conversations.max(plan.idle) as u64 + 256;
    procs::raise_open_files(needed)?;
    let db_dir = cli.db_dir.clone().unwrap_or_else(std::env::temp_dir);
    let tmpfs = PathBuf::from("/dev/shm");
    let with_tmpfs = !cli.no_tmpfs && tmpfs.is_dir();

    println!(
        "ecoute-bench: {} conversations at {:.0} msg/s overall (1 message every {:.2} s per \
         conversation, alternately visitor and listener, {}-character bodies), {:.0} s measured \
         after {:.0} s of warm-up; {} idle waiting visitors; {} CPUs; loopback.",
        plan.conversations,
        plan.rate(),
        plan.period.as_secs_f64(),
        plan.body_chars,
        plan.duration.as_secs_f64(),
        plan.warmup.as_secs_f64(),
        plan.idle,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    println!("ecoute binary: {}", ecoute_bin.display());
    println!("database of the main run in {}", db_dir.display());

    let started = Instant::now();
    let memory = if cli.only != Some(Only::Latency) {
        println!("\n[memory] bare relay, {} idle connections", plan.idle);
        let relay = memory::relay(&plan, None).await?;
        println!(
            "[memory] bare relay with a {} KiB read buffer, {} idle connections",
            memory::SMALL_READ_BUFFER / 1024,
            plan.idle
        );
        let relay_small = memory::relay(&plan, Some(memory::SMALL_READ_BUFFER)).await?;
        println!("[memory] ecoute, {} idle waiting visitors", plan.idle);
        let ecoute = memory::ecoute(&plan, &ecoute_bin, &db_dir).await?;
        Some(report::MemoryFigures {
            ecoute,
            relay,
            relay_small,
        })
    } else {
        None
    };
    let latency = if cli.only != Some(Only::Memory) {
        println!("\n[latency] bare relay, {} pairs", plan.conversations);
        let relay = load::relay(&plan).await?;
        println!(
            "[latency] ecoute, {} conversations, database in {}",
            plan.conversations,
            db_dir.display()
        );
        let ecoute = load::ecoute(&plan, &ecoute_bin, &db_dir).await?;
        let tmpfs = if with_tmpfs {
            println!(
                "[latency] ecoute, {} conversations, database on tmpfs ({}): fsync costs nothing",
                plan.conversations,
                tmpfs.display()
            );
            Some(load::ecoute(&plan, &ecoute_bin, &tmpfs).await?)
        } else {
            None
        };
        Some(report::LatencyFigures {
            ecoute,
            tmpfs,
            relay,
        })
    } else {
        None
    };
    if let (Some(path), Some(l)) = (&cli.timeline, &latency) {
        write_timeline(path, l)?;
        println!("timeline written to {}", path.display());
    }
    println!("done in {:.0} s\n", started.elapsed().as_secs_f64());
    report::print(&plan, memory.as_ref(), latency.as_ref());
    Ok(())
}

fn write_timeline(path: &std::path::Path, l: &report::LatencyFigures) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    let mut csv = String::from("run,measure,sent_ms,latency_us\n");
    let runs = [
        ("ecoute", Some(&l.ecoute)),
        ("ecoute_tmpfs", l.tmpfs.as_ref()),
        ("relay", Some(&l.relay)),
    ];
    for (run, lat) in runs {
        for (m, at, us) in lat.map(|l| l.timeline.as_slice()).unwrap_or_default() {
            let _ = writeln!(csv, "{run},{},{at},{us}", m.name());
        }
    }
    std::fs::write(path, csv).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// Offered rates of the ladder, messages per second. With 1,000 conversations the top rung
/// has each socket send 2 messages a second, the protocol's sustained limit per socket.
const LADDER_RATES: [f64; 5] = [250.0, 500.0, 1000.0, 2000.0, 4000.0];

async fn ladder(cli: Cli) -> anyhow::Result<()> {
    let mut plan = plan(&cli)?;
    if !cli.quick {
        // Each rung is short: the ladder has up to 20 of them.
        plan.duration = plan.duration.min(Duration::from_secs(8));
        plan.warmup = plan.warmup.min(Duration::from_secs(2));
    }
    let ecoute_bin = procs::locate_ecoute(cli.ecoute_bin.as_deref())?;
    procs::raise_open_files(2 * plan.conversations as u64 + 256)?;
    let db_dir = cli.db_dir.clone().unwrap_or_else(std::env::temp_dir);
    let tmpfs = PathBuf::from("/dev/shm");
    let tmpfs = (!cli.no_tmpfs && tmpfs.is_dir()).then_some(tmpfs);
    let postgres_url = cli
        .postgres_url
        .clone()
        .or_else(|| std::env::var("ECOUTE_BENCH_POSTGRES_URL").ok())
        .unwrap_or_else(|| cluster::DEFAULT_POSTGRES_URL.to_owned());
    println!(
        "ecoute-bench ladder: {} conversations, rates {:?} msg/s, {:.0} s measured per rung \
         after {:.0} s; {} CPUs; loopback.",
        plan.conversations,
        LADDER_RATES,
        plan.duration.as_secs_f64(),
        plan.warmup.as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    let started = Instant::now();
    let (fsync, climbs) = ladder::run(
        &plan,
        &LADDER_RATES,
        &ecoute_bin,
        &db_dir,
        tmpfs.as_deref(),
        &postgres_url,
    )
    .await?;
    println!("done in {:.0} s", started.elapsed().as_secs_f64());
    ladder::print(&fsync, &climbs, &LADDER_RATES);
    Ok(())
}

async fn campaign_page(cli: Cli) -> anyhow::Result<()> {
    let ecoute_bin = procs::locate_ecoute(cli.ecoute_bin.as_deref())?;
    let load = page::Load {
        threads: 2,
        connections: 64,
        seconds: if cli.quick { 3 } else { 10 },
    };
    let (ecoute, nginx) = page::run(&ecoute_bin, load).await?;
    page::print(&ecoute, &nginx);
    Ok(())
}

async fn cluster(cli: Cli) -> anyhow::Result<()> {
    let plan = plan(&cli)?;
    let ecoute_bin = procs::locate_ecoute(cli.ecoute_bin.as_deref())?;
    let mut queue_persons = cli.queue_persons;
    if cli.quick {
        queue_persons = queue_persons.min(200);
    }
    anyhow::ensure!(
        (1..=20_000).contains(&queue_persons),
        "--queue-persons must be between 1 and 20000"
    );
    anyhow::ensure!(
        (1..=1000).contains(&cli.queue_listeners),
        "--queue-listeners must be between 1 and 1000"
    );
    let throughput_duration = secs("--throughput-duration", cli.throughput_duration)?;
    anyhow::ensure!(
        throughput_duration >= Duration::from_secs(1),
        "--throughput-duration must be at least 1 s"
    );
    let cp = cluster::ClusterPlan {
        postgres_url: cli
            .postgres_url
            .clone()
            .or_else(|| std::env::var("ECOUTE_BENCH_POSTGRES_URL").ok())
            .unwrap_or_else(|| cluster::DEFAULT_POSTGRES_URL.to_owned()),
        queue_persons,
        queue_listeners: cli.queue_listeners,
        queue_window: Duration::from_secs(10),
        throughput: Plan {
            warmup: Duration::from_secs(2),
            duration: throughput_duration,
            ..plan.clone()
        },
    };
    // Client ends of the conversations, the queue listeners, and the server ends.
    procs::raise_open_files(2 * (plan.conversations + cp.queue_listeners) as u64 + 512)?;
    println!(
        "ecoute-bench cluster: {} conversations at {:.0} msg/s ({:.0} s measured after {:.0} s), \
         then closed loop for {:.0} s; queue of {} with {} listeners; {} CPUs; loopback.",
        plan.conversations,
        plan.rate(),
        plan.duration.as_secs_f64(),
        plan.warmup.as_secs_f64(),
        throughput_duration.as_secs_f64(),
        cp.queue_persons,
        cp.queue_listeners,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    println!("ecoute binary: {}", ecoute_bin.display());
    let started = Instant::now();
    let figures = cluster::run(&plan, &cp, &ecoute_bin).await?;
    println!("done in {:.0} s\n", started.elapsed().as_secs_f64());
    report::print_cluster(&plan, &cp, &figures);
    Ok(())
}
