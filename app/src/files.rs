//! Files attached to a customer: uploaded by dropping them on the page or picking them, listed with their
//! size, downloaded with the type they were uploaded with, deleted with a trace. The bytes live in
//! PostgreSQL (`file.content`), so a backup of the database keeps them.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod routes;
pub mod view;

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The largest file accepted: 10 MB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The largest upload (several files at once), with room for the form's own bytes.
pub const MAX_UPLOAD_BYTES: usize = 3 * MAX_FILE_BYTES + 64 * 1024;

/// What a file over the limit is told, in the browser (early) and on the server (which decides).
pub fn too_large_message(name: &str, size: u64) -> String {
    use crate::ui::format::bytes;
    format!("“{name}” is {}; a file can be at most {}", bytes(size as i64), bytes(MAX_FILE_BYTES as i64))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFile {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// The member who uploaded it; none once they have left the workspace.
    pub uploaded_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What an upload answers (JSON) to the page that sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uploaded {
    pub ids: Vec<i64>,
}

/// The customer's files, newest first.
#[server(output = crate::codec::TextJson)]
pub async fn list_files(customer: i64) -> Result<Vec<CustomerFile>, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        db::files(&state.pool, caller.workspace_id, customer).await
    })
    .await
}

#[server(endpoint = "delete_file", output = crate::codec::TextJson)]
pub async fn delete_file(id: i64) -> Result<(), AppError> {
    use crate::accounts::Role;
    crate::guard_write!(Role::Admin, |tx, w| db::delete(tx, w.workspace_id, w.actor, w.now, id)).await
}
