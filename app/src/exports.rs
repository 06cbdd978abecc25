//! CSV exports of the customer list (SPEC §10): the rows of a list URL, in its order, as they were when
//! the export started. Up to `IMMEDIATE_ROWS` download at once; more become a job whose file is kept
//! `KEPT_DAYS` days. Agents and admins export; viewers cannot.

#[cfg(feature = "ssr")]
pub mod csv;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(all(test, feature = "ssr"))]
mod tests;
pub mod view;

use crate::error::AppError;
use crate::jobs::Job;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Up to this many rows an export downloads at once; more become a job.
pub const IMMEDIATE_ROWS: i64 = 1_000;
/// How long an export's file is kept.
pub const KEPT_DAYS: i64 = 7;

/// An export as its page and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    pub job: Job,
    /// The list's URL query it exports (`segment=vip&sort=-tov`).
    pub query: String,
    /// That view in words, for people ("Segment: VIP · Sorted by total order value, highest first").
    pub filter: String,
    /// The file's size once written.
    pub bytes: i64,
    /// When the file is deleted (set once written).
    pub expires_at: Option<DateTime<Utc>>,
    /// The file was deleted: the export stays as a record.
    pub expired: bool,
}

impl Export {
    /// Whether its file can be downloaded.
    pub fn downloadable(&self) -> bool {
        self.job.status == crate::jobs::JobStatus::Done && !self.expired
    }

    /// Where the signed-in member downloads it.
    pub fn download_path(&self) -> String {
        format!("/exports/{}/download", self.job.id)
    }
}

/// Starts an export of the list at `query` (its URL query) as a job, answering the job's id.
#[server(endpoint = "start_export", output = crate::codec::TextJson)]
pub async fn start_export(query: String, bom: bool) -> Result<i64, AppError> {
    use crate::accounts::Role;
    crate::guard_write!(Role::Agent, |tx, w| db::start(tx, w.workspace_id, Some(w.actor), &query, bom, w.now)).await
}

/// One export of the workspace.
#[server(output = crate::codec::TextJson)]
pub async fn export_status(id: i64) -> Result<Export, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Agent, |caller, state| async move {
        db::export(&mut *state.pool.acquire().await?, caller.workspace_id, id).await
    })
    .await
}

/// The workspace's exports, newest first.
#[server(output = crate::codec::TextJson)]
pub async fn list_exports() -> Result<Vec<Export>, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Agent, |caller, state| async move { db::exports(&state.pool, caller.workspace_id).await })
        .await
}

#[server(endpoint = "cancel_export", output = crate::codec::TextJson)]
pub async fn cancel_export(id: i64) -> Result<(), AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Agent, |caller, state| async move {
        crate::jobs::db::cancel(&state.pool, caller.workspace_id, crate::jobs::JobKind::Export, id, state.clock.now())
            .await
    })
    .await
}
