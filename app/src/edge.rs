//! What every form post and server function call passes before its handler: text PostgreSQL can store.
//! NUL characters in a field reached the database and came back as a 500; here they are a 422 naming
//! the field, for every form and server function at once.

use crate::error::{AppError, FieldError};
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::Method;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The largest body of a form post or a server function's arguments (the API's batches and file
/// uploads have larger limits of their own).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Refuses a form or JSON body with a NUL character in any value (the API checks its own, field by field,
/// and file uploads are bytes). Bodies larger than `MAX_BODY_BYTES` are refused with 413.
pub async fn refuse_nul_text(request: Request, next: Next) -> Response {
    let limit = MAX_BODY_BYTES;
    let content_type =
        request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    // the API checks its own bodies field by field; a webhook's body is verified as sent, then mapped
    let own_checks = ["/api/v1/", "/hooks/"].iter().any(|p| request.uri().path().starts_with(p));
    if request.method() != Method::POST || own_checks || !(form || json) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, limit).await else {
        return refusal(AppError::TooLarge(format!("the request is larger than {} KB", limit / 1024)));
    };
    let fields = if form { nul_in_form(&bytes) } else { nul_in_json(&bytes) };
    if !fields.is_empty() {
        let errors = fields
            .into_iter()
            .map(|path| FieldError { path, message: "must not contain NUL characters".into() })
            .collect();
        return refusal(AppError::Invalid(errors));
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// The refusal in the shape a server function's caller reads (`AppError` as JSON).
fn refusal(error: AppError) -> Response {
    let body = serde_json::to_string(&error).unwrap_or_default();
    (error.http_status(), [(CONTENT_TYPE, "application/json")], body).into_response()
}

/// The names of the form fields whose value holds a NUL.
fn nul_in_form(bytes: &[u8]) -> Vec<String> {
    form_urlencoded::parse(bytes).filter(|(_, value)| value.contains('\0')).map(|(name, _)| name.into_owned()).collect()
}

/// The JSON paths of the strings (keys included) that hold a NUL; a body that is not JSON is left to the
/// handler, which says so.
fn nul_in_json(bytes: &[u8]) -> Vec<String> {
    fn walk(value: &Value, path: &str, found: &mut Vec<String>) {
        match value {
            Value::String(text) if text.contains('\0') => found.push(path.to_string()),
            Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| walk(v, &format!("{path}[{i}]"), found)),
            Value::Object(fields) => {
                for (key, v) in fields {
                    let at = format!("{path}.{key}");
                    if key.contains('\0') {
                        found.push(at.clone());
                    }
                    walk(v, &at, found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        walk(&value, "$", &mut found);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_are_found_by_field() {
        assert_eq!(nul_in_form(b"email=a%00b%40x.y&password=secret"), ["email"]);
        assert!(nul_in_form(b"email=ab%40x.y&password=secret").is_empty());
        assert_eq!(nul_in_json(br#"{"query": {"q": "a\u0000b", "segments": ["vip"]}}"#), ["$.query.q"]);
        assert!(nul_in_json(br#"{"query": {"q": "ab"}}"#).is_empty());
    }
}
