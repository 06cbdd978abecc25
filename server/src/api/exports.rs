//! `POST /api/v1/exports`, `GET /api/v1/exports/{id}`, `GET /api/v1/exports/{id}/download` and
//! `POST /api/v1/exports/{id}/cancel` (SPEC §10): the customer list as a CSV file, written in the
//! background.

use super::auth::ApiWorkspace;
use super::error::{ApiError, ErrorResponse};
use super::ingest::{Body, parse_request};
use app::error::AppError;
use app::exports::Export;
use app::in_transaction;
use app::jobs::{JobKind, JobStatus};
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// The customer list's URL query, as the list and `GET /api/v1/customers` read it
    /// (`segment=vip&sort=-tov`); empty for every customer in the default order.
    #[serde(default)]
    query: String,
    /// Start the file with a byte-order mark, for Excel.
    #[serde(default)]
    bom: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ExportJob {
    id: i64,
    status: JobStatus,
    /// How many customers the file holds, once known.
    rows_total: Option<i64>,
    rows_done: i64,
    /// Where to download the file once `status` is `done` (until it expires, 7 days later).
    download: Option<String>,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why it failed.
    error: Option<String>,
}

impl From<Export> for ExportJob {
    fn from(export: Export) -> Self {
        let download = export.downloadable().then(|| format!("/api/v1/exports/{}/download", export.job.id));
        ExportJob {
            id: export.job.id,
            status: export.job.status,
            rows_total: export.job.rows_total,
            rows_done: export.job.rows_done,
            download,
            expires_at: export.expires_at,
            error: export.job.error,
        }
    }
}

async fn answer(state: &AppState, workspace: i64, id: i64) -> Result<ExportJob, ApiError> {
    let mut conn = state.pool.acquire().await.map_err(AppError::from)?;
    let export = app::exports::db::export(&mut conn, workspace, id).await?;
    Ok(export.into())
}

/// Starts an export of the customer list at `query`: the rows of that URL, in its order, as they are when
/// the export starts. The file is written in the background; follow it with `GET /api/v1/exports/{id}`.
#[utoipa::path(post, path = "/api/v1/exports", tag = "exports", request_body = ExportRequest,
    responses(
        (status = 202, description = "Queued", body = ExportJob),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 422, description = "A bad request, or a bad parameter of the query, named as `query.<name>`", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: send again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn start(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    body: Body,
) -> Result<Response, ApiError> {
    let request: ExportRequest = parse_request(body)?;
    let id = in_transaction!(state, |tx, now| app::exports::db::start(
        &mut tx,
        workspace,
        None,
        &request.query,
        request.bom,
        now
    ))
    .await?;
    Ok((StatusCode::ACCEPTED, Json(answer(&state, workspace, id).await?)).into_response())
}

/// An export: where it is, and where to download its file once done.
#[utoipa::path(get, path = "/api/v1/exports/{id}", tag = "exports",
    params(("id" = i64, Path, description = "The export's id")),
    responses(
        (status = 200, description = "The export", body = ExportJob),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "No such export in the key's workspace", body = ErrorResponse),
    ))]
pub async fn get(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ExportJob>, ApiError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(answer(&state, workspace, id).await?))
}

/// The export's file (`text/csv`, UTF-8).
#[utoipa::path(get, path = "/api/v1/exports/{id}/download", tag = "exports",
    params(("id" = i64, Path, description = "The export's id")),
    responses(
        (status = 200, description = "The file", content_type = "text/csv"),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "No such export in the key's workspace", body = ErrorResponse),
        (status = 409, description = "Not finished yet, failed or canceled: there is no file", body = ErrorResponse),
        (status = 410, description = "The file expired (7 days after it was written) and was deleted", body = ErrorResponse),
    ))]
pub async fn download(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(app::exports::routes::file(&state.pool, workspace, id, state.clock.now()).await?)
}

/// Cancels an export: a waiting one at once, a running one within a second or so; nothing of its file is
/// kept.
#[utoipa::path(post, path = "/api/v1/exports/{id}/cancel", tag = "exports",
    params(("id" = i64, Path, description = "The export's id")),
    responses(
        (status = 200, description = "Canceled, or asked to stop", body = ExportJob),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "No such export in the key's workspace", body = ErrorResponse),
        (status = 409, description = "It has already finished or failed", body = ErrorResponse),
    ))]
pub async fn cancel(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ExportJob>, ApiError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    app::jobs::db::cancel(&state.pool, workspace, JobKind::Export, id, state.clock.now()).await?;
    Ok(Json(answer(&state, workspace, id).await?))
}
