//! `POST /api/v1/customers/merge` and `POST /api/v1/merges/{id}/undo` (SPEC §9). A key acts for its whole
//! workspace, as an admin does (keys are made by admins): it may merge and undo.

use super::auth::ApiWorkspace;
use super::customers::Detail;
use super::error::{ApiError, ErrorResponse};
use super::ingest::{Body, parse_request};
use app::error::AppError;
use app::in_transaction;
use app::merges::MergeRequest;
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct MergeAnswer {
    /// The merge, to undo it by (`POST /api/v1/merges/{merge_id}/undo`).
    merge_id: i64,
    /// The survivor after the merge, as `GET /api/v1/customers/{id}` answers.
    customer: Detail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UndoAnswer {
    /// The customers of the merge, survivor first, each as it was before the merge.
    customers: Vec<i64>,
}

/// Merges 2–5 customers into one: every record of the others moves to the survivor, which takes the
/// chosen customer's value of each field named in `fields`; the others redirect to it.
#[utoipa::path(post, path = "/api/v1/customers/merge", tag = "customers", request_body = MergeRequest,
    responses(
        (status = 200, description = "Merged", body = MergeAnswer),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "A customer that is not in the key's workspace", body = ErrorResponse),
        (status = 409, description = "A customer was merged away already", body = ErrorResponse),
        (status = 422, description = "A bad request, or bad fields, each named", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: send again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn merge(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    body: Body,
) -> Result<Json<MergeAnswer>, ApiError> {
    let request: MergeRequest = parse_request(body)?;
    let done =
        in_transaction!(state, |tx, now| app::merges::db::merge(&mut tx, workspace, None, now, &request)).await?;
    state.refresh_vip_after(workspace, &request.everyone()).await;
    let customer = app::customers::customer_detail(&state.pool, workspace, done.survivor).await?;
    Ok(Json(MergeAnswer { merge_id: done.merge_id, customer: customer.into() }))
}

/// Undoes a merge of the last 30 days: every customer is back as if it had never happened, records that
/// arrived since for a merged-away customer included.
#[utoipa::path(post, path = "/api/v1/merges/{id}/undo", tag = "customers",
    params(("id" = i64, Path, description = "The merge's id (`merge_id`)")),
    responses(
        (status = 200, description = "Undone", body = UndoAnswer),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "No such merge in the key's workspace", body = ErrorResponse),
        (status = 409, description = "It cannot be undone, and why: undone already, older than 30 days, or the survivor was merged again since", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: send again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn undo(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<UndoAnswer>, ApiError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let customers = in_transaction!(state, |tx, now| app::merges::db::undo(&mut tx, workspace, None, now, id)).await?;
    state.refresh_vip_after(workspace, &customers).await;
    Ok(Json(UndoAnswer { customers }))
}
