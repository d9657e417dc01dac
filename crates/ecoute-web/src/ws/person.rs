//! The person's socket: resume by token, wait with a live position, talk, end.

use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use ecoute_domain::{
    Author, ClientMessageId, Contact, ContactId, ContactState, Event, MessageBody, QueueSnapshot,
    Topic, Transition,
};
use ecoute_store::{Sender, StoreError};
use std::sync::Arc;
use tokio::sync::broadcast;

use super::delivery::Delivered;
use super::frames::{Audience, ErrorOut, MessageOut, PersonIn, PersonOut};
use super::socket::{self, close, Received};
use crate::auth::sha256_hex;
use crate::clock;
use crate::live::{commit_message, publish, publish_contact_change};
use crate::metrics::Side;
use crate::state::AppState;

/// `GET /ws/person`.
pub async fn upgrade(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    ws.max_message_size(socket::MAX_TRANSPORT_BYTES)
        .max_frame_size(socket::MAX_TRANSPORT_BYTES)
        .read_buffer_size(socket::READ_BUFFER_BYTES)
        .on_upgrade(move |socket| run(socket, state))
}

/// One connection of the person's page.
struct PersonConn {
    state: AppState,
    contact: ContactId,
    conn: i64,
    delivered: Delivered,
    /// Last queue frame sent (position, estimate), to send only changes.
    last_queue: Option<(usize, usize, usize, ecoute_domain::WaitEstimate)>,
    waiting: bool,
}

async fn run(mut ws: WebSocket, state: AppState) {
    let _counted = state.metrics.websocket_open(Side::Person);
    let Some(PersonIn::Hello { token, last_seq }) =
        socket::expect_hello(&mut ws, |f| matches!(f, PersonIn::Hello { .. })).await
    else {
        return;
    };
    let contact = match resume(&state, &token).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            let err = ErrorOut::new(
                "bad_token",
                "this conversation is unknown or has been deleted",
            );
            socket::send(&mut ws, &PersonOut::Error(err)).await;
            socket::close_with(&mut ws, close::AUTH, "bad token").await;
            return;
        }
        Err(e) => {
            tracing::error!(error = %e, "person resume failed");
            let err = ErrorOut::new("internal", "the server failed; please try again");
            socket::send(&mut ws, &PersonOut::Error(err)).await;
            return;
        }
    };

    let conn = new_connection_id(&state);
    // Subscribe before reading the backlog: whatever is committed after this point arrives as
    // an event, whatever before is in the backlog; the tracker drops the overlap.
    let mut events = state.bus.subscribe(Topic::Contact(contact.id));
    let mut queue = state.queues.watch(contact.centre);
    let ended = matches!(contact.state, ContactState::Ended { .. });
    if !ended {
        if let Err(e) = state.store.attach_person(contact.id, conn).await {
            tracing::error!(error = %e, "attach person failed");
            return;
        }
        publish(
            state.bus.as_ref(),
            Topic::Contact(contact.id),
            Event::Replaced { connection: conn },
        )
        .await;
        publish(
            state.bus.as_ref(),
            Topic::Contact(contact.id),
            Event::Connection {
                contact: contact.id,
                author: Author::Person,
                away: false,
            },
        )
        .await;
    }

    let mut this = PersonConn {
        state,
        contact: contact.id,
        conn,
        delivered: Delivered::new(Audience::Person),
        last_queue: None,
        waiting: contact.state == ContactState::Waiting,
    };
    this.delivered.track(contact.id, last_seq);
    if !this.welcome(&mut ws, &contact).await {
        return this.left(ended).await;
    }
    let snapshot = queue.borrow_and_update().clone();
    if !this.send_queue(&mut ws, &snapshot).await {
        return this.left(ended).await;
    }

    let mut ping = tokio::time::interval(socket::PING_EVERY);
    ping.tick().await;
    let replaced = loop {
        tokio::select! {
            received = ws.recv() => match socket::receive::<PersonIn>(&mut ws, received).await {
                Received::Frame(frame) => {
                    if !this.on_frame(&mut ws, frame).await { break false; }
                }
                Received::Continue => {}
                Received::Stop => break false,
            },
            event = events.recv() => match this.on_event(&mut ws, event).await {
                Flow::Continue => {}
                Flow::Stop => break false,
                Flow::Replaced => break true,
            },
            changed = queue.changed(), if this.waiting => {
                if changed.is_err() { break false; }
                let snapshot = queue.borrow_and_update().clone();
                if !this.send_queue(&mut ws, &snapshot).await { break false; }
            },
            _ = ping.tick() => {
                if ws.send(axum::extract::ws::Message::Ping(Default::default())).await.is_err() {
                    break false;
                }
            }
        }
    };
    if !replaced {
        this.left(false).await;
    }
}

enum Flow {
    Continue,
    Stop,
    Replaced,
}

async fn resume(state: &AppState, token: &str) -> ecoute_store::StoreResult<Option<Contact>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    state.store.contact_by_resume(&sha256_hex(token)).await
}

/// A fresh connection id of this instance.
pub(super) fn new_connection_id(state: &AppState) -> i64 {
    let mut b = [0u8; 4];
    // Collisions only matter within one party's connections on one instance: negligible.
    let _ = getrandom::getrandom(&mut b);
    ecoute_domain::ConnectionId::new(state.instance, u32::from_le_bytes(b)).0
}

impl PersonConn {
    async fn welcome(&mut self, ws: &mut WebSocket, contact: &Contact) -> bool {
        let (listener, listener_away) = match contact.state.listener() {
            Some(id) => {
                let away = self
                    .state
                    .store
                    .listeners_away_since(clock::now())
                    .await
                    .map(|away| away.contains(&id))
                    .unwrap_or(false);
                (self.pseudonym(id).await, away)
            }
            None => (None, false),
        };
        let end_reason = match contact.state {
            ContactState::Ended { reason } => Some(reason.as_str()),
            _ => None,
        };
        let welcome = PersonOut::Welcome {
            contact_id: contact.id.to_string(),
            state: contact.state.name(),
            listener,
            listener_away,
            end_reason,
            max_message_chars: self.state.config.chat.max_message_chars,
        };
        if !socket::send(ws, &welcome).await {
            return false;
        }
        match self
            .delivered
            .catch_up(self.state.store.as_ref(), self.contact)
            .await
        {
            Ok(missed) => self.send_messages(ws, missed).await,
            Err(e) => {
                tracing::error!(error = %e, "catch-up failed");
                false
            }
        }
    }

    async fn pseudonym(&self, user: ecoute_domain::UserId) -> Option<String> {
        self.state
            .store
            .user(user)
            .await
            .ok()
            .flatten()
            .map(|u| u.pseudonym)
    }

    async fn send_messages(&self, ws: &mut WebSocket, messages: Vec<MessageOut>) -> bool {
        for m in messages {
            if !socket::send(ws, &PersonOut::Message(m)).await {
                return false;
            }
        }
        true
    }

    async fn send_queue(&mut self, ws: &mut WebSocket, snapshot: &Arc<QueueSnapshot>) -> bool {
        if !self.waiting {
            return true;
        }
        // Not in this snapshot yet (it was computed before we joined): the next one will be.
        let (Some(position), Some(estimate)) = (
            snapshot.position(self.contact),
            snapshot.estimate(self.contact),
        ) else {
            return true;
        };
        let key = (position, snapshot.len(), snapshot.on_duty, estimate);
        if self.last_queue == Some(key) {
            return true;
        }
        self.last_queue = Some(key);
        socket::send(
            ws,
            &PersonOut::Queue {
                position,
                waiting: snapshot.len(),
                on_duty: snapshot.on_duty,
                estimate,
            },
        )
        .await
    }

    async fn on_frame(&mut self, ws: &mut WebSocket, frame: PersonIn) -> bool {
        match frame {
            PersonIn::Hello { .. } => {
                let err = ErrorOut::new("bad_frame", "hello was already received");
                socket::send(ws, &PersonOut::Error(err)).await
            }
            PersonIn::Send { id, body } => self.on_send(ws, id, body).await,
            PersonIn::Typing => {
                let event = Event::Typing {
                    contact: self.contact,
                    author: Author::Person,
                };
                publish(self.state.bus.as_ref(), Topic::Contact(self.contact), event).await;
                true
            }
            PersonIn::End => {
                let now = clock::now();
                match self
                    .state
                    .store
                    .transition(self.contact, Transition::PersonEnds, now)
                    .await
                {
                    Ok(contact) => {
                        publish_contact_change(self.state.bus.as_ref(), &contact).await;
                        true
                    }
                    Err(StoreError::Transition(_)) => {
                        let err =
                            ErrorOut::new("contact_ended", "the conversation has already ended");
                        socket::send(ws, &PersonOut::Error(err)).await
                    }
                    Err(e) => self.internal(ws, e, None).await,
                }
            }
        }
    }

    async fn on_send(&mut self, ws: &mut WebSocket, id: String, body: String) -> bool {
        let Ok(client_id) = ClientMessageId::parse(&id) else {
            let err = ErrorOut::new(
                "bad_message_id",
                ecoute_domain::IdError::ClientMessage.to_string(),
            );
            return socket::send(ws, &PersonOut::Error(err)).await;
        };
        let body = match MessageBody::parse(&body, self.state.config.chat.max_message_chars) {
            Ok(b) => b,
            Err(e) => {
                let err = ErrorOut::new("message_invalid", e.to_string()).with_id(&id);
                return socket::send(ws, &PersonOut::Error(err)).await;
            }
        };
        match commit_message(&self.state, self.contact, Sender::Person, &client_id, &body).await {
            Ok(appended) => {
                let ack = PersonOut::Ack {
                    id,
                    seq: appended.message.seq,
                };
                socket::send(ws, &ack).await
            }
            Err(StoreError::Transition(_)) => {
                let err = ErrorOut::new("contact_ended", "the conversation has ended").with_id(&id);
                socket::send(ws, &PersonOut::Error(err)).await
            }
            Err(e) => self.internal(ws, e, Some(&id)).await,
        }
    }

    async fn internal(&self, ws: &mut WebSocket, e: StoreError, id: Option<&str>) -> bool {
        tracing::error!(error = %e, "person frame failed");
        let mut err = ErrorOut::new(
            "internal",
            "the server failed; nothing was saved, please retry",
        );
        if let Some(id) = id {
            err = err.with_id(id);
        }
        socket::send(ws, &PersonOut::Error(err)).await
    }

    async fn on_event(
        &mut self,
        ws: &mut WebSocket,
        event: Result<Event, broadcast::error::RecvError>,
    ) -> Flow {
        let event = match event {
            Ok(e) => e,
            Err(broadcast::error::RecvError::Lagged(_)) => {
                // Missed events: re-read messages and state from the store.
                return match self.resync(ws).await {
                    true => Flow::Continue,
                    false => Flow::Stop,
                };
            }
            Err(broadcast::error::RecvError::Closed) => return Flow::Stop,
        };
        let ok = match event {
            Event::Message { message } => {
                match self
                    .delivered
                    .on_event(self.state.store.as_ref(), &message)
                    .await
                {
                    Ok(out) => self.send_messages(ws, out).await,
                    Err(e) => {
                        tracing::error!(error = %e, "delivery failed");
                        false
                    }
                }
            }
            Event::Typing {
                author: Author::Listener,
                ..
            } => socket::send(ws, &PersonOut::Typing).await,
            Event::Connection {
                author: Author::Listener,
                away,
                ..
            } => {
                let frame = if away {
                    PersonOut::ListenerAway
                } else {
                    PersonOut::ListenerBack
                };
                socket::send(ws, &frame).await
            }
            Event::Contact { contact } => self.on_contact_change(ws, &contact).await,
            Event::Replaced { connection } if connection != self.conn => {
                socket::send(ws, &PersonOut::Replaced).await;
                socket::close_with(ws, close::REPLACED, "replaced").await;
                return Flow::Replaced;
            }
            _ => true,
        };
        if ok {
            Flow::Continue
        } else {
            Flow::Stop
        }
    }

    async fn on_contact_change(
        &mut self,
        ws: &mut WebSocket,
        c: &ecoute_domain::ContactEvent,
    ) -> bool {
        match c.state.as_str() {
            "active" => {
                self.waiting = false;
                let Some(listener) = c.listener else {
                    return true;
                };
                let name = self.pseudonym(listener).await.unwrap_or_default();
                socket::send(ws, &PersonOut::Assigned { listener: name }).await
            }
            "waiting" => {
                if self.waiting {
                    return true;
                }
                self.waiting = true;
                self.last_queue = None;
                socket::send(ws, &PersonOut::Requeued).await
            }
            _ => {
                self.waiting = false;
                let reason = c
                    .end_reason
                    .as_deref()
                    .and_then(ecoute_domain::EndReason::parse)
                    .map(|r| r.as_str())
                    .unwrap_or("person_ended");
                socket::send(ws, &PersonOut::Ended { reason }).await
            }
        }
    }

    async fn resync(&mut self, ws: &mut WebSocket) -> bool {
        let store = self.state.store.as_ref();
        let Ok(Some(contact)) = store.contact(self.contact).await else {
            return false;
        };
        let missed = match self.delivered.catch_up(store, self.contact).await {
            Ok(m) => m,
            Err(_) => return false,
        };
        if !self.send_messages(ws, missed).await {
            return false;
        }
        let event = ecoute_domain::ContactEvent::from(&contact);
        let was_waiting = self.waiting;
        let now_waiting = contact.state == ContactState::Waiting;
        if was_waiting != now_waiting || matches!(contact.state, ContactState::Ended { .. }) {
            return self.on_contact_change(ws, &event).await;
        }
        true
    }

    /// The socket is gone: if it was the person's current connection, record the absence and
    /// tell the listener. The sweeper ends the contact if they do not come back in time.
    async fn left(&self, ended: bool) {
        if ended {
            return;
        }
        match self
            .state
            .store
            .detach_person(self.contact, self.conn, clock::now())
            .await
        {
            Ok(true) => {
                let event = Event::Connection {
                    contact: self.contact,
                    author: Author::Person,
                    away: true,
                };
                publish(self.state.bus.as_ref(), Topic::Contact(self.contact), event).await;
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "detach person failed"),
        }
    }
}
