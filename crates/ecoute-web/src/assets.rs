//! Scripts, styles and icons, compiled into the binary: no CDN, nothing fetched elsewhere.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// (name, content type, content).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "ecoute.css",
        "text/css; charset=utf-8",
        include_str!("../static/ecoute.css"),
    ),
    (
        "visitor.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/visitor.js"),
    ),
    (
        "listener.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/listener.js"),
    ),
    (
        "quick-exit.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/quick-exit.js"),
    ),
    (
        "socket.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/socket.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../static/favicon.svg"),
    ),
];

/// `GET /static/{name}`.
pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                // Short: a new release must reach browsers the same day.
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
