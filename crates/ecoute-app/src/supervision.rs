//! Live supervision's use cases: a listener's alert, a debrief asked for by a sheet, the live
//! board, reading a conversation (recorded when the reader is not its listener), and a
//! supervisor's private notes to a listener.

use ecoute_domain::supervision::MAX_PRIORITY;
use ecoute_domain::triage::{assess, raise_priority};
use ecoute_domain::TriageRecord;
use ecoute_domain::{
    whisper_text, Alert, AlertId, AlertKind, AnsweredShare, CentreId, Contact, ContactId,
    ContactState, Event, Message, Permission, QueueEntry, Timestamp, Topic, UserId, Whisper,
};
use ecoute_domain::{ContactEvent, Presence};
use ecoute_store::{NewAlert, Ongoing, RosterEntry, StoreError, User};

use crate::publish::publish_contact_change;

use crate::{App, AppError, AppResult};

/// The window of the board's answered share.
pub const ANSWERED_WINDOW_MILLIS: i64 = 60 * 60 * 1000;

/// Everything a supervisor's live board shows about one centre, read at `now`.
#[derive(Debug, Clone, PartialEq)]
pub struct Board {
    /// When it was read.
    pub now: Timestamp,
    /// People waiting, in serve order.
    pub waiting: Vec<QueueEntry>,
    /// Conversations in progress, the longest first.
    pub ongoing: Vec<Ongoing>,
    /// Listeners available or on pause.
    pub roster: Vec<RosterEntry>,
    /// Open alerts, oldest first.
    pub alerts: Vec<Alert>,
    /// What the triage read in the words of the people waiting.
    pub triage: Vec<(ContactId, TriageRecord)>,
    /// Chats of the last hour answered, of those settled.
    pub answered_last_hour: AnsweredShare,
}

/// A conversation as a supervisor reads it: its messages and the supervisors' notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// The contact.
    pub contact: Contact,
    /// The pseudonym of its current or last listener.
    pub listener_pseudonym: Option<String>,
    /// Its messages so far.
    pub messages: Vec<Message>,
    /// The supervisors' notes to its listener.
    pub whispers: Vec<Whisper>,
}

impl App {
    /// `listener` calls a supervisor to one of their conversations in progress. Pressing it
    /// again while the alert is open changes nothing. [`AppError::NotYourContact`] unless
    /// the conversation is theirs and under way.
    pub async fn raise_help(&self, listener: UserId, contact: ContactId) -> AppResult<Alert> {
        let c = self
            .store
            .contact(contact)
            .await?
            .ok_or(AppError::NotYourContact)?;
        if c.state != (ContactState::Active { listener }) {
            return Err(AppError::NotYourContact);
        }
        self.raise(Some(listener), &c, AlertKind::Help).await
    }

    /// After a sheet that calls for care (high risk, or a debrief asked for): the
    /// supervisors see a debrief request.
    pub(crate) async fn request_debrief(
        &self,
        listener: UserId,
        contact: &Contact,
    ) -> AppResult<Alert> {
        self.raise(Some(listener), contact, AlertKind::Debrief)
            .await
    }

    async fn raise(
        &self,
        listener: Option<UserId>,
        contact: &Contact,
        kind: AlertKind,
    ) -> AppResult<Alert> {
        let (alert, created) = self
            .store
            .raise_alert(&NewAlert {
                id: AlertId::new_random(),
                contact: contact.id,
                listener,
                kind,
                now: self.now(),
            })
            .await?;
        if created {
            self.alerts_changed(alert.centre).await;
        }
        Ok(alert)
    }

    /// Reads what a waiting person wrote with the risk triage ([`ecoute_domain::triage`]):
    /// the words that raise a level are kept with the contact; its priority is raised (never
    /// lowered: only a supervisor lowers it); from a method up, or someone else's life at
    /// stake now, the supervisors on duty are alerted. Once a listener has answered, what the
    /// person writes is the listener's to hear, and triage stops.
    pub(crate) async fn triage(&self, contact: ContactId, text: &str) -> AppResult<()> {
        let assessment = assess(text);
        let Some(record) = TriageRecord::of(&assessment, self.now()) else {
            return Ok(());
        };
        let c = self
            .store
            .contact(contact)
            .await?
            .ok_or(AppError::NotFound)?;
        if c.state != ContactState::Waiting {
            return Ok(());
        }
        self.store.record_triage(contact, &record).await?;
        let priority = raise_priority(c.priority, &assessment);
        if priority > c.priority {
            match self.store.set_priority(contact, priority).await {
                Ok(raised) => publish_contact_change(self.bus.as_ref(), &raised).await,
                // Taken meanwhile: the listener has it, and sees the record.
                Err(StoreError::Transition(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if assessment.alerts_supervisor() {
            self.raise(None, &c, AlertKind::Risk).await?;
        }
        Ok(())
    }

    /// `supervisor` moves a waiting person of their centre up or down by hand (recorded:
    /// who, from what, to what, when). The triage only ever raises a priority; lowering one
    /// is a person's decision. [`AppError::InvalidPriority`] outside 0–[`MAX_PRIORITY`];
    /// [`AppError::Refused`]`(NotWaiting)` once a listener has answered.
    pub async fn change_priority(
        &self,
        supervisor: &User,
        contact: ContactId,
        priority: i32,
    ) -> AppResult<Contact> {
        may_supervise(supervisor)?;
        if !(0..=MAX_PRIORITY).contains(&priority) {
            return Err(AppError::InvalidPriority);
        }
        let c = self
            .store
            .contact(contact)
            .await?
            .ok_or(AppError::NotFound)?;
        if c.centre != supervisor.centre {
            return Err(AppError::NotFound);
        }
        let (changed, _) = self
            .store
            .set_priority_by_hand(contact, supervisor.id, priority, self.now())
            .await?;
        publish_contact_change(self.bus.as_ref(), &changed).await;
        Ok(changed)
    }

    /// `supervisor` hands a conversation in progress of their centre to listener `to`, or
    /// takes it over themselves (`to` = `None`): a warm transfer. The person is told in plain
    /// words; the former listener's workspace lets it go; the new one opens it with its
    /// messages and notes so far. `to` must be an enabled account of the centre that may
    /// listen, available, below its capacity ([`AppError::NotAvailable`],
    /// [`AppError::AtCapacity`]).
    pub async fn transfer(
        &self,
        supervisor: &User,
        contact: ContactId,
        to: Option<UserId>,
    ) -> AppResult<Contact> {
        may_supervise(supervisor)?;
        let to = to.unwrap_or(supervisor.id);
        let c = self
            .store
            .contact(contact)
            .await?
            .ok_or(AppError::NotFound)?;
        if c.centre != supervisor.centre {
            return Err(AppError::NotFound);
        }
        let listener = self.store.user(to).await?.ok_or(AppError::NotFound)?;
        if listener.centre != supervisor.centre
            || listener.disabled
            || !listener.role.may(Permission::Listen)
        {
            return Err(AppError::NotFound);
        }
        if self.store.presence(to).await? != Presence::Available {
            return Err(AppError::NotAvailable);
        }
        let (moved, from) = self
            .store
            .transfer_contact(contact, to, self.settings.max_conversations)
            .await?;
        let event = Event::Transferred {
            contact: ContactEvent::from(&moved),
            from,
        };
        self.publish(Topic::Contact(contact), event).await;
        self.publish(Topic::Listener(to), Event::Handed { contact })
            .await;
        self.publish(
            Topic::Centre(moved.centre),
            Event::QueueChanged {
                centre: moved.centre,
            },
        )
        .await;
        Ok(moved)
    }

    /// `supervisor` takes an alert in hand: it leaves every board. [`AppError::NotFound`]
    /// if there is no such alert in their centre.
    pub async fn resolve_alert(&self, supervisor: &User, id: AlertId) -> AppResult<Alert> {
        may_supervise(supervisor)?;
        let alert = self.store.alert(id).await?.ok_or(AppError::NotFound)?;
        if alert.centre != supervisor.centre {
            return Err(AppError::NotFound);
        }
        let resolved = self
            .store
            .resolve_alert(id, supervisor.id, self.now())
            .await?;
        if alert.is_open() {
            self.alerts_changed(resolved.centre).await;
        }
        Ok(resolved)
    }

    /// The live board of `supervisor`'s centre.
    pub async fn board(&self, supervisor: &User) -> AppResult<Board> {
        may_supervise(supervisor)?;
        let centre = supervisor.centre;
        let now = self.now();
        let mut waiting = self.store.waiting(centre).await?;
        // The store lists them in no order; the board shows whom "next" would take first.
        waiting.sort_by(|a, b| a.serve_order(b));
        Ok(Board {
            now,
            waiting,
            ongoing: self.store.in_progress(centre).await?,
            roster: self.store.roster(centre).await?,
            alerts: self.store.open_alerts(centre).await?,
            triage: self.store.waiting_triage(centre).await?,
            answered_last_hour: self
                .store
                .answered_share(centre, now.plus_millis(-ANSWERED_WINDOW_MILLIS))
                .await?,
        })
    }

    /// `reader` reads a conversation of their centre. Anyone but its listener must be
    /// allowed to supervise, and the read is recorded before anything is returned (who,
    /// which, when; never the text). [`AppError::NotFound`] for a contact of another centre.
    pub async fn read_conversation(
        &self,
        reader: &User,
        contact: ContactId,
    ) -> AppResult<Transcript> {
        let c = self
            .store
            .contact(contact)
            .await?
            .ok_or(AppError::NotFound)?;
        if c.centre != reader.centre {
            return Err(AppError::NotFound);
        }
        if c.listener != Some(reader.id) {
            may_supervise(reader)?;
            self.store
                .record_conversation_read(reader.id, contact, self.now())
                .await?;
        }
        let listener_pseudonym = match c.listener {
            Some(id) => self.store.user(id).await?.map(|u| u.pseudonym),
            None => None,
        };
        Ok(Transcript {
            listener_pseudonym,
            messages: self.all_messages(contact).await?,
            whispers: self.store.whispers(contact).await?,
            contact: c,
        })
    }

    /// `supervisor` writes privately to the listener of a conversation in progress; the
    /// person never sees it. [`AppError::InvalidWhisper`], [`AppError::ContactEnded`],
    /// [`AppError::NotFound`].
    pub async fn whisper(
        &self,
        supervisor: &User,
        contact: ContactId,
        text: &str,
    ) -> AppResult<Whisper> {
        may_supervise(supervisor)?;
        let text = whisper_text(text)?;
        let c = self
            .store
            .contact(contact)
            .await?
            .ok_or(AppError::NotFound)?;
        if c.centre != supervisor.centre {
            return Err(AppError::NotFound);
        }
        let whisper = self
            .store
            .add_whisper(contact, supervisor.id, &text, self.now())
            .await?;
        if let ContactState::Active { listener } = c.state {
            let event = Event::Whisper {
                whisper: whisper.clone(),
            };
            self.publish(Topic::Listener(listener), event).await;
        }
        Ok(whisper)
    }

    /// Every message of a conversation, read a page at a time.
    async fn all_messages(&self, contact: ContactId) -> AppResult<Vec<Message>> {
        const PAGE: u32 = 500;
        let mut all: Vec<Message> = Vec::new();
        loop {
            let after = all.last().map_or(0, |m| m.seq);
            let page = self.store.messages_after(contact, after, PAGE).await?;
            let full = page.len() == PAGE as usize;
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }

    /// Tells the centre's boards that its alerts changed.
    async fn alerts_changed(&self, centre: CentreId) {
        self.publish(Topic::Centre(centre), Event::AlertsChanged { centre })
            .await;
    }
}

fn may_supervise(user: &User) -> AppResult<()> {
    if user.role.may(Permission::Supervise) {
        Ok(())
    } else {
        Err(AppError::NotSupervisor)
    }
}
