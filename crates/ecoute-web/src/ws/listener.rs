//! The listener's socket: presence, "next", conversations, end.

use async_trait::async_trait;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use ecoute_app::AppError;
use ecoute_domain::{
    Author, CentreId, ClientMessageId, Contact, ContactEvent, ContactId, ContactState,
    ContactStatus, EndReason, Event, MessageBody, Presence, QueueSnapshot, Topic, UserId,
};
use ecoute_protocol::{
    Audience, CloseCode, ConversationOut, ErrorCode, ErrorOut, ListenerIn, ListenerOut,
    PendingSheetOut, WhisperOut,
};
use ecoute_store::{Sender, StoreError, TakeOutcome};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::conn::{self, Flow, FrameKind, Io, Refusal, Side};
use super::delivery::Delivered;
use super::transport;
use crate::auth::{Allowed, Listening, StaffSession};
use crate::error::WebError;
use crate::metrics::Side as MetricSide;
use crate::state::AppState;

/// `GET /ws/listener`: needs a staff session and a same-origin request.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    headers: HeaderMap,
    Allowed { session, .. }: Allowed<Listening>,
) -> Result<Response, WebError> {
    super::check_origin(&headers, &state.config.public_url)?;
    // The communication team has a session but never a conversation.
    Ok(transport::limited(ws)
        .on_upgrade(move |socket| conn::run::<ListenerConn>(socket, state, session)))
}

/// One connection of a listener's workspace.
pub(crate) struct ListenerConn {
    state: AppState,
    session: StaffSession,
    conn: i64,
    delivered: Delivered,
    last_board: Option<(usize, usize, usize)>,
    /// The hello's `last_seqs`, used once by the welcome.
    seen: HashMap<String, i64>,
}

#[async_trait]
impl Side for ListenerConn {
    type In = ListenerIn;
    type Auth = StaffSession;
    const METRIC: MetricSide = MetricSide::Listener;
    // Sessions also expire by time, which no event announces.
    const TICK: Option<Duration> = Some(Duration::from_secs(30));

    fn kind(frame: &ListenerIn) -> FrameKind<'_> {
        match frame {
            ListenerIn::Hello { .. } => FrameKind::Hello,
            ListenerIn::Send { contact_id, id, .. } => FrameKind::Message {
                id,
                contact_id: Some(contact_id),
            },
            ListenerIn::Typing { .. } => FrameKind::Typing,
            ListenerIn::Ping => FrameKind::Ping,
            _ => FrameKind::Other,
        }
    }

    async fn open(
        state: &AppState,
        session: StaffSession,
        hello: ListenerIn,
        io: &mut Io,
    ) -> Result<Self, Refusal> {
        let ListenerIn::Hello { last_seqs } = hello else {
            return Err(Refusal::not_hello());
        };
        let user = session.user.id;
        let conn = super::person::new_connection_id(state);
        io.follow(Topic::Listener(user));
        if let Err(e) = state.app.listener_connected(user, conn).await {
            tracing::error!(error = %e, "attach listener failed");
            return Err(Refusal {
                error: ErrorOut::new(ErrorCode::Internal, "the server failed; please retry"),
                close: Some((CloseCode::Normal, "internal error")),
            });
        }
        Ok(ListenerConn {
            state: state.clone(),
            session,
            conn,
            delivered: Delivered::new(Audience::Listener(user)),
            last_board: None,
            seen: last_seqs,
        })
    }

    fn centre(&self) -> CentreId {
        self.session.user.centre
    }

    async fn welcome(&mut self, io: &mut Io) -> bool {
        let store = self.state.store.clone();
        let user = self.user();
        let loaded = async {
            let presence = store.presence(user).await?;
            let active = store.active_for_listener(user).await?;
            let away = store.persons_away_since(self.state.clock.now()).await?;
            let pending = store.pending_sheets(user).await?;
            let mut triage = Vec::new();
            for c in &active {
                triage.push(store.triage(c.id).await?);
            }
            Ok::<_, StoreError>((presence, active, away, pending, triage))
        }
        .await;
        let (presence, active, away, pending, triage) = match loaded {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(error = %e, "workspace load failed");
                return false;
            }
        };
        let seen = std::mem::take(&mut self.seen);
        for c in &active {
            let last = seen.get(&c.id.to_string()).copied().unwrap_or(0);
            self.follow(io, c.id, last);
        }
        // Each person is told their listener is back.
        let ids: Vec<ContactId> = active.iter().map(|c| c.id).collect();
        self.state.app.listener_back(&ids).await;
        let welcome = ListenerOut::Welcome {
            pseudonym: self.session.user.pseudonym.clone(),
            presence,
            capacity: self.state.config.chat.max_conversations,
            conversations: active
                .iter()
                .zip(&triage)
                .map(|(c, t)| conversation(c, away.contains(&c.id), t.as_ref()))
                .collect(),
            pending_sheets: pending
                .iter()
                .map(|c| PendingSheetOut {
                    contact_id: c.id.to_string(),
                    label: c.id.person_label(),
                })
                .collect(),
            heartbeat_ms: self.state.config.chat.heartbeat_millis(),
        };
        if !io.send(&welcome).await {
            return false;
        }
        let sent = match self.delivered.catch_up_all(store.as_ref()).await {
            Ok(missed) => io.send_messages(missed, ListenerOut::Message).await,
            Err(e) => {
                tracing::error!(error = %e, "catch-up failed");
                false
            }
        };
        if !sent {
            return false;
        }
        for c in &active {
            if !self.send_whispers(io, c.id).await {
                return false;
            }
        }
        true
    }

    fn wants_queue(&self) -> bool {
        true
    }

    async fn on_queue(&mut self, io: &mut Io, snapshot: &Arc<QueueSnapshot>) -> bool {
        let key = (snapshot.len(), snapshot.on_duty, snapshot.free);
        if self.last_board == Some(key) {
            return true;
        }
        self.last_board = Some(key);
        io.send(&ListenerOut::Board {
            waiting: key.0,
            on_duty: key.1,
            free: key.2,
        })
        .await
    }

    async fn on_frame(&mut self, io: &mut Io, frame: ListenerIn) -> Flow {
        let sent = match frame {
            ListenerIn::Presence { presence } => self.on_presence(io, presence).await,
            ListenerIn::Next => self.on_next(io).await,
            ListenerIn::Send {
                contact_id,
                id,
                body,
            } => self.on_send(io, &contact_id, id, body).await,
            ListenerIn::Typing { contact_id } => match own_contact(io, &contact_id) {
                Some(contact) => {
                    let event = Event::Typing {
                        contact,
                        author: Author::Listener,
                    };
                    self.state.app.publish(Topic::Contact(contact), event).await;
                    true
                }
                None => io.error(not_yours(&contact_id)).await,
            },
            ListenerIn::Received { contact_id, seq } => match own_contact(io, &contact_id) {
                Some(contact) => {
                    // Never more than this socket has delivered.
                    let seq = seq.min(self.delivered.last(contact));
                    if seq > 0 {
                        let event = Event::Shown {
                            contact,
                            reader: Author::Listener,
                            seq,
                        };
                        self.state.app.publish(Topic::Contact(contact), event).await;
                    }
                    true
                }
                None => io.error(not_yours(&contact_id)).await,
            },
            ListenerIn::End { contact_id } => self.on_end(io, &contact_id).await,
            ListenerIn::Alert { contact_id } => self.on_alert(io, &contact_id).await,
            // Answered by the connection loop.
            ListenerIn::Hello { .. } | ListenerIn::Ping => true,
        };
        sent.into()
    }

    async fn on_event(
        &mut self,
        io: &mut Io,
        topic: Topic,
        event: Result<Arc<Event>, BroadcastStreamRecvError>,
    ) -> Flow {
        match topic {
            Topic::Contact(contact) => self.on_contact_event(io, contact, event).await.into(),
            Topic::Listener(_) => match event.as_deref() {
                Ok(Event::Replaced { connection }) if *connection != self.conn => {
                    io.send(&ListenerOut::Replaced).await;
                    Flow::Replaced
                }
                Ok(Event::SessionsChanged { .. }) => self.check_session(io).await,
                Ok(Event::Handed { contact }) => self.on_handed(io, *contact).await.into(),
                Ok(Event::Whisper { whisper }) => io
                    .send(&ListenerOut::Whisper(WhisperOut::from(whisper)))
                    .await
                    .into(),
                // A lagged own topic only carried takeovers and session changes: check the
                // session, the one that matters.
                Err(BroadcastStreamRecvError::Lagged(_)) => self.check_session(io).await,
                Ok(_) => Flow::Continue,
            },
            Topic::Centre(_) => Flow::Continue,
        }
    }

    async fn on_tick(&mut self, io: &mut Io) -> Flow {
        self.check_session(io).await
    }

    async fn left(&mut self, io: &mut Io) {
        // Record the absence and tell the people in conversation. The sweeper requeues them
        // if the listener does not come back in time.
        let contacts = io.contacts();
        if let Err(e) = self
            .state
            .app
            .listener_left(self.user(), self.conn, &contacts)
            .await
        {
            tracing::warn!(error = %e, "detach listener failed");
        }
    }
}

fn conversation(
    c: &Contact,
    person_away: bool,
    triage: Option<&ecoute_domain::TriageRecord>,
) -> ConversationOut {
    ConversationOut {
        triage: triage.map(ecoute_protocol::TriageOut::from),
        contact_id: c.id.to_string(),
        label: c.id.person_label(),
        returning: c.returning,
        person_away,
        answered_at: c.answered_at.map(|t| t.millis()),
    }
}

/// The id if it names one of this socket's current conversations.
fn own_contact(io: &Io, contact_id: &str) -> Option<ContactId> {
    let id: ContactId = contact_id.parse().ok()?;
    io.follows(Topic::Contact(id)).then_some(id)
}

fn not_yours(contact_id: &str) -> ErrorOut {
    ErrorOut::new(ErrorCode::NotYourContact, "this conversation is not yours")
        .with_contact(contact_id)
}

impl ListenerConn {
    fn user(&self) -> UserId {
        self.session.user.id
    }

    async fn check_session(&mut self, io: &mut Io) -> Flow {
        super::session_holds(&self.state, &self.session, io).await
    }

    /// Follows a conversation and tracks its delivery from `seq`.
    fn follow(&mut self, io: &mut Io, contact: ContactId, seq: i64) {
        io.follow(Topic::Contact(contact));
        self.delivered.track(contact, seq);
    }

    fn unfollow(&mut self, io: &mut Io, contact: ContactId) {
        io.unfollow(Topic::Contact(contact));
        self.delivered.forget(contact);
    }

    /// A refusal because the server failed: it names what failed, so that the page can
    /// retry that very frame.
    async fn internal(
        &self,
        io: &mut Io,
        e: impl Into<AppError>,
        contact_id: Option<&str>,
        id: Option<&str>,
    ) -> bool {
        super::refuse_failed(io, e.into(), "listener", contact_id, id).await
    }

    async fn on_presence(&mut self, io: &mut Io, presence: Presence) -> bool {
        let centre = self.session.user.centre;
        if let Err(e) = self
            .state
            .app
            .set_presence(self.user(), centre, presence)
            .await
        {
            return self.internal(io, e, None, None).await;
        }
        io.send(&ListenerOut::Presence { presence }).await
    }

    async fn on_next(&mut self, io: &mut Io) -> bool {
        let capacity = self.state.config.chat.max_conversations;
        let outcome = self
            .state
            .app
            .take_next(self.session.user.centre, self.user())
            .await;
        match outcome {
            Ok(TakeOutcome::Taken(contact)) => self.open_conversation(io, &contact).await,
            Ok(TakeOutcome::QueueEmpty) => io.send(&ListenerOut::QueueEmpty).await,
            Ok(TakeOutcome::AtCapacity) => {
                let err = ErrorOut::new(
                    ErrorCode::Busy,
                    format!("you already have {capacity} conversation(s); end one before taking the next"),
                );
                io.error(err).await
            }
            Err(AppError::NotAvailable) => {
                let err = ErrorOut::new(
                    ErrorCode::NotAvailable,
                    "set your presence to available to take a contact",
                );
                io.error(err).await
            }
            Err(e @ AppError::DutyCap(_)) => {
                io.error(ErrorOut::new(ErrorCode::DutyCap, e.to_string()))
                    .await
            }
            Err(e) => self.internal(io, e, None, None).await,
        }
    }

    /// Opens a conversation that just became this listener's (taken with "next", or handed
    /// over by a supervisor): `assigned`, its messages so far, its notes.
    async fn open_conversation(&mut self, io: &mut Io, contact: &Contact) -> bool {
        let store = self.state.store.clone();
        self.follow(io, contact.id, 0);
        let away = store
            .persons_away_since(self.state.clock.now())
            .await
            .map(|a| a.contains(&contact.id))
            .unwrap_or(false);
        // What the triage read while the person waited, for the listener to see.
        let triage = store.triage(contact.id).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "triage read failed");
            None
        });
        let frame = ListenerOut::Assigned {
            conversation: conversation(contact, away, triage.as_ref()),
        };
        if !io.send(&frame).await {
            return false;
        }
        let sent = match self.delivered.catch_up(store.as_ref(), contact.id).await {
            Ok(messages) => io.send_messages(messages, ListenerOut::Message).await,
            Err(e) => {
                let id = contact.id.to_string();
                self.internal(io, e, Some(&id), None).await
            }
        };
        // A requeued or handed-over conversation keeps its supervisors' notes.
        sent && self.send_whispers(io, contact.id).await
    }

    /// A supervisor handed `contact` to this listener: opened here unless already open.
    async fn on_handed(&mut self, io: &mut Io, contact: ContactId) -> bool {
        if io.follows(Topic::Contact(contact)) {
            return true;
        }
        match self.state.store.contact(contact).await {
            Ok(Some(c))
                if c.state
                    == (ContactState::Active {
                        listener: self.user(),
                    }) =>
            {
                self.open_conversation(io, &c).await
            }
            // Moved on meanwhile (ended, handed again): nothing to open.
            Ok(_) => true,
            Err(e) => {
                let id = contact.to_string();
                self.internal(io, e, Some(&id), None).await
            }
        }
    }

    /// The conversation is no longer this listener's (handed to `to`): it leaves the
    /// workspace, with no sheet to fill here.
    async fn let_go(&mut self, io: &mut Io, contact: ContactId, to: Option<UserId>) -> bool {
        if !io.follows(Topic::Contact(contact)) {
            return true;
        }
        self.unfollow(io, contact);
        let to = match to {
            Some(user) => self
                .state
                .store
                .user(user)
                .await
                .ok()
                .flatten()
                .map(|u| u.pseudonym)
                .unwrap_or_default(),
            None => String::new(),
        };
        io.send(&ListenerOut::TransferredAway {
            contact_id: contact.to_string(),
            to,
        })
        .await
    }

    async fn on_send(&mut self, io: &mut Io, contact_id: &str, id: String, body: String) -> bool {
        let Ok(contact) = contact_id.parse::<ContactId>() else {
            return io.error(not_yours(contact_id).with_id(&id)).await;
        };
        let Ok(client_id) = ClientMessageId::parse(&id) else {
            let err = ErrorOut::new(
                ErrorCode::BadMessageId,
                ecoute_domain::IdError::ClientMessage.to_string(),
            )
            .with_contact(contact_id);
            return io.error(err).await;
        };
        let body = match MessageBody::parse(&body, self.state.config.chat.max_message_chars) {
            Ok(b) => b,
            Err(e) => {
                let err = ErrorOut::new(ErrorCode::MessageInvalid, e.to_string())
                    .with_id(&id)
                    .with_contact(contact_id);
                return io.error(err).await;
            }
        };
        let sender = Sender::Listener(self.user());
        match super::commit_message(&self.state, contact, sender, &client_id, &body).await {
            Ok(appended) => {
                let ack = ListenerOut::Ack {
                    contact_id: contact.to_string(),
                    id,
                    seq: appended.message.seq,
                };
                io.send(&ack).await
            }
            Err(AppError::ContactEnded) => {
                let err = ErrorOut::new(ErrorCode::ContactEnded, "the conversation has ended")
                    .with_id(&id)
                    .with_contact(contact_id);
                io.error(err).await
            }
            Err(AppError::NotYourContact | AppError::Refused(_) | AppError::NotFound) => {
                io.error(not_yours(contact_id).with_id(&id)).await
            }
            Err(AppError::DuplicateMessageId) => {
                let err = ErrorOut::new(
                    ErrorCode::DuplicateMessageId,
                    "this message id is already used in the conversation; send it with a new id",
                )
                .with_id(&id)
                .with_contact(contact_id);
                io.error(err).await
            }
            Err(e) => self.internal(io, e, Some(contact_id), Some(&id)).await,
        }
    }

    async fn on_alert(&mut self, io: &mut Io, contact_id: &str) -> bool {
        let Some(contact) = own_contact(io, contact_id) else {
            return io.error(not_yours(contact_id)).await;
        };
        match self.state.app.raise_help(self.user(), contact).await {
            Ok(_) => {
                let frame = ListenerOut::AlertRaised {
                    contact_id: contact_id.to_owned(),
                };
                io.send(&frame).await
            }
            Err(AppError::NotYourContact) => io.error(not_yours(contact_id)).await,
            Err(e) => self.internal(io, e, Some(contact_id), None).await,
        }
    }

    /// The supervisors' earlier notes about `contact`, after its messages.
    async fn send_whispers(&self, io: &mut Io, contact: ContactId) -> bool {
        match self.state.store.whispers(contact).await {
            Ok(notes) => {
                for w in &notes {
                    if !io.send(&ListenerOut::Whisper(WhisperOut::from(w))).await {
                        return false;
                    }
                }
                true
            }
            Err(e) => {
                let id = contact.to_string();
                self.internal(io, e, Some(&id), None).await
            }
        }
    }

    async fn on_end(&mut self, io: &mut Io, contact_id: &str) -> bool {
        let Ok(contact) = contact_id.parse::<ContactId>() else {
            return io.error(not_yours(contact_id)).await;
        };
        match self.state.app.end_by_listener(contact, self.user()).await {
            // The `ended` frame comes with the contact's own event, like for any other end.
            Ok(_) => true,
            Err(AppError::ContactEnded) => {
                let err = ErrorOut::new(
                    ErrorCode::ContactEnded,
                    "the conversation has already ended",
                )
                .with_contact(contact_id);
                io.error(err).await
            }
            Err(AppError::NotYourContact) => io.error(not_yours(contact_id)).await,
            Err(e) => self.internal(io, e, Some(contact_id), None).await,
        }
    }

    async fn on_contact_event(
        &mut self,
        io: &mut Io,
        contact: ContactId,
        event: Result<Arc<Event>, BroadcastStreamRecvError>,
    ) -> bool {
        let event = match event {
            Ok(e) => e,
            Err(BroadcastStreamRecvError::Lagged(_)) => return self.resync(io, contact).await,
        };
        let contact_id = contact.to_string();
        match &*event {
            Event::Message { message } => {
                match self
                    .delivered
                    .on_event(self.state.store.as_ref(), message)
                    .await
                {
                    Ok(out) => io.send_messages(out, ListenerOut::Message).await,
                    Err(e) => self.internal(io, e, Some(&contact_id), None).await,
                }
            }
            Event::Typing {
                author: Author::Person,
                ..
            } => io.send(&ListenerOut::Typing { contact_id }).await,
            Event::Connection {
                author: Author::Person,
                away,
                ..
            } => {
                let frame = if *away {
                    ListenerOut::PersonAway { contact_id }
                } else {
                    ListenerOut::PersonBack { contact_id }
                };
                io.send(&frame).await
            }
            Event::Shown {
                reader: Author::Person,
                seq,
                ..
            } => {
                let seq = *seq;
                io.send(&ListenerOut::Delivered { contact_id, seq }).await
            }
            Event::Contact { contact: change } => self.on_contact_change(io, change).await,
            Event::Transferred {
                contact: change,
                from,
            } if *from == self.user() => self.let_go(io, change.id, change.listener).await,
            _ => true,
        }
    }

    async fn on_contact_change(&mut self, io: &mut Io, change: &ContactEvent) -> bool {
        let contact_id = change.id.to_string();
        match change.state {
            ContactStatus::Ended => {
                // Deliver the last messages before saying it is over.
                let rest = match self
                    .delivered
                    .catch_up(self.state.store.as_ref(), change.id)
                    .await
                {
                    Ok(rest) => rest,
                    Err(e) => return self.internal(io, e, Some(&contact_id), None).await,
                };
                if !io.send_messages(rest, ListenerOut::Message).await {
                    return false;
                }
                self.unfollow(io, change.id);
                let reason = change.end_reason.unwrap_or(EndReason::PersonEnded);
                let sheet_url = (change.listener == Some(self.user()) && reason.was_answered())
                    .then(|| format!("/listener/sheet/{contact_id}"));
                io.send(&ListenerOut::Ended {
                    contact_id,
                    reason,
                    sheet_url,
                })
                .await
            }
            ContactStatus::Waiting => {
                self.unfollow(io, change.id);
                io.send(&ListenerOut::Requeued { contact_id }).await
            }
            // Handed to someone else while this socket missed the event.
            ContactStatus::Active if change.listener != Some(self.user()) => {
                self.let_go(io, change.id, change.listener).await
            }
            ContactStatus::Active => true,
        }
    }

    async fn resync(&mut self, io: &mut Io, contact: ContactId) -> bool {
        let contact_id = contact.to_string();
        match self.state.store.contact(contact).await {
            Ok(Some(c))
                if c.state
                    == (ContactState::Active {
                        listener: self.user(),
                    }) =>
            {
                match self
                    .delivered
                    .catch_up(self.state.store.as_ref(), contact)
                    .await
                {
                    Ok(missed) => io.send_messages(missed, ListenerOut::Message).await,
                    Err(e) => self.internal(io, e, Some(&contact_id), None).await,
                }
            }
            Ok(Some(c)) => self.on_contact_change(io, &ContactEvent::from(&c)).await,
            Ok(None) => {
                self.unfollow(io, contact);
                true
            }
            Err(e) => self.internal(io, e, Some(&contact_id), None).await,
        }
    }
}
