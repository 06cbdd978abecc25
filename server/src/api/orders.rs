//! `GET /api/v1/orders` and `GET /api/v1/orders/{id}` (SPEC §11): the workspace's orders, newest first,
//! all or one customer's, and one order with its lines, addresses and shipping updates.

use super::auth::ApiWorkspace;
use super::error::{ApiError, ErrorResponse};
use app::customers::Address;
use app::error::AppError;
use app::orders::{MAX_ORDER_PAGE, OrderLine, OrderQuery, OrderRow, OrderView, ShippingUpdate};
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

/// An order in a list.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderItem {
    id: i64,
    /// The channel's key.
    channel: String,
    external_id: String,
    number: String,
    placed_at: DateTime<Utc>,
    /// draft, pending, paid, in_transit, delivered, canceled or returned.
    status: String,
    test: bool,
    currency: String,
    total: Decimal,
    customer_id: i64,
}

impl From<OrderRow> for OrderItem {
    fn from(r: OrderRow) -> Self {
        OrderItem {
            id: r.id,
            channel: r.channel,
            external_id: r.external_id,
            number: r.number,
            placed_at: r.placed_at,
            status: r.status,
            test: r.test,
            currency: r.currency,
            total: r.total,
            customer_id: r.customer_id,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderList {
    items: Vec<OrderItem>,
    /// Cursor of the next page (pass it as `after`), null on the last page.
    next: Option<String>,
}

/// One order with everything the API knows about it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderDetail {
    #[serde(flatten)]
    item: OrderItem,
    paid: Decimal,
    refunded: Decimal,
    /// Units of the workspace's currency per unit of the order's.
    exchange_rate: Decimal,
    /// sku, name, category, quantity, unit_price
    #[schema(value_type = Vec<Object>)]
    lines: Vec<OrderLine>,
    #[schema(value_type = Option<Object>)]
    shipping_address: Option<Address>,
    #[schema(value_type = Option<Object>)]
    billing_address: Option<Address>,
    /// happened_at, status, note
    #[schema(value_type = Vec<Object>)]
    shipping_updates: Vec<ShippingUpdate>,
}

impl From<OrderView> for OrderDetail {
    fn from(o: OrderView) -> Self {
        OrderDetail {
            item: OrderItem::from(o.row),
            paid: o.paid,
            refunded: o.refunded,
            exchange_rate: o.exchange_rate,
            lines: o.lines,
            shipping_address: o.shipping_address,
            billing_address: o.billing_address,
            shipping_updates: o.shipping_updates,
        }
    }
}

/// Reads `customer`, `limit` and `after`; anything else, or a value that is not one, is a 422 naming it.
fn order_query(raw: Option<&str>) -> Result<OrderQuery, AppError> {
    let mut query = OrderQuery::default();
    for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "customer" => {
                query.customer = Some(
                    value
                        .parse()
                        .map_err(|_| AppError::invalid("customer", format!("{value:?} is not a customer id")))?,
                )
            }
            "limit" => {
                let limit: i64 = value.parse().ok().filter(|l| (1..=MAX_ORDER_PAGE).contains(l)).ok_or_else(|| {
                    AppError::invalid("limit", format!("use a whole number from 1 to {MAX_ORDER_PAGE}"))
                })?;
                query.limit = Some(limit);
            }
            "after" => query.after = Some(value.into_owned()),
            other => return Err(AppError::invalid(other, "is not a parameter of this list")),
        }
    }
    Ok(query)
}

/// The workspace's orders, newest first, a page at a time; `customer` keeps one customer's.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    params(
        ("customer" = Option<i64>, Query, description = "Only this customer's orders"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "Orders per page (25 when left out)"),
        ("after" = Option<String>, Query, description = "The `next` cursor of the page before"),
    ),
    responses(
        (status = 200, description = "A page of orders", body = OrderList),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 422, description = "A parameter is not valid: named by its name", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: ask again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn list(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<OrderList>, ApiError> {
    let query = order_query(raw.as_deref())?;
    let page = app::orders::db::list_orders(&state.pool, workspace, &query).await?;
    Ok(Json(OrderList { items: page.items.into_iter().map(OrderItem::from).collect(), next: page.next }))
}

/// One order of the workspace.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = i64, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The order", body = OrderDetail),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "No such order in the key's workspace", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: ask again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn detail(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<OrderDetail>, ApiError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(OrderDetail::from(app::orders::db::order_view(&state.pool, workspace, id).await?)))
}
