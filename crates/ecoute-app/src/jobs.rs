//! What runs in the background, one pass at a time (the web layer schedules the passes):
//! instance heartbeats, the sweep that applies the reconnection delays, and the purge.
//!
//! The sweep: a person who does not come back ends their contact (abandoned while waiting,
//! vanished in conversation); a listener who does not come back sends their conversations
//! back to the head of the queue and goes offline; a contact whose page never connected
//! within `hello_grace_seconds` leaves the queue as never connected, so that joins nobody
//! follows up cannot fill the queue for good. The state lives in the store (who is away since
//! when), so that any instance's sweep can act, and the guarded transitions make sure only
//! one does. The sockets of an instance that died without closing them count as closed.

use ecoute_domain::{Author, Event, Timestamp, Topic, Transition, UserId};
use ecoute_store::{Away, StoreError};

use crate::publish::publish_contact_change;
use crate::{App, AppResult};

/// An instance is taken for dead, its sockets for closed, after this long without a
/// heartbeat (instances heartbeat every few seconds).
pub const DEAD_AFTER_MS: i64 = 15_000;

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    /// Contacts whose page never connected, taken out of the queue (or from the listener
    /// who had taken one).
    pub never_connected: u64,
    /// Contacts ended because their person did not come back in time.
    pub vanished: u64,
    /// Conversations sent back to the queue because their listener did not come back.
    pub requeued: u64,
}

/// What one purge deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PurgeReport {
    /// Messages of conversations ended long enough ago.
    pub messages: u64,
    /// Expired staff sessions.
    pub sessions: u64,
    /// Written threads inactive long enough, deleted whole.
    pub threads: u64,
    /// Applications whose candidate left long enough ago, their personal data erased.
    pub applications: u64,
}

/// `seconds` before `now`.
fn before(now: Timestamp, seconds: u64) -> Timestamp {
    now.plus_millis(-i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX))
}

impl App {
    /// Records that `instance` is alive now.
    pub async fn heartbeat(&self, instance: i64) -> AppResult<()> {
        self.store.heartbeat(instance, self.now()).await?;
        Ok(())
    }

    /// One sweep pass (see the module's documentation).
    pub async fn sweep(&self) -> AppResult<SweepReport> {
        let now = self.now();
        let s = &self.settings;
        let mut report = SweepReport::default();

        // Sockets of an instance that died (killed, crashed) never closed: the store now
        // counts them as closed at the instance's last heartbeat, and the other side is told.
        let dead = self
            .store
            .detach_dead_instances(now.plus_millis(-DEAD_AFTER_MS))
            .await?;
        for contact in dead.persons {
            self.connection_event(contact, Author::Person, true).await;
        }
        for listener in dead.listeners {
            for contact in self.store.active_for_listener(listener).await? {
                self.connection_event(contact.id, Author::Listener, true)
                    .await;
            }
        }

        // Joined but never connected: nobody is there to tell; the queue changes, and a
        // listener who took such a contact in the meantime is told it ended.
        let ghosts = self
            .store
            .end_never_connected(before(now, s.hello_grace_seconds), now)
            .await?;
        for contact in &ghosts {
            publish_contact_change(self.bus.as_ref(), contact).await;
        }
        if !ghosts.is_empty() {
            tracing::info!(
                count = ghosts.len(),
                "contacts whose page never connected left the queue"
            );
        }
        report.never_connected = ghosts.len() as u64;

        let person_cutoff = before(now, s.person_return_seconds);
        for id in self.store.persons_away_since(person_cutoff).await? {
            let away = Away::Person {
                before: person_cutoff,
            };
            match self
                .store
                .transition_if_away(id, Transition::PersonVanishes, away, now)
                .await
            {
                Ok(Some(contact)) => {
                    report.vanished += 1;
                    publish_contact_change(self.bus.as_ref(), &contact).await;
                }
                // Back in time, or ended meanwhile by someone else: nothing to do.
                Ok(None) | Err(StoreError::Transition(_)) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }

        let listener_cutoff = before(now, s.listener_return_seconds);
        for user in self.store.listeners_away_since(listener_cutoff).await? {
            report.requeued += self.release_listener(user, listener_cutoff).await?;
        }
        Ok(report)
    }

    /// Sends the conversations of a listener absent since `cutoff` back to the queue and sets
    /// them offline, unless they come back meanwhile. Returns how many went back.
    async fn release_listener(&self, user: UserId, cutoff: Timestamp) -> AppResult<u64> {
        let now = self.now();
        let away = Away::Listener {
            user,
            before: cutoff,
        };
        let mut requeued = 0;
        for contact in self.store.active_for_listener(user).await? {
            match self
                .store
                .transition_if_away(contact.id, Transition::Requeue, away, now)
                .await
            {
                Ok(Some(contact)) => {
                    tracing::info!("listener away too long: conversation back to the queue");
                    requeued += 1;
                    publish_contact_change(self.bus.as_ref(), &contact).await;
                }
                // Back in time: they keep their conversations and their presence.
                Ok(None) => return Ok(requeued),
                Err(StoreError::Transition(_)) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if self.store.set_offline_if_away(user, cutoff, now).await? {
            if let Some(u) = self.store.user(user).await? {
                self.publish(
                    Topic::Centre(u.centre),
                    Event::QueueChanged { centre: u.centre },
                )
                .await;
            }
        }
        Ok(requeued)
    }

    /// Deletes conversation text `purge_after_hours` after the conversation ended, and
    /// expired staff sessions. The statistics sheet stays: it holds no text.
    pub async fn purge(&self) -> AppResult<PurgeReport> {
        let now = self.now();
        let cutoff = before(now, self.settings.purge_after_hours.saturating_mul(3600));
        let messages = self.store.purge_messages(cutoff).await?;
        let sessions = self.store.delete_expired_sessions(now).await?;
        let threads = self.purge_threads().await?;
        let applications = self.erase_expired_applications().await?;
        if messages > 0 || sessions > 0 || threads > 0 || applications > 0 {
            tracing::info!(
                messages,
                sessions,
                threads,
                applications,
                "purged conversation text, inactive written threads, expired sessions and \
                 the personal data of candidates who left"
            );
        }
        Ok(PurgeReport {
            messages,
            sessions,
            threads,
            applications,
        })
    }
}
