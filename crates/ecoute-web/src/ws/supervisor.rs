//! The supervisor's socket: the live board, alerts, reading a conversation (each read
//! recorded by the use case) and private notes to its listener.

use async_trait::async_trait;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use ecoute_app::supervision::{Board, Transcript};
use ecoute_app::AppError;
use ecoute_domain::{
    AlertId, CentreId, Channel, ContactId, ContactStatus, Event, QueueSnapshot, Topic,
    TransitionError, UserId,
};
use ecoute_protocol::{
    AlertOut, Audience, BoardOut, ErrorCode, ErrorOut, MessageOut, OngoingOut, RosterOut,
    SupervisorIn, SupervisorOut, TriageOut, WaitingOut, WhisperOut,
};
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::conn::{self, Flow, FrameKind, Io, Refusal, Side};
use super::delivery::Delivered;
use super::transport;
use crate::auth::{Allowed, StaffSession, Supervising};
use crate::error::WebError;
use crate::metrics::Side as MetricSide;
use crate::state::AppState;

/// How often the board is sent again when something changed: changes closer together are
/// folded into one board (a busy centre changes many times a second).
const BOARD_EVERY: Duration = Duration::from_millis(500);
/// Written threads shown on the board, at most.
const WRITTEN_SHOWN: u32 = 200;
/// The session is checked every this many ticks (sessions also expire by time).
const SESSION_CHECK_TICKS: u32 = 60;

/// `GET /ws/supervisor`: needs a session that may supervise, and a same-origin request.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    headers: HeaderMap,
    Allowed { session, .. }: Allowed<Supervising>,
) -> Result<Response, WebError> {
    super::check_origin(&headers, &state.config.public_url)?;
    Ok(transport::limited(ws)
        .on_upgrade(move |socket| conn::run::<SupervisorConn>(socket, state, session)))
}

/// One connection of a supervisor's board.
pub(crate) struct SupervisorConn {
    state: AppState,
    session: StaffSession,
    /// The conversation read, if any.
    watching: Option<ContactId>,
    delivered: Delivered,
    /// Something changed since the last board sent.
    dirty: bool,
    ticks: u32,
}

#[async_trait]
impl Side for SupervisorConn {
    type In = SupervisorIn;
    type Auth = StaffSession;
    const METRIC: MetricSide = MetricSide::Supervisor;
    const TICK: Option<Duration> = Some(BOARD_EVERY);

    fn kind(frame: &SupervisorIn) -> FrameKind<'_> {
        match frame {
            SupervisorIn::Hello => FrameKind::Hello,
            SupervisorIn::Ping => FrameKind::Ping,
            SupervisorIn::Whisper { contact_id, id, .. } => FrameKind::Message {
                id,
                contact_id: Some(contact_id),
            },
            _ => FrameKind::Other,
        }
    }

    async fn open(
        state: &AppState,
        session: StaffSession,
        hello: SupervisorIn,
        io: &mut Io,
    ) -> Result<Self, Refusal> {
        if hello != SupervisorIn::Hello {
            return Err(Refusal::not_hello());
        }
        // Every change of the queue, the roster, the conversations or the alerts.
        io.follow(Topic::Centre(session.user.centre));
        let user = session.user.id;
        Ok(SupervisorConn {
            state: state.clone(),
            session,
            watching: None,
            delivered: Delivered::new(Audience::Listener(user)),
            dirty: false,
            ticks: 0,
        })
    }

    fn centre(&self) -> CentreId {
        self.session.user.centre
    }

    async fn welcome(&mut self, io: &mut Io) -> bool {
        let board = match self.board().await {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, "board load failed");
                return false;
            }
        };
        io.send(&SupervisorOut::Welcome {
            pseudonym: self.session.user.pseudonym.clone(),
            heartbeat_ms: self.state.config.chat.heartbeat_millis(),
            board,
        })
        .await
    }

    fn wants_queue(&self) -> bool {
        // The board follows the centre's events itself.
        false
    }

    async fn on_queue(&mut self, _io: &mut Io, _snapshot: &Arc<QueueSnapshot>) -> bool {
        true
    }

    async fn on_frame(&mut self, io: &mut Io, frame: SupervisorIn) -> Flow {
        let sent = match frame {
            SupervisorIn::Watch { contact_id } => self.on_watch(io, &contact_id).await,
            SupervisorIn::Unwatch { contact_id } => {
                if let Some(c) = self.watching.filter(|c| c.to_string() == contact_id) {
                    self.stop_watching(io, c);
                }
                true
            }
            SupervisorIn::Whisper {
                contact_id,
                id,
                body,
            } => self.on_whisper(io, &contact_id, id, &body).await,
            SupervisorIn::Resolve { alert_id } => self.on_resolve(io, &alert_id).await,
            SupervisorIn::TakeOver { contact_id } => self.on_transfer(io, &contact_id, None).await,
            SupervisorIn::Transfer { contact_id, to } => {
                self.on_transfer(io, &contact_id, Some(UserId(to))).await
            }
            SupervisorIn::Priority {
                contact_id,
                priority,
            } => self.on_priority(io, &contact_id, priority).await,
            // Answered by the connection loop.
            SupervisorIn::Hello | SupervisorIn::Ping => true,
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
            Topic::Centre(_) => {
                self.dirty = true;
                Flow::Continue
            }
            Topic::Contact(contact) if self.watching == Some(contact) => {
                self.on_watched_event(io, contact, event).await.into()
            }
            _ => Flow::Continue,
        }
    }

    async fn on_tick(&mut self, io: &mut Io) -> Flow {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks.is_multiple_of(SESSION_CHECK_TICKS) {
            let flow = super::session_holds(&self.state, &self.session, io).await;
            if !matches!(flow, Flow::Continue) {
                return flow;
            }
        }
        if !self.dirty {
            return Flow::Continue;
        }
        self.dirty = false;
        match self.board().await {
            Ok(board) => io.send(&SupervisorOut::Board { board }).await.into(),
            Err(e) => {
                // Tried again at the next tick.
                tracing::warn!(error = %e, "board refresh failed");
                self.dirty = true;
                Flow::Continue
            }
        }
    }

    async fn left(&mut self, _io: &mut Io) {
        // A supervisor's board holds no presence and no conversation.
    }
}

impl SupervisorConn {
    async fn board(&self) -> Result<BoardOut, AppError> {
        let board = self.state.app.board(&self.session.user).await?;
        let written = self
            .state
            .store
            .inbox(self.session.user.centre, WRITTEN_SHOWN)
            .await?;
        Ok(board_out(board, &written))
    }

    async fn on_watch(&mut self, io: &mut Io, contact_id: &str) -> bool {
        let Ok(contact) = contact_id.parse::<ContactId>() else {
            return io.error(unknown_contact(contact_id)).await;
        };
        if let Some(previous) = self.watching {
            self.stop_watching(io, previous);
        }
        // Followed before the read, so that a message committed meanwhile arrives as an
        // event (and is dropped if the transcript already had it).
        io.follow(Topic::Contact(contact));
        match self
            .state
            .app
            .read_conversation(&self.session.user, contact)
            .await
        {
            Ok(transcript) => {
                self.watching = Some(contact);
                let frame = self.transcript(transcript);
                io.send(&frame).await
            }
            Err(e) => {
                io.unfollow(Topic::Contact(contact));
                match e {
                    AppError::NotFound => io.error(unknown_contact(contact_id)).await,
                    AppError::NotSupervisor => io.error(forbidden()).await,
                    e => self.internal(io, e, Some(contact_id), None).await,
                }
            }
        }
    }

    fn transcript(&mut self, t: Transcript) -> SupervisorOut {
        let last = t.messages.last().map_or(0, |m| m.seq);
        self.delivered.track(t.contact.id, last);
        let audience = Audience::Listener(self.session.user.id);
        SupervisorOut::Transcript {
            contact_id: t.contact.id.to_string(),
            label: t.contact.id.person_label(),
            listener: t.listener_pseudonym.unwrap_or_default(),
            messages: t
                .messages
                .into_iter()
                .map(|m| MessageOut::new(m, audience))
                .collect(),
            whispers: t.whispers.iter().map(WhisperOut::from).collect(),
        }
    }

    fn stop_watching(&mut self, io: &mut Io, contact: ContactId) {
        io.unfollow(Topic::Contact(contact));
        self.delivered.forget(contact);
        self.watching = None;
    }

    async fn on_watched_event(
        &mut self,
        io: &mut Io,
        contact: ContactId,
        event: Result<Arc<Event>, BroadcastStreamRecvError>,
    ) -> bool {
        let store = self.state.store.clone();
        let missed = match event.as_deref() {
            Ok(Event::Message { message }) => {
                self.delivered.on_event(store.as_ref(), message).await
            }
            Ok(Event::Contact { contact: change }) if change.state == ContactStatus::Ended => {
                let rest = self.delivered.catch_up(store.as_ref(), contact).await;
                let sent = match rest {
                    Ok(rest) => io.send_messages(rest, SupervisorOut::Message).await,
                    Err(e) => return self.internal(io, e, Some(&contact.to_string()), None).await,
                };
                self.stop_watching(io, contact);
                return sent
                    && io
                        .send(&SupervisorOut::Ended {
                            contact_id: contact.to_string(),
                        })
                        .await;
            }
            Err(BroadcastStreamRecvError::Lagged(_)) => {
                self.delivered.catch_up(store.as_ref(), contact).await
            }
            Ok(_) => return true,
        };
        match missed {
            Ok(out) => io.send_messages(out, SupervisorOut::Message).await,
            Err(e) => self.internal(io, e, Some(&contact.to_string()), None).await,
        }
    }

    async fn on_whisper(&mut self, io: &mut Io, contact_id: &str, id: String, body: &str) -> bool {
        let Ok(contact) = contact_id.parse::<ContactId>() else {
            return io.error(unknown_contact(contact_id).with_id(&id)).await;
        };
        match self
            .state
            .app
            .whisper(&self.session.user, contact, body)
            .await
        {
            Ok(w) => {
                io.send(&SupervisorOut::Whispered {
                    id,
                    whisper: WhisperOut::from(&w),
                })
                .await
            }
            Err(AppError::InvalidWhisper(e)) => {
                let err = ErrorOut::new(ErrorCode::MessageInvalid, e.to_string())
                    .with_id(&id)
                    .with_contact(contact_id);
                io.error(err).await
            }
            Err(AppError::ContactEnded | AppError::Refused(_)) => {
                let err = ErrorOut::new(
                    ErrorCode::ContactEnded,
                    "the conversation is not in progress",
                )
                .with_id(&id)
                .with_contact(contact_id);
                io.error(err).await
            }
            Err(AppError::NotFound) => io.error(unknown_contact(contact_id).with_id(&id)).await,
            Err(AppError::NotSupervisor) => io.error(forbidden()).await,
            Err(e) => self.internal(io, e, Some(contact_id), Some(&id)).await,
        }
    }

    async fn on_transfer(&mut self, io: &mut Io, contact_id: &str, to: Option<UserId>) -> bool {
        let Ok(contact) = contact_id.parse::<ContactId>() else {
            return io.error(unknown_contact(contact_id)).await;
        };
        let refused = |code, text: &str| ErrorOut::new(code, text).with_contact(contact_id);
        match self
            .state
            .app
            .transfer(&self.session.user, contact, to)
            .await
        {
            // The board, the workspaces and the person follow through the events.
            Ok(_) => true,
            Err(AppError::NotAvailable) => {
                let text = if to.is_none() {
                    "open your workspace and set yourself available to take the conversation over"
                } else {
                    "this listener is not available"
                };
                io.error(refused(ErrorCode::NotAvailable, text)).await
            }
            Err(AppError::AtCapacity) => {
                let text = "this listener already holds as many conversations as they may";
                io.error(refused(ErrorCode::Busy, text)).await
            }
            Err(AppError::Refused(TransitionError::SameListener)) => {
                let text = "this listener already holds the conversation";
                io.error(refused(ErrorCode::BadFrame, text)).await
            }
            Err(AppError::ContactEnded | AppError::Refused(_)) => {
                let text = "the conversation is not in progress";
                io.error(refused(ErrorCode::ContactEnded, text)).await
            }
            Err(AppError::NotFound) => io.error(unknown_contact(contact_id)).await,
            Err(AppError::NotSupervisor) => io.error(forbidden()).await,
            Err(e) => self.internal(io, e, Some(contact_id), None).await,
        }
    }

    async fn on_priority(&mut self, io: &mut Io, contact_id: &str, priority: i32) -> bool {
        let Ok(contact) = contact_id.parse::<ContactId>() else {
            return io.error(unknown_contact(contact_id)).await;
        };
        match self
            .state
            .app
            .change_priority(&self.session.user, contact, priority)
            .await
        {
            // The board follows through the centre's event.
            Ok(_) => true,
            Err(AppError::InvalidPriority) => {
                let err = ErrorOut::new(ErrorCode::BadFrame, "a priority is between 0 and 9")
                    .with_contact(contact_id);
                io.error(err).await
            }
            Err(AppError::Refused(_) | AppError::ContactEnded) => {
                let err = ErrorOut::new(
                    ErrorCode::NotWaiting,
                    "this person is no longer waiting: a listener has answered, or they left",
                )
                .with_contact(contact_id);
                io.error(err).await
            }
            Err(AppError::NotFound) => io.error(unknown_contact(contact_id)).await,
            Err(AppError::NotSupervisor) => io.error(forbidden()).await,
            Err(e) => self.internal(io, e, Some(contact_id), None).await,
        }
    }

    async fn on_resolve(&mut self, io: &mut Io, alert_id: &str) -> bool {
        let unknown = || ErrorOut::new(ErrorCode::UnknownAlert, "there is no such alert");
        let Ok(id) = alert_id.parse::<AlertId>() else {
            return io.error(unknown()).await;
        };
        match self.state.app.resolve_alert(&self.session.user, id).await {
            // Every board, this one included, hears of it through the centre's event.
            Ok(_) => true,
            Err(AppError::NotFound) => io.error(unknown()).await,
            Err(AppError::NotSupervisor) => io.error(forbidden()).await,
            Err(e) => self.internal(io, e, None, None).await,
        }
    }

    /// A refusal because the server failed, naming what failed (see `refuse_failed`).
    async fn internal(
        &self,
        io: &mut Io,
        e: impl Into<AppError>,
        contact_id: Option<&str>,
        id: Option<&str>,
    ) -> bool {
        super::refuse_failed(io, e.into(), "supervisor", contact_id, id).await
    }
}

fn unknown_contact(contact_id: &str) -> ErrorOut {
    ErrorOut::new(
        ErrorCode::NotYourContact,
        "there is no such conversation in your centre",
    )
    .with_contact(contact_id)
}

fn forbidden() -> ErrorOut {
    ErrorOut::new(ErrorCode::Forbidden, "your account may not supervise")
}

/// The board as sent: labels instead of ids for whoever waits, pseudonyms for listeners.
fn board_out(board: Board, written: &[ecoute_domain::Thread]) -> BoardOut {
    let in_progress: Vec<ContactId> = board.ongoing.iter().map(|o| o.contact.id).collect();
    let mut waiting: Vec<WaitingOut> = board
        .waiting
        .iter()
        .map(|e| WaitingOut {
            contact_id: Some(e.id.to_string()),
            triage: board
                .triage
                .iter()
                .find(|(id, _)| *id == e.id)
                .map(|(_, r)| TriageOut::from(r)),
            label: e.id.person_label(),
            channel: Channel::Chat,
            priority: e.priority,
            returning: e.returning,
            since: e.queued_at.millis(),
        })
        .collect();
    waiting.extend(written.iter().filter_map(|t| {
        t.waiting_since.map(|since| WaitingOut {
            contact_id: None,
            triage: None,
            label: t.id.label(),
            channel: Channel::Message,
            priority: t.priority,
            returning: false,
            since: since.millis(),
        })
    }));
    BoardOut {
        now: board.now.millis(),
        waiting,
        ongoing: board
            .ongoing
            .iter()
            .map(|o| OngoingOut {
                contact_id: o.contact.id.to_string(),
                label: o.contact.id.person_label(),
                listener: o.listener_pseudonym.clone(),
                answered_at: o.contact.answered_at.map(|t| t.millis()),
            })
            .collect(),
        roster: board
            .roster
            .iter()
            .map(|r| RosterOut {
                user_id: r.user.0,
                pseudonym: r.pseudonym.clone(),
                presence: r.presence,
                conversations: r.conversations,
                since: r.since.map(|t| t.millis()),
                away: r.away,
            })
            .collect(),
        alerts: board
            .alerts
            .iter()
            .map(|a| AlertOut {
                alert_id: a.id.to_string(),
                kind: a.kind,
                contact_id: a.contact.to_string(),
                label: a.contact.person_label(),
                listener: a.listener_pseudonym.clone(),
                raised_at: a.raised_at.millis(),
                in_progress: in_progress.contains(&a.contact),
            })
            .collect(),
        answered_last_hour: board.answered_last_hour.answered,
        settled_last_hour: board.answered_last_hour.settled,
    }
}
