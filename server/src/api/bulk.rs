//! `POST /api/v1/bulk`, `GET /api/v1/bulk/{id}` and `POST /api/v1/bulk/{id}/undo` (SPEC §10): one change
//! to every customer a list URL matches (or to customers named by id), run as a job.

use super::auth::ApiWorkspace;
use super::error::{ApiError, ErrorResponse};
use super::ingest::{Body, parse_request};
use app::bulk::{BulkAction, BulkKind, BulkRequest, Targets};
use app::error::AppError;
use app::in_transaction;
use app::jobs::JobStatus;
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    /// The customer list's URL query whose customers it changes (`segment=vip&tov_min=100`); empty for
    /// every customer. Leave it out to name `customers` instead.
    #[serde(default)]
    query: Option<String>,
    /// The customers it changes, by id (instead of `query`).
    #[serde(default)]
    customers: Option<Vec<i64>>,
    action: BulkKind,
    /// `set_manager`: a member's id, or null to take the manager away; `set_mark` and `clear_mark`: `vip`
    /// or `bad`; `set_subscription`: `subscribed` or `unsubscribed`; `add_note`: the note's text;
    /// `set_field`: `{"field": "<key>", "value": <text, number, true/false, or null to clear>}`.
    #[serde(default)]
    value: serde_json::Value,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkJob {
    id: i64,
    status: JobStatus,
    /// How many customers it acts on, once known.
    rows_total: Option<i64>,
    rows_done: i64,
    /// What it does, in words.
    summary: String,
    /// Being undone, or undone (`undone`).
    undoing: bool,
    undone: bool,
    error: Option<String>,
}

impl From<BulkAction> for BulkJob {
    fn from(b: BulkAction) -> Self {
        BulkJob {
            id: b.job.id,
            status: b.job.status,
            rows_total: b.job.rows_total,
            rows_done: b.job.rows_done,
            summary: b.summary,
            undoing: b.undoing,
            undone: b.undone,
            error: b.job.error,
        }
    }
}

async fn answer(state: &AppState, workspace: i64, id: i64) -> Result<BulkJob, ApiError> {
    let mut conn = state.pool.acquire().await.map_err(AppError::from)?;
    Ok(app::bulk::db::bulk_action(&mut conn, workspace, id).await?.into())
}

/// Starts a bulk action. Each changed customer gets an event; up to 1,000 customers are done before the
/// answer, more in the background (follow it with `GET /api/v1/bulk/{id}`).
#[utoipa::path(post, path = "/api/v1/bulk", tag = "customers", request_body = BulkBody,
    responses(
        (status = 202, description = "Started (or, for up to 1,000 customers, done)", body = BulkJob),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 422, description = "A bad request, or a bad value, query parameter or customer, each named", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: send again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn start(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    body: Body,
) -> Result<Response, ApiError> {
    let body: BulkBody = parse_request(body)?;
    let targets = match (body.query, body.customers) {
        (Some(query), None) => Targets::Query(query),
        (None, Some(customers)) => Targets::Chosen(customers),
        (None, None) => Targets::Query(String::new()),
        (Some(_), Some(_)) => return Err(AppError::invalid("customers", "give either query or customers").into()),
    };
    let request = BulkRequest { targets, action: body.action, value: body.value };
    let id = in_transaction!(state, |tx, now| app::bulk::db::start(&mut tx, workspace, None, &request, now)).await?;
    app::bulk::db::run_now_if_small(&state.pool, &state.clock, workspace, id).await?;
    Ok((StatusCode::ACCEPTED, Json(answer(&state, workspace, id).await?)).into_response())
}

/// A bulk action: where it is, and whether it was undone.
#[utoipa::path(get, path = "/api/v1/bulk/{id}", tag = "customers",
    params(("id" = i64, Path, description = "The bulk action's id")),
    responses(
        (status = 200, description = "The bulk action", body = BulkJob),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "No such bulk action in the key's workspace", body = ErrorResponse),
    ))]
pub async fn get(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<BulkJob>, ApiError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(answer(&state, workspace, id).await?))
}

/// Undoes a finished bulk action: every customer it changed gets back what it had (with an event), the
/// notes it added are deleted. Refused when a later edit changed what it set for any of its customers.
#[utoipa::path(post, path = "/api/v1/bulk/{id}/undo", tag = "customers",
    params(("id" = i64, Path, description = "The bulk action's id")),
    responses(
        (status = 202, description = "Being undone (or, for up to 1,000 customers, undone)", body = BulkJob),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "No such bulk action in the key's workspace", body = ErrorResponse),
        (status = 409, description = "Still running, undone already, or a later edit would be overwritten", body = ErrorResponse),
    ))]
pub async fn undo(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    in_transaction!(state, |tx, _now| app::bulk::db::undo(&mut tx, workspace, id)).await?;
    app::bulk::db::run_now_if_small(&state.pool, &state.clock, workspace, id).await?;
    Ok((StatusCode::ACCEPTED, Json(answer(&state, workspace, id).await?)).into_response())
}
