//! `GET /api/v1/customers` and `GET /api/v1/customers/{id}`: the same rows the customer list shows.

use super::auth::ApiWorkspace;
use super::error::{ApiError, ErrorResponse};
use app::customers::db;
use app::customers::{Address, CustomerDetail, CustomerQuery, CustomerRow, MAX_LIMIT, Phone};
use app::error::{AppError, FieldError};
use app::sentiment::Sentiment;
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Item {
    id: i64,
    channel: String,
    external_id: Option<String>,
    first_name: String,
    last_name: String,
    email: Option<String>,
    segments: Vec<String>,
    sentiment: Option<Sentiment>,
    total_order_value: Decimal,
    orders: i32,
    latest_purchase: Option<DateTime<Utc>>,
}

impl From<CustomerRow> for Item {
    fn from(r: CustomerRow) -> Self {
        Item {
            id: r.id,
            channel: r.channel,
            external_id: r.external_id,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            segments: r.segments,
            sentiment: r.sentiment,
            total_order_value: r.total_order_value,
            orders: r.orders,
            latest_purchase: r.latest_purchase_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Page {
    items: Vec<Item>,
    next: Option<String>,
    total: i64,
}

/// The list query from the URL; every bad parameter is named in one 422.
fn parse_query(params: &HashMap<String, String>) -> Result<CustomerQuery, AppError> {
    let mut errors = Vec::new();
    let limit = match params.get("limit").map(|l| l.parse::<i64>()) {
        None => None,
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => Some(n),
        Some(_) => {
            errors.push(FieldError {
                path: "limit".into(),
                message: format!("use a whole number from 1 to {MAX_LIMIT}"),
            });
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(CustomerQuery { q: params.get("q").cloned(), limit })
}

/// The customer list, filtered and sorted like the list screen.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers",
    params(
        ("q" = Option<String>, Query, description = "Search over name, email, phone and order number"),
        ("limit" = Option<i64>, Query, description = "Customers per page, 1 to 200 (default 50)"),
    ),
    responses(
        (status = 200, description = "One page of customers", body = Page),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 422, description = "Bad parameters, each named", body = ErrorResponse),
    ))]
pub async fn list(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Page>, ApiError> {
    let query = parse_query(&params)?;
    let page = db::list_customers(&state.pool, workspace, &query).await?;
    Ok(Json(Page { items: page.items.into_iter().map(Item::from).collect(), next: None, total: page.total }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Addresses {
    billing: Option<Address>,
    shipping: Option<Address>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Detail {
    #[serde(flatten)]
    item: Item,
    company: Option<String>,
    emails: Vec<String>,
    phones: Vec<Phone>,
    addresses: Addresses,
    registered: bool,
    registered_at: DateTime<Utc>,
    total_paid: Decimal,
    accounts_receivable: Decimal,
    average_order_value: Option<Decimal>,
    customer_since: Option<DateTime<Utc>>,
    contacts: i32,
}

impl From<CustomerDetail> for Detail {
    fn from(d: CustomerDetail) -> Self {
        let registered = d.row.registered;
        Detail {
            item: d.row.into(),
            company: d.company,
            emails: d.emails,
            phones: d.phones,
            addresses: Addresses { billing: d.billing_address, shipping: d.shipping_address },
            registered,
            registered_at: d.registered_at,
            total_paid: d.total_paid,
            accounts_receivable: d.accounts_receivable,
            average_order_value: d.average_order_value,
            customer_since: d.customer_since,
            contacts: d.contacts,
        }
    }
}

/// One customer with everything the API knows about them.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The customer", body = Detail),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "No such customer in the key's workspace", body = ErrorResponse),
    ))]
pub async fn detail(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Detail>, ApiError> {
    // An id that is not a number names no customer: the same 404 as a missing one.
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(db::customer_detail(&state.pool, workspace, id).await?.into()))
}
