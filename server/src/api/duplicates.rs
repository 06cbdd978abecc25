//! `GET /api/v1/duplicates` and `POST /api/v1/duplicates/dismiss` (SPEC §9).

use super::auth::ApiWorkspace;
use super::error::{ApiError, ErrorResponse};
use super::ingest::{Body, parse_request};
use app::duplicates::{DuplicatePage, MAX_LIMIT};
use app::error::AppError;
use app::in_transaction;
use app::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    /// How many pairs (1–500, default 50).
    limit: Option<String>,
    /// The `next` cursor of the page before.
    after: Option<String>,
}

/// Possible duplicates: pairs of customers that are probably one person, best first.
#[utoipa::path(get, path = "/api/v1/duplicates", tag = "customers", params(PageParams),
    responses(
        (status = 200, description = "A page of pairs", body = DuplicatePage),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 422, description = "Bad parameters, each named", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: ask again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn list(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Query(params): Query<PageParams>,
) -> Result<Json<DuplicatePage>, ApiError> {
    let limit = match params.limit.as_deref() {
        None => 50,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| AppError::invalid("limit", format!("use a whole number from 1 to {MAX_LIMIT}")))?,
    };
    Ok(Json(app::duplicates::db::page(&state.pool, workspace, limit, params.after.as_deref()).await?))
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dismissal {
    /// The two customers that are not the same person.
    customers: [i64; 2],
}

/// "Not the same": the pair leaves the list and never comes back.
#[utoipa::path(post, path = "/api/v1/duplicates/dismiss", tag = "customers", request_body = Dismissal,
    responses(
        (status = 200, description = "Dismissed", body = Dismissal),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "A customer that is not in the key's workspace", body = ErrorResponse),
        (status = 422, description = "A bad request, named", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: send again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn dismiss(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    body: Body,
) -> Result<Json<Dismissal>, ApiError> {
    let dismissal: Dismissal = parse_request(body)?;
    let pair = dismissal.customers;
    in_transaction!(state, |tx, now| app::duplicates::db::dismiss(&mut tx, workspace, None, now, pair)).await?;
    Ok(Json(dismissal))
}
