//! `POST /customers/{id}/files` (a multipart upload of one or more files, by agents and admins) and
//! `GET /files/{id}` (the file, for every member of its workspace). The page uploads with JavaScript
//! (showing progress) and reads the answer's text when refused; without JavaScript the form posts and is
//! sent back to the page.

use super::db::{self, Upload};
use super::{MAX_FILE_BYTES, MAX_UPLOAD_BYTES, Uploaded};
use crate::accounts::Role;
use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;
use crate::ui::format;
use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::header::{
    ACCEPT, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// A refusal as the page shows it: the status and one plain sentence (each bad field's message).
fn refusal(error: AppError) -> Response {
    let status = match &error {
        AppError::Invalid(fields) if fields.iter().any(|f| f.message.contains("can be at most")) => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        _ => error.http_status(),
    };
    let text = match error {
        AppError::Invalid(fields) => fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join("; "),
        AppError::NotFound => "There is no such customer.".to_string(),
        other => other.to_string(),
    };
    (status, [(CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

fn upload_too_large(size: Option<usize>) -> AppError {
    let limit = format!(
        "files can be at most {} each and {} together",
        format::bytes(MAX_FILE_BYTES as i64),
        format::bytes((MAX_UPLOAD_BYTES - 64 * 1024) as i64)
    );
    match size {
        Some(size) => AppError::invalid("file", format!("this upload is {}; {limit}", format::bytes(size as i64))),
        None => AppError::invalid("file", format!("this upload is too large; {limit}")),
    }
}

fn member(caller: Option<axum::Extension<Caller>>, role: Role) -> Result<Caller, AppError> {
    let axum::Extension(caller) = caller.ok_or(AppError::Unauthenticated)?;
    if caller.role.allows(role) { Ok(caller) } else { Err(AppError::Forbidden) }
}

pub async fn upload(
    State(state): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    Path(customer): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let caller = match member(caller, Role::Agent) {
        Ok(caller) => caller,
        Err(error) => return refusal(error),
    };
    let Ok(customer) = customer.parse::<i64>() else {
        return refusal(AppError::NotFound);
    };
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|size| size > MAX_UPLOAD_BYTES) {
        return refusal(upload_too_large(declared));
    }
    let uploads = match read_files(multipart).await {
        Ok(uploads) => uploads,
        Err(error) => return refusal(error),
    };
    let stored = crate::in_transaction!(state, |tx, now| db::add(
        &mut tx,
        caller.workspace_id,
        caller.user_id,
        now,
        customer,
        &uploads
    ))
    .await;
    let wants_json = headers.get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"));
    match stored {
        Ok(ids) if wants_json => (StatusCode::CREATED, Json(Uploaded { ids })).into_response(),
        // the form without JavaScript: back to the customer
        Ok(_) => Redirect::to(&format!("/customers/{customer}")).into_response(),
        Err(error) => refusal(error),
    }
}

/// Every `file` part with a name (a picker left empty sends one without); each part read whole, the
/// request's length bounded by the route.
async fn read_files(multipart: Result<Multipart, MultipartRejection>) -> Result<Vec<Upload>, AppError> {
    let mut multipart = multipart.map_err(|e| AppError::BadRequest(format!("not a file upload: {}", e.body_text())))?;
    let mut uploads = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(upload_too_large(None)),
            Err(error) => return Err(AppError::BadRequest(format!("the upload was cut short: {}", error.body_text()))),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_string();
        let content_type = field.content_type().map(str::to_string);
        let content = match field.bytes().await {
            Ok(bytes) => bytes.to_vec(),
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(upload_too_large(None)),
            Err(error) => return Err(AppError::BadRequest(format!("the upload was cut short: {}", error.body_text()))),
        };
        if name.is_empty() && content.is_empty() {
            continue;
        }
        if content.len() > MAX_FILE_BYTES {
            return Err(db::too_large(&name, content.len()));
        }
        uploads.push(Upload { name, content_type, content });
    }
    Ok(uploads)
}

pub async fn download(
    State(state): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    Path(id): Path<String>,
) -> Response {
    let caller = match member(caller, Role::Viewer) {
        Ok(caller) => caller,
        Err(error) => return refusal(error),
    };
    let file = match id.parse::<i64>() {
        Ok(id) => db::content(&state.pool, caller.workspace_id, id).await,
        Err(_) => Err(AppError::NotFound),
    };
    match file {
        Ok(file) => (
            [
                (CONTENT_TYPE, file.content_type),
                (CONTENT_DISPOSITION, disposition(&file.name)),
                (CACHE_CONTROL, "private, no-cache".to_string()),
                // an uploaded page or script never runs as this site
                (CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_string()),
            ],
            file.content,
        )
            .into_response(),
        Err(AppError::NotFound) => (StatusCode::NOT_FOUND, "There is no such file.").into_response(),
        Err(error) => refusal(error),
    }
}

/// `attachment` with the name twice: plain ASCII for old clients, UTF-8 (RFC 6266 / 5987) for the rest.
fn disposition(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn the_download_keeps_the_name_for_every_client() {
        assert_eq!(
            disposition("invoice 12.pdf"),
            "attachment; filename=\"invoice 12.pdf\"; filename*=UTF-8''invoice%2012.pdf"
        );
        assert_eq!(
            disposition("Rechnung \"März\".pdf"),
            "attachment; filename=\"Rechnung _M_rz_.pdf\"; filename*=UTF-8''Rechnung%20%22M%C3%A4rz%22.pdf"
        );
    }
}
