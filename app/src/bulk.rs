//! Bulk actions (SPEC §10): one change to customers chosen on the list or to every customer a list URL
//! matches — assign a manager, set or clear a mark, set the email subscription, add a note, set a custom
//! field. Agents and admins; each changed customer gets its event; run as a job in batches (more than
//! `AT_ONCE` customers in the background, with progress); the whole action can be undone while no later
//! edit touched what it changed.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(all(test, feature = "ssr"))]
mod tests;
pub mod view;

use crate::error::AppError;
use crate::jobs::Job;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Up to this many customers a bulk action is done before its answer; more run in the background.
pub const AT_ONCE: i64 = 1_000;

crate::vocabulary! {
    /// What a bulk action does.
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(rename_all = "snake_case"))]
    pub enum BulkKind {
        SetManager = "set_manager", "Assign a manager";
        SetMark = "set_mark", "Set a mark";
        ClearMark = "clear_mark", "Clear a mark";
        SetSubscription = "set_subscription", "Set the email subscription";
        AddNote = "add_note", "Add a note";
        SetField = "set_field", "Set a custom field";
    }
}

/// Which customers a bulk action is for: those a list URL matches (its query, `segment=vip&sort=-tov`),
/// or customers chosen one by one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Targets {
    Query(String),
    Chosen(Vec<i64>),
}

/// A bulk action as asked for: what, with what value (as the API sends it: a member's id or null, `vip`
/// or `bad`, `subscribed` or `unsubscribed`, a note's text, `{"field": key, "value": …}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkRequest {
    pub targets: Targets,
    pub action: BulkKind,
    #[serde(default)]
    pub value: serde_json::Value,
}

/// A bulk action as its job shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkAction {
    pub job: Job,
    pub action: BulkKind,
    /// What it does, in words ("Assign the manager Ann Lee").
    pub summary: String,
    /// Being undone, or undone.
    pub undoing: bool,
    pub undone: bool,
}

/// Starts a bulk action (done before answering for up to `AT_ONCE` customers).
#[server(endpoint = "start_bulk", input = leptos::server_fn::codec::Json, output = crate::codec::TextJson)]
pub async fn start_bulk(request: BulkRequest) -> Result<BulkAction, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Agent, |caller, state| async move {
        let id = crate::in_transaction!(state, |tx, now| db::start(
            &mut tx,
            caller.workspace_id,
            Some(caller.user_id),
            &request,
            now
        ))
        .await?;
        db::run_now_if_small(&state.pool, &state.clock, caller.workspace_id, id).await?;
        db::bulk_action(&mut *state.pool.acquire().await?, caller.workspace_id, id).await
    })
    .await
}

/// A bulk action of the workspace, as its progress shows it.
#[server(output = crate::codec::TextJson)]
pub async fn bulk_status(id: i64) -> Result<BulkAction, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Agent, |caller, state| async move {
        db::bulk_action(&mut *state.pool.acquire().await?, caller.workspace_id, id).await
    })
    .await
}

/// Undoes a finished bulk action (before answering for up to `AT_ONCE` customers).
#[server(endpoint = "undo_bulk", output = crate::codec::TextJson)]
pub async fn undo_bulk(id: i64) -> Result<BulkAction, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Agent, |caller, state| async move {
        crate::in_transaction!(state, |tx, _now| db::undo(&mut tx, caller.workspace_id, id)).await?;
        db::run_now_if_small(&state.pool, &state.clock, caller.workspace_id, id).await?;
        db::bulk_action(&mut *state.pool.acquire().await?, caller.workspace_id, id).await
    })
    .await
}

/// Exactly how many customers the list at `query` holds (what "all matching" changes).
#[server(output = crate::codec::TextJson)]
pub async fn count_matching(query: String) -> Result<i64, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Agent, |caller, state| async move {
        let query = crate::exports::db::read_query(&query)?;
        crate::customers::list::db::count_all(&state.pool, caller.workspace_id, &query).await
    })
    .await
}
