//! How the API says no: a status and `{"error": {"code", "message", "fields"}}`.

use app::error::{AppError, FieldError};
use axum::Json;
use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub struct ApiError(pub AppError);

/// The body of every refusal.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorResponse {
    error: ErrorBody,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// not_found, unauthenticated, forbidden, bad_request, invalid, conflict, too_large, refused,
    /// unavailable, too_slow or internal.
    code: &'static str,
    message: String,
    /// Each bad field by its JSON path (or query parameter), with what is wrong; empty unless `invalid`.
    fields: Vec<FieldError>,
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.http_status();
        let code = match &self.0 {
            AppError::NotFound => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "invalid",
            AppError::Conflict(_) | AppError::Retry => "conflict",
            AppError::TooLarge(_) => "too_large",
            AppError::Gone(_) => "gone",
            AppError::Refused(_) => "refused",
            AppError::Unavailable => "unavailable",
            AppError::TooSlow => "too_slow",
            AppError::Internal | AppError::Transport(_) => "internal",
        };
        let retry_after = self.0.retry_after();
        let message = self.0.to_string();
        let fields = match self.0 {
            AppError::Invalid(fields) => fields,
            _ => Vec::new(),
        };
        let body = Json(ErrorResponse { error: ErrorBody { code, message, fields } });
        let mut response = (status, body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer realm="Customer View API""#));
        }
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
