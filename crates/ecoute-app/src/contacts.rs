//! The contact's use cases: join the queue, take next, send a message, end (either side),
//! presence, and the connections of both sides coming and going.

use ecoute_domain::duty_cap_reached;
use ecoute_domain::{
    Author, CentreId, Channel, ClientMessageId, Contact, ContactId, Event, MessageBody, Presence,
    Topic, Transition, UserId,
};
use ecoute_store::{Appended, NewContact, Sender, TakeOutcome};

use crate::publish::{announce_message, publish_contact_change};
use crate::{App, AppError, AppResult};

impl App {
    /// A person joins `centre`'s queue; `resume_hash` is the hash of their resume token (the
    /// token itself is never stored). [`AppError::QueueFull`] when `max_waiting` people
    /// already wait: counted and inserted in one transaction, so a burst cannot overshoot.
    pub async fn join(&self, centre: CentreId, resume_hash: String) -> AppResult<Contact> {
        let contact = self
            .store
            .create_contact(&NewContact {
                id: ContactId::new_random(),
                centre,
                channel: Channel::Chat,
                resume_hash,
                now: self.now(),
                max_waiting: self.settings.max_waiting,
            })
            .await?;
        self.publish(Topic::Centre(centre), Event::QueueChanged { centre })
            .await;
        Ok(contact)
    }

    /// The person ends their conversation, or leaves the queue: the `end` frame and the quick
    /// exit's beacon alike. [`AppError::ContactEnded`] if it had already ended.
    pub async fn leave(&self, contact: ContactId) -> AppResult<Contact> {
        let ended = self
            .store
            .transition(contact, Transition::PersonEnds, self.now())
            .await?;
        publish_contact_change(self.bus.as_ref(), &ended).await;
        Ok(ended)
    }

    /// `listener` of `centre` presses "next": the head of the queue if they are available
    /// and below their capacity. [`AppError::NotAvailable`] unless their presence is
    /// available.
    pub async fn take_next(&self, centre: CentreId, listener: UserId) -> AppResult<TakeOutcome> {
        let (presence, since) = self.store.presence_since(listener).await?;
        if presence != Presence::Available {
            return Err(AppError::NotAvailable);
        }
        // Listener wellbeing: after the cap on continuous duty, a break before the next.
        if duty_cap_reached(since, self.now(), self.settings.max_duty_minutes) {
            return Err(AppError::DutyCap(self.settings.max_duty_minutes));
        }
        let outcome = self
            .store
            .take_next(
                centre,
                listener,
                self.settings.max_conversations,
                self.now(),
            )
            .await?;
        if let TakeOutcome::Taken(contact) = &outcome {
            publish_contact_change(self.bus.as_ref(), contact).await;
        }
        Ok(outcome)
    }

    /// Commits a message and announces it: what both sides do before their ack. A resend
    /// (same id) returns the first message with `created = false`, announced again.
    /// [`AppError::ContactEnded`], [`AppError::NotYourContact`] (a listener's),
    /// [`AppError::DuplicateMessageId`] (the id is the other side's).
    pub async fn send(
        &self,
        contact: ContactId,
        sender: Sender,
        client_id: &ClientMessageId,
        body: &MessageBody,
    ) -> AppResult<Appended> {
        let appended = self
            .store
            .append_message(contact, sender, client_id, body, self.now())
            .await?;
        announce_message(self.bus.as_ref(), &appended.message).await;
        if appended.created && sender == Sender::Person {
            // After the ack's commit and announcement: the triage is an aid, and its failure
            // must not refuse a message that is already saved.
            if let Err(e) = self.triage(contact, body.as_str()).await {
                tracing::warn!(error = %e, "triage failed");
            }
        }
        Ok(appended)
    }

    /// `listener` ends one of their conversations. [`AppError::ContactEnded`] if it had
    /// already ended, [`AppError::NotYourContact`] if it is not theirs.
    pub async fn end_by_listener(
        &self,
        contact: ContactId,
        listener: UserId,
    ) -> AppResult<Contact> {
        let t = Transition::ListenerEnds { listener };
        let ended = match self.store.transition(contact, t, self.now()).await {
            Ok(c) => c,
            Err(e) => {
                return Err(match AppError::from(e) {
                    AppError::NotFound | AppError::Refused(_) => AppError::NotYourContact,
                    other => other,
                })
            }
        };
        publish_contact_change(self.bus.as_ref(), &ended).await;
        Ok(ended)
    }

    /// Sets `listener`'s presence and tells their centre's board.
    pub async fn set_presence(
        &self,
        listener: UserId,
        centre: CentreId,
        presence: Presence,
    ) -> AppResult<()> {
        self.store
            .set_presence(listener, presence, self.now())
            .await?;
        self.publish(Topic::Centre(centre), Event::QueueChanged { centre })
            .await;
        Ok(())
    }

    /// Connection `conn` now carries the person's side of `contact`: any older one is
    /// replaced, and the listener hears that the person is back.
    pub async fn person_connected(&self, contact: ContactId, conn: i64) -> AppResult<()> {
        self.store.attach_person(contact, conn).await?;
        let topic = Topic::Contact(contact);
        self.publish(topic, Event::Replaced { connection: conn })
            .await;
        let back = Event::Connection {
            contact,
            author: Author::Person,
            away: false,
        };
        self.publish(topic, back).await;
        Ok(())
    }

    /// Connection `conn` of the person closed: if it was their current one, the absence is
    /// recorded (the sweep ends the contact if they do not come back in time) and the listener
    /// told. Returns whether it was.
    pub async fn person_left(&self, contact: ContactId, conn: i64) -> AppResult<bool> {
        let current = self.store.detach_person(contact, conn, self.now()).await?;
        if current {
            self.connection_event(contact, Author::Person, true).await;
        }
        Ok(current)
    }

    /// Connection `conn` now carries `listener`'s workspace: any older one is replaced.
    pub async fn listener_connected(&self, listener: UserId, conn: i64) -> AppResult<()> {
        self.store.attach_listener(listener, conn).await?;
        self.publish(
            Topic::Listener(listener),
            Event::Replaced { connection: conn },
        )
        .await;
        Ok(())
    }

    /// `listener`'s workspace is back for `contacts` (their conversations): each person is
    /// told.
    pub async fn listener_back(&self, contacts: &[ContactId]) {
        for &contact in contacts {
            self.connection_event(contact, Author::Listener, false)
                .await;
        }
    }

    /// Connection `conn` of `listener`'s workspace closed: if it was the current one, the
    /// absence is recorded (the sweep requeues their conversations if they do not come back
    /// in time) and the people in `contacts` are told. Returns whether it was.
    pub async fn listener_left(
        &self,
        listener: UserId,
        conn: i64,
        contacts: &[ContactId],
    ) -> AppResult<bool> {
        let current = self
            .store
            .detach_listener(listener, conn, self.now())
            .await?;
        if current {
            for &contact in contacts {
                self.connection_event(contact, Author::Listener, true).await;
            }
        }
        Ok(current)
    }

    /// Tells a conversation that one side's connection went away or came back.
    pub(crate) async fn connection_event(&self, contact: ContactId, author: Author, away: bool) {
        let event = Event::Connection {
            contact,
            author,
            away,
        };
        self.publish(Topic::Contact(contact), event).await;
    }
}
