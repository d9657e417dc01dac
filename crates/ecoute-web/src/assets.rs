//! Scripts, styles and icons, compiled into the binary: no CDN, nothing fetched elsewhere.
//! Each is compressed once, at start, and served from memory.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::compressed::Compressed;
use crate::state::AppState;
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
        "supervisor.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/supervisor.js"),
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
        "stories.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/stories.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../static/favicon.svg"),
    ),
];

/// The assets, each in both encodings.
pub struct Assets(Vec<(&'static str, Compressed)>);

impl Assets {
    /// Compresses every asset.
    pub fn new() -> Self {
        Assets(
            ASSETS
                .iter()
                .map(|(name, content_type, body)| (*name, Compressed::new(content_type, *body)))
                .collect(),
        )
    }
}

impl Default for Assets {
    fn default() -> Self {
        Assets::new()
    }
}

/// `GET /static/{name}`.
pub async fn asset(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    match state.assets.0.iter().find(|(n, _)| *n == name) {
        // Short: a new release must reach browsers the same day.
        Some((_, body)) => body.serve(&headers, &[(header::CACHE_CONTROL, "public, max-age=300")]),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
