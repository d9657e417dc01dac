//! Anonymous written messaging (see [`ecoute_domain::written`]): a person opens a thread
//! without any account and gets a retrieval code; with it alone they read the replies, write
//! again and delete the thread. Listeners answer from the inbox, claiming a thread first.
//!
//! Codes are checked by their keyed slow hash, which costs 19 MiB and tens of milliseconds:
//! at most one hash per core runs at once ([`Codes`]), a request waits for its turn a moment
//! and is then refused as [`AppError::Overloaded`]. How many lookups may be tried at all (a
//! global budget and one per first word) is the transport's business, as for joins.

use ecoute_domain::written::MAX_WRITTEN_CHARS;
use ecoute_domain::{
    CentreId, ClientMessageId, MessageBody, RetrievalCode, Sender, Thread, ThreadId, Timestamp,
    UserId, WordList, WrittenMessage,
};
use ecoute_store::{NewThread, StoreError, Written};
use std::time::Duration;
use tokio::sync::Semaphore;

use crate::retrieval::{code_hash, form_code, CodeKey};
use crate::{App, AppError, AppResult};

/// The settings of written messaging.
#[derive(Debug, Clone)]
pub struct WrittenSettings {
    /// Longest message, in characters (at most [`MAX_WRITTEN_CHARS`]).
    pub max_chars: usize,
    /// A thread without any message or draft for this many days is deleted whole.
    pub purge_after_days: u64,
    /// Threads open at once at most; beyond, new ones are refused ([`AppError::InboxFull`]).
    pub max_threads: u64,
}

impl Default for WrittenSettings {
    fn default() -> Self {
        WrittenSettings {
            max_chars: MAX_WRITTEN_CHARS,
            purge_after_days: 30,
            max_threads: 10_000,
        }
    }
}

/// The key of codes and the bound on their hashes running at once.
pub struct Codes {
    key: CodeKey,
    hashes: Semaphore,
}

/// How long a request waits for a free hash before it is refused.
const HASH_WAIT: Duration = Duration::from_secs(2);

impl Codes {
    /// One hash per core at once, under `key` (a random one if `None`).
    pub fn new(key: Option<CodeKey>) -> Codes {
        let key = key.unwrap_or_else(CodeKey::random);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Codes {
            key,
            hashes: Semaphore::new(cores),
        }
    }
}

/// A thread as its person sees it: the code that opens it, and everything in it.
#[derive(Debug, Clone)]
pub struct PersonThread {
    /// The code (shown once, on opening; the page keeps it in its forms only).
    pub code: RetrievalCode,
    /// The thread.
    pub thread: Thread,
    /// Its messages, in order.
    pub messages: Vec<WrittenMessage>,
    /// False when this was the same form sent again.
    pub created: bool,
}

/// A thread as a listener sees it.
#[derive(Debug, Clone)]
pub struct ListenerThread {
    /// The thread.
    pub thread: Thread,
    /// Its messages, in order.
    pub messages: Vec<WrittenMessage>,
    /// The listener's own draft of a reply.
    pub draft: Option<String>,
}

impl App {
    /// The written settings in force.
    pub fn written_settings(&self) -> &WrittenSettings {
        &self.settings.written
    }

    fn written_body(&self, text: &str) -> AppResult<MessageBody> {
        let max = self.settings.written.max_chars.min(MAX_WRITTEN_CHARS);
        Ok(MessageBody::parse(text, max)?)
    }

    /// The keyed slow hash of `code`, once a hash is free.
    async fn hash_of(&self, code: &RetrievalCode) -> AppResult<String> {
        let _permit = tokio::time::timeout(HASH_WAIT, self.codes.hashes.acquire())
            .await
            .map_err(|_| AppError::Overloaded)?
            .map_err(|_| AppError::Overloaded)?;
        code_hash(code, self.codes.key.bytes()).await
    }

    /// Opens a thread with `text`, for the form `token` (random, given with the page) in the
    /// word list of the page's language. The same form sent again opens nothing more and
    /// gets the same code and thread back.
    pub async fn open_thread(
        &self,
        token: &[u8; 16],
        list: WordList,
        text: &str,
    ) -> AppResult<PersonThread> {
        let body = self.written_body(text)?;
        let code = form_code(token, list, &self.codes.key);
        let code_hash = self.hash_of(&code).await?;
        let client_id = form_message_id(token)?;
        let new = NewThread {
            id: ThreadId::new_random(),
            code_hash,
            centre: CentreId::DEFAULT,
            client_id,
            body,
            now: self.now(),
            max_threads: self.settings.written.max_threads,
        };
        let written = match self.store.open_thread(&new).await {
            // The same form, twice at the same instant: the second finds the first's thread.
            Err(StoreError::Conflict(_)) => self.store.open_thread(&new).await?,
            other => other?,
        };
        let messages = self.store.thread_messages(written.thread.id).await?;
        Ok(PersonThread {
            code,
            thread: written.thread,
            messages,
            created: written.created,
        })
    }

    /// The thread that `code` opens, with its messages. [`AppError::UnknownCode`] if none.
    pub async fn thread_for_code(&self, code: &RetrievalCode) -> AppResult<PersonThread> {
        let thread = self.thread_of_code(code).await?;
        let messages = self.store.thread_messages(thread.id).await?;
        Ok(PersonThread {
            code: code.clone(),
            thread,
            messages,
            created: false,
        })
    }

    async fn thread_of_code(&self, code: &RetrievalCode) -> AppResult<Thread> {
        let hash = self.hash_of(code).await?;
        self.store
            .thread_by_code(&hash)
            .await?
            .ok_or(AppError::UnknownCode)
    }

    /// The person writes again in `opened`, the thread their code opened (with
    /// [`App::thread_for_code`]: the code is checked first, so that a refused text says
    /// nothing about a code the budgets have not counted); `client_id` (the form's) makes a
    /// form sent twice store one message.
    pub async fn write_again(
        &self,
        opened: &PersonThread,
        client_id: &ClientMessageId,
        text: &str,
    ) -> AppResult<PersonThread> {
        let body = self.written_body(text)?;
        let id = opened.thread.id;
        let written = self
            .store
            .write_to_thread(id, Sender::Person, client_id, &body, self.now())
            .await?;
        let messages = self.store.thread_messages(id).await?;
        Ok(PersonThread {
            code: opened.code.clone(),
            thread: written.thread,
            messages,
            created: written.created,
        })
    }

    /// Deletes the thread that `code` opens, with everything in it.
    pub async fn delete_thread_by_code(&self, code: &RetrievalCode) -> AppResult<()> {
        let thread = self.thread_of_code(code).await?;
        self.store.delete_thread(thread.id).await?;
        Ok(())
    }

    /// The threads waiting for a reply in `centre`, in the inbox's order, at most `limit`.
    pub async fn inbox(&self, centre: CentreId, limit: u32) -> AppResult<Vec<Thread>> {
        Ok(self.store.inbox(centre, limit).await?)
    }

    /// A thread as `listener` sees it (their draft included).
    pub async fn listener_thread(
        &self,
        id: ThreadId,
        listener: UserId,
    ) -> AppResult<ListenerThread> {
        let thread = self.store.thread(id).await?.ok_or(AppError::NotFound)?;
        let messages = self.store.thread_messages(id).await?;
        let draft = self.store.draft(id, listener).await?;
        Ok(ListenerThread {
            thread,
            messages,
            draft,
        })
    }

    /// `listener` takes the thread to answer it.
    pub async fn claim_thread(&self, id: ThreadId, listener: UserId) -> AppResult<Thread> {
        Ok(self.store.claim_thread(id, listener, self.now()).await?)
    }

    /// `listener` leaves the thread to others (their draft stays theirs).
    pub async fn release_thread(&self, id: ThreadId, listener: UserId) -> AppResult<()> {
        self.store.thread(id).await?.ok_or(AppError::NotFound)?;
        Ok(self.store.release_thread(id, listener).await?)
    }

    /// Keeps `listener`'s draft of a reply (and their claim). An empty draft is kept as
    /// empty: the listener cleared it.
    pub async fn save_reply_draft(
        &self,
        id: ThreadId,
        listener: UserId,
        text: &str,
    ) -> AppResult<Thread> {
        if !text.trim().is_empty() {
            // The same rules as a message: a draft is one to come (an empty one is cleared).
            self.written_body(text)?;
        }
        Ok(self
            .store
            .save_draft(id, listener, text, self.now())
            .await?)
    }

    /// Sends `listener`'s reply; `client_id` (the form's) makes a form sent twice send once.
    pub async fn reply_in_thread(
        &self,
        id: ThreadId,
        listener: UserId,
        client_id: &ClientMessageId,
        text: &str,
    ) -> AppResult<Written> {
        let body = self.written_body(text)?;
        Ok(self
            .store
            .write_to_thread(id, Sender::Listener(listener), client_id, &body, self.now())
            .await?)
    }

    /// Deletes the threads without activity for the configured days; how many.
    pub async fn purge_threads(&self) -> AppResult<u64> {
        let days = self.settings.written.purge_after_days;
        let ms = i64::try_from(days.saturating_mul(86_400_000)).unwrap_or(i64::MAX);
        let cutoff = Timestamp(self.now().0.saturating_sub(ms));
        Ok(self.store.purge_threads(cutoff).await?)
    }
}

/// The first message's id of the form `token`.
fn form_message_id(token: &[u8; 16]) -> AppResult<ClientMessageId> {
    let hex: String = token.iter().map(|b| format!("{b:02x}")).collect();
    ClientMessageId::parse(&format!("form-{hex}"))
        .map_err(|_| AppError::Hash("form message id".into()))
}

#[cfg(test)]
mod tests {
    use crate::testing::app;
    use crate::AppError;
    use ecoute_domain::{Author, ClientMessageId, ThreadRefusal, WordList};

    fn cid(s: &str) -> ClientMessageId {
        ClientMessageId::parse(s).expect("id")
    }

    #[tokio::test]
    async fn a_person_writes_reads_with_the_code_and_deletes() {
        let (app, clock) = app().await;
        let token = [3u8; 16];
        let opened = app
            .open_thread(&token, WordList::French, "Je n'ose pas appeler.")
            .await
            .expect("open");
        assert!(opened.created);
        let again = app
            .open_thread(&token, WordList::French, "Je n'ose pas appeler.")
            .await
            .expect("again");
        assert!(!again.created);
        assert_eq!(again.code, opened.code);
        assert_eq!(again.thread.id, opened.thread.id);

        let typed = ecoute_domain::RetrievalCode::parse(&opened.code.words().to_uppercase())
            .expect("typed");
        let read = app.thread_for_code(&typed).await.expect("read");
        assert_eq!(read.messages.len(), 1);
        clock.advance(std::time::Duration::from_secs(60));
        let more = app
            .write_again(&read, &cid("m2"), "Et la nuit c'est pire.")
            .await
            .expect("write");
        assert_eq!(more.messages.len(), 2);
        let wrong = ecoute_domain::RetrievalCode::parse(
            &crate::retrieval::new_code(WordList::French)
                .expect("code")
                .words(),
        )
        .expect("parse");
        assert!(matches!(
            app.thread_for_code(&wrong).await,
            Err(AppError::UnknownCode)
        ));
        assert!(matches!(
            app.open_thread(&[4u8; 16], WordList::French, "  ").await,
            Err(AppError::InvalidMessage(_))
        ));
        app.delete_thread_by_code(&typed).await.expect("delete");
        assert!(matches!(
            app.thread_for_code(&typed).await,
            Err(AppError::UnknownCode)
        ));
    }

    #[tokio::test]
    async fn a_listener_claims_drafts_and_replies_and_the_purge_counts_days() {
        let (app, clock) = app().await;
        let lina = app
            .create_account(crate::accounts::AccountFields {
                username: "lina",
                pseudonym: "Lina",
                role: "listener",
                password: "a long password here",
                centre: ecoute_domain::CentreId::DEFAULT,
            })
            .await
            .expect("account")
            .id;
        let opened = app
            .open_thread(&[5u8; 16], WordList::English, "Hello")
            .await
            .expect("open");
        let id = opened.thread.id;
        assert!(matches!(
            app.reply_in_thread(id, lina, &cid("r1"), "Hi").await,
            Err(AppError::Thread(ThreadRefusal::NotClaimed))
        ));
        app.claim_thread(id, lina).await.expect("claim");
        app.save_reply_draft(id, lina, "Hi, I")
            .await
            .expect("draft");
        assert_eq!(
            app.listener_thread(id, lina).await.expect("read").draft,
            Some("Hi, I".into())
        );
        let sent = app
            .reply_in_thread(id, lina, &cid("r1"), "Hi, I read you.")
            .await
            .expect("reply");
        assert_eq!(sent.message.author, Author::Listener);
        let seen = app.thread_for_code(&opened.code).await.expect("read");
        assert_eq!(seen.messages.len(), 2);
        assert!(app
            .inbox(ecoute_domain::CentreId::DEFAULT, 10)
            .await
            .expect("inbox")
            .is_empty());

        clock.advance(std::time::Duration::from_secs(29 * 86_400));
        assert_eq!(app.purge_threads().await.expect("purge"), 0);
        clock.advance(std::time::Duration::from_secs(86_400));
        assert_eq!(app.purge_threads().await.expect("purge"), 1);
        assert!(matches!(
            app.thread_for_code(&opened.code).await,
            Err(AppError::UnknownCode)
        ));
    }
}
