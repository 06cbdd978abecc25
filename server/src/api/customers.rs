//! `GET /api/v1/customers` and `GET /api/v1/customers/{id}`: the same rows the customer list shows.

use super::auth::ApiWorkspace;
use super::error::{ApiError, ErrorResponse};
use app::customers::db;
use app::customers::list::{CustomerQuery, MAX_REPEATS};
use app::customers::{Address, COUNT_CAP, CustomerDetail, CustomerRow, Phone};
use app::error::{AppError, FieldError};
use app::sentiment::Sentiment;
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

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
    /// Cursor of the next page (pass it as `after`), null on the last page.
    next: Option<String>,
    /// Cursor of the previous page (pass it as `before`), null on the first page.
    previous: Option<String>,
    /// How many customers match; counted up to 1,001, see `total_exact`.
    total: i64,
    /// False when more than 1,000 customers match: `total` is then a lower bound.
    total_exact: bool,
    /// True when nothing matched `q` as typed and these are close matches (typos forgiven).
    close_matches: bool,
}

/// The parameters the document gives a type other than free text.
const TYPED_PARAMETERS: [&str; 10] = [
    "registered",
    "orders_min",
    "orders_max",
    "purchased_from",
    "purchased_to",
    "open_tickets",
    "manager",
    "limit",
    "tov_min",
    "tov_max",
];

/// The customer list, filtered and sorted like the list screen.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers",
    params(
        ("q" = Option<String>, Query, max_length = 200, description = "Search over name, email, phone (any format) and order number; forgives typos"),
        ("segment" = Option<Vec<String>>, Query, max_items = 20, description = "Segment key (vip, repeat_customer, active_customer, new_customer, new_contact, repeat_contact); repeat for any of several"),
        ("channel" = Option<Vec<String>>, Query, max_items = 20, description = "Channel key; repeat for any of several"),
        ("sentiment" = Option<String>, Query, description = "positive, neutral, negative or none"),
        ("registered" = Option<bool>, Query, description = "true: registered customers; false: guests"),
        ("tov_min" = Option<String>, Query, pattern = r"^[0-9]+(\.[0-9]+)?$", description = "Total order value at least (decimal)"),
        ("tov_max" = Option<String>, Query, pattern = r"^[0-9]+(\.[0-9]+)?$", description = "Total order value at most (decimal)"),
        ("orders_min" = Option<i32>, Query, minimum = 0, description = "Counted orders at least"),
        ("orders_max" = Option<i32>, Query, minimum = 0, description = "Counted orders at most"),
        ("purchased_from" = Option<chrono::NaiveDate>, Query, description = "Latest purchase on or after this day (workspace time zone)"),
        ("purchased_to" = Option<chrono::NaiveDate>, Query, description = "Latest purchase on or before this day (workspace time zone)"),
        ("open_tickets" = Option<bool>, Query, description = "true: customers with a ticket to do or waiting"),
        ("mark" = Option<String>, Query, description = "vip or bad: customers staff marked so"),
        ("manager" = Option<i64>, Query, minimum = 1, description = "User id of the assigned manager"),
        ("sort" = Option<String>, Query, description = "latest_purchase, name, tov, orders, aov, customer_since or registered_at; - before it for descending (default -latest_purchase); orders and tov break each other's ties, aov's by tov"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "Customers per page, 1 to 200 (default 50)"),
        ("after" = Option<String>, Query, max_length = 1024, description = "Cursor: the page after (`next` of a page)"),
        ("before" = Option<String>, Query, max_length = 1024, description = "Cursor: the page before (`previous` of a page)"),
    ),
    responses(
        (status = 200, description = "One page of customers", body = Page),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 422, description = "Bad parameters, each named", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: ask again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn list(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page>, ApiError> {
    // read here rather than by `Query`, so that even a query string that is not valid UTF-8 gets the
    // API's 422 naming the parameter instead of a plain-text 400
    let params: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // The list screen's form sends an empty field for "no filter"; a program leaves the parameter out,
    // and an empty number, date or yes/no is refused, as the document types them.
    let empty: Vec<FieldError> = params
        .iter()
        .filter(|(name, value)| value.trim().is_empty() && TYPED_PARAMETERS.contains(&name.as_str()))
        .map(|(name, _)| FieldError { path: name.clone(), message: "is empty: leave it out for no filter".into() })
        .collect();
    if !empty.is_empty() {
        return Err(AppError::Invalid(empty).into());
    }
    // empty values of a repeatable filter are no filter, but count towards its limit as sent
    for name in ["segment", "channel"] {
        if params.iter().filter(|(n, _)| n == name).count() > MAX_REPEATS {
            return Err(AppError::invalid(name, format!("use at most {MAX_REPEATS} of them")).into());
        }
    }
    let query =
        CustomerQuery::from_pairs(params.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(AppError::Invalid)?;
    let page = app::customers::list::db::list_customers(&state.pool, workspace, &query).await?;
    Ok(Json(Page {
        items: page.items.into_iter().map(Item::from).collect(),
        next: page.next,
        previous: page.previous,
        total: page.total.min(COUNT_CAP + 1),
        total_exact: page.total <= COUNT_CAP,
        close_matches: page.close_matches,
    }))
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
        (status = 503, description = "The database is not reachable or too slow: ask again after `Retry-After` seconds", body = ErrorResponse),
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
