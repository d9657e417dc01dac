//! Records the store reads and writes, beside the domain types.

use ecoute_domain::{
    ApplicationId, CampaignCode, Candidate, CentreId, Channel, ClientMessageId, Contact, ContactId,
    Message, MessageBody, Pseudonym, Role, Thread, ThreadId, Timestamp, UserId, Username, Writer,
    WrittenMessage,
};
use serde::Serialize;

/// A staff account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub username: Username,
    /// Name shown to callers and colleagues.
    pub pseudonym: Pseudonym,
    /// Role.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Centre the account belongs to.
    pub centre: CentreId,
}

/// A staff account (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Pseudonym.
    pub pseudonym: String,
    /// Role.
    pub role: ecoute_domain::Role,
    /// Centre.
    pub centre: CentreId,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// Creation time.
    pub created_at: Timestamp,
}

/// An account with its password hash, for login only.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account.
    pub user: User,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// A session to record.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 (hex) of the session token; the token itself is only in the cookie.
    pub token_hash: String,
    /// Account.
    pub user: UserId,
    /// Token that forms must echo (CSRF protection).
    pub csrf_token: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Expiry time.
    pub expires_at: Timestamp,
}

/// A live session with its account.
#[derive(Debug, Clone)]
pub struct Session {
    /// SHA-256 (hex) of the session token.
    pub token_hash: String,
    /// The account.
    pub user: User,
    /// Token that forms must echo.
    pub csrf_token: String,
    /// Expiry time.
    pub expires_at: Timestamp,
}

/// A contact to create.
#[derive(Debug, Clone)]
pub struct NewContact {
    /// Its id (random).
    pub id: ContactId,
    /// Centre whose queue it joins.
    pub centre: CentreId,
    /// Channel.
    pub channel: Channel,
    /// SHA-256 (hex) of the person's resume token.
    pub resume_hash: String,
    /// Arrival time.
    pub now: Timestamp,
    /// The most people the centre's queue may hold (`chat.max_waiting`): a join beyond it is
    /// refused with [`crate::StoreError::QueueFull`].
    pub max_waiting: u64,
}

/// What "next" gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakeOutcome {
    /// The listener now talks with this contact.
    Taken(Contact),
    /// Nobody is waiting.
    QueueEmpty,
    /// The listener already has as many conversations as allowed.
    AtCapacity,
}

/// Result of [`crate::MessageStore::append_message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The committed message (the earlier one for a resend).
    pub message: Message,
    /// False when this was a resend of an already committed message.
    pub created: bool,
}

/// Listeners on duty in a centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Duty {
    /// Available listeners (free or in conversation).
    pub on_duty: usize,
    /// Available listeners with no conversation.
    pub free: usize,
}

/// What is happening now in one centre, for monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CentreCounts {
    /// The centre.
    pub centre: CentreId,
    /// People waiting in the queue.
    pub waiting: u64,
    /// Conversations under way.
    pub active: u64,
    /// Available listeners (free or in conversation).
    pub on_duty: u64,
    /// Available listeners with no conversation.
    pub free: u64,
}

/// Result of [`crate::InstanceStore::detach_dead_instances`]: the connections of instances
/// found dead, now recorded as closed at their instance's last heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeadConnections {
    /// Contacts not ended whose person was connected through a dead instance.
    pub persons: Vec<ContactId>,
    /// Listeners whose workspace was connected through a dead instance.
    pub listeners: Vec<UserId>,
}

/// Whose absence a [`crate::ContactStore::transition_if_away`] requires, and since when at
/// the latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Away {
    /// The contact's person, away since `before` or earlier.
    Person {
        /// Latest acceptable start of the absence.
        before: Timestamp,
    },
    /// A listener, away since `before` or earlier.
    Listener {
        /// The listener.
        user: UserId,
        /// Latest acceptable start of the absence.
        before: Timestamp,
    },
}

/// A written thread to open with its first message.
#[derive(Debug, Clone)]
pub struct NewThread {
    /// Its id (random).
    pub id: ThreadId,
    /// The keyed slow hash of its retrieval code: the only way to find it again.
    pub code_hash: String,
    /// The centre whose listeners answer it.
    pub centre: CentreId,
    /// The first message's id (the form's), so that a form sent twice stores it once.
    pub client_id: ClientMessageId,
    /// The first message.
    pub body: MessageBody,
    /// When it was written.
    pub now: Timestamp,
    /// The most threads open at once: beyond, [`crate::StoreError::InboxFull`].
    pub max_threads: u64,
}

/// Result of [`crate::WrittenStore::open_thread`] and [`crate::WrittenStore::write_to_thread`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The thread after the write.
    pub thread: Thread,
    /// The message (the earlier one when this was a resend).
    pub message: WrittenMessage,
    /// False when the same message (same client id) was already stored.
    pub created: bool,
    /// A listener's reply: the contact (channel `message`, ended) whose statistics sheet it
    /// owes. `None` for the person's messages and for a resend.
    pub sheet: Option<ContactId>,
}

/// An application to record, as the candidate sent it.
#[derive(Debug, Clone)]
pub struct NewApplication {
    /// Its id (random).
    pub id: ApplicationId,
    /// The validated form.
    pub candidate: Candidate,
    /// The declared campaign that brought the candidate, if any.
    pub campaign: Option<CampaignCode>,
    /// When it was sent.
    pub now: Timestamp,
    /// The most applications kept with their personal data: beyond, a new one is refused
    /// ([`crate::StoreError::ApplicationsFull`]).
    pub max_kept: u64,
}

/// A read of candidates' personal data, as the audit keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonalRead {
    /// When.
    pub at: Timestamp,
    /// Who read.
    pub by: Writer,
    /// Which application (`None`: the pipeline's list).
    pub application: Option<ApplicationId>,
    /// What they did.
    pub action: ReadAction,
}

/// What an audited access to personal data was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadAction {
    /// The pipeline's list, with names and cities.
    List,
    /// One application in full.
    Read,
    /// The erasure of an application's personal data.
    Erase,
}

impl ReadAction {
    /// Stable name used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadAction::List => "list",
            ReadAction::Read => "read",
            ReadAction::Erase => "erase",
        }
    }

    /// Inverse of [`ReadAction::as_str`].
    pub fn parse(s: &str) -> Option<ReadAction> {
        [ReadAction::List, ReadAction::Read, ReadAction::Erase]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// A one-time link that lets a new account set its password: only the token's hash is kept.
#[derive(Debug, Clone)]
pub struct AccountSetup {
    /// SHA-256 (hex) of the link's token.
    pub token_hash: String,
    /// When the link stops working.
    pub expires_at: Timestamp,
}

/// A new alert, for [`crate::SupervisionStore::raise_alert`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// Its id, chosen by the caller.
    pub id: ecoute_domain::AlertId,
    /// The conversation.
    pub contact: ContactId,
    /// The listener who raises it; `None` for triage's risk alert about a waiting person.
    pub listener: Option<UserId>,
    /// Why.
    pub kind: ecoute_domain::AlertKind,
    /// When.
    pub now: Timestamp,
}

/// A conversation in progress, as the live board shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ongoing {
    /// The contact (active).
    pub contact: Contact,
    /// Its listener's pseudonym.
    pub listener_pseudonym: String,
}

/// A listener who is not offline, as the live board shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// The account.
    pub user: UserId,
    /// Their pseudonym.
    pub pseudonym: String,
    /// Available or on pause.
    pub presence: ecoute_domain::Presence,
    /// Conversations they hold now.
    pub conversations: u32,
    /// Since when their presence is what it is (`None`: never set, only connected).
    pub since: Option<Timestamp>,
    /// Whether their workspace is disconnected right now.
    pub away: bool,
}
