//! `POST /imports` (admins): Settings → Import's form, a multipart upload of the file and the channel it
//! goes into. A plain form post, so that it works before the page's script has loaded: answered with a
//! redirect to the page, showing the import's progress, or the refusal.

use super::{ImportFormat, MAX_IMPORT_BYTES};
use crate::accounts::Role;
use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// Back to the page, saying why.
fn refused(error: AppError) -> Response {
    let why = match error {
        AppError::Invalid(fields) => fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    };
    Redirect::to(&format!("/settings/import?error={}", crate::ui::url::encode(&why))).into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(axum::Extension(caller)) = caller else {
        return Redirect::to("/login").into_response();
    };
    if !caller.role.allows(Role::Admin) {
        return (StatusCode::FORBIDDEN, "Only admins import customers.").into_response();
    }
    let (channel, content) = match read_form(multipart).await {
        Ok(form) => form,
        Err(error) => return refused(error),
    };
    let started = crate::in_transaction!(state, |tx, now| super::db::start(
        &mut tx,
        caller.workspace_id,
        Some(caller.user_id),
        &channel,
        ImportFormat::ShopifyCustomers,
        content.clone(),
        now
    ))
    .await;
    match started {
        Ok(id) => Redirect::to(&format!("/settings/import?job={id}")).into_response(),
        Err(error) => refused(error),
    }
}

/// The form's channel and file (as UTF-8 text).
async fn read_form(multipart: Result<Multipart, MultipartRejection>) -> Result<(String, String), AppError> {
    let too_large =
        || AppError::invalid("file", format!("the file can be at most {} MB", MAX_IMPORT_BYTES / 1024 / 1024));
    let mut multipart = multipart.map_err(|e| AppError::BadRequest(format!("not a file upload: {}", e.body_text())))?;
    let (mut channel, mut content) = (None, None);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(error) => return Err(AppError::BadRequest(format!("the upload was cut short: {}", error.body_text()))),
        };
        let name = field.name().unwrap_or_default().to_string();
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(error) => return Err(AppError::BadRequest(format!("the upload was cut short: {}", error.body_text()))),
        };
        match name.as_str() {
            "channel" => channel = Some(String::from_utf8_lossy(&bytes).trim().to_string()),
            "file" => content = Some(text(bytes.to_vec())?),
            _ => {}
        }
    }
    let channel = channel
        .filter(|c| !c.is_empty())
        .ok_or_else(|| AppError::invalid("channel", "choose the channel the customers belong to"))?;
    let content = content
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| AppError::invalid("file", "choose the file to import"))?;
    Ok((channel, content))
}

/// The file as text: UTF-8 (Shopify's exports are).
pub fn text(bytes: Vec<u8>) -> Result<String, AppError> {
    String::from_utf8(bytes)
        .map_err(|_| AppError::invalid("file", "the file is not UTF-8 text; export it again as CSV (UTF-8)"))
}
