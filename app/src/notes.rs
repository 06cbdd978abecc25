//! Notes on a customer: written by the team, shown as plain text (never as HTML), deletable with a trace
//! (the deletion is an event that keeps the text).

#[cfg(feature = "ssr")]
pub mod db;
pub mod view;

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A note's longest text.
pub const MAX_NOTE: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: i64,
    pub body: String,
    /// The member who wrote it (their name or email); none once they have left the workspace.
    pub author: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The customer's notes, newest first.
#[server(output = crate::codec::TextJson)]
pub async fn list_notes(customer: i64) -> Result<Vec<Note>, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        db::notes(&state.pool, caller.workspace_id, customer).await
    })
    .await
}

#[server(endpoint = "add_note", output = crate::codec::TextJson)]
pub async fn add_note(customer: i64, body: String) -> Result<i64, AppError> {
    use crate::accounts::Role;
    crate::guard_write!(Role::Agent, |tx, w| db::add(tx, w.workspace_id, w.actor, w.now, customer, &body)).await
}

#[server(endpoint = "delete_note", output = crate::codec::TextJson)]
pub async fn delete_note(id: i64) -> Result<(), AppError> {
    use crate::accounts::Role;
    crate::guard_write!(Role::Admin, |tx, w| db::delete(tx, w.workspace_id, w.actor, w.now, id)).await
}
