//! Persistence for ecoute, behind traits, and the real-time event bus.
//!
//! Each area of the data has its own trait ([`UserStore`], [`SessionStore`], [`ContactStore`],
//! [`MessageStore`], [`PresenceStore`], [`StatsStore`], [`CampaignStore`], [`StoryStore`], [`WrittenStore`], [`VolunteerStore`], [`SupervisionStore`], [`InstanceStore`]); [`Store`] is all of
//! them. One implementation, [`SqlStore`], serves both backends — SQLite (the embedded
//! default) and PostgreSQL (several instances): each method's SQL is written once in
//! `src/sql/` (a file per trait), and a [`Dialect`] (`src/dialect/`) says what differs. Both
//! must pass the same conformance suite (crate `ecoute-store-conformance`). [`connect`]
//! chooses the backend from the URL.
//!
//! Adding a store method: declare it on its trait here, write its SQL once in the trait's
//! file under `src/sql/` (only what SQL cannot say alike on both backends goes into
//! [`Dialect`]), and add its cases to the trait's file in `ecoute-store-conformance`, whose
//! check fails until both backends run them. A schema change adds a migration to each of
//! `migrations/sqlite` and `migrations/postgres` (a test compares their versions).
//!
//! [`transfer::Transfer`] (part of [`Store`]) exports and imports a whole store as plain rows,
//! so that an installation moves between backends (`ecoute copy-data`).
//!
//! Real-time events go through an [`EventBus`]: [`LocalBus`] within one instance,
//! [`bus_postgres::PgBus`] (LISTEN/NOTIFY) across instances sharing a PostgreSQL database.
//!
//! Every method that changes state does so atomically: the rules of
//! [`ecoute_domain::contact`] hold even when several listeners press "next" at once or several
//! instances share one database.

pub mod bus;
pub mod bus_postgres;
mod dialect;
mod error;
mod query;
mod sql;
pub mod transfer;
mod types;

pub use bus::{EventBus, LocalBus};
pub use dialect::{postgres, sqlite, Dialect, SqlStore};
pub use ecoute_domain::Sender;
pub use error::{StoreError, StoreResult};
pub use types::*;

use async_trait::async_trait;
use ecoute_domain::{
    Alert, AlertId, AnsweredShare, ConversationRead, PriorityChange, TriageRecord, Whisper,
};
use ecoute_domain::{Application, ApplicationEvent, ApplicationId, Stage};
use ecoute_domain::{
    Campaign, CampaignCount, CentreId, ClientMessageId, Contact, ContactId, Day, Message,
    MessageBody, Presence, QueueEntry, StatsSheet, Story, Thread, ThreadId, Timestamp, Transition,
    UserId, WrittenMessage,
};
use std::sync::Arc;

/// Staff accounts.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates an account. [`StoreError::Conflict`] if the username is taken.
    async fn create_user(&self, new: &NewUser, now: Timestamp) -> StoreResult<User>;
    /// The account with this id.
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// The account with this (normalised) username and its password hash, for login.
    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>>;
    /// Every account, by username.
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    /// How many accounts exist (a fresh install has none).
    async fn count_users(&self) -> StoreResult<u64>;
    /// Replaces the password hash. [`StoreError::NotFound`] if there is no such account.
    async fn set_password_hash(&self, id: UserId, hash: &str) -> StoreResult<()>;
    /// Disables or re-enables an account; disabling also ends its sessions.
    async fn set_disabled(&self, id: UserId, disabled: bool) -> StoreResult<()>;
    /// The enabled account whose one-time link hashes to `token_hash`, if the link is unused
    /// and has not expired at `now`.
    async fn account_setup(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<User>>;
    /// Sets the password of the link's account and uses the link up, in one step (a link
    /// works once). [`StoreError::NotFound`] if it is unknown, used, expired or its account
    /// disabled.
    async fn complete_account_setup(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<UserId>;
}

/// Staff login sessions. Only a hash of the session token is stored.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Records a new session.
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The session with this token hash, if it has not expired at `now` and its account is
    /// enabled.
    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<Session>>;
    /// Ends a session (logout). Ending an unknown session is not an error.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Deletes sessions expired at `now`; returns how many.
    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;
}

/// Contacts: the queue and the lifecycle of conversations.
#[async_trait]
pub trait ContactStore: Send + Sync {
    /// Creates a waiting contact (queued at `new.now`), unless `new.max_waiting` people already
    /// wait in its centre's queue: [`StoreError::QueueFull`]. Counting and inserting are one
    /// atomic step, so the maximum holds under any burst of concurrent joins.
    async fn create_contact(&self, new: &NewContact) -> StoreResult<Contact>;
    /// The contact with this id.
    async fn contact(&self, id: ContactId) -> StoreResult<Option<Contact>>;
    /// The contact whose resume token hashes to `resume_hash` (a person coming back).
    async fn contact_by_resume(&self, resume_hash: &str) -> StoreResult<Option<Contact>>;
    /// Atomically gives `listener` the head of `centre`'s queue (see
    /// [`QueueEntry::serve_order`]), unless they already have `capacity` active contacts.
    /// Two concurrent calls never get the same contact, and a waiting contact is never
    /// skipped over.
    /// [`StoreError::NotFound`] if there is no such listener.
    async fn take_next(
        &self,
        centre: CentreId,
        listener: UserId,
        capacity: u32,
        now: Timestamp,
    ) -> StoreResult<TakeOutcome>;
    /// Atomically applies `transition` (any but `Take`, which is [`ContactStore::take_next`])
    /// and returns the contact after it. [`StoreError::Transition`] when the rules forbid it,
    /// [`StoreError::NotFound`] when there is no such contact.
    ///
    /// Ending sets `ended_at`, and `wait_seconds` if nobody had answered; requeueing clears
    /// the listener from the state, sets `returning` and `queued_at = now`.
    async fn transition(
        &self,
        id: ContactId,
        transition: Transition,
        now: Timestamp,
    ) -> StoreResult<Contact>;
    /// Applies `transition` like [`ContactStore::transition`], but only if `away` still
    /// holds in the same transaction: `None` (nothing changed) when the person or listener
    /// came back meanwhile. The sweeper ends or requeues conversations with it, so a
    /// reconnection at the same instant is never overruled.
    async fn transition_if_away(
        &self,
        id: ContactId,
        transition: Transition,
        away: Away,
        now: Timestamp,
    ) -> StoreResult<Option<Contact>>;
    /// Ends, as [`ecoute_domain::EndReason::NeverConnected`], every waiting contact that
    /// arrived at `created_before` or earlier and whose person never connected (no
    /// [`ContactStore::attach_person`] ever), and returns them. Each is ended by one call only,
    /// and a contact whose person attaches meanwhile is left alone.
    async fn end_never_connected(
        &self,
        created_before: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Vec<Contact>>;
    /// Sets a contact's risk priority (triage; higher is served first) and returns the
    /// contact. [`StoreError::Transition`] if it has ended, [`StoreError::NotFound`] when
    /// there is no such contact.
    async fn set_priority(&self, id: ContactId, priority: i32) -> StoreResult<Contact>;
    /// The waiting contacts of `centre` (any order; the caller sorts with the domain rule).
    async fn waiting(&self, centre: CentreId) -> StoreResult<Vec<QueueEntry>>;
    /// The contacts in conversation with `listener`.
    async fn active_for_listener(&self, listener: UserId) -> StoreResult<Vec<Contact>>;
    /// Talk times (seconds, answer to end) of the `limit` most recently ended answered chat
    /// contacts of `centre`, newest first (written replies have no talk time).
    async fn recent_talk_seconds(&self, centre: CentreId, limit: u32) -> StoreResult<Vec<i64>>;
    /// Records that connection `conn` now carries the person's side (clears any absence).
    async fn attach_person(&self, id: ContactId, conn: i64) -> StoreResult<()>;
    /// Records that connection `conn` closed at `now`, if it is still the person's current
    /// one; returns whether it was.
    async fn detach_person(&self, id: ContactId, conn: i64, now: Timestamp) -> StoreResult<bool>;
    /// Contacts not ended whose person has been away since `before` or earlier.
    async fn persons_away_since(&self, before: Timestamp) -> StoreResult<Vec<ContactId>>;
}

/// Messages of conversations.
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Commits a message with the next sequence number of its conversation, and returns it
    /// only once committed. A second call with the same `(contact, client_id)` stores nothing
    /// and returns the first message with `created = false`, whatever the contact's state.
    ///
    /// Refused with [`StoreError::Transition`] if the contact has ended, or if a listener
    /// writes to a conversation that is not theirs; [`StoreError::NotFound`] if there is no
    /// such contact.
    async fn append_message(
        &self,
        contact: ContactId,
        sender: Sender,
        client_id: &ClientMessageId,
        body: &MessageBody,
        now: Timestamp,
    ) -> StoreResult<Appended>;
    /// Messages of `contact` with `seq > after_seq`, in order, at most `limit`.
    async fn messages_after(
        &self,
        contact: ContactId,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// Deletes the text of every conversation that ended at or before `ended_before` (and
    /// its resume token); returns how many messages were deleted.
    async fn purge_messages(&self, ended_before: Timestamp) -> StoreResult<u64>;
}

/// Listeners' presence and connections.
#[async_trait]
pub trait PresenceStore: Send + Sync {
    /// Sets a listener's presence.
    async fn set_presence(
        &self,
        user: UserId,
        presence: Presence,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Sets a listener offline if they have been away since `before` or earlier, in one
    /// statement, so a listener who came back meanwhile keeps their presence. Returns
    /// whether it changed anything.
    async fn set_offline_if_away(
        &self,
        user: UserId,
        before: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// A listener's presence (`Offline` if never set).
    async fn presence(&self, user: UserId) -> StoreResult<Presence>;
    /// A listener's presence and since when it is what it is (`None`: never set). Setting the
    /// same presence again keeps its time.
    async fn presence_since(&self, user: UserId) -> StoreResult<(Presence, Option<Timestamp>)>;
    /// Records that connection `conn` now carries the listener's workspace.
    async fn attach_listener(&self, user: UserId, conn: i64) -> StoreResult<()>;
    /// Records that connection `conn` closed at `now`, if it is still the listener's current
    /// one; returns whether it was.
    async fn detach_listener(&self, user: UserId, conn: i64, now: Timestamp) -> StoreResult<bool>;
    /// Listeners whose workspace has been away since `before` or earlier and who still hold
    /// something to release: a presence other than `Offline`, or a conversation. (A listener
    /// already released is not reported again at every sweep.)
    async fn listeners_away_since(&self, before: Timestamp) -> StoreResult<Vec<UserId>>;
    /// Listeners of `centre` who are available, and how many of those have no conversation.
    async fn duty(&self, centre: CentreId) -> StoreResult<Duty>;
    /// Per centre with anyone waiting, talking or on duty: the queue, the conversations and
    /// the listeners now, for monitoring. In centre order.
    async fn live_counts(&self) -> StoreResult<Vec<CentreCounts>>;
}

/// Anonymous statistics sheets.
#[async_trait]
pub trait StatsStore: Send + Sync {
    /// Saves the sheet of an ended contact that `listener` answered last.
    /// [`StoreError::Conflict`] if it already has one; [`StoreError::Transition`] if the
    /// contact has not ended or was not theirs.
    async fn save_sheet(
        &self,
        sheet: &StatsSheet,
        listener: UserId,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The sheet of a contact.
    async fn sheet(&self, contact: ContactId) -> StoreResult<Option<StatsSheet>>;
    /// Ended, answered contacts whose last listener is `listener` and that have no sheet yet.
    async fn pending_sheets(&self, listener: UserId) -> StoreResult<Vec<Contact>>;
}

/// Campaigns and their aggregate counters (see [`ecoute_domain::campaign`]): nothing per
/// person is stored.
#[async_trait]
pub trait CampaignStore: Send + Sync {
    /// Declares a campaign. [`StoreError::Conflict`] if its code is taken.
    async fn create_campaign(&self, campaign: &Campaign, now: Timestamp) -> StoreResult<()>;
    /// Every campaign, by first day, then code.
    async fn campaigns(&self) -> StoreResult<Vec<Campaign>>;
    /// Adds each count to its counter (which starts at 0), all in one transaction; safe to
    /// call from several instances at once. The caller counts only declared campaigns.
    async fn add_campaign_counts(&self, counts: &[CampaignCount]) -> StoreResult<()>;
    /// The counters of the days `from` to `to` (both included), by day, campaign and event;
    /// a counter never added to is absent.
    async fn campaign_counts(&self, from: Day, to: Day) -> StoreResult<Vec<CampaignCount>>;
}

/// The campaign page's stories as staff edited them (see [`ecoute_domain::story`]); a shipped
/// story that was never edited has no row.
#[async_trait]
pub trait StoryStore: Send + Sync {
    /// Every edited story, by key.
    async fn saved_stories(&self) -> StoreResult<Vec<Story>>;
    /// Saves `story` (both languages), replacing what was saved under its key.
    async fn save_story(&self, story: &Story, now: Timestamp) -> StoreResult<()>;
}

/// Anonymous written threads (see [`ecoute_domain::written`]): found by their code's hash
/// alone, answered by listeners who claim them first, deleted whole after inactivity.
#[async_trait]
pub trait WrittenStore: Send + Sync {
    /// Opens a thread with its first message, unless `new.max_threads` threads are open
    /// ([`StoreError::InboxFull`]; counting and inserting are one atomic step). A thread with
    /// the same code hash already there (the same form sent again) is returned with
    /// `created = false` and nothing stored.
    async fn open_thread(&self, new: &NewThread) -> StoreResult<Written>;
    /// The thread whose code hashes to `code_hash`.
    async fn thread_by_code(&self, code_hash: &str) -> StoreResult<Option<Thread>>;
    /// The thread with this id.
    async fn thread(&self, id: ThreadId) -> StoreResult<Option<Thread>>;
    /// Every message of a thread, in order.
    async fn thread_messages(&self, id: ThreadId) -> StoreResult<Vec<WrittenMessage>>;
    /// Commits a message to a thread with its next `seq`. The person may always write (until
    /// the thread is full); a listener only while their claim holds
    /// ([`StoreError::Thread`]), and their reply ends the wait, the claim and their draft, and
    /// is recorded as an ended contact of the `message` channel whose sheet they owe. A
    /// second call with the same `(id, client_id)` stores nothing and returns the first
    /// message with `created = false`. [`StoreError::NotFound`] if there is no such thread.
    async fn write_to_thread(
        &self,
        id: ThreadId,
        sender: Sender,
        client_id: &ClientMessageId,
        body: &MessageBody,
        now: Timestamp,
    ) -> StoreResult<Written>;
    /// Gives `listener` the thread for [`ecoute_domain::written::CLAIM_MINUTES`] (renews it
    /// if theirs), unless another listener's claim holds ([`StoreError::Thread`]). Two
    /// concurrent calls never both succeed.
    async fn claim_thread(
        &self,
        id: ThreadId,
        listener: UserId,
        now: Timestamp,
    ) -> StoreResult<Thread>;
    /// Ends `listener`'s claim (nothing if it is not theirs); their draft stays theirs.
    async fn release_thread(&self, id: ThreadId, listener: UserId) -> StoreResult<()>;
    /// Keeps `listener`'s draft reply and renews their claim, which must hold
    /// ([`StoreError::Thread`]).
    async fn save_draft(
        &self,
        id: ThreadId,
        listener: UserId,
        body: &str,
        now: Timestamp,
    ) -> StoreResult<Thread>;
    /// `listener`'s draft of a reply to the thread.
    async fn draft(&self, id: ThreadId, listener: UserId) -> StoreResult<Option<String>>;
    /// The threads of `centre` whose person waits for a reply, by priority, then the
    /// longest waiting (see [`ecoute_domain::written::inbox_order`]), at most `limit`.
    async fn inbox(&self, centre: CentreId, limit: u32) -> StoreResult<Vec<Thread>>;
    /// Deletes a thread and everything in it; whether it existed.
    async fn delete_thread(&self, id: ThreadId) -> StoreResult<bool>;
    /// Deletes every thread whose last activity is at or before `inactive_before`, with its
    /// messages and drafts; how many threads.
    async fn purge_threads(&self, inactive_before: Timestamp) -> StoreResult<u64>;
}

/// Volunteer applications and the association's pipeline (see
/// [`ecoute_domain::volunteer`]), with the audit of every read of candidates' personal data.
#[async_trait]
pub trait VolunteerStore: Send + Sync {
    /// Records an application at stage "received", unless `new.max_kept` applications keep
    /// their personal data ([`StoreError::ApplicationsFull`]; counting and inserting are one
    /// atomic step).
    async fn create_application(&self, new: &NewApplication) -> StoreResult<Application>;
    /// The application with this id (erased ones too: their anonymous trace).
    async fn application(&self, id: ApplicationId) -> StoreResult<Option<Application>>;
    /// Every application, newest first.
    async fn applications(&self) -> StoreResult<Vec<Application>>;
    /// What happened to an application, in order.
    async fn application_events(&self, id: ApplicationId) -> StoreResult<Vec<ApplicationEvent>>;
    /// Moves an application to `to` (the domain's rules: [`StoreError::Stage`]), recording
    /// who did it and, if given, why (a note). [`StoreError::NotFound`] if there is none.
    async fn move_application(
        &self,
        id: ApplicationId,
        to: Stage,
        by: UserId,
        note: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Application>;
    /// Makes the application's candidate an active listener: moves it to
    /// [`Stage::Active`] (the domain's rules), creates their account from `account`
    /// ([`StoreError::UsernameTaken`] if the name is taken) and records its one-time link,
    /// all in one transaction.
    async fn activate_application(
        &self,
        id: ApplicationId,
        by: UserId,
        account: &NewUser,
        setup: &AccountSetup,
        now: Timestamp,
    ) -> StoreResult<(Application, User)>;
    /// Gives the account an active application became a new one-time link (the earlier
    /// unused ones stop working); the account. [`StoreError::NotFound`] if it has none,
    /// [`StoreError::Stage`] if the candidate left or was erased, [`StoreError::Conflict`] once
    /// the listener has set their password (a link would then take the account over).
    async fn renew_account_setup(
        &self,
        id: ApplicationId,
        setup: &AccountSetup,
    ) -> StoreResult<UserId>;
    /// Adds a note about the applicant.
    async fn note_application(
        &self,
        id: ApplicationId,
        by: UserId,
        note: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Logs `minutes` of training (the domain's rules: during training only).
    async fn log_training(
        &self,
        id: ApplicationId,
        by: UserId,
        minutes: i64,
        now: Timestamp,
    ) -> StoreResult<Application>;
    /// Erases an application's personal data and its notes, keeping its anonymous trace;
    /// whether there was anything to erase.
    async fn erase_application(&self, id: ApplicationId, now: Timestamp) -> StoreResult<bool>;
    /// Erases the personal data of every application that left the pipeline at or before
    /// `left_before` without its candidate becoming an active listener; how many.
    async fn erase_left_applications(
        &self,
        left_before: Timestamp,
        now: Timestamp,
    ) -> StoreResult<u64>;
    /// Records an access to personal data (the audit).
    async fn record_personal_read(
        &self,
        by: UserId,
        application: Option<ApplicationId>,
        action: ReadAction,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The audited accesses to one application, newest first, at most `limit`.
    async fn personal_reads(
        &self,
        application: ApplicationId,
        limit: u32,
    ) -> StoreResult<Vec<PersonalRead>>;
}

/// Live supervision: alerts that call a supervisor, supervisors' private notes to a
/// listener, the audit of conversation reads, and what the live board shows.
#[async_trait]
pub trait SupervisionStore: Send + Sync {
    /// Raises an alert, unless one of the same kind is already open for the conversation:
    /// then that one, with `false` (pressing "alert" twice calls the supervisors once).
    /// [`StoreError::NotFound`] if the contact or listener does not exist.
    async fn raise_alert(&self, new: &NewAlert) -> StoreResult<(Alert, bool)>;
    /// The alert with this id.
    async fn alert(&self, id: AlertId) -> StoreResult<Option<Alert>>;
    /// Resolves an alert (a supervisor is on it); an alert already resolved stays as it was.
    /// [`StoreError::NotFound`] if there is no such alert.
    async fn resolve_alert(&self, id: AlertId, by: UserId, now: Timestamp) -> StoreResult<Alert>;
    /// The open alerts of `centre`, oldest first.
    async fn open_alerts(&self, centre: CentreId) -> StoreResult<Vec<Alert>>;
    /// Adds a supervisor's note to a conversation in progress. [`StoreError::Transition`]
    /// (the contact is not active) or [`StoreError::NotFound`].
    async fn add_whisper(
        &self,
        contact: ContactId,
        from: UserId,
        body: &str,
        now: Timestamp,
    ) -> StoreResult<Whisper>;
    /// The supervisors' notes of a conversation, in order.
    async fn whispers(&self, contact: ContactId) -> StoreResult<Vec<Whisper>>;
    /// Records that `reader`, who is not its listener, read `contact`.
    async fn record_conversation_read(
        &self,
        reader: UserId,
        contact: ContactId,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Merges what the triage read in a waiting person's message into the contact's record
    /// (the highest levels, the words of both) and returns the record as now stored.
    /// [`StoreError::NotFound`] if there is no such contact.
    async fn record_triage(
        &self,
        contact: ContactId,
        record: &TriageRecord,
    ) -> StoreResult<TriageRecord>;
    /// The triage record of a contact, if its words raised anything.
    async fn triage(&self, contact: ContactId) -> StoreResult<Option<TriageRecord>>;
    /// The triage records of the people waiting in `centre`.
    async fn waiting_triage(&self, centre: CentreId)
        -> StoreResult<Vec<(ContactId, TriageRecord)>>;
    /// A supervisor sets the priority of a *waiting* contact by hand (up or down), recorded
    /// in the same step (who, from what, to what, when). Returns the contact after it and the
    /// priority before. [`StoreError::Transition`] (`NotWaiting`, `AlreadyEnded`) once a
    /// listener has it or it ended; [`StoreError::NotFound`].
    async fn set_priority_by_hand(
        &self,
        contact: ContactId,
        by: UserId,
        priority: i32,
        now: Timestamp,
    ) -> StoreResult<(Contact, i32)>;
    /// Hands a conversation in progress to listener `to` (a supervisor's warm transfer, or
    /// their taking it over), unless `to` already holds `capacity` conversations
    /// ([`StoreError::AtCapacity`]). Returns the contact after it and the listener who had it.
    /// [`StoreError::Transition`] (`NotActive`, `AlreadyEnded`, `SameListener`),
    /// [`StoreError::NotFound`].
    async fn transfer_contact(
        &self,
        contact: ContactId,
        to: UserId,
        capacity: u32,
    ) -> StoreResult<(Contact, UserId)>;
    /// The latest priorities changed by hand, newest first.
    async fn priority_changes(&self, limit: u32) -> StoreResult<Vec<PriorityChange>>;
    /// The latest conversation reads, newest first.
    async fn conversation_reads(&self, limit: u32) -> StoreResult<Vec<ConversationRead>>;
    /// The conversations in progress in `centre`, the longest first.
    async fn in_progress(&self, centre: CentreId) -> StoreResult<Vec<Ongoing>>;
    /// The listeners of `centre` who are available or on pause, by pseudonym.
    async fn roster(&self, centre: CentreId) -> StoreResult<Vec<RosterEntry>>;
    /// Of the chats of `centre` that arrived since `since`, how many were answered and how
    /// many are settled (answered, or ended unanswered; never-connected ones are no person).
    async fn answered_share(
        &self,
        centre: CentreId,
        since: Timestamp,
    ) -> StoreResult<AnsweredShare>;
}

/// Liveness of the instances sharing the store, so that the connections of an instance that
/// died without closing them (SIGKILL, a lost host) are still seen as closed.
///
/// Connection ids carry their instance: the `conn` given to [`ContactStore::attach_person`]
/// and [`PresenceStore::attach_listener`] is an [`ecoute_domain::ConnectionId`], whose
/// instance is `conn >> 32`.
#[async_trait]
pub trait InstanceStore: Send + Sync {
    /// Records that `instance` is alive at `now` (called every few seconds by each instance).
    async fn heartbeat(&self, instance: i64, now: Timestamp) -> StoreResult<()>;
    /// Instances whose last heartbeat is at or before `stale_before` are dead: their
    /// connections are treated as closed at their last heartbeat (as by
    /// [`ContactStore::detach_person`] and [`PresenceStore::detach_listener`], for every
    /// connection whose instance is a dead one and that is not already detached), and the
    /// instance rows are deleted. Returns the contacts (not ended) whose person was on a dead
    /// instance and the listeners whose workspace was, so the caller can tell the other side.
    ///
    /// Safe to run on every instance at once: each dead instance is processed by exactly one
    /// call (its row is deleted in the same transaction that detaches its connections), so a
    /// later or concurrent call does not report it again. An instance that heartbeats again
    /// afterwards (it was only paused) is simply alive again; its old connections stay
    /// detached until it attaches them anew.
    async fn detach_dead_instances(&self, stale_before: Timestamp) -> StoreResult<DeadConnections>;
}

/// Everything ecoute persists, and the export and import of all of it.
pub trait Store:
    UserStore
    + SessionStore
    + ContactStore
    + MessageStore
    + PresenceStore
    + StatsStore
    + CampaignStore
    + StoryStore
    + WrittenStore
    + VolunteerStore
    + SupervisionStore
    + InstanceStore
    + transfer::Transfer
{
}

impl<T> Store for T where
    T: UserStore
        + SessionStore
        + ContactStore
        + MessageStore
        + PresenceStore
        + StatsStore
        + CampaignStore
        + StoryStore
        + WrittenStore
        + VolunteerStore
        + SupervisionStore
        + InstanceStore
        + transfer::Transfer
{
}

/// Opens the store named by `url` and brings its schema up to date.
/// `sqlite://PATH` (created if missing) is the embedded default; `postgres://…` or
/// `postgresql://…` selects PostgreSQL, for several instances sharing one database.
pub async fn connect(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(url).await?))
    } else {
        Err(StoreError::Config(format!(
            "unsupported database URL scheme in {:?}: use sqlite://PATH or postgres://…",
            url.split(':').next().unwrap_or("")
        )))
    }
}

/// A store and the event bus that goes with it: the in-process bus for SQLite (one instance),
/// PostgreSQL LISTEN/NOTIFY for PostgreSQL (events cross every instance on the database).
pub async fn connect_with_bus(url: &str) -> StoreResult<(Arc<dyn Store>, Arc<dyn EventBus>)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = postgres::PgStore::connect(url).await?;
        let bus = bus_postgres::PgBus::start(store.pool().clone()).await?;
        Ok((Arc::new(store), Arc::new(bus)))
    } else {
        Ok((connect(url).await?, Arc::new(LocalBus::new())))
    }
}

#[cfg(test)]
mod tests {
    use sqlx::migrate::Migrator;

    fn versions(m: &Migrator) -> Vec<(i64, String)> {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    }

    /// Both backends must describe the same schema history: a migration added to one and
    /// not the other fails here.
    #[test]
    fn both_backends_have_the_same_migrations() {
        let sqlite = versions(&crate::sqlite::MIGRATOR);
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, versions(&crate::postgres::MIGRATOR));
    }
}
