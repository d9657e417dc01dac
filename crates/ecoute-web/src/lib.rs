//! ecoute's web layer, transport only: the pages, the JSON API, the two WebSocket
//! conversations, staff login, metrics, and the schedules of the background jobs. What
//! changes state goes through the use cases of `ecoute_app` ([`AppState::app`]); this crate
//! maps their answers to frames, statuses and pages.
//!
//! [`Server::bind`] builds everything on a listener (port 0 in tests) and [`Server::run`]
//! serves until the shutdown future completes.

mod api;
mod assets;
mod attribution;
pub mod auth;
mod compressed;
pub mod config;
mod error;
mod forms;
mod i18n;
mod joins;
pub mod live;
mod metrics;
mod origin;
mod pages;
mod state;
mod ws;

pub use config::{ConfigError, WebConfig};
pub use ecoute_app::{Clock, ManualClock, SystemClock};
pub use error::WebError;
pub use state::{AppState, Shared};

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use ecoute_store::{EventBus, Store};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// Validates a new account's fields into a store record (password hashed), the error as
/// text: what the test harnesses call. The admin page and the CLI go through
/// [`ecoute_app::App::create_account`] (this is [`ecoute_app::accounts::new_user`]).
pub async fn new_user(
    username: &str,
    pseudonym: &str,
    role: &str,
    password: &str,
    centre: ecoute_domain::CentreId,
) -> Result<ecoute_store::NewUser, String> {
    ecoute_app::accounts::new_user(ecoute_app::accounts::AccountFields {
        username,
        pseudonym,
        role,
        password,
        centre,
    })
    .await
    .map_err(|e| e.to_string())
}

/// Largest accepted request body. Forms are small, but a written message of 8,000 characters
/// of four bytes each, percent-encoded, is 96 KB.
const MAX_BODY_BYTES: usize = 128 * 1024;

/// Content Security Policy: only our own scripts, styles and sockets.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The application state and router, before binding.
pub fn app(
    config: WebConfig,
    store: Arc<dyn Store>,
    bus: Arc<dyn EventBus>,
    dummy_hash: String,
    clock: Arc<dyn Clock>,
) -> (AppState, Router) {
    let default_handle_seconds = f64::from(config.chat.default_handle_minutes) * 60.0;
    let queues = Arc::new(live::QueueBoards::new(
        store.clone(),
        bus.clone(),
        default_handle_seconds,
    ));
    let mut instance = [0u8; 4];
    let _ = getrandom::getrandom(&mut instance);
    let joins = Arc::new(joins::Budget::new(
        config.chat.joins_per_minute,
        config.chat.join_burst,
    ));
    let code_checks = Arc::new(joins::Budget::new(
        config.written.code_checks_per_minute,
        config.written.code_check_burst,
    ));
    let applications = Arc::new(joins::Budget::new(
        config.volunteer.applications_per_minute,
        config.volunteer.application_burst,
    ));
    let app = ecoute_app::App::new(
        store.clone(),
        bus.clone(),
        clock.clone(),
        config.app_settings(),
    );
    let state = AppState::new(Shared {
        app,
        joins,
        code_checks,
        applications,
        code_guesses: Arc::default(),
        instance: u32::from_le_bytes(instance) & 0x7fff_ffff,
        themes: config.themes().into(),
        config: Arc::new(config),
        store,
        bus,
        queues,
        dummy_hash: dummy_hash.into(),
        login_throttle: Arc::default(),
        password_checks: Arc::new(auth::PasswordChecks::per_core()),
        clock,
        metrics: Arc::default(),
        assets: assets::Assets::new(),
        story_pages: pages::StoryPages::default(),
        shutdown: Arc::new(tokio::sync::watch::channel(false).0),
    });
    let pages = pages::router().layer(middleware::from_fn(pages::no_store));
    let router = Router::new()
        .merge(pages)
        .merge(api::router())
        .route("/ws/person", get(ws::person_upgrade))
        .route("/ws/listener", get(ws::listener_upgrade))
        .route("/ws/supervisor", get(ws::supervisor_upgrade))
        .route("/static/{name}", get(assets::asset))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Outside every route and the body limit: it sees all their errors, and the router's.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::html_errors,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(state.clone());
    (state, router)
}

/// Logs method, route pattern, status and duration — never the address, the user agent, the
/// query string or a contact id of the person.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// A bound, ready-to-run server.
pub struct Server {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Server {
    /// Validates `config`, binds `addr` (port 0 picks a free port) and builds the app.
    pub async fn bind(
        addr: &str,
        config: WebConfig,
        store: Arc<dyn Store>,
        bus: Arc<dyn EventBus>,
    ) -> anyhow::Result<Server> {
        Server::bind_with_clock(addr, config, store, bus, Arc::new(SystemClock)).await
    }

    /// [`Server::bind`] with another clock (tests move a [`ManualClock`]).
    pub async fn bind_with_clock(
        addr: &str,
        config: WebConfig,
        store: Arc<dyn Store>,
        bus: Arc<dyn EventBus>,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Server> {
        let mut config = config;
        config.validate()?;
        i18n::check_tables()?;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        // A public URL on port 0 (the default follows `server.bind`) names no address anyone
        // can use: the links the pages build (campaigns, a new listener's one-time link) and
        // the origin sockets accept take the port actually bound.
        if let Some(own) = config.public_url.strip_suffix(":0") {
            let port = listener.local_addr()?.port();
            config.public_url = format!("{own}:{port}");
        }
        let dummy_hash = ecoute_app::hash_password(auth::random_token()).await?;
        let (state, router) = app(config, store, bus, dummy_hash, clock);
        Ok(Server {
            listener,
            router,
            state,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Starts the background jobs and serves until `shutdown` completes; open sockets then
    /// get a few seconds to finish before the server stops.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // Registered before the first socket: a connection of an instance that never
        // heartbeated could not be recognised as orphaned if this instance died.
        let instance = i64::from(self.state.instance);
        if let Err(e) = self.state.app.heartbeat(instance).await {
            return Err(std::io::Error::other(format!(
                "cannot register this instance: {e}"
            )));
        }
        // Before the first page view: a view by a campaign's link counts under it.
        if let Err(e) = self.state.app.load_campaigns().await {
            return Err(std::io::Error::other(format!(
                "cannot read the campaigns: {e}"
            )));
        }
        let jobs = [
            tokio::spawn(live::run_heartbeat(self.state.clone())),
            tokio::spawn(live::run_sweeper(self.state.clone())),
            tokio::spawn(live::run_purge(self.state.clone())),
            tokio::spawn(live::run_campaign_flush(self.state.clone())),
            tokio::spawn(live::run_story_refresh(self.state.clone())),
        ];
        let sockets = self.state.shutdown.clone();
        let mut stopping = sockets.subscribe();
        let graceful = async move {
            shutdown.await;
            // Every socket closes with 1001 ("going away"): clients reconnect, to another
            // instance behind a load balancer or to this one after its restart.
            sockets.send_replace(true);
        };
        // Small responses and frames go out at once, not held back by Nagle's algorithm
        // waiting for the previous segment's acknowledgement.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!(error = %e, "cannot set TCP_NODELAY");
            }
        });
        let serve = axum::serve(listener, self.router).with_graceful_shutdown(graceful);
        let sockets = self.state.shutdown.clone();
        let deadline = async move {
            let _ = stopping.wait_for(|stopped| *stopped).await;
            drop(stopping);
            // Each socket holds a receiver until it has closed and recorded its departure;
            // a client that never answers its close frame is not waited for long.
            let _ = tokio::time::timeout(Duration::from_secs(5), sockets.closed()).await;
        };
        let result = tokio::select! {
            r = serve => r,
            _ = deadline => Ok(()),
        };
        for job in jobs {
            job.abort();
        }
        // What was counted since the last flush.
        if let Err(e) = self.state.app.flush_campaign_counts().await {
            tracing::warn!(error = %e, "the last campaign counts could not be saved");
        }
        result
    }

    /// The state (for tests and the demo).
    pub fn state(&self) -> &AppState {
        &self.state
    }
}
