//! `GET /api/v1/customers` and `GET /api/v1/customers/{id}`: the same rows the customer list shows.

use super::auth::ApiWorkspace;
use super::error::{ApiError, ErrorResponse};
use app::customers::list::{CustomerQuery, MAX_LIMIT, MAX_REPEATS, PARAMETERS, ParameterValue, param};
use app::customers::{Address, COUNT_CAP, CustomerDetail, CustomerRow, Phone};
use app::error::{AppError, FieldError};
use app::sentiment::Sentiment;
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{self, Required};

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

/// The list's parameters as the document describes them, from the list's own table of them.
struct ListParameters;

impl IntoParams for ListParameters {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<openapi::path::Parameter> {
        PARAMETERS
            .iter()
            .map(|p| {
                ParameterBuilder::new()
                    .name(p.name)
                    .parameter_in(ParameterIn::Query)
                    .description(Some(p.description))
                    .required(Required::False)
                    .schema(Some(schema(p.value)))
                    .build()
            })
            .collect()
    }
}

/// The schema of a parameter's value.
fn schema(value: ParameterValue) -> openapi::RefOr<openapi::Schema> {
    let of = |kind: Type| ObjectBuilder::new().schema_type(kind);
    let object = match value {
        ParameterValue::Text(max_length) => of(Type::String).max_length(max_length),
        ParameterValue::Keys => {
            return ArrayBuilder::new().items(of(Type::String)).max_items(Some(MAX_REPEATS)).into();
        }
        ParameterValue::Amount => of(Type::String).pattern(Some(r"^[0-9]+(\.[0-9]+)?$")),
        ParameterValue::Boolean => of(Type::Boolean),
        ParameterValue::Count => {
            of(Type::Integer).format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32))).minimum(Some(0))
        }
        ParameterValue::Id => {
            of(Type::Integer).format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))).minimum(Some(1))
        }
        ParameterValue::Limit => of(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(1))
            .maximum(Some(MAX_LIMIT)),
        ParameterValue::Date => of(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
    };
    object.into()
}

/// Whether the document gives the parameter a type other than free text (an empty value of it is
/// refused rather than read as no filter).
fn typed(name: &str) -> bool {
    PARAMETERS.iter().any(|p| p.name == name && !matches!(p.value, ParameterValue::Text(_) | ParameterValue::Keys))
}

/// The customer list, filtered and sorted like the list screen.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers",
    params(ListParameters),
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
        .filter(|(name, value)| value.trim().is_empty() && typed(name))
        .map(|(name, _)| FieldError { path: name.clone(), message: "is empty: leave it out for no filter".into() })
        .collect();
    if !empty.is_empty() {
        return Err(AppError::Invalid(empty).into());
    }
    // empty values of a repeatable filter are no filter, but count towards its limit as sent
    for name in [param::SEGMENT, param::CHANNEL] {
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

/// A customer with everything the API knows about them.
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
        (status = 308, description = "The customer was merged into another: `Location` names it"),
        (status = 401, description = "No key, or a bad or revoked one", body = ErrorResponse),
        (status = 404, description = "No such customer in the key's workspace", body = ErrorResponse),
        (status = 503, description = "The database is not reachable or too slow: ask again after `Retry-After` seconds", body = ErrorResponse),
    ))]
pub async fn detail(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    // An id that is not a number names no customer: the same 404 as a missing one.
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    match app::customers::customer_detail(&state.pool, workspace, id).await {
        Ok(detail) => Ok(Json(Detail::from(detail)).into_response()),
        // merged away: the customer it was merged into (SPEC §9)
        Err(AppError::NotFound) => match app::merges::survivor_of(&state.pool, workspace, id).await? {
            Some(survivor) => Ok(moved_to(survivor)),
            None => Err(AppError::NotFound.into()),
        },
        Err(other) => Err(other.into()),
    }
}

/// `308 Permanent Redirect` to the customer `id` of the API.
fn moved_to(id: i64) -> Response {
    (StatusCode::PERMANENT_REDIRECT, [(LOCATION, format!("/api/v1/customers/{id}"))]).into_response()
}
