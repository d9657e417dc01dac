//! The table printed at the end.

use crate::load::Latency;
use crate::memory::Memory;
use crate::Plan;

/// The memory half.
pub struct MemoryFigures {
    pub ecoute: Memory,
    /// tungstenite's default 128 KiB read buffer (as axum's, hence ecoute's).
    pub relay: Memory,
    /// A 4 KiB read buffer.
    pub relay_small: Memory,
}

/// The latency half.
pub struct LatencyFigures {
    pub ecoute: Latency,
    /// ecoute with its database on tmpfs (fsync is free there).
    pub tmpfs: Option<Latency>,
    pub relay: Latency,
}

/// The `q` quantile (0–1) of sorted samples, nearest rank.
pub fn percentile(sorted: &[u32], q: f64) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Microseconds as milliseconds, `lost`, or a dash.
pub fn ms(us: Option<u32>) -> String {
    match us {
        Some(crate::load::LOST) => "lost".into(),
        Some(us) => format!("{:.2} ms", f64::from(us) / 1000.0),
        None => "—".into(),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    let lost = f64::from(crate::load::LOST);
    match (a, b) {
        (Some(a), Some(b)) if a >= lost || b >= lost => "—".into(),
        (Some(a), Some(b)) if b > 0.0 && a / b < 0.1 => format!("{:.3}×", a / b),
        (Some(a), Some(b)) if b > 0.0 => format!("{:.1}×", a / b),
        _ => "—".into(),
    }
}

struct Table {
    rows: Vec<[String; 5]>,
}

impl Table {
    fn row(&mut self, metric: &str, ecoute: String, tmpfs: String, relay: String, r: String) {
        self.rows.push([metric.to_owned(), ecoute, tmpfs, relay, r]);
    }

    fn print(&self) {
        let mut widths = [0usize; 5];
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        for (i, row) in self.rows.iter().enumerate() {
            let mut line = String::new();
            for (j, (cell, w)) in row.iter().zip(widths).enumerate() {
                let pad = w - cell.chars().count();
                if j == 0 {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                } else {
                    line.push_str("  ");
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                }
            }
            println!("{}", line.trim_end());
            if i == 0 {
                println!("{}", "-".repeat(widths.iter().sum::<usize>() + 8));
            }
        }
    }
}

/// Prints the comparison: ecoute, ecoute with the database on tmpfs, the bare relay, and the
/// ratio ecoute / relay.
pub fn print(plan: &Plan, memory: Option<&MemoryFigures>, latency: Option<&LatencyFigures>) {
    let mut t = Table { rows: Vec::new() };
    let with_tmpfs = latency.is_some_and(|l| l.tmpfs.is_some());
    t.row(
        "metric",
        "ecoute".into(),
        if with_tmpfs {
            "ecoute, db on tmpfs"
        } else {
            ""
        }
        .into(),
        "bare relay".into(),
        "ecoute/relay".into(),
    );
    if let Some(f) = latency {
        latency_rows(&mut t, plan, f);
    }
    if let Some(m) = memory {
        let mib = |kib: u64| format!("{:.1} MiB", kib as f64 / 1024.0);
        t.row(
            &format!("server RSS, {} idle visitors", plan.idle),
            format!("{} → {}", mib(m.ecoute.before_kib), mib(m.ecoute.after_kib)),
            String::new(),
            format!("{} → {}", mib(m.relay.before_kib), mib(m.relay.after_kib)),
            String::new(),
        );
        t.row(
            "memory per idle waiting visitor",
            format!("{:.1} KiB", m.ecoute.per_connection_kib()),
            String::new(),
            format!("{:.1} KiB", m.relay.per_connection_kib()),
            ratio(
                Some(m.ecoute.per_connection_kib()),
                Some(m.relay.per_connection_kib()),
            ),
        );
        t.row(
            &format!(
                "  same, relay with a {} KiB read buffer",
                crate::memory::SMALL_READ_BUFFER / 1024
            ),
            String::new(),
            String::new(),
            format!("{:.1} KiB", m.relay_small.per_connection_kib()),
            ratio(
                Some(m.ecoute.per_connection_kib()),
                Some(m.relay_small.per_connection_kib()),
            ),
        );
    }
    t.print();
    if latency.is_some() {
        println!(
            "\nOne-way latency: from the sender's write to the receiver's read of the frame, both \
             in this process (one monotonic clock); \"lost\": not arrived within 10 s of the end. \
             ecoute acknowledges after the commit (SQLite, synchronous=FULL: one fsync per \
             message); the relay's \"ack\" is the echo of the frame. Offered load: {:.0} msg/s.",
            plan.rate()
        );
    }
}

fn latency_rows(t: &mut Table, plan: &Plan, f: &LatencyFigures) {
    let pick = |l: &Latency, which: &str, q: f64| -> Option<u32> {
        let v = match which {
            "v2l" => &l.v2l,
            "l2v" => &l.l2v,
            _ => &l.ack,
        };
        if q >= 1.0 {
            v.last().copied()
        } else {
            percentile(v, q)
        }
    };
    for (which, title) in [
        ("v2l", "visitor → listener"),
        ("l2v", "listener → visitor"),
        ("ack", "send → ack (commit)"),
    ] {
        for (q, name) in [(0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (1.0, "max")] {
            let e = pick(&f.ecoute, which, q);
            let s = f.tmpfs.as_ref().and_then(|l| pick(l, which, q));
            let r = pick(&f.relay, which, q);
            t.row(
                &format!("{title} {name}"),
                ms(e),
                if f.tmpfs.is_some() {
                    ms(s)
                } else {
                    String::new()
                },
                ms(r),
                ratio(e.map(f64::from), r.map(f64::from)),
            );
        }
    }
    let all = |l: &Latency| l.sent[0] + l.sent[1];
    let opt = |g: &dyn Fn(&Latency) -> String| f.tmpfs.as_ref().map(g).unwrap_or_default();
    t.row(
        "messages measured",
        all(&f.ecoute).to_string(),
        opt(&|l| all(l).to_string()),
        all(&f.relay).to_string(),
        String::new(),
    );
    t.row(
        "rate achieved (msg/s)",
        format!("{:.0}", f.ecoute.rate()),
        opt(&|l| format!("{:.0}", l.rate())),
        format!("{:.0}", f.relay.rate()),
        String::new(),
    );
    t.row(
        "lost / errors",
        format!("{} / {}", f.ecoute.missing(), f.ecoute.errors),
        opt(&|l| format!("{} / {}", l.missing(), l.errors)),
        format!("{} / {}", f.relay.missing(), f.relay.errors),
        String::new(),
    );
    t.row(
        "setup of all conversations",
        format!("{:.1} s", f.ecoute.setup.as_secs_f64()),
        opt(&|l| format!("{:.1} s", l.setup.as_secs_f64())),
        format!("{:.1} s", f.relay.setup.as_secs_f64()),
        String::new(),
    );
    let mib = |kib: u64| format!("{:.1} MiB", kib as f64 / 1024.0);
    t.row(
        &format!("server RSS, {} conversations", plan.conversations),
        mib(f.ecoute.rss_kib),
        opt(&|l| mib(l.rss_kib)),
        mib(f.relay.rss_kib),
        ratio(Some(f.ecoute.rss_kib as f64), Some(f.relay.rss_kib as f64)),
    );
}

/// The cluster scenario's table: one column per backend, ratios to SQLite.
pub fn print_cluster(plan: &Plan, cp: &crate::cluster::ClusterPlan, f: &[crate::cluster::Figures]) {
    let Some(base) = f.first() else { return };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut head = vec!["metric".to_owned()];
    head.extend(f.iter().map(|x| x.backend.title().to_owned()));
    rows.push(head);
    let one_way = |l: &Latency| {
        let mut v: Vec<u32> = l.v2l.iter().chain(&l.l2v).copied().collect();
        v.sort_unstable();
        v
    };
    // (metric, value per backend as a number for the ratio, its text)
    let mut row =
        |metric: String, cell: &dyn Fn(&crate::cluster::Figures) -> (Option<f64>, String)| {
            let b = cell(base).0;
            let mut r = vec![metric];
            for (i, x) in f.iter().enumerate() {
                let (v, text) = cell(x);
                if i == 0 || v.is_none() {
                    r.push(text);
                } else {
                    r.push(format!("{text} ({})", ratio(v, b)));
                }
            }
            rows.push(r);
        };
    let lat = |v: Option<u32>| (v.map(f64::from), ms(v));
    for (q, name) in [(0.5, "p50"), (0.99, "p99")] {
        row(
            format!(
                "one-way latency {name}, {} conv. at {:.0} msg/s",
                plan.conversations,
                plan.rate()
            ),
            &|x| lat(percentile(&one_way(&x.latency), q)),
        );
    }
    for (q, name) in [(0.5, "p50"), (0.99, "p99")] {
        row(format!("send → ack (commit) {name}"), &|x| {
            lat(percentile(&x.latency.ack, q))
        });
    }
    row("messages measured".into(), &|x| {
        let n = x.latency.sent[0] + x.latency.sent[1];
        (Some(n as f64), n.to_string())
    });
    row("rate achieved (msg/s)".into(), &|x| {
        (Some(x.latency.rate()), format!("{:.0}", x.latency.rate()))
    });
    row("lost / errors".into(), &|x| {
        (
            None,
            format!("{} / {}", x.latency.missing(), x.latency.errors),
        )
    });
    row(
        format!(
            "throughput, closed loop, {} conv. (committed msg/s)",
            cp.throughput.conversations
        ),
        &|x| {
            let r = x.throughput.acked_rate();
            (Some(r), format!("{r:.0}"))
        },
    );
    for (q, name) in [(0.5, "p50"), (0.99, "p99")] {
        row(format!("  one-way latency at that rate {name}"), &|x| {
            lat(percentile(&one_way(&x.throughput), q))
        });
    }
    row("  lost / errors".into(), &|x| {
        (
            None,
            format!("{} / {}", x.throughput.missing(), x.throughput.errors),
        )
    });
    row(
        format!(
            "queue taking, {} listeners (contacts/s)",
            cp.queue_listeners
        ),
        &|x| {
            let r = x.queue.rate();
            (Some(r), format!("{r:.0}"))
        },
    );
    row("  taken / queued, assigned twice".into(), &|x| {
        (
            None,
            format!(
                "{} / {}, {}",
                x.queue.takes, x.queue.persons, x.queue.duplicates
            ),
        )
    });
    row(
        format!("server RSS, {} conversations (sum)", plan.conversations),
        &|x| {
            let kib = x.latency.rss_kib as f64;
            (Some(kib), format!("{:.1} MiB", kib / 1024.0))
        },
    );
    let cols = rows[0].len();
    let mut widths = vec![0usize; cols];
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    for (i, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for (j, (c, w)) in r.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(w - c.chars().count());
            if j == 0 {
                line.push_str(c);
                line.push_str(&pad);
            } else {
                line.push_str("  ");
                line.push_str(&pad);
                line.push_str(c);
            }
        }
        println!("{}", line.trim_end());
        if i == 0 {
            println!(
                "{}",
                "-".repeat(widths.iter().sum::<usize>() + 2 * (cols - 1))
            );
        }
    }
    println!(
        "\nRatios: to SQLite 1 instance (for latencies, higher is slower). Two instances: persons \
         on A, listeners on B, every message crosses PostgreSQL LISTEN/NOTIFY. Queue: {} contacts \
         queued by POST /api/contacts (no person socket), listeners press next and end at once; \
         rate over the drain or its first {:.0} s.",
        cp.queue_persons,
        cp.queue_window.as_secs_f64()
    );
}
