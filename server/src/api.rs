//! The JSON API (`/api/v1`, SPEC §5): programs authenticate with a workspace's API key.

mod auth;
mod bulk;
#[cfg(test)]
mod bulk_tests;
mod customers;
mod duplicates;
mod error;
#[cfg(test)]
mod export_tests;
mod exports;
#[cfg(test)]
mod hardening_tests;
#[cfg(test)]
mod hook_tests;
#[cfg(test)]
mod import_tests;
mod imports;
mod ingest;
#[cfg(test)]
mod live_tests;
#[cfg(test)]
mod merge_tests;
mod merges;
mod openapi;
mod orders;
#[cfg(test)]
mod poller_tests;
#[cfg(test)]
pub(crate) mod tests;

use app::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bulk", post(bulk::start))
        .route("/bulk/{id}", get(bulk::get))
        .route("/bulk/{id}/undo", post(bulk::undo))
        .route("/customers", get(customers::list).post(ingest::create_customer))
        .route("/customers/merge", post(merges::merge))
        .route("/customers/{id}", get(customers::detail))
        .route("/merges/{id}/undo", post(merges::undo))
        .route("/duplicates", get(duplicates::list))
        .route("/duplicates/dismiss", post(duplicates::dismiss))
        .route("/channels/{key}/platform-orders", post(ingest::create_platform_order))
        .route("/orders", get(orders::list).post(ingest::create_order))
        .route("/orders/{id}", get(orders::detail))
        .route("/orders/batch", post(ingest::order_batch))
        .route("/imports", post(imports::start).layer(DefaultBodyLimit::max(app::imports::MAX_IMPORT_BYTES)))
        .route("/imports/{id}", get(imports::get))
        .route("/exports", post(exports::start))
        .route("/exports/{id}", get(exports::get))
        .route("/exports/{id}/download", get(exports::download))
        .route("/exports/{id}/cancel", post(exports::cancel))
        .route("/messages", post(ingest::create_message))
        .route("/messages/batch", post(ingest::message_batch))
        .route("/openapi.json", get(openapi::document))
        // a full batch of 1,000 orders with their lines fits comfortably
        .layer(DefaultBodyLimit::max(32 * 1024 * 1024))
        .fallback(|| async { error::ApiError(app::error::AppError::NotFound) })
}
