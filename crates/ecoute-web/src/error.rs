//! The web layer's one error type, mapped once to HTTP responses.
//!
//! Every error becomes a JSON body `{"error": code, "message": text}` with its status. Page
//! routes then re-render the same error as an HTML page (see [`crate::pages::html_errors`]),
//! using the [`ErrorInfo`] left in the response's extensions.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ecoute_store::StoreError;

/// What went wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No such page or object.
    #[error("not found")]
    NotFound,
    /// Not logged in, or the session expired.
    #[error("please log in")]
    Unauthorized,
    /// Logged in but not allowed.
    #[error("you are not allowed to do this")]
    Forbidden,
    /// The request is malformed; the text says how.
    #[error("{0}")]
    BadRequest(String),
    /// A form's CSRF token is missing or wrong.
    #[error("the form has expired; please reload the page and try again")]
    Csrf,
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The request is well-formed but its content is refused.
    #[error("{0}")]
    Unprocessable(String),
    /// The queue holds its maximum of waiting people (`chat.max_waiting`).
    #[error("the queue is full right now; please try again in a few minutes")]
    QueueFull,
    /// Temporarily unable; the text says why.
    #[error("{0}")]
    Unavailable(String),
    /// A failure of ours; details are logged, not shown.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// The essentials of an error, kept in the response so a page router can render it as HTML.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Machine-readable code.
    pub code: &'static str,
    /// Text for people.
    pub message: String,
}

impl WebError {
    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::QueueFull | WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::NotFound => "not_found",
            WebError::Unauthorized => "unauthorized",
            WebError::Forbidden => "forbidden",
            WebError::BadRequest(_) => "bad_request",
            WebError::Csrf => "csrf",
            WebError::Conflict(_) => "conflict",
            WebError::Unprocessable(_) => "unprocessable",
            WebError::QueueFull => "queue_full",
            WebError::Unavailable(_) => "unavailable",
            WebError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WebError::NotFound,
            StoreError::QueueFull => WebError::QueueFull,
            StoreError::Busy => WebError::Unavailable(e.to_string()),
            StoreError::UsernameTaken(_)
            | StoreError::SheetExists
            | StoreError::Transition(_)
            | StoreError::Resend(_)
            | StoreError::Conflict(_) => WebError::Conflict(e.to_string()),
            StoreError::Config(_)
            | StoreError::Corrupt(_)
            | StoreError::Database(_)
            | StoreError::Migrate(_) => WebError::Internal(e.into()),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(e.into())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Internal(e) = &self {
            tracing::error!(error = %format!("{e:#}"), "request failed");
        }
        let info = ErrorInfo {
            code: self.code(),
            message: self.to_string(),
        };
        let body = serde_json::json!({ "error": info.code, "message": info.message });
        let mut response = (self.status(), Json(body)).into_response();
        response.extensions_mut().insert(info);
        response
    }
}
