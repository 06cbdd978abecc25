//! Server functions of the customer list.

use super::types::{CustomerPage, CustomerQuery};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn list_customers(query: CustomerQuery) -> Result<CustomerPage, AppError> {
    use crate::accounts::db::workspace_by_slug;
    use crate::state::app_state;

    let state = app_state()?;
    // Until sign-in (issue 3), the page shows the configured workspace.
    let workspace = workspace_by_slug(&state.pool, &state.default_workspace).await?;
    super::db::list_customers(&state.pool, workspace.id, &query).await
}
