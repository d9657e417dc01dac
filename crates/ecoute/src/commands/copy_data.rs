//! `ecoute copy-data --from URL --to URL`: moves a whole installation between databases
//! (SQLite → PostgreSQL when a helpline outgrows one server, or back).
//!
//! Every table is copied (accounts with their password hashes, sessions, contacts, messages,
//! presence, statistics sheets and their themes) from one consistent snapshot of the source,
//! into a target that must be empty, in one transaction: a failed copy leaves the target as
//! it was. The counts per table are then read back from both databases, printed side by side,
//! and must be equal.
//!
//! Stop ecoute before copying: what the source receives after the snapshot is not copied.

use ecoute_store::transfer::TableCount;

/// Copies everything from `from` into `to` and verifies the counts.
pub async fn run(from: &str, to: &str) -> anyhow::Result<()> {
    if from == to {
        anyhow::bail!("--from and --to name the same database");
    }
    // Opening applies the migrations: both sides then have this version's schema.
    let source = ecoute_store::connect(from)
        .await
        .map_err(|e| anyhow::anyhow!("source database: {e}"))?;
    let target = ecoute_store::connect(to)
        .await
        .map_err(|e| anyhow::anyhow!("target database: {e}"))?;
    let dump = source.export_all().await?;
    // `import_all` refuses a target that is not empty, before writing anything.
    target.import_all(&dump).await?;
    let source_counts = source.table_counts().await?;
    let target_counts = target.table_counts().await?;
    print!("{}", side_by_side(&source_counts, &target_counts));
    // The source is read again rather than trusting the export: a server left running on
    // it shows up here as a difference instead of a silent loss.
    if source_counts != target_counts {
        anyhow::bail!(
            "the row counts differ (is ecoute still running on the source?); the target now \
             holds an incomplete copy: empty it before trying again"
        );
    }
    println!("copy complete: every table has the same number of rows");
    Ok(())
}

/// The counts as a table: `table  source  target`, one line per table.
fn side_by_side(source: &[TableCount], target: &[TableCount]) -> String {
    let mut out = format!("{:<20} {:>10} {:>10}\n", "table", "source", "target");
    for s in source {
        let t = target
            .iter()
            .find(|t| t.table == s.table)
            .map(|t| t.rows.to_string())
            .unwrap_or_else(|| "-".into());
        let mark = if t == s.rows.to_string() { "" } else { "  ≠" };
        out.push_str(&format!("{:<20} {:>10} {:>10}{mark}\n", s.table, s.rows, t));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_marked() {
        let s = [
            TableCount {
                table: "users",
                rows: 3,
            },
            TableCount {
                table: "messages",
                rows: 10,
            },
        ];
        let t = [
            TableCount {
                table: "users",
                rows: 3,
            },
            TableCount {
                table: "messages",
                rows: 9,
            },
        ];
        let text = side_by_side(&s, &t);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(!lines[1].contains('≠'), "{text}");
        assert!(lines[2].ends_with('≠'), "{text}");
    }
}
