//! The listener's socket: presence, "next", conversations, end.

use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use ecoute_domain::{
    Author, ClientMessageId, Contact, ContactEvent, ContactId, ContactState, EndReason, Event,
    MessageBody, Presence, QueueSnapshot, Topic, Transition, TransitionError,
};
use ecoute_store::{Sender, StoreError, TakeOutcome};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::{StreamExt, StreamMap};

use super::delivery::Delivered;
use super::frames::{
    Audience, ConversationOut, ErrorOut, ListenerIn, ListenerOut, MessageOut, PendingSheetOut,
};
use super::socket::{self, close, Received};
use crate::auth::StaffSession;
use crate::clock;
use crate::error::WebError;
use crate::live::{commit_message, publish, publish_contact_change};
use crate::metrics::Side;
use crate::state::AppState;

/// How often the staff session is re-checked on an open socket.
const SESSION_CHECK: Duration = Duration::from_secs(30);

/// `GET /ws/listener`: needs a staff session and a same-origin request.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    headers: HeaderMap,
    session: StaffSession,
) -> Result<Response, WebError> {
    check_origin(&headers, &state)?;
    Ok(ws
        .max_message_size(socket::MAX_TRANSPORT_BYTES)
        .max_frame_size(socket::MAX_TRANSPORT_BYTES)
        .read_buffer_size(socket::READ_BUFFER_BYTES)
        .on_upgrade(move |socket| run(socket, state, session)))
}

/// Refuses cross-site WebSocket hijacking: the `Origin` must be the page's own host.
fn check_origin(headers: &HeaderMap, state: &AppState) -> Result<(), WebError> {
    let origin = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .ok_or(WebError::Forbidden)?;
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    let public = state.config.public_url.trim_end_matches('/');
    if origin_host == host || origin == public {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

struct ListenerConn {
    state: AppState,
    session: StaffSession,
    conn: i64,
    delivered: Delivered,
    /// Subscriptions to the listener's conversations.
    topics: StreamMap<ContactId, BroadcastStream<Event>>,
    last_board: Option<(usize, usize, usize)>,
}

async fn run(mut ws: WebSocket, state: AppState, session: StaffSession) {
    let _counted = state.metrics.websocket_open(Side::Listener);
    let Some(ListenerIn::Hello { last_seqs }) =
        socket::expect_hello(&mut ws, |f| matches!(f, ListenerIn::Hello { .. })).await
    else {
        return;
    };
    let user = session.user.id;
    let conn = super::person::new_connection_id(&state);
    let mut own = state.bus.subscribe(Topic::Listener(user));
    let mut queue = state.queues.watch(session.user.centre);
    if let Err(e) = state.store.attach_listener(user, conn).await {
        tracing::error!(error = %e, "attach listener failed");
        return;
    }
    publish(
        state.bus.as_ref(),
        Topic::Listener(user),
        Event::Replaced { connection: conn },
    )
    .await;

    let mut this = ListenerConn {
        state,
        session,
        conn,
        delivered: Delivered::new(Audience::Listener(user)),
        topics: StreamMap::new(),
        last_board: None,
    };
    if !this.welcome(&mut ws, &last_seqs).await {
        return this.left().await;
    }
    let snapshot = queue.borrow_and_update().clone();
    if !this.send_board(&mut ws, &snapshot).await {
        return this.left().await;
    }

    let mut ping = tokio::time::interval(socket::PING_EVERY);
    ping.tick().await;
    let mut session_check = tokio::time::interval(SESSION_CHECK);
    session_check.tick().await;
    let replaced = loop {
        tokio::select! {
            received = ws.recv() => match socket::receive::<ListenerIn>(&mut ws, received).await {
                Received::Frame(frame) => {
                    if !this.on_frame(&mut ws, frame).await { break false; }
                }
                Received::Continue => {}
                Received::Stop => break false,
            },
            Some((contact, event)) = this.topics.next() => {
                if !this.on_contact_event(&mut ws, contact, event).await { break false; }
            },
            event = own.recv() => match event {
                Ok(Event::Replaced { connection }) if connection != this.conn => {
                    socket::send(&mut ws, &ListenerOut::Replaced).await;
                    socket::close_with(&mut ws, close::REPLACED, "replaced").await;
                    break true;
                }
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break false,
            },
            changed = queue.changed() => {
                if changed.is_err() { break false; }
                let snapshot = queue.borrow_and_update().clone();
                if !this.send_board(&mut ws, &snapshot).await { break false; }
            },
            _ = ping.tick() => {
                if ws.send(WsMessage::Ping(Default::default())).await.is_err() { break false; }
            },
            _ = session_check.tick() => {
                if !this.session_alive().await {
                    let err = ErrorOut::new("session_expired", "your session has ended; please log in again");
                    socket::send(&mut ws, &ListenerOut::Error(err)).await;
                    socket::close_with(&mut ws, close::AUTH, "session expired").await;
                    break false;
                }
            }
        }
    };
    if !replaced {
        this.left().await;
    }
}

fn conversation(c: &Contact, person_away: bool) -> ConversationOut {
    ConversationOut {
        contact_id: c.id.to_string(),
        label: c.id.person_label(),
        returning: c.returning,
        person_away,
        answered_at: c.answered_at.map(|t| t.millis()),
    }
}

impl ListenerConn {
    fn user(&self) -> ecoute_domain::UserId {
        self.session.user.id
    }

    async fn session_alive(&self) -> bool {
        matches!(
            self.state
                .store
                .session(&self.session.token_hash, clock::now())
                .await,
            Ok(Some(_))
        )
    }

    /// Subscribes to a conversation and starts tracking its delivery from `seq`.
    fn follow(&mut self, contact: ContactId, seq: i64) {
        let rx = self.state.bus.subscribe(Topic::Contact(contact));
        self.topics.insert(contact, BroadcastStream::new(rx));
        self.delivered.track(contact, seq);
    }

    fn unfollow(&mut self, contact: ContactId) {
        self.topics.remove(&contact);
        self.delivered.forget(contact);
    }

    async fn welcome(&mut self, ws: &mut WebSocket, last_seqs: &HashMap<String, i64>) -> bool {
        let store = self.state.store.clone();
        let user = self.user();
        let loaded = async {
            let presence = store.presence(user).await?;
            let active = store.active_for_listener(user).await?;
            let away = store.persons_away_since(clock::now()).await?;
            let pending = store.pending_sheets(user).await?;
            Ok::<_, StoreError>((presence, active, away, pending))
        }
        .await;
        let (presence, active, away, pending) = match loaded {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(error = %e, "workspace load failed");
                return false;
            }
        };
        for c in &active {
            let seen = last_seqs.get(&c.id.to_string()).copied().unwrap_or(0);
            self.follow(c.id, seen);
            // The person is told their listener is back.
            let event = Event::Connection {
                contact: c.id,
                author: Author::Listener,
                away: false,
            };
            publish(self.state.bus.as_ref(), Topic::Contact(c.id), event).await;
        }
        let welcome = ListenerOut::Welcome {
            pseudonym: self.session.user.pseudonym.clone(),
            presence: presence.as_str(),
            capacity: self.state.config.chat.max_conversations,
            conversations: active
                .iter()
                .map(|c| conversation(c, away.contains(&c.id)))
                .collect(),
            pending_sheets: pending
                .iter()
                .map(|c| PendingSheetOut {
                    contact_id: c.id.to_string(),
                    label: c.id.person_label(),
                })
                .collect(),
        };
        if !socket::send(ws, &welcome).await {
            return false;
        }
        match self.delivered.catch_up_all(store.as_ref()).await {
            Ok(missed) => self.send_messages(ws, missed).await,
            Err(e) => {
                tracing::error!(error = %e, "catch-up failed");
                false
            }
        }
    }

    async fn send_messages(&self, ws: &mut WebSocket, messages: Vec<MessageOut>) -> bool {
        for m in messages {
            if !socket::send(ws, &ListenerOut::Message(m)).await {
                return false;
            }
        }
        true
    }

    async fn send_board(&mut self, ws: &mut WebSocket, snapshot: &Arc<QueueSnapshot>) -> bool {
        let key = (snapshot.len(), snapshot.on_duty, snapshot.free);
        if self.last_board == Some(key) {
            return true;
        }
        self.last_board = Some(key);
        socket::send(
            ws,
            &ListenerOut::Board {
                waiting: key.0,
                on_duty: key.1,
                free: key.2,
            },
        )
        .await
    }

    async fn error(&self, ws: &mut WebSocket, err: ErrorOut) -> bool {
        socket::send(ws, &ListenerOut::Error(err)).await
    }

    async fn internal(&self, ws: &mut WebSocket, e: StoreError) -> bool {
        tracing::error!(error = %e, "listener frame failed");
        self.error(
            ws,
            ErrorOut::new(
                "internal",
                "the server failed; nothing was changed, please retry",
            ),
        )
        .await
    }

    async fn on_frame(&mut self, ws: &mut WebSocket, frame: ListenerIn) -> bool {
        match frame {
            ListenerIn::Hello { .. } => {
                self.error(ws, ErrorOut::new("bad_frame", "hello was already received"))
                    .await
            }
            ListenerIn::Presence { presence } => self.on_presence(ws, &presence).await,
            ListenerIn::Next => self.on_next(ws).await,
            ListenerIn::Send {
                contact_id,
                id,
                body,
            } => self.on_send(ws, &contact_id, id, body).await,
            ListenerIn::Typing { contact_id } => {
                if let Some(contact) = self.own_contact(&contact_id) {
                    let event = Event::Typing {
                        contact,
                        author: Author::Listener,
                    };
                    publish(self.state.bus.as_ref(), Topic::Contact(contact), event).await;
                    true
                } else {
                    self.error(ws, not_yours(&contact_id)).await
                }
            }
            ListenerIn::End { contact_id } => self.on_end(ws, &contact_id).await,
        }
    }

    /// The id if it names one of this listener's current conversations.
    fn own_contact(&self, contact_id: &str) -> Option<ContactId> {
        let id: ContactId = contact_id.parse().ok()?;
        self.topics.contains_key(&id).then_some(id)
    }

    async fn on_presence(&mut self, ws: &mut WebSocket, presence: &str) -> bool {
        let Some(p) = Presence::parse(presence) else {
            let err = ErrorOut::new("bad_frame", "presence must be available, pause or offline");
            return self.error(ws, err).await;
        };
        if let Err(e) = self
            .state
            .store
            .set_presence(self.user(), p, clock::now())
            .await
        {
            return self.internal(ws, e).await;
        }
        let centre = self.session.user.centre;
        publish(
            self.state.bus.as_ref(),
            Topic::Centre(centre),
            Event::QueueChanged { centre },
        )
        .await;
        socket::send(
            ws,
            &ListenerOut::Presence {
                presence: p.as_str(),
            },
        )
        .await
    }

    async fn on_next(&mut self, ws: &mut WebSocket) -> bool {
        let store = self.state.store.clone();
        match store.presence(self.user()).await {
            Ok(Presence::Available) => {}
            Ok(_) => {
                let err = ErrorOut::new(
                    "not_available",
                    "set your presence to available to take a contact",
                );
                return self.error(ws, err).await;
            }
            Err(e) => return self.internal(ws, e).await,
        }
        let capacity = self.state.config.chat.max_conversations;
        let outcome = store
            .take_next(
                self.session.user.centre,
                self.user(),
                capacity,
                clock::now(),
            )
            .await;
        match outcome {
            Ok(TakeOutcome::Taken(contact)) => {
                self.follow(contact.id, 0);
                publish_contact_change(self.state.bus.as_ref(), &contact).await;
                let away = store
                    .persons_away_since(clock::now())
                    .await
                    .map(|a| a.contains(&contact.id))
                    .unwrap_or(false);
                let frame = ListenerOut::Assigned {
                    conversation: conversation(&contact, away),
                };
                if !socket::send(ws, &frame).await {
                    return false;
                }
                match self.delivered.catch_up(store.as_ref(), contact.id).await {
                    Ok(messages) => self.send_messages(ws, messages).await,
                    Err(e) => self.internal(ws, e).await,
                }
            }
            Ok(TakeOutcome::QueueEmpty) => socket::send(ws, &ListenerOut::QueueEmpty).await,
            Ok(TakeOutcome::AtCapacity) => {
                let err = ErrorOut::new(
                    "busy",
                    format!("you already have {capacity} conversation(s); end one before taking the next"),
                );
                self.error(ws, err).await
            }
            Err(e) => self.internal(ws, e).await,
        }
    }

    async fn on_send(
        &mut self,
        ws: &mut WebSocket,
        contact_id: &str,
        id: String,
        body: String,
    ) -> bool {
        let Ok(contact) = contact_id.parse::<ContactId>() else {
            return self.error(ws, not_yours(contact_id).with_id(&id)).await;
        };
        let Ok(client_id) = ClientMessageId::parse(&id) else {
            let err = ErrorOut::new(
                "bad_message_id",
                ecoute_domain::IdError::ClientMessage.to_string(),
            )
            .with_contact(contact_id);
            return self.error(ws, err).await;
        };
        let body = match MessageBody::parse(&body, self.state.config.chat.max_message_chars) {
            Ok(b) => b,
            Err(e) => {
                let err = ErrorOut::new("message_invalid", e.to_string())
                    .with_id(&id)
                    .with_contact(contact_id);
                return self.error(ws, err).await;
            }
        };
        let sender = Sender::Listener(self.user());
        match commit_message(&self.state, contact, sender, &client_id, &body).await {
            Ok(appended) => {
                let ack = ListenerOut::Ack {
                    contact_id: contact.to_string(),
                    id,
                    seq: appended.message.seq,
                };
                socket::send(ws, &ack).await
            }
            Err(StoreError::Transition(TransitionError::AlreadyEnded)) => {
                let err = ErrorOut::new("contact_ended", "the conversation has ended")
                    .with_id(&id)
                    .with_contact(contact_id);
                self.error(ws, err).await
            }
            Err(StoreError::Transition(_)) | Err(StoreError::NotFound) => {
                self.error(ws, not_yours(contact_id).with_id(&id)).await
            }
            Err(e) => self.internal(ws, e).await,
        }
    }

    async fn on_end(&mut self, ws: &mut WebSocket, contact_id: &str) -> bool {
        let Ok(contact) = contact_id.parse::<ContactId>() else {
            return self.error(ws, not_yours(contact_id)).await;
        };
        let t = Transition::ListenerEnds {
            listener: self.user(),
        };
        match self.state.store.transition(contact, t, clock::now()).await {
            // The `ended` frame comes with the contact's own event, like for any other end.
            Ok(ended) => {
                publish_contact_change(self.state.bus.as_ref(), &ended).await;
                true
            }
            Err(StoreError::Transition(TransitionError::AlreadyEnded)) => {
                let err = ErrorOut::new("contact_ended", "the conversation has already ended")
                    .with_contact(contact_id);
                self.error(ws, err).await
            }
            Err(StoreError::Transition(_)) | Err(StoreError::NotFound) => {
                self.error(ws, not_yours(contact_id)).await
            }
            Err(e) => self.internal(ws, e).await,
        }
    }

    async fn on_contact_event(
        &mut self,
        ws: &mut WebSocket,
        contact: ContactId,
        event: Result<Event, BroadcastStreamRecvError>,
    ) -> bool {
        let event = match event {
            Ok(e) => e,
            Err(BroadcastStreamRecvError::Lagged(_)) => return self.resync(ws, contact).await,
        };
        let contact_id = contact.to_string();
        match event {
            Event::Message { message } => {
                match self
                    .delivered
                    .on_event(self.state.store.as_ref(), &message)
                    .await
                {
                    Ok(out) => self.send_messages(ws, out).await,
                    Err(e) => self.internal(ws, e).await,
                }
            }
            Event::Typing {
                author: Author::Person,
                ..
            } => socket::send(ws, &ListenerOut::Typing { contact_id }).await,
            Event::Connection {
                author: Author::Person,
                away,
                ..
            } => {
                let frame = if away {
                    ListenerOut::PersonAway { contact_id }
                } else {
                    ListenerOut::PersonBack { contact_id }
                };
                socket::send(ws, &frame).await
            }
            Event::Contact { contact: change } => self.on_contact_change(ws, &change).await,
            _ => true,
        }
    }

    async fn on_contact_change(&mut self, ws: &mut WebSocket, change: &ContactEvent) -> bool {
        let contact_id = change.id.to_string();
        match change.state.as_str() {
            "ended" => {
                // Deliver the last messages before saying it is over.
                let rest = match self
                    .delivered
                    .catch_up(self.state.store.as_ref(), change.id)
                    .await
                {
                    Ok(rest) => rest,
                    Err(e) => return self.internal(ws, e).await,
                };
                if !self.send_messages(ws, rest).await {
                    return false;
                }
                self.unfollow(change.id);
                let reason = change
                    .end_reason
                    .as_deref()
                    .and_then(EndReason::parse)
                    .unwrap_or(EndReason::PersonEnded);
                let sheet_url = (change.listener == Some(self.user()) && reason.was_answered())
                    .then(|| format!("/listener/sheet/{contact_id}"));
                socket::send(
                    ws,
                    &ListenerOut::Ended {
                        contact_id,
                        reason: reason.as_str(),
                        sheet_url,
                    },
                )
                .await
            }
            "waiting" => {
                self.unfollow(change.id);
                socket::send(ws, &ListenerOut::Requeued { contact_id }).await
            }
            _ => true,
        }
    }

    async fn resync(&mut self, ws: &mut WebSocket, contact: ContactId) -> bool {
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
                    Ok(missed) => self.send_messages(ws, missed).await,
                    Err(e) => self.internal(ws, e).await,
                }
            }
            Ok(Some(c)) => self.on_contact_change(ws, &ContactEvent::from(&c)).await,
            Ok(None) => {
                self.unfollow(contact);
                true
            }
            Err(e) => self.internal(ws, e).await,
        }
    }

    /// The socket is gone: record the absence and tell the people in conversation. The
    /// sweeper requeues them if the listener does not come back in time.
    async fn left(&self) {
        match self
            .state
            .store
            .detach_listener(self.user(), self.conn, clock::now())
            .await
        {
            Ok(true) => {
                for contact in self.topics.keys() {
                    let event = Event::Connection {
                        contact: *contact,
                        author: Author::Listener,
                        away: true,
                    };
                    publish(self.state.bus.as_ref(), Topic::Contact(*contact), event).await;
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "detach listener failed"),
        }
    }
}

fn not_yours(contact_id: &str) -> ErrorOut {
    ErrorOut::new("not_your_contact", "this conversation is not yours").with_contact(contact_id)
}
