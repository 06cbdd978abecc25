//! The files of exports over HTTP, for signed-in agents and admins: `GET /customers/export.csv?<list
//! query>` (up to `IMMEDIATE_ROWS` customers, at once) and `GET /exports/{id}/download` (an export's file,
//! streamed a chunk at a time). The API's routes answer with the same files.

use super::db;
use crate::accounts::Role;
use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use sqlx::PgPool;

/// A refusal as a page shows it: the status and one plain sentence.
fn refusal(error: AppError) -> Response {
    let status = error.http_status();
    let text = match error {
        AppError::Invalid(fields) => crate::error::FieldError::describe(&fields),
        AppError::NotFound => "There is no such export.".to_string(),
        other => other.to_string(),
    };
    (status, [(CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

fn exporter(caller: Option<axum::Extension<Caller>>) -> Result<Caller, AppError> {
    let axum::Extension(caller) = caller.ok_or(AppError::Unauthenticated)?;
    // an export is data leaving the system: agents' and admins' (SPEC §10)
    if caller.role.allows(Role::Agent) { Ok(caller) } else { Err(AppError::Forbidden) }
}

/// The headers of a CSV file to save as `name`.
fn csv_headers(name: &str) -> [(axum::http::HeaderName, String); 3] {
    [
        (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
        (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        (CACHE_CONTROL, "private, no-store".to_string()),
    ]
}

/// Reads `bom=true` (or `1`) apart from the list's parameters.
pub fn split_bom(raw: &str) -> (String, bool) {
    let mut bom = false;
    let rest: Vec<&str> = raw
        .split('&')
        .filter(|pair| match pair.split_once('=').unwrap_or((pair, "")) {
            ("bom", value) => {
                bom = matches!(value, "true" | "1");
                false
            }
            _ => true,
        })
        .collect();
    (rest.join("&"), bom)
}

/// `GET /customers/export.csv?<list query>`: the list's rows at once, when at most `IMMEDIATE_ROWS`.
pub async fn immediate(
    State(state): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let result = async {
        let caller = exporter(caller)?;
        let (query, bom) = split_bom(raw.as_deref().unwrap_or_default());
        let query = db::read_query(&query)?;
        db::immediate(&state.pool, caller.workspace_id, &query, bom).await
    };
    match result.await {
        Ok(file) => (csv_headers("customers.csv"), file).into_response(),
        Err(error) => refusal(error),
    }
}

/// `GET /exports/{id}/download`: an export's file.
pub async fn download(
    State(state): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let caller = exporter(caller)?;
        let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
        file(&state.pool, caller.workspace_id, id, state.clock.now()).await
    };
    match result.await {
        Ok(response) => response,
        Err(error) => refusal(error),
    }
}

/// The file of the workspace's export `id`, streamed a chunk at a time (a megabyte in memory, however
/// large the file); refused when it is not ready, failed, canceled or expired.
pub async fn file(
    pool: &PgPool,
    workspace_id: i64,
    id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Response, AppError> {
    let mut export = db::export(&mut *pool.acquire().await?, workspace_id, id).await?;
    // past its time the file is gone, whether or not the hourly sweep has deleted it yet
    export.expired |= export.expires_at.is_some_and(|at| at <= now);
    if let Some(refusal) = db::not_downloadable(&export) {
        return Err(refusal);
    }
    let pool = pool.clone();
    // fused: a body may be polled again after its end (the compression layer does), which `unfold` is not
    let chunks = futures::stream::unfold(Some(0), move |n| {
        let pool = pool.clone();
        async move {
            let n = n?;
            match db::chunk(&pool, workspace_id, id, n).await {
                Ok(Some(bytes)) => Some((Ok::<_, std::io::Error>(bytes), Some(n + 1))),
                Ok(None) => None,
                Err(error) => {
                    // the status is sent: cut the body short, which the client sees as a failed download
                    tracing::warn!(export = id, %error, "an export's download broke off");
                    Some((Err(std::io::Error::other(error.to_string())), None))
                }
            }
        }
    })
    .fuse();
    let mut response = (csv_headers(&format!("customers-export-{id}.csv")), Body::from_stream(chunks)).into_response();
    response.headers_mut().insert(CONTENT_LENGTH, export.bytes.into());
    Ok(response)
}
