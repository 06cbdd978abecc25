//! The web server: Leptos pages and server functions over axum.

use crate::config::Config;
use anyhow::{Context, Result};
use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    Router::new()
        .route("/", get(|| async { Redirect::to("/customers") }))
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(CompressionLayer::new())
        .with_state(state)
}

pub async fn serve(config: Config) -> Result<()> {
    let leptos = get_configuration(None).context("reading the Leptos configuration")?;
    let options = leptos.leptos_options;
    let addr = options.site_addr;
    let pool = config.pool(20).await?;
    let state =
        AppState { leptos_options: options, pool, clock: config.clock, default_workspace: config.default_workspace };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("could not listen on {addr}; set LEPTOS_SITE_ADDR to another address"))?;
    tracing::info!("serving Customer View on http://{addr}");
    axum::serve(listener, router(state).into_make_service())
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
