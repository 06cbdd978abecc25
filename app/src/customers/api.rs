//! Server functions of the customer list.

use super::query::CustomerQuery;
use super::types::{CustomerPage, ListOptions};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// One page of the list (the query carries every filter, the sort and the cursor).
#[server(input = Json, output = crate::codec::TextJson)]
pub async fn list_customers(query: CustomerQuery) -> Result<CustomerPage, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        super::db::list_customers(&state.pool, caller.workspace_id, &query).await
    })
    .await
}

/// What the filter panel offers: segments with member counts, channels and managers.
#[server(output = crate::codec::TextJson)]
pub async fn filter_options() -> Result<ListOptions, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        super::db::list_options(&state.pool, caller.workspace_id).await
    })
    .await
}
