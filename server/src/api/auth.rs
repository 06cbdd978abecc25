//! `Authorization: Bearer <key>`: the workspace the request acts for. No key, or a wrong or revoked
//! one, is 401 before anything else happens.

use super::error::ApiError;
use app::auth::db::api_key_workspace;
use app::error::AppError;
use app::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// The workspace of the API key the request carries.
pub struct ApiWorkspace(pub i64);

impl FromRequestParts<AppState> for ApiWorkspace {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let key = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or(AppError::Unauthenticated)?;
        // when a key was last used is an audit record: real time, whatever CV_NOW pins
        match api_key_workspace(&state.pool, key, chrono::Utc::now()).await? {
            Some(workspace) => Ok(ApiWorkspace(workspace)),
            None => Err(AppError::Unauthenticated.into()),
        }
    }
}
