//! `POST /api/v1/imports` and `GET /api/v1/imports/{id}` (SPEC §11): a customer file (Shopify's customer
//! export) sent as the body, imported by a job into a channel; its progress, counts and problems.

use super::auth::ApiWorkspace;
use super::error::{ApiError, ErrorResponse};
use super::ingest::Body;
use app::error::AppError;
use app::imports::{CustomerImport, ImportFormat, RowProblem};
use app::jobs::JobStatus;
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// An import as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Import {
    id: i64,
    status: JobStatus,
    channel: String,
    format: ImportFormat,
    /// Rows in the file, once counted.
    rows_total: Option<i64>,
    rows_done: i64,
    created: i32,
    updated: i32,
    unchanged: i32,
    /// Rows that could not be read; `problems` lists the first 200, by line.
    problem_count: i64,
    problems: Vec<RowProblem>,
    /// Why it failed, when it did.
    error: Option<String>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl From<CustomerImport> for Import {
    fn from(i: CustomerImport) -> Self {
        Import {
            id: i.job.id,
            status: i.job.status,
            channel: i.channel,
            format: i.format,
            rows_total: i.job.rows_total,
            rows_done: i.job.rows_done,
            created: i.created,
            updated: i.updated,
            unchanged: i.unchanged,
            problem_count: i.problem_count,
            problems: i.problems,
            error: i.job.error,
            created_at: i.job.created_at,
            finished_at: i.job.finished_at,
        }
    }
}

/// `channel` and `format` of the query.
fn parameters(raw: Option<&str>) -> Result<(String, ImportFormat), AppError> {
    let (mut channel, mut format) = (None, None);
    for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "channel" => channel = Some(value.into_owned()),
            "format" => {
                format = Some(ImportFormat::parse(&value).ok_or_else(|| {
                    AppError::invalid("format", format!("{value:?} is not a format; use shopify_customers"))
                })?)
            }
            other => return Err(AppError::invalid(other, "is not a parameter of an import")),
        }
    }
    let channel = channel.ok_or_else(|| AppError::invalid("channel", "name the channel the customers belong to"))?;
    Ok((channel, format.unwrap_or(ImportFormat::ShopifyCustomers)))
}

/// Imports a customer file into a channel, as a job: answered at once with the import to follow.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    params(
        ("channel" = String, Query, description = "The channel's key"),
        ("format" = Option<String>, Query, description = "`shopify_customers` (the default): Shopify's customer export, either header layout"),
    ),
    request_body(content = String, content_type = "text/csv", description = "The file, UTF-8"),
    responses(
        (status = 202, description = "Queued: follow it at `/api/v1/imports/{id}`", body = Import),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 413, description = "The file is larger than 64 MB", body = ErrorResponse),
        (status = 422, description = "No such channel, an unknown format, or a file that is not a customer export", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: send again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn start(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Result<(StatusCode, Json<Import>), ApiError> {
    let (channel, format) = parameters(raw.as_deref())?;
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::TooLarge(format!("the file can be at most {} MB", app::imports::MAX_IMPORT_BYTES / 1024 / 1024))
        }
        _ => AppError::BadRequest(format!("the body could not be read: {}", rejection.body_text())),
    })?;
    let content = app::imports::routes::text(body.to_vec())?;
    let id = app::in_transaction!(state, |tx, now| app::imports::db::start(
        &mut tx,
        workspace,
        None,
        &channel,
        format,
        content.clone(),
        now
    ))
    .await?;
    let import = app::imports::db::import(&state.pool, workspace, id).await?;
    Ok((StatusCode::ACCEPTED, Json(Import::from(import))))
}

/// An import: where it is, what it did, and the rows it could not read.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports",
    params(("id" = i64, Path, description = "The import's id")),
    responses(
        (status = 200, description = "The import", body = Import),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "No such import in the key's workspace", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: ask again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn get(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Import>, ApiError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(Import::from(app::imports::db::import(&state.pool, workspace, id).await?)))
}
