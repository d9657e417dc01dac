//! The store's one error type.

use ecoute_domain::TransitionError;

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the write (e.g. a username already taken).
    #[error("{0}")]
    Conflict(String),
    /// The contact's rules forbid this now.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The database URL or options are unusable.
    #[error("database configuration: {0}")]
    Config(String),
    /// A stored value that the code cannot read (a bug or a hand-edited database).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying migrations failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
