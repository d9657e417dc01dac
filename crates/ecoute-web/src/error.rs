//! The web layer's one error type, mapped once to HTTP responses.
//!
//! Every error becomes a JSON body `{"error": code, "message": text}` with its status. Page
//! routes then re-render the same error as an HTML page in the page's language (see
//! [`crate::pages::html_errors`]), using the [`ErrorInfo`] left in the response's extensions.
//! Errors that axum or tower produce themselves (an extractor's rejection, the router's 404
//! and 405, the body limit's 413) carry no [`ErrorInfo`]; [`WebError::from_framework`] maps
//! them, once, in the same middleware.

use std::fmt;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ecoute_app::AppError;
use ecoute_store::StoreError;

use crate::i18n::{Lang, Texts};

/// What went wrong while serving a request.
#[derive(Debug)]
pub enum WebError {
    /// No such page or object.
    NotFound,
    /// The path exists, the method does not.
    MethodNotAllowed,
    /// Not logged in, or the session expired.
    Unauthorized,
    /// Logged in but not allowed.
    Forbidden,
    /// A request made by another site (`Sec-Fetch-Site` or `Origin`), refused.
    CrossSite,
    /// The request is malformed; the text says how.
    BadRequest(String),
    /// A form's CSRF token is missing or wrong.
    Csrf,
    /// The request conflicts with the current state.
    Conflict(String),
    /// A refusal of the pages, with its own text in each language.
    Refused(Refusal),
    /// The request is well-formed but its content is refused.
    Unprocessable(String),
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// Too many requests of this kind right now; try again after this many seconds.
    RateLimited {
        /// Seconds to wait (`Retry-After`).
        retry_after: u64,
    },
    /// The server is too busy for this request right now (e.g. every password check is
    /// taken); try again after this many seconds.
    Busy {
        /// Seconds to wait (`Retry-After`).
        retry_after: u64,
    },
    /// The queue holds its maximum of waiting people (`chat.max_waiting`).
    QueueFull,
    /// Temporarily unable; the text says why.
    Unavailable(String),
    /// A failure of ours; details are logged, not shown.
    Internal(anyhow::Error),
}

/// A refusal whose reason the pages show in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The sheet of a conversation that has not ended.
    SheetConversationOngoing,
    /// A sheet filled in twice.
    SheetAlreadyFilled,
    /// An administrator disabling their own account.
    OwnAccount,
}

impl Refusal {
    /// The i18n key of its text.
    pub fn text_key(self) -> &'static str {
        match self {
            Refusal::SheetConversationOngoing => "refused_sheet_ongoing",
            Refusal::SheetAlreadyFilled => "refused_sheet_filled",
            Refusal::OwnAccount => "refused_own_account",
        }
    }
}

/// The essentials of an error, kept in the response so a page router can render it as HTML.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Machine-readable code.
    pub code: &'static str,
    /// Text for API clients (English).
    pub message: String,
    /// The i18n key of the text a page shows instead.
    pub text_key: &'static str,
}

impl WebError {
    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::Csrf | WebError::CrossSite => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Conflict(_) | WebError::Refused(_) => StatusCode::CONFLICT,
            WebError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::QueueFull | WebError::Busy { .. } | WebError::Unavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::NotFound => "not_found",
            WebError::MethodNotAllowed => "method_not_allowed",
            WebError::Unauthorized => "unauthorized",
            WebError::Forbidden => "forbidden",
            WebError::CrossSite => "cross_site",
            WebError::BadRequest(_) => "bad_request",
            WebError::Csrf => "csrf",
            WebError::Conflict(_) | WebError::Refused(_) => "conflict",
            WebError::Unprocessable(_) => "unprocessable",
            WebError::QueueFull => "queue_full",
            WebError::PayloadTooLarge => "payload_too_large",
            WebError::RateLimited { .. } => "rate_limited",
            WebError::Busy { .. } => "busy",
            WebError::Unavailable(_) => "unavailable",
            WebError::Internal(_) => "internal",
        }
    }

    /// The i18n key of the text a page shows for this error. Details written for API clients
    /// (the `String`s) are English, so pages show their kind's text instead.
    pub fn text_key(&self) -> &'static str {
        match self {
            WebError::NotFound => "error_not_found",
            WebError::MethodNotAllowed => "error_method_not_allowed",
            WebError::Unauthorized => "error_unauthorized",
            WebError::Forbidden => "error_forbidden",
            WebError::CrossSite => "error_cross_site",
            WebError::BadRequest(_) => "error_bad_request",
            WebError::Csrf => "error_csrf",
            WebError::Conflict(_) => "error_conflict",
            WebError::Refused(r) => r.text_key(),
            WebError::Unprocessable(_) => "error_unprocessable",
            WebError::PayloadTooLarge => "error_payload_too_large",
            WebError::RateLimited { .. } => "error_rate_limited",
            WebError::Busy { .. } => "error_server_busy",
            WebError::QueueFull => "queue_full",
            WebError::Unavailable(_) => "error_unavailable",
            WebError::Internal(_) => "error_internal",
        }
    }

    /// An error that axum or tower answered by itself (an extractor's rejection, the router's
    /// 404 or 405, the body limit), from its status and its plain-text body.
    pub fn from_framework(status: StatusCode, text: &str) -> WebError {
        let detail = || {
            let t = text.trim();
            if t.is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("bad request")
                    .to_owned()
            } else {
                t.chars().take(300).collect()
            }
        };
        match status {
            StatusCode::NOT_FOUND => WebError::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => WebError::MethodNotAllowed,
            StatusCode::UNAUTHORIZED => WebError::Unauthorized,
            StatusCode::FORBIDDEN => WebError::Forbidden,
            StatusCode::PAYLOAD_TOO_LARGE => WebError::PayloadTooLarge,
            StatusCode::CONFLICT => WebError::Conflict(detail()),
            StatusCode::UNPROCESSABLE_ENTITY => WebError::Unprocessable(detail()),
            StatusCode::SERVICE_UNAVAILABLE => WebError::Unavailable(detail()),
            s if s.is_server_error() => WebError::Internal(anyhow::anyhow!("{s}: {}", detail())),
            // 400, 415 (not a form, not JSON), 426 (not a WebSocket upgrade)…: the request
            // is at fault and the framework's text says how.
            _ => WebError::BadRequest(detail()),
        }
    }
}

impl fmt::Display for WebError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebError::BadRequest(m)
            | WebError::Conflict(m)
            | WebError::Unprocessable(m)
            | WebError::Unavailable(m) => f.write_str(m),
            // One text per kind, the English of the i18n table.
            other => f.write_str(Texts::new(Lang::En).get(other.text_key())),
        }
    }
}

impl std::error::Error for WebError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebError::Internal(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// When to retry a request the store refused because too many writes were waiting: a
/// second clears several full batches (see `ecoute_store::sqlite::writer`).
pub const OVERLOADED_RETRY_SECONDS: u64 = 1;

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WebError::NotFound,
            StoreError::QueueFull => WebError::QueueFull,
            StoreError::InboxFull | StoreError::ApplicationsFull => {
                WebError::Unavailable(e.to_string())
            }
            StoreError::Busy => WebError::Unavailable(e.to_string()),
            StoreError::AtCapacity => WebError::Conflict(e.to_string()),
            StoreError::Overloaded => WebError::Busy {
                retry_after: OVERLOADED_RETRY_SECONDS,
            },
            StoreError::UsernameTaken(_)
            | StoreError::SheetExists
            | StoreError::Transition(_)
            | StoreError::Resend(_)
            | StoreError::Thread(_)
            | StoreError::Stage(_)
            | StoreError::Conflict(_) => WebError::Conflict(e.to_string()),
            StoreError::Config(_)
            | StoreError::Corrupt(_)
            | StoreError::Aborted(_)
            | StoreError::Database(_)
            | StoreError::Sqlite(_)
            | StoreError::Migrate(_) => WebError::Internal(e.into()),
        }
    }
}

impl From<AppError> for WebError {
    /// A use case's refusal as HTTP; the pages that show a refusal in their own words
    /// match the variants they expect before this.
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound | AppError::UnknownCode => WebError::NotFound,
            AppError::QueueFull => WebError::QueueFull,
            AppError::InboxFull | AppError::ApplicationsFull => {
                WebError::Unavailable(e.to_string())
            }
            AppError::OwnAccount => WebError::Refused(Refusal::OwnAccount),
            AppError::NotSupervisor => WebError::Forbidden,
            AppError::SheetExists => WebError::Refused(Refusal::SheetAlreadyFilled),
            AppError::Refused(ecoute_domain::TransitionError::NotEnded) => {
                WebError::Refused(Refusal::SheetConversationOngoing)
            }
            AppError::InvalidStory(ecoute_domain::StoryError::Unknown) => WebError::NotFound,
            AppError::InvalidAccount(_)
            | AppError::MalformedCode
            | AppError::InvalidMessage(_)
            | AppError::InvalidApplication(_)
            | AppError::InvalidNote
            | AppError::InvalidWhisper(_)
            | AppError::InvalidPriority
            | AppError::InvalidCampaign(_)
            | AppError::InvalidStory(_) => WebError::Unprocessable(e.to_string()),
            AppError::ContactEnded
            | AppError::NotYourContact
            | AppError::Refused(_)
            | AppError::DuplicateMessageId
            | AppError::Thread(_)
            | AppError::Stage(_)
            | AppError::NotAvailable
            | AppError::AtCapacity
            | AppError::DutyCap(_)
            | AppError::UsernameTaken(_)
            | AppError::CampaignExists(_) => WebError::Conflict(e.to_string()),
            AppError::Overloaded => WebError::Busy {
                retry_after: OVERLOADED_RETRY_SECONDS,
            },
            AppError::Hash(_) => WebError::Internal(e.into()),
            AppError::Store(s) => s.into(),
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
            text_key: self.text_key(),
        };
        let body = serde_json::json!({ "error": info.code, "message": info.message });
        let mut response = (self.status(), Json(body)).into_response();
        if let WebError::RateLimited { retry_after } | WebError::Busy { retry_after } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response.extensions_mut().insert(info);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_text_exists_in_both_languages() {
        let all = [
            WebError::NotFound,
            WebError::MethodNotAllowed,
            WebError::Unauthorized,
            WebError::Forbidden,
            WebError::CrossSite,
            WebError::BadRequest(String::new()),
            WebError::Csrf,
            WebError::Conflict(String::new()),
            WebError::Refused(Refusal::SheetConversationOngoing),
            WebError::Refused(Refusal::SheetAlreadyFilled),
            WebError::Refused(Refusal::OwnAccount),
            WebError::Unprocessable(String::new()),
            WebError::PayloadTooLarge,
            WebError::RateLimited { retry_after: 1 },
            WebError::Busy { retry_after: 1 },
            WebError::Unavailable(String::new()),
            WebError::Internal(anyhow::anyhow!("x")),
        ];
        for e in all {
            let key = e.text_key();
            for lang in [Lang::Fr, Lang::En] {
                assert_ne!(Texts::new(lang).get(key), key, "{key} missing in {lang:?}");
            }
        }
    }

    /// Too many writes waiting is the caller's cue to retry shortly, not a failure of ours.
    #[test]
    fn an_overloaded_store_answers_busy_with_retry_after() {
        for e in [
            WebError::from(AppError::Overloaded),
            WebError::from(StoreError::Overloaded),
        ] {
            assert_eq!(e.code(), "busy");
            let response = e.into_response();
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(
                response.headers().get(header::RETRY_AFTER),
                Some(&HeaderValue::from(OVERLOADED_RETRY_SECONDS))
            );
        }
    }

    #[test]
    fn framework_errors_keep_their_status() {
        for s in [400u16, 404, 405, 413, 415, 422, 426, 500] {
            let status = StatusCode::from_u16(s).unwrap();
            assert_eq!(
                WebError::from_framework(status, "x").status().as_u16() / 100,
                s / 100
            );
        }
        assert_eq!(
            WebError::from_framework(StatusCode::METHOD_NOT_ALLOWED, "").code(),
            "method_not_allowed"
        );
    }
}
