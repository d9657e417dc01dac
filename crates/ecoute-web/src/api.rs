//! The JSON endpoints: joining the queue, health, and the OpenAPI document.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ecoute_domain::{CentreId, Channel, ContactId, Event, Topic};
use ecoute_store::NewContact;
use serde::Serialize;

use crate::auth::{random_token, sha256_hex};
use crate::clock;
use crate::error::WebError;
use crate::live::publish;
use crate::state::AppState;

/// The API routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/contacts", post(create_contact))
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

/// `POST /api/contacts`: joins the queue.
async fn create_contact(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    crate::joins::admit(&state, &headers)?;
    // Every install has one centre for now; routing between centres comes with federation.
    let centre = CentreId::DEFAULT;
    let waiting = state.queues.watch(centre).borrow().len();
    if waiting >= state.config.chat.max_waiting {
        return Err(WebError::Unavailable(
            "the queue is full right now; please try again in a few minutes".into(),
        ));
    }
    let token = random_token();
    let contact = state
        .store
        .create_contact(&NewContact {
            id: ContactId::new_random(),
            centre,
            channel: Channel::Chat,
            resume_hash: sha256_hex(&token),
            now: clock::now(),
        })
        .await?;
    state.metrics.contact_created();
    publish(
        state.bus.as_ref(),
        Topic::Centre(centre),
        Event::QueueChanged { centre },
    )
    .await;
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
