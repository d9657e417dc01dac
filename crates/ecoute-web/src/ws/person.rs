//! The person's socket: resume by token, wait with a live position, talk, end.

use async_trait::async_trait;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::Response;
use ecoute_app::AppError;
use ecoute_domain::{
    Author, CampaignCode, CampaignEvent, CentreId, ClientMessageId, Contact, ContactEvent,
    ContactState, ContactStatus, EndReason, Event, MessageBody, QueueSnapshot, Topic, WaitEstimate,
};
use ecoute_protocol::{Audience, CloseCode, ErrorCode, ErrorOut, PersonIn, PersonOut};
use ecoute_store::Sender;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::conn::{self, Flow, FrameKind, Io, Refusal, Side};
use super::delivery::Delivered;
use super::transport;
use crate::auth::sha256_hex;
use crate::metrics::Side as MetricSide;
use crate::state::AppState;

/// `GET /ws/person`.
pub async fn upgrade(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    transport::limited(ws).on_upgrade(move |socket| conn::run::<PersonConn>(socket, state, ()))
}

/// One connection of the person's page.
pub struct PersonConn {
    state: AppState,
    contact: Contact,
    conn: i64,
    delivered: Delivered,
    /// Last queue frame sent (position, waiting, on duty, estimate), to send only changes.
    last_queue: Option<(usize, usize, usize, WaitEstimate)>,
    waiting: bool,
    /// Whether this connection is recorded as the person's (not for an ended contact).
    attached: bool,
    /// The declared campaign whose link brought the page: its messages count under it.
    campaign: Option<CampaignCode>,
}

#[async_trait]
impl Side for PersonConn {
    type In = PersonIn;
    type Auth = ();
    const METRIC: MetricSide = MetricSide::Person;
    // Nothing periodic on this side.
    const TICK: Option<Duration> = None;

    fn kind(frame: &PersonIn) -> FrameKind<'_> {
        match frame {
            PersonIn::Hello { .. } => FrameKind::Hello,
            PersonIn::Send { id, .. } => FrameKind::Message {
                id,
                contact_id: None,
            },
            PersonIn::Typing => FrameKind::Typing,
            PersonIn::Ping => FrameKind::Ping,
            PersonIn::End | PersonIn::Received { .. } => FrameKind::Other,
        }
    }

    async fn open(state: &AppState, (): (), hello: PersonIn, io: &mut Io) -> Result<Self, Refusal> {
        let PersonIn::Hello {
            token,
            last_seq,
            campaign,
        } = hello
        else {
            return Err(Refusal::not_hello());
        };
        let contact = match resume(state, &token).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                return Err(Refusal {
                    error: ErrorOut::new(
                        ErrorCode::BadToken,
                        "this conversation is unknown or has been deleted",
                    ),
                    close: Some((CloseCode::Auth, "bad token")),
                })
            }
            Err(e) => {
                tracing::error!(error = %e, "person resume failed");
                return Err(Refusal {
                    error: ErrorOut::new(ErrorCode::Internal, "the server failed; please retry"),
                    close: Some((CloseCode::Normal, "internal error")),
                });
            }
        };
        let conn = new_connection_id(state);
        // Subscribe before reading the backlog: whatever is committed after this point arrives
        // as an event, whatever before is in the backlog; the tracker drops the overlap.
        io.follow(Topic::Contact(contact.id));
        let ended = matches!(contact.state, ContactState::Ended { .. });
        if !ended {
            if let Err(e) = state.app.person_connected(contact.id, conn).await {
                tracing::error!(error = %e, "attach person failed");
                return Err(Refusal {
                    error: ErrorOut::new(ErrorCode::Internal, "the server failed; please retry"),
                    close: Some((CloseCode::Normal, "internal error")),
                });
            }
        }
        let mut delivered = Delivered::new(Audience::Person);
        delivered.track(contact.id, last_seq);
        Ok(PersonConn {
            campaign: state.app.campaign_of(campaign.as_deref()),
            state: state.clone(),
            waiting: contact.state == ContactState::Waiting,
            contact,
            conn,
            delivered,
            last_queue: None,
            attached: !ended,
        })
    }

    fn centre(&self) -> CentreId {
        self.contact.centre
    }

    async fn welcome(&mut self, io: &mut Io) -> bool {
        let (listener, listener_away) = match self.contact.state.listener() {
            Some(id) => {
                let away = self
                    .state
                    .store
                    .listeners_away_since(self.state.clock.now())
                    .await
                    .map(|away| away.contains(&id))
                    .unwrap_or(false);
                (self.pseudonym(id).await, away)
            }
            None => (None, false),
        };
        let welcome = PersonOut::Welcome {
            contact_id: self.contact.id.to_string(),
            state: self.contact.state.status(),
            listener,
            listener_away,
            end_reason: self.contact.state.end_reason(),
            max_message_chars: self.state.config.chat.max_message_chars,
            heartbeat_ms: self.state.config.chat.heartbeat_millis(),
        };
        if !io.send(&welcome).await {
            return false;
        }
        self.catch_up(io).await
    }

    fn wants_queue(&self) -> bool {
        self.waiting
    }

    async fn on_queue(&mut self, io: &mut Io, snapshot: &Arc<QueueSnapshot>) -> bool {
        // Not in this snapshot yet (it was computed before we joined): the next one will be.
        let id = self.contact.id;
        let (Some(position), Some(estimate)) = (snapshot.position(id), snapshot.estimate(id))
        else {
            return true;
        };
        let key = (position, snapshot.len(), snapshot.on_duty, estimate);
        if self.last_queue == Some(key) {
            return true;
        }
        self.last_queue = Some(key);
        io.send(&PersonOut::Queue {
            position,
            waiting: snapshot.len(),
            on_duty: snapshot.on_duty,
            estimate,
        })
        .await
    }

    async fn on_frame(&mut self, io: &mut Io, frame: PersonIn) -> Flow {
        let id = self.contact.id;
        match frame {
            PersonIn::Send { id, body } => self.on_send(io, id, body).await.into(),
            PersonIn::Typing => {
                let event = Event::Typing {
                    contact: id,
                    author: Author::Person,
                };
                self.state.app.publish(Topic::Contact(id), event).await;
                Flow::Continue
            }
            PersonIn::Received { seq } => {
                // Never more than this socket has delivered: a page cannot claim what it was
                // not sent.
                let seq = seq.min(self.delivered.last(id));
                if seq > 0 {
                    let event = Event::Shown {
                        contact: id,
                        reader: Author::Person,
                        seq,
                    };
                    self.state.app.publish(Topic::Contact(id), event).await;
                }
                Flow::Continue
            }
            PersonIn::End => match self.state.app.leave(id).await {
                Ok(_) => Flow::Continue,
                Err(AppError::ContactEnded | AppError::Refused(_)) => {
                    let err = ErrorOut::new(
                        ErrorCode::ContactEnded,
                        "the conversation has already ended",
                    );
                    io.error(err).await.into()
                }
                Err(e) => self.internal(io, e, None).await.into(),
            },
            // Answered by the connection loop.
            PersonIn::Hello { .. } | PersonIn::Ping => Flow::Continue,
        }
    }

    async fn on_event(
        &mut self,
        io: &mut Io,
        _topic: Topic,
        event: Result<Arc<Event>, BroadcastStreamRecvError>,
    ) -> Flow {
        let event = match event {
            Ok(e) => e,
            // Missed events: re-read messages and state from the store.
            Err(BroadcastStreamRecvError::Lagged(_)) => return self.resync(io).await.into(),
        };
        let sent = match &*event {
            Event::Message { message } => {
                match self
                    .delivered
                    .on_event(self.state.store.as_ref(), message)
                    .await
                {
                    Ok(out) => io.send_messages(out, PersonOut::Message).await,
                    Err(e) => {
                        tracing::error!(error = %e, "delivery failed");
                        false
                    }
                }
            }
            Event::Typing {
                author: Author::Listener,
                ..
            } => io.send(&PersonOut::Typing).await,
            Event::Connection {
                author: Author::Listener,
                away,
                ..
            } => {
                let frame = if *away {
                    PersonOut::ListenerAway
                } else {
                    PersonOut::ListenerBack
                };
                io.send(&frame).await
            }
            Event::Shown {
                reader: Author::Listener,
                seq,
                ..
            } => io.send(&PersonOut::Delivered { seq: *seq }).await,
            Event::Contact { contact } => self.on_contact_change(io, contact).await,
            Event::Transferred { contact, .. } => {
                let Some(listener) = contact.listener else {
                    return Flow::Continue;
                };
                let name = self.pseudonym(listener).await.unwrap_or_default();
                io.send(&PersonOut::Transferred { listener: name }).await
            }
            Event::Replaced { connection } if *connection != self.conn => {
                io.send(&PersonOut::Replaced).await;
                return Flow::Replaced;
            }
            _ => true,
        };
        sent.into()
    }

    async fn left(&mut self, _io: &mut Io) {
        if !self.attached {
            return;
        }
        // If this was the person's current connection, record the absence and tell the
        // listener. The sweeper ends the contact if they do not come back in time.
        if let Err(e) = self.state.app.person_left(self.contact.id, self.conn).await {
            tracing::warn!(error = %e, "detach person failed");
        }
    }
}

/// The contact whose resume token is `token`.
pub async fn resume(state: &AppState, token: &str) -> ecoute_store::StoreResult<Option<Contact>> {
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
    async fn catch_up(&mut self, io: &mut Io) -> bool {
        match self
            .delivered
            .catch_up(self.state.store.as_ref(), self.contact.id)
            .await
        {
            Ok(missed) => io.send_messages(missed, PersonOut::Message).await,
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

    async fn on_send(&mut self, io: &mut Io, id: String, body: String) -> bool {
        let Ok(client_id) = ClientMessageId::parse(&id) else {
            let err = ErrorOut::new(
                ErrorCode::BadMessageId,
                ecoute_domain::IdError::ClientMessage.to_string(),
            );
            return io.error(err).await;
        };
        let body = match MessageBody::parse(&body, self.state.config.chat.max_message_chars) {
            Ok(b) => b,
            Err(e) => {
                let err = ErrorOut::new(ErrorCode::MessageInvalid, e.to_string()).with_id(&id);
                return io.error(err).await;
            }
        };
        let contact = self.contact.id;
        match super::commit_message(&self.state, contact, Sender::Person, &client_id, &body).await {
            Ok(appended) => {
                // A resend is the same message: counted once.
                if appended.created {
                    self.state
                        .app
                        .count(self.campaign.as_ref(), CampaignEvent::MessageWritten);
                }
                let ack = PersonOut::Ack {
                    id,
                    seq: appended.message.seq,
                };
                io.send(&ack).await
            }
            Err(AppError::ContactEnded | AppError::NotYourContact | AppError::Refused(_)) => {
                let err = ErrorOut::new(ErrorCode::ContactEnded, "the conversation has ended")
                    .with_id(&id);
                io.error(err).await
            }
            Err(AppError::DuplicateMessageId) => {
                let err = ErrorOut::new(
                    ErrorCode::DuplicateMessageId,
                    "this message id is already used in the conversation; send it with a new id",
                )
                .with_id(&id);
                io.error(err).await
            }
            Err(e) => self.internal(io, e, Some(&id)).await,
        }
    }

    async fn internal(&self, io: &mut Io, e: impl Into<AppError>, id: Option<&str>) -> bool {
        let mut err = super::server_failed(
            e.into(),
            "person",
            "the server failed; nothing was saved, please retry",
        );
        if let Some(id) = id {
            err = err.with_id(id);
        }
        io.error(err).await
    }

    async fn on_contact_change(&mut self, io: &mut Io, c: &ContactEvent) -> bool {
        match c.state {
            ContactStatus::Active => {
                self.waiting = false;
                let Some(listener) = c.listener else {
                    return true;
                };
                let name = self.pseudonym(listener).await.unwrap_or_default();
                io.send(&PersonOut::Assigned { listener: name }).await
            }
            ContactStatus::Waiting => {
                if self.waiting {
                    return true;
                }
                self.waiting = true;
                self.last_queue = None;
                io.send(&PersonOut::Requeued).await
            }
            ContactStatus::Ended => {
                self.waiting = false;
                let reason = c.end_reason.unwrap_or(EndReason::PersonEnded);
                io.send(&PersonOut::Ended { reason }).await
            }
        }
    }

    async fn resync(&mut self, io: &mut Io) -> bool {
        let store = self.state.store.as_ref();
        let Ok(Some(contact)) = store.contact(self.contact.id).await else {
            return false;
        };
        if !self.catch_up(io).await {
            return false;
        }
        let event = ContactEvent::from(&contact);
        let now_waiting = contact.state == ContactState::Waiting;
        if self.waiting != now_waiting || matches!(contact.state, ContactState::Ended { .. }) {
            return self.on_contact_change(io, &event).await;
        }
        true
    }
}
