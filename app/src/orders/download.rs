//! `GET /orders/{id}/download`: the order as a CSV file, for the signed-in members of its workspace.

use crate::accounts::Role;
use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

pub async fn download(
    State(state): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    Path(id): Path<String>,
) -> Response {
    // the session middleware has already sent signed-out visitors of a page to the sign-in
    let Some(axum::Extension(caller)) = caller else {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    };
    // a download is an export: agents' and admins' (SPEC §2)
    if !caller.role.allows(Role::Agent) {
        return (StatusCode::FORBIDDEN, "Your role does not allow this.").into_response();
    }
    let Ok(id) = id.parse::<i64>() else {
        return (StatusCode::NOT_FOUND, "There is no such order.").into_response();
    };
    let order = match super::db::order_view(&state.pool, caller.workspace_id, id).await {
        Ok(order) => order,
        Err(AppError::NotFound) => return (StatusCode::NOT_FOUND, "There is no such order.").into_response(),
        Err(error) => return refusal(error),
    };
    match super::db::order_csv(&order) {
        Ok(csv) => {
            let name: String = order.row.number.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            let disposition = format!("attachment; filename=\"order-{name}.csv\"");
            ([(CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (CONTENT_DISPOSITION, disposition)], csv)
                .into_response()
        }
        Err(error) => refusal(error),
    }
}

fn refusal(error: AppError) -> Response {
    (error.http_status(), error.to_string()).into_response()
}
