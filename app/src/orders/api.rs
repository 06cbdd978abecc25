//! Server functions of the orders pages.

use super::types::{OrderPage, OrderQuery, OrderView};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// A page of orders: all of the workspace's, or one customer's.
#[server(input = Json, output = crate::codec::TextJson)]
pub async fn list_orders(query: OrderQuery) -> Result<OrderPage, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        super::db::list_orders(&state.pool, caller.workspace_id, &query).await
    })
    .await
}

/// One order with its lines, addresses and shipping updates.
#[server(output = crate::codec::TextJson)]
pub async fn get_order(id: i64) -> Result<OrderView, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        let mut order = super::db::order_view(&state.pool, caller.workspace_id, id).await?;
        order.can_export = caller.role.allows(Role::Agent);
        Ok(order)
    })
    .await
}
