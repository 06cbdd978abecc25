//! The customer list (SPEC §4): the page, its URL query, its server functions, and (on the server) the
//! statement that finds a page — filters, seven sorts both ways, keyset cursors, search and the capped
//! count. `sort` alone knows each sort's columns; `sql` builds the statement from them and from `search`.

mod changes;
mod query;
mod view;
mod words;

#[cfg(feature = "ssr")]
mod cursor;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
mod search;
#[cfg(feature = "ssr")]
mod sort;
#[cfg(feature = "ssr")]
mod sql;
#[cfg(all(test, feature = "ssr"))]
mod tests;

pub use query::*;
pub use view::CustomerListPage;

use super::types::{CustomerPage, ListOptions};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// One page of the list (the query carries every filter, the sort and the cursor).
#[server(input = Json, output = crate::codec::TextJson)]
pub async fn list_customers(query: CustomerQuery) -> Result<CustomerPage, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        let page = db::list_customers(&state.pool, caller.workspace_id, &query).await?;
        Ok(CustomerPage { can_act: caller.role.allows(Role::Agent), ..page })
    })
    .await
}

/// What the filter panel offers: segments with member counts, channels and managers.
#[server(output = crate::codec::TextJson)]
pub async fn filter_options() -> Result<ListOptions, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(
        Role::Viewer,
        |caller, state| async move { db::list_options(&state.pool, caller.workspace_id).await },
    )
    .await
}
