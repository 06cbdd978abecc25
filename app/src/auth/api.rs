//! Server functions about the caller: who is signed in, and which workspaces they can switch to.

use super::{Caller, WorkspaceChoice};
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in caller and their workspaces; `None` when signed out.
#[server(output = crate::codec::TextJson)]
pub async fn current_caller() -> Result<Option<(Caller, Vec<WorkspaceChoice>)>, AppError> {
    // Being signed out is an answer here, not an error.
    let Some(caller) = super::signed_in() else { return Ok(None) };
    let state = crate::state::app_state()?;
    let workspaces = super::db::workspaces_of(&state.pool, caller.user_id).await?;
    Ok(Some((caller, workspaces)))
}
