//! Moving a whole installation between stores (`ecoute copy-data`): every table, as plain
//! rows, from one backend to the other.
//!
//! The rows are backend-neutral [`Value`]s: integers, booleans (SQLite's 0/1, PostgreSQL's
//! `BOOLEAN`) and text (contact and thread ids are text here: SQLite's `TEXT`, PostgreSQL's `UUID`).
//! [`TABLES`] lists every table and column in an order that respects the foreign keys, so an
//! import inserts parents before children. A migration that adds a table or a column must add
//! it here too; the conformance case `transfer_copies_everything` compares full exports and
//! fails when something is left behind.
//!
//! Left out on purpose: the runtime tables of [`RUNTIME_TABLES`] — PostgreSQL's
//! `bus_payloads` (event-bus overflow, deleted after a few minutes) and `instances` (the
//! heartbeats of running instances) — which mean nothing to another installation, and the
//! migrations bookkeeping (each store runs its own migrations when opened).
//!
//! An export holds the whole database in memory. That is fine for a helpline: conversation
//! text is purged a day after each conversation, and a year of statistics sheets is a few
//! hundred thousand small rows.

mod sql;

use crate::{StoreError, StoreResult};
use async_trait::async_trait;

/// What a column holds, so that each backend reads and writes it with its own type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A 64-bit integer (`INTEGER` / `BIGINT`).
    Int,
    /// A 32-bit integer in PostgreSQL (`INTEGER`), a plain integer in SQLite.
    Int32,
    /// `BOOLEAN` in PostgreSQL, 0/1 in SQLite.
    Bool,
    /// A contact's or thread's id: `UUID` in PostgreSQL, lowercase hyphenated `TEXT` in SQLite.
    Uuid,
    /// Text.
    Text,
}

/// A table and its columns.
#[derive(Debug)]
pub struct Table {
    /// Table name.
    pub name: &'static str,
    /// Columns, in the order of each [`Row`].
    pub columns: &'static [(&'static str, Kind)],
}

use Kind::{Bool, Int, Int32, Text, Uuid};

/// Every table a store holds, parents before children.
pub const TABLES: &[Table] = &[
    Table {
        name: "centres",
        columns: &[("id", Int), ("name", Text), ("created_at", Int)],
    },
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("username", Text),
            ("pseudonym", Text),
            ("role", Text),
            ("password_hash", Text),
            ("centre_id", Int),
            ("disabled", Bool),
            ("created_at", Int),
        ],
    },
    Table {
        name: "sessions",
        columns: &[
            ("token_hash", Text),
            ("user_id", Int),
            ("csrf_token", Text),
            ("created_at", Int),
            ("expires_at", Int),
        ],
    },
    Table {
        name: "contacts",
        columns: &[
            ("id", Uuid),
            ("centre_id", Int),
            ("channel", Text),
            ("state", Text),
            ("listener_id", Int),
            ("priority", Int32),
            ("is_returning", Bool),
            ("created_at", Int),
            ("queued_at", Int),
            ("answered_at", Int),
            ("ended_at", Int),
            ("wait_seconds", Int),
            ("end_reason", Text),
            ("last_seq", Int),
            ("resume_hash", Text),
            ("person_conn", Int),
            ("person_away_since", Int),
        ],
    },
    Table {
        name: "messages",
        columns: &[
            ("contact_id", Uuid),
            ("seq", Int),
            ("author", Text),
            ("client_id", Text),
            ("body", Text),
            ("at", Int),
            ("listener_id", Int),
        ],
    },
    Table {
        name: "listener_presence",
        columns: &[
            ("user_id", Int),
            ("presence", Text),
            ("conn", Int),
            ("away_since", Int),
            ("changed_at", Int),
        ],
    },
    Table {
        name: "stats_sheets",
        columns: &[
            ("contact_id", Uuid),
            ("listener_id", Int),
            ("centre_id", Int),
            ("channel", Text),
            ("duration_seconds", Int),
            ("age_band", Text),
            ("gender", Text),
            ("contact_kind", Text),
            ("risk", Text),
            ("debrief_wanted", Bool),
            ("created_at", Int),
        ],
    },
    Table {
        name: "stats_sheet_themes",
        columns: &[("contact_id", Uuid), ("position", Int32), ("theme", Text)],
    },
    Table {
        name: "campaigns",
        columns: &[
            ("code", Text),
            ("name", Text),
            ("starts_day", Int),
            ("ends_day", Int),
            ("created_at", Int),
        ],
    },
    Table {
        name: "campaign_counts",
        columns: &[
            ("campaign", Text),
            ("day", Int),
            ("event", Text),
            ("count", Int),
        ],
    },
    Table {
        name: "stories",
        columns: &[
            ("story_key", Text),
            ("fr_name", Text),
            ("fr_facade", Text),
            ("fr_hidden", Text),
            ("en_name", Text),
            ("en_facade", Text),
            ("en_hidden", Text),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "written_threads",
        columns: &[
            ("id", Uuid),
            ("code_hash", Text),
            ("centre_id", Int),
            ("created_at", Int),
            ("last_activity", Int),
            ("waiting_since", Int),
            ("priority", Int32),
            ("claimed_by", Int),
            ("claimed_at", Int),
            ("claimed_until", Int),
            ("last_seq", Int),
        ],
    },
    Table {
        name: "written_messages",
        columns: &[
            ("thread_id", Uuid),
            ("seq", Int),
            ("author", Text),
            ("client_id", Text),
            ("body", Text),
            ("at", Int),
            ("listener_id", Int),
        ],
    },
    Table {
        name: "written_drafts",
        columns: &[
            ("thread_id", Uuid),
            ("listener_id", Int),
            ("body", Text),
            ("saved_at", Int),
        ],
    },
    Table {
        name: "volunteer_applications",
        columns: &[
            ("id", Uuid),
            ("received_at", Int),
            ("campaign", Text),
            ("stage", Text),
            ("stage_since", Int),
            ("furthest", Text),
            ("training_minutes", Int),
            ("name", Text),
            ("email", Text),
            ("phone", Text),
            ("city", Text),
            ("availability", Text),
            ("motivation", Text),
            ("erased_at", Int),
            ("user_id", Int),
        ],
    },
    Table {
        name: "volunteer_events",
        columns: &[
            ("application_id", Uuid),
            ("seq", Int),
            ("at", Int),
            ("user_id", Int),
            ("kind", Text),
            ("stage", Text),
            ("minutes", Int),
            ("note", Text),
        ],
    },
    Table {
        name: "personal_data_reads",
        columns: &[
            ("at", Int),
            ("user_id", Int),
            ("application_id", Uuid),
            ("action", Text),
        ],
    },
    Table {
        name: "account_setups",
        columns: &[
            ("token_hash", Text),
            ("user_id", Int),
            ("expires_at", Int),
            ("used_at", Int),
        ],
    },
    Table {
        name: "alerts",
        columns: &[
            ("id", Uuid),
            ("centre_id", Int),
            ("contact_id", Uuid),
            ("listener_id", Int),
            ("kind", Text),
            ("raised_at", Int),
            ("resolved_by", Int),
            ("resolved_at", Int),
        ],
    },
    Table {
        name: "whispers",
        columns: &[
            ("contact_id", Uuid),
            ("seq", Int),
            ("from_id", Int),
            ("body", Text),
            ("at", Int),
        ],
    },
    Table {
        name: "triage_scores",
        columns: &[
            ("contact_id", Uuid),
            ("version", Text),
            ("level", Text),
            ("other", Text),
            ("triggers", Text),
            ("at", Int),
        ],
    },
    Table {
        name: "priority_changes",
        columns: &[
            ("at", Int),
            ("user_id", Int),
            ("contact_id", Uuid),
            ("from_priority", Int),
            ("to_priority", Int),
        ],
    },
    Table {
        name: "conversation_reads",
        columns: &[("at", Int), ("reader_id", Int), ("contact_id", Uuid)],
    },
];

/// Tables of the schema that [`TABLES`] leaves out on purpose: state of the running
/// instances, not of the installation (see the module documentation).
pub const RUNTIME_TABLES: &[&str] = &["bus_payloads", "instances"];

/// Tables whose integer `id` a backend generates (PostgreSQL identity columns); after an
/// import their generators must continue after the largest id copied.
pub(crate) const GENERATED_IDS: &[&str] = &["centres", "users"];

/// The centre every fresh store is created with (see the first migration). A target holding
/// only that row is still empty.
const DEFAULT_CENTRE_ID: i64 = 1;

/// One column's value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// Text (and contact ids).
    Text(String),
}

/// One row: a value per column of its [`Table`].
pub type Row = Vec<Value>;

/// A whole store's content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dump {
    /// Every table of [`TABLES`], in that order, its rows sorted (so that two dumps of the
    /// same content compare equal whatever the backend).
    pub tables: Vec<(&'static str, Vec<Row>)>,
}

impl Dump {
    /// Rows per table.
    pub fn counts(&self) -> Vec<TableCount> {
        self.tables
            .iter()
            .map(|(name, rows)| TableCount {
                table: name,
                rows: rows.len() as u64,
            })
            .collect()
    }
}

/// How many rows a table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableCount {
    /// Table name.
    pub table: &'static str,
    /// Rows.
    pub rows: u64,
}

/// Export and import of a whole store.
#[async_trait]
pub trait Transfer: Send + Sync {
    /// Rows per table of [`TABLES`], from one consistent snapshot.
    async fn table_counts(&self) -> StoreResult<Vec<TableCount>>;
    /// Every row of every table of [`TABLES`], from one consistent snapshot.
    async fn export_all(&self) -> StoreResult<Dump>;
    /// Writes `dump` into this store in one transaction: all of it or nothing.
    /// [`StoreError::Conflict`] if the store is not empty (it may only hold the default
    /// centre every fresh store has, which the dump's centres replace). Generated ids
    /// continue after the largest one imported.
    async fn import_all(&self, dump: &Dump) -> StoreResult<()>;
}

/// `SELECT` of every column of `table`.
fn select_all(table: &Table) -> String {
    let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
    format!("SELECT {} FROM {}", columns.join(", "), table.name)
}

/// Checks that `dump` fits [`TABLES`] (every table, in order; rows of the right width; values
/// of each column's kind), so that a dump from another version is refused before anything is
/// written, and binding a value can then not fail. Error messages name tables and columns,
/// never values (they could be conversation text).
fn validate(dump: &Dump) -> StoreResult<()> {
    if dump.tables.len() != TABLES.len() {
        return Err(StoreError::Config(format!(
            "the data to import has {} tables, this version of ecoute has {}",
            dump.tables.len(),
            TABLES.len()
        )));
    }
    for (table, (name, rows)) in TABLES.iter().zip(&dump.tables) {
        if *name != table.name {
            return Err(StoreError::Config(format!(
                "the data to import has table {name} where {} was expected",
                table.name
            )));
        }
        for row in rows {
            if row.len() != table.columns.len() {
                return Err(StoreError::Config(format!(
                    "a row of {name} has {} values for {} columns",
                    row.len(),
                    table.columns.len()
                )));
            }
            for (value, (column, kind)) in row.iter().zip(table.columns) {
                let fits = match (kind, value) {
                    (_, Value::Null) | (Int, Value::Int(_)) | (Bool, Value::Bool(_)) => true,
                    (Text, Value::Text(_)) => true,
                    (Int32, Value::Int(n)) => i32::try_from(*n).is_ok(),
                    // Canonical form only: SQLite compares ids as text.
                    (Uuid, Value::Text(s)) => {
                        uuid::Uuid::parse_str(s).is_ok_and(|u| u.to_string() == *s)
                    }
                    _ => false,
                };
                if !fits {
                    return Err(StoreError::Config(format!(
                        "{name}.{column}: a value that is not of kind {kind:?}"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// `INSERT INTO table (columns) ` — the start of a multi-row insert.
fn insert_into(table: &Table) -> String {
    let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
    format!("INSERT INTO {} ({}) ", table.name, columns.join(", "))
}

/// Rows per multi-row `INSERT`: well under both backends' limits on bound parameters
/// (SQLite 32,766; PostgreSQL 65,535).
fn chunk_rows(table: &Table) -> usize {
    (10_000 / table.columns.len()).max(1)
}

/// Why a target is not empty, from its counts: `None` when it is.
fn not_empty(counts: &[TableCount], default_centre_only: bool) -> Option<String> {
    let filled: Vec<String> = counts
        .iter()
        .filter(|c| c.rows > 0 && !(c.table == "centres" && default_centre_only && c.rows == 1))
        .map(|c| format!("{} ({} rows)", c.table, c.rows))
        .collect();
    if filled.is_empty() {
        None
    } else {
        Some(format!(
            "the target database is not empty: {}; copy-data only writes into a fresh database",
            filled.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::{RUNTIME_TABLES, TABLES};
    use std::collections::BTreeMap;

    /// [`TABLES`] names every table and column of the schema but the [`RUNTIME_TABLES`]: a
    /// migration that adds one and forgets copy-data fails here. (PostgreSQL has the same
    /// migrations, checked in `lib.rs`; the conformance case reads every listed column on
    /// both backends.)
    #[tokio::test]
    async fn tables_cover_the_whole_schema() {
        let store = crate::sqlite::SqliteStore::connect("sqlite::memory:")
            .await
            .expect("store");
        let pool = store.read_pool();
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
        )
        .fetch_all(pool)
        .await
        .expect("tables");
        let mut schema = BTreeMap::new();
        for name in names {
            if RUNTIME_TABLES.contains(&name.as_str()) {
                continue;
            }
            let mut columns: Vec<String> =
                sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{name}')"))
                    .fetch_all(pool)
                    .await
                    .expect("columns");
            columns.sort();
            schema.insert(name, columns);
        }
        let listed: BTreeMap<String, Vec<String>> = TABLES
            .iter()
            .map(|t| {
                let mut columns: Vec<String> =
                    t.columns.iter().map(|(c, _)| (*c).to_owned()).collect();
                columns.sort();
                (t.name.to_owned(), columns)
            })
            .collect();
        assert_eq!(listed, schema);
    }
}
