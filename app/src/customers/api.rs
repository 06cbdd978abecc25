//! Server functions of the customer list.

use super::types::{CustomerPage, CustomerQuery};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn list_customers(query: CustomerQuery) -> Result<CustomerPage, AppError> {
    use crate::accounts::Role;
    use crate::auth::require;
    use crate::state::app_state;

    let caller = require(Role::Viewer)?;
    let state = app_state()?;
    super::db::list_customers(&state.pool, caller.workspace_id, &query).await
}
