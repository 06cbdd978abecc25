//! The JSON API (`/api/v1`, SPEC §5): programs authenticate with a workspace's API key.

mod auth;
mod customers;
mod error;
#[cfg(test)]
mod tests;

use app::state::AppState;
use axum::Router;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(customers::list))
        .route("/customers/{id}", get(customers::detail))
        .fallback(|| async { error::ApiError(app::error::AppError::NotFound) })
}
