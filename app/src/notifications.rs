//! In-app notifications (SPEC §10): per member of a workspace — an export ready, a bulk action done, an
//! import finished, a task assigned or overdue — shown under the bell in the top bar, marked read.

#[cfg(feature = "ssr")]
pub mod db;
pub mod view;

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    pub enum NotificationKind {
        ExportReady = "export_ready", "Export ready";
        ExportFailed = "export_failed", "Export failed";
        BulkDone = "bulk_done", "Bulk action done";
        ImportFinished = "import_finished", "Import finished";
        TaskAssigned = "task_assigned", "Task assigned to you";
        TaskOverdue = "task_overdue", "Task overdue";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    pub title: String,
    /// Where it leads, a path of the app.
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// The bell's contents: how many are unread, and the latest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Inbox {
    pub unread: i64,
    pub latest: Vec<Notification>,
}

/// The signed-in member's notifications in this workspace; `None` when signed out (the bell is in the top
/// bar of every page, the sign-in page's too).
#[server(output = crate::codec::TextJson)]
pub async fn load_inbox() -> Result<Option<Inbox>, AppError> {
    use crate::accounts::Role;
    if crate::auth::signed_in().is_none() {
        return Ok(None);
    }
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        db::inbox(&state.pool, caller.workspace_id, caller.user_id).await.map(Some)
    })
    .await
}

/// Marks one notification read, or all of them (`id` none).
#[server(endpoint = "mark_read", output = crate::codec::TextJson)]
pub async fn mark_read(id: Option<i64>) -> Result<(), AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        db::mark_read(&state.pool, caller.workspace_id, caller.user_id, id, state.clock.now()).await
    })
    .await
}
