//! The web server: Leptos pages and server functions over axum, behind the session, cross-site and
//! security-header middleware.

use crate::config::Config;
use anyhow::{Context, Result};
use app::auth::web;
use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, RETRY_AFTER, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;
use tower_http::timeout::TimeoutLayer;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    // What every page (found or not) and server function gets in its context.
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            web::page_context();
        }
    };
    Router::new()
        .route("/", get(|| async { Redirect::to("/customers") }))
        .route("/health", get(health))
        .route("/login", post(web::sign_in))
        .route("/logout", post(web::sign_out))
        .route("/workspace", post(web::switch_workspace))
        .route("/orders/{id}/download", get(app::orders::download::download))
        .route("/customers/export.csv", get(app::exports::routes::immediate))
        .route("/exports/{id}/download", get(app::exports::routes::download))
        .route("/events", get(app::live::routes::events))
        .route(
            "/customers/{id}/files",
            post(app::files::routes::upload).layer(DefaultBodyLimit::max(app::files::MAX_UPLOAD_BYTES)),
        )
        .route("/files/{id}", get(app::files::routes::download))
        .route(
            "/imports",
            post(app::imports::routes::upload).layer(DefaultBodyLimit::max(app::imports::MAX_IMPORT_BYTES)),
        )
        .route(
            "/hooks/{token}",
            post(app::hooks::receive::receive).layer(DefaultBodyLimit::max(app::hooks::receive::MAX_DELIVERY_BYTES)),
        )
        .nest("/api/v1", crate::api::router())
        // The wasm, script and stylesheet, served outside Leptos: its file handler runs the page context
        // in an owner that may hang under another request's page still being rendered on this thread,
        // and then takes that page's headers (its Content-Security-Policy) for the file's response.
        .nest_service("/pkg", bundle_files(&state.leptos_options))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(middleware::from_fn(app::edge::refuse_nul_text))
        .layer(middleware::from_fn_with_state(state.clone(), web::resolve_session))
        .layer(middleware::from_fn(web::refuse_cross_site))
        .layer(middleware::from_fn(web::security_headers))
        // Every body is bounded (the API's batches and file uploads have larger limits of their own)
        // and every request is cut off after REQUEST_TIMEOUT, slow clients included.
        .layer(DefaultBodyLimit::max(app::edge::MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// The longest any request may take, reading its body included; statements stop earlier
/// (`config::STATEMENT_TIMEOUT`), so a slow query answers 503 before this cuts the connection.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// `GET /health`: 200 when PostgreSQL answers, 503 with `Retry-After` otherwise (no session needed).
async fn health(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(
        Duration::from_secs(3),
        sqlx::query_scalar!("select 1 as \"one!\"").fetch_one(&state.pool),
    );
    match ping.await {
        Ok(Ok(_)) => (StatusCode::OK, [(CACHE_CONTROL, "no-store")], "ok").into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(CACHE_CONTROL, "no-store"), (RETRY_AFTER, "5")],
            "the database is not reachable",
        )
            .into_response(),
    }
}

/// The bundle's files, with the compressed copies of `bundle` for browsers that take them; the answer
/// depends on Accept-Encoding, so caches are told to keep one per encoding.
fn bundle_files(options: &LeptosOptions) -> SetResponseHeader<ServeDir, HeaderValue> {
    let files = ServeDir::new(pkg_dir(options)).precompressed_br().precompressed_gzip();
    SetResponseHeader::if_not_present(files, VARY, HeaderValue::from_static("accept-encoding"))
}

/// Where cargo-leptos puts the built wasm, script and stylesheet.
fn pkg_dir(options: &LeptosOptions) -> String {
    format!("{}/{}", options.site_root, options.site_pkg_dir)
}

pub async fn serve(config: Config) -> Result<()> {
    let leptos = get_configuration(None).context("reading the Leptos configuration")?;
    let options = leptos.leptos_options;
    let addr = options.site_addr;
    let pool = config.pool(20, Some(crate::config::STATEMENT_TIMEOUT)).await?;
    // not in a debug build: it serves a debug wasm of tens of megabytes, rebuilt at every change
    if !cfg!(debug_assertions) {
        let pkg = std::path::PathBuf::from(pkg_dir(&options));
        tokio::task::spawn_blocking(move || match crate::bundle::compress(&pkg) {
            Ok(written) if !written.is_empty() => tracing::info!("compressed the browser bundle: {written:?}"),
            Ok(_) => {}
            Err(error) => tracing::warn!("the browser bundle is compressed per request: {error:#}"),
        });
    }
    tokio::spawn(crate::refresh::refresh_periodically(pool.clone(), config.clock, config.segment_refresh));
    tokio::spawn(crate::refresh::compare_written_customers(pool.clone(), config.clock));
    let scanning = config.pool(2, None).await?;
    tokio::spawn(crate::refresh::scan_duplicates_periodically(scanning, config.clock, config.duplicate_scan));
    // the connections of each job at once, and the listener's
    let connections = app::jobs::worker::CONNECTIONS_PER_JOB * config.job_workers as u32 + 1;
    let working = config.pool(connections, Some(crate::config::STATEMENT_TIMEOUT)).await?;
    tokio::spawn(app::jobs::worker::run(working, config.clock, config.job_workers));
    tokio::spawn(crate::refresh::expire_exports_periodically(pool.clone(), config.clock));
    tokio::spawn(crate::refresh::tell_overdue_tasks_periodically(pool.clone(), config.clock));
    tokio::spawn(crate::refresh::analyze_young_tables_periodically(pool.clone()));
    // live updates: one listener (its own connection) for every tab this process serves
    let live = std::sync::Arc::new(app::live::hub::Hub::default());
    tokio::spawn(live.clone().run(config.pool(1, None).await?));
    // webhook deliveries worked through on connections of their own (a batch, a delivery alone, the
    // listener), and Amazon channels read from their API on a schedule
    let delivering = config.pool(3, Some(crate::config::STATEMENT_TIMEOUT)).await?;
    let polling = config.pool(2, Some(crate::config::STATEMENT_TIMEOUT)).await?;
    let state = AppState {
        leptos_options: options,
        pool,
        clock: config.clock,
        secure_cookies: config.secure_cookies,
        vip: Default::default(),
        trusted_proxies: config.trusted_proxies.into(),
        live,
    };
    tokio::spawn(app::hooks::worker::run(AppState { pool: delivering, ..state.clone() }));
    tokio::spawn(app::channels::poller::run(AppState { pool: polling, ..state.clone() }));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("could not listen on {addr}; set LEPTOS_SITE_ADDR to another address"))?;
    tracing::info!("serving Customer View on http://{addr}");
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the web server stopped")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
