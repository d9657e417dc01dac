//! The three WebSockets (see docs/protocol.md): the person reaching out, the listener, and
//! the supervisor's live board. All run the one loop of [`conn`]; the frames are
//! `ecoute_protocol`'s.
//!
//! - [`transport`]: one socket — strict parsing, sending, RFC 6455 closing;
//! - [`rate`]: per-socket rate limits;
//! - [`conn`]: the connection loop both sides share, and the [`conn::Side`] each implements;
//! - [`delivery`]: exactly-once, in-order delivery of messages;
//! - [`person`], [`listener`], [`supervisor`]: each side's frames.

mod conn;
mod delivery;
mod listener;
pub(crate) mod person;
mod rate;
mod supervisor;
mod transport;

pub use listener::upgrade as listener_upgrade;
pub use person::upgrade as person_upgrade;
pub use supervisor::upgrade as supervisor_upgrade;

use ecoute_app::{AppError, AppResult};
use ecoute_domain::{ClientMessageId, ContactId, MessageBody};
use ecoute_protocol::{ErrorCode, ErrorOut};
use ecoute_store::{Appended, Sender};
use std::time::{Duration, Instant};

use crate::auth::StaffSession;
use crate::error::WebError;
use crate::state::AppState;
use axum::http::HeaderMap;
use conn::{Flow, Io};
use ecoute_protocol::CloseCode;

/// Refuses cross-site WebSocket hijacking of the staff sockets: the `Origin` must be
/// ecoute's own — the same scheme, host and port (RFC 6454), not merely the same host.
fn check_origin(headers: &HeaderMap, public_url: &str) -> Result<(), WebError> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let origin = header(axum::http::header::ORIGIN).ok_or(WebError::Forbidden)?;
    if crate::origin::is_own_page(origin, header(axum::http::header::HOST), public_url) {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

/// Ends a staff socket at once if its session is over (logout, expiry, account disabled).
async fn session_holds(state: &AppState, session: &StaffSession, io: &mut Io) -> Flow {
    match state
        .store
        .session(&session.token_hash, state.clock.now())
        .await
    {
        Ok(Some(_)) => Flow::Continue,
        Ok(None) => {
            let err = ErrorOut::new(
                ErrorCode::SessionExpired,
                "your session has ended; please log in again",
            );
            io.error(err).await;
            Flow::Close(CloseCode::Auth, "session ended")
        }
        // The database is briefly unreachable: keep the socket; the next check decides.
        Err(e) => {
            tracing::warn!(error = %e, "session check failed");
            Flow::Continue
        }
    }
}

/// Sends a message through the use case (commit, then announce), timing the commit for the
/// metrics: what both sides do before their ack.
async fn commit_message(
    state: &AppState,
    contact: ContactId,
    sender: Sender,
    client_id: &ClientMessageId,
    body: &MessageBody,
) -> AppResult<Appended> {
    let started = Instant::now();
    let appended = state.app.send(contact, sender, client_id, body).await?;
    if appended.created {
        state
            .metrics
            .message_committed(appended.message.author, started.elapsed());
    }
    Ok(appended)
}

/// The `internal` refusal of a frame whose use case failed on our side, logged here (the
/// error never holds what the caller wrote). When the store only had too many writes
/// waiting, the refusal says when to retry, and the log is a warning: overload is expected
/// under a burst and the client's retry resolves it.
fn server_failed(e: AppError, side: &str, text: &str) -> ErrorOut {
    let err = ErrorOut::new(ErrorCode::Internal, text);
    if matches!(e, AppError::Overloaded) {
        tracing::warn!(error = %e, side, "frame refused: the store is overloaded");
        err.retry_after(Duration::from_secs(crate::error::OVERLOADED_RETRY_SECONDS))
    } else {
        tracing::error!(error = %e, side, "frame failed");
        err
    }
}

/// Refuses a staff frame because the server failed: the refusal names the conversation and
/// the message, so that the page can retry that very frame. Both staff sides use it.
async fn refuse_failed(
    io: &mut Io,
    e: AppError,
    side: &str,
    contact_id: Option<&str>,
    id: Option<&str>,
) -> bool {
    let mut err = server_failed(
        e,
        side,
        "the server failed; nothing was changed, please retry",
    );
    if let Some(contact) = contact_id {
        err = err.with_contact(contact);
    }
    if let Some(id) = id {
        err = err.with_id(id);
    }
    io.error(err).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An overloaded store's refusal says when to retry; a failure says only "retry".
    #[test]
    fn only_overload_says_when_to_retry() {
        let overloaded = server_failed(AppError::Overloaded, "person", "x");
        assert_eq!(overloaded.code, ErrorCode::Internal);
        assert_eq!(
            overloaded.retry_after_ms,
            Some(1000 * crate::error::OVERLOADED_RETRY_SECONDS)
        );
        let failed = server_failed(AppError::Hash("x".into()), "person", "x");
        assert_eq!(failed.code, ErrorCode::Internal);
        assert_eq!(failed.retry_after_ms, None);
    }
}
