//! The JSON endpoints: joining the queue, health, and the OpenAPI document.

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ecoute_app::AppError;
use ecoute_domain::{CampaignEvent, CentreId};
use serde::Serialize;

use crate::auth::{random_token, sha256_hex};
use crate::error::WebError;
use crate::state::AppState;

/// The API routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/contacts", post(create_contact))
        .route("/api/contacts/leave", post(leave_contact))
        .route("/api/reveals", post(count_reveal))
        .route("/api/openapi.json", get(openapi))
        .route("/healthz", get(health))
        .route("/metrics", get(crate::metrics::metrics))
}

/// Answer to `POST /api/contacts`.
#[derive(Serialize)]
pub struct ContactCreated {
    /// The new contact.
    pub contact_id: String,
    /// The person's only credential: keep it to resume; only its hash is stored.
    pub token: String,
    /// Where to connect.
    pub websocket: &'static str,
}

/// `POST /api/contacts`: joins the queue (`?c=CODE`: by a campaign's link; the conversation
/// started is counted under it, anonymously).
async fn create_contact(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    crate::joins::admit(&state, &headers)?;
    // Every install has one centre for now; routing between centres comes with federation.
    let centre = CentreId::DEFAULT;
    let token = random_token();
    // A burst of joins cannot overshoot `chat.max_waiting` (refused with `queue_full`).
    let contact = state.app.join(centre, sha256_hex(&token)).await?;
    state.metrics.contact_created();
    crate::attribution::count_by_link(
        &state.app,
        query.as_deref(),
        ecoute_domain::CampaignEvent::ConversationStarted,
    );
    let body = ContactCreated {
        contact_id: contact.id.to_string(),
        token,
        websocket: "/ws/person",
    };
    // The answer carries the person's only credential: no cache may keep it.
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response())
}

/// Body of `POST /api/contacts/leave`.
/// `POST /api/reveals` (`?c=CODE`): a story of the campaign page was revealed; counted under
/// the declared campaign, or under none, anonymously (the day's total only). Another site's
/// page cannot count.
async fn count_reveal(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<StatusCode, WebError> {
    if !crate::joins::same_site(&headers, &state.config.public_url) {
        return Err(WebError::CrossSite);
    }
    crate::attribution::count_by_link(&state.app, query.as_deref(), CampaignEvent::Reveal);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LeaveRequest {
    /// The resume token from `POST /api/contacts`.
    token: String,
}

/// `POST /api/contacts/leave`: ends the conversation, or leaves the queue — what the `end`
/// frame does, over plain HTTP so that the quick exit can send it as a beacon while the page
/// is already navigating away (a WebSocket frame can be lost with the page). Authenticated by
/// the token alone; `204` also when the contact had already ended, since either way it no
/// longer waits.
async fn leave_contact(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    let request: LeaveRequest = serde_json::from_slice(&body)
        .map_err(|e| WebError::BadRequest(format!("the body must be {{\"token\": \"…\"}}: {e}")))?;
    let contact = crate::ws::person::resume(&state, &request.token)
        .await?
        .ok_or(WebError::NotFound)?;
    match state.app.leave(contact.id).await {
        Ok(_) | Err(AppError::ContactEnded | AppError::Refused(_)) => {
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /healthz`: 200 when the database answers.
async fn health(State(state): State<AppState>) -> Response {
    match state.store.count_users().await {
        Ok(_) => Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

/// `GET /api/openapi.json`.
async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../openapi.json"),
    )
        .into_response()
}
