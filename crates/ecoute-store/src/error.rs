//! The store's one error type: each variant says what happened, so that callers map it once
//! (the web layer in its `From<StoreError>`) without reading messages.

use ecoute_domain::{ResendError, StageError, ThreadRefusal, TransitionError};

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// Another account already has this username.
    #[error("the username {0:?} is already taken")]
    UsernameTaken(String),
    /// The contact already has its statistics sheet.
    #[error("this contact already has a statistics sheet")]
    SheetExists,
    /// The centre's queue already holds its maximum of waiting people.
    #[error("the queue is full right now; please try again in a few minutes")]
    QueueFull,
    /// The listener already holds as many conversations as they may.
    #[error("this listener already holds as many conversations as they may")]
    AtCapacity,
    /// The written inbox holds its maximum of open threads.
    #[error("too many written threads are open right now; please try again later")]
    InboxFull,
    /// A written thread's rules refuse this now (a refusal of the domain).
    #[error(transparent)]
    Thread(#[from] ThreadRefusal),
    /// The volunteer pipeline's rules refuse this move (a refusal of the domain).
    #[error(transparent)]
    Stage(#[from] StageError),
    /// As many applications as allowed are kept; a new one is refused.
    #[error("too many applications are waiting to be read; please try again later")]
    ApplicationsFull,
    /// Too many concurrent writes got in the way; the same call may succeed if retried.
    #[error("the queue is too busy right now; try again")]
    Busy,
    /// Too many writes are already waiting for the database: nothing was written; the same
    /// call may succeed a moment later.
    #[error("too many writes are waiting; nothing was saved, try again in a moment")]
    Overloaded,
    /// The transaction this write shared with others failed (or the store's writer stopped):
    /// nothing of it was written; the text says why.
    #[error("the write was not committed: {0}")]
    Aborted(String),
    /// The contact's rules forbid this now (a refusal of the domain).
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// A resent message's id belongs to the other side of the conversation.
    #[error(transparent)]
    Resend(#[from] ResendError),
    /// Another uniqueness rule refused the write (an id or token already in use, a backup
    /// file that exists, an import into a store that is not empty); the text says which.
    #[error("{0}")]
    Conflict(String),
    /// The database URL or options are unusable.
    #[error("database configuration: {0}")]
    Config(String),
    /// A stored value that the code cannot read (a bug or a hand-edited database).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// SQLite's writing connection failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Applying migrations failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
