//! Output formats: aligned text tables by default, JSON and CSV on request.

use std::io::Write;

use clap::Args;
use serde::Serialize;

/// `--json` / `--csv`, shared by every sub-command.
#[derive(Debug, Clone, Copy, Args)]
pub struct FormatArgs {
    /// Print JSON instead of tables.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV instead of tables (the main per-row table only).
    #[arg(long)]
    pub csv: bool,
}

/// A table: a title, a header and rows of cells, printed aligned or as CSV.
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(title: impl Into<String>, header: &[&str]) -> Self {
        Table {
            title: title.into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Aligned text: first column left, the others right (they are numbers).
    pub fn print(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let widths: Vec<usize> = (0..self.header.len())
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                    .chain([self.header[c].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        writeln!(out, "{}", self.title)?;
        let line = |cells: &[String]| -> String {
            cells
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let pad = widths[i].saturating_sub(s.chars().count());
                    if i == 0 {
                        format!("{s}{}", " ".repeat(pad))
                    } else {
                        format!("{}{s}", " ".repeat(pad))
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        writeln!(out, "  {}", line(&self.header))?;
        for r in &self.rows {
            writeln!(out, "  {}", line(r))?;
        }
        writeln!(out)
    }

    /// RFC 4180 CSV: cells with commas, quotes or line breaks are quoted.
    pub fn print_csv(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let esc = |s: &String| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.clone()
            }
        };
        writeln!(
            out,
            "{}",
            self.header.iter().map(esc).collect::<Vec<_>>().join(",")
        )?;
        for r in &self.rows {
            writeln!(out, "{}", r.iter().map(esc).collect::<Vec<_>>().join(","))?;
        }
        Ok(())
    }
}

pub fn json(out: &mut dyn Write, value: &impl Serialize) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

pub fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

pub fn secs(x: f64) -> String {
    if x >= 60.0 {
        format!(
            "{}m{:02}s",
            (x / 60.0).floor(),
            (x % 60.0).round() as u32 % 60
        )
    } else {
        format!("{x:.0}s")
    }
}

pub fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if n < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}
