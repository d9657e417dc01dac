//! The application layer's one error type: each variant says what happened, so that the web
//! maps it once to frames and HTTP statuses, and the CLI to messages.

use ecoute_domain::{
    ApplicationError, CampaignError, MessageError, StageError, StoryError, ThreadRefusal,
    TransitionError, UserError, WhisperError,
};
use ecoute_store::StoreError;

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

/// Why a use case did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such contact, account or session.
    #[error("not found")]
    NotFound,
    /// The conversation is over; nothing more can happen to it.
    #[error("the conversation has already ended")]
    ContactEnded,
    /// A listener acted on a conversation that is not (or no longer) theirs.
    #[error("this conversation is not yours")]
    NotYourContact,
    /// Another rule of the contact's lifecycle refuses this now.
    #[error(transparent)]
    Refused(TransitionError),
    /// The message id is already used in the conversation (by the other side).
    #[error("this message id is already used in the conversation; send it with a new id")]
    DuplicateMessageId,
    /// The centre's queue holds its maximum of waiting people.
    #[error("the queue is full right now; please try again in a few minutes")]
    QueueFull,
    /// The listener already holds as many conversations as they may.
    #[error("this listener already holds as many conversations as they may")]
    AtCapacity,
    /// A listener reached the cap on continuous duty (minutes): a pause first.
    #[error("you have been on duty for {0} minutes without a break: take a pause before the next person")]
    DutyCap(u64),
    /// A listener pressed "next" while not available.
    #[error("set your presence to available to take a contact")]
    NotAvailable,
    /// A new account's field breaks the account rules.
    #[error(transparent)]
    InvalidAccount(#[from] UserError),
    /// Another account already has this username.
    #[error("the username {0:?} is already taken")]
    UsernameTaken(String),
    /// An administrator tried to disable their own account.
    #[error("you cannot disable your own account")]
    OwnAccount,
    /// The contact already has its statistics sheet.
    #[error("this contact already has a statistics sheet")]
    SheetExists,
    /// A campaign's code, name or dates break the rules.
    #[error(transparent)]
    InvalidCampaign(#[from] CampaignError),
    /// An edited story breaks the rules (or names no shipped story).
    #[error(transparent)]
    InvalidStory(#[from] StoryError),
    /// Another campaign already has this code.
    #[error("a campaign with the code {0} exists already")]
    CampaignExists(String),
    /// No written thread has this code (a wrong code, or a thread deleted since). Says
    /// nothing more: not how close it was, not whether it ever existed.
    #[error("no thread has this code")]
    UnknownCode,
    /// A typed retrieval code is not eight words of one list.
    #[error("a code is eight words, as it was given")]
    MalformedCode,
    /// The written inbox holds its maximum of open threads.
    #[error("too many written threads are open right now; please try again later")]
    InboxFull,
    /// A written thread's rules refuse this now (another listener holds it, no claim, full).
    #[error(transparent)]
    Thread(#[from] ThreadRefusal),
    /// An application form breaks the rules (a field missing or too long, no consent…).
    #[error(transparent)]
    InvalidApplication(#[from] ApplicationError),
    /// The pipeline's rules refuse this move (or the application was erased).
    #[error(transparent)]
    Stage(#[from] StageError),
    /// As many applications as allowed keep their personal data.
    #[error("too many applications are waiting to be read; please try again later")]
    ApplicationsFull,
    /// A note about an applicant is empty or too long.
    #[error("a note has 1 to 2000 characters")]
    InvalidNote,
    /// A supervisor's note to a listener is empty or too long.
    #[error(transparent)]
    InvalidWhisper(#[from] WhisperError),
    /// A priority set by hand outside its range.
    #[error("a priority is between 0 and 9")]
    InvalidPriority,
    /// Only staff who may supervise read a conversation that is not theirs.
    #[error("you may not read this conversation")]
    NotSupervisor,
    /// A message's text breaks the rules (empty, too long, control characters).
    #[error(transparent)]
    InvalidMessage(#[from] MessageError),
    /// Hashing a password failed (ours, not the caller's).
    #[error("could not hash the password: {0}")]
    Hash(String),
    /// Too many writes were waiting for the database: nothing was saved; the same call may
    /// succeed in a moment.
    #[error("too many writes are waiting; nothing was saved, try again in a moment")]
    Overloaded,
    /// The store failed (the database, a busy queue, a corrupt value): ours, not the
    /// caller's. Retrying may succeed when [`StoreError::Busy`].
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::QueueFull => AppError::QueueFull,
            StoreError::AtCapacity => AppError::AtCapacity,
            StoreError::Overloaded => AppError::Overloaded,
            StoreError::UsernameTaken(name) => AppError::UsernameTaken(name),
            StoreError::SheetExists => AppError::SheetExists,
            StoreError::Resend(_) => AppError::DuplicateMessageId,
            StoreError::InboxFull => AppError::InboxFull,
            StoreError::Thread(refusal) => AppError::Thread(refusal),
            StoreError::Stage(refusal) => AppError::Stage(refusal),
            StoreError::ApplicationsFull => AppError::ApplicationsFull,
            StoreError::Transition(TransitionError::AlreadyEnded) => AppError::ContactEnded,
            StoreError::Transition(TransitionError::NotYourContact) => AppError::NotYourContact,
            StoreError::Transition(t) => AppError::Refused(t),
            other => AppError::Store(other),
        }
    }
}
