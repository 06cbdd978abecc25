//! What the server hands to every route and server function: options, the database pool, the clock.

use crate::clock::Clock;
use crate::error::AppError;
use axum::extract::FromRef;
use leptos::prelude::*;
use sqlx::PgPool;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub clock: Clock,
    /// Mark the session cookie `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
}

/// The state provided by `leptos_routes`; missing only if the router was built wrongly.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}
