//! Ingestion: `POST /api/v1/orders`, `/orders/batch`, `/messages`, `/messages/batch` and `/customers`.
//! A batch of orders is stored in one transaction, set-based; messages and customers one per
//! transaction. A refused item leaves nothing of itself behind and does not stop the others; the VIP
//! threshold is refreshed once per request, after the writes commit.

use super::auth::ApiWorkspace;
use super::error::{ApiError, ErrorResponse};
use app::accounts::db::workspace_currency;
use app::error::{AppError, FieldError};
use app::in_transaction;
use app::ingest::CustomerSync;
use app::ingest::ingest_message;
use app::ingest::{Ingested, Outcome, ingest_order, ingest_orders};
use app::ingest::{MessageInput, parse_message};
use app::ingest::{OrderInput, parse_order};
use app::ingest::{ingest_customer, parse_customer_sync};
use app::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value;

pub const MAX_BATCH: usize = 1000;

/// The body as JSON. A body over the limit is a 413 and one that could not be read a 400, in the API's
/// JSON shape like every other refusal.
pub(super) fn parse_json(body: Body) -> Result<Value, AppError> {
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::TooLarge(format!("the body is too large: {}", rejection.body_text()))
        }
        _ => AppError::BadRequest(format!("the body could not be read: {}", rejection.body_text())),
    })?;
    serde_json::from_slice(&body).map_err(|e| AppError::invalid("$", format!("the body is not valid JSON: {e}")))
}

/// A request whose body is one JSON object (`T`): any other JSON — an array, a string — is refused with
/// 422 naming `$`, even where every field of `T` may be left out (serde would read `[]` as such a `T`).
pub(super) fn parse_request<T: serde::de::DeserializeOwned>(body: Body) -> Result<T, AppError> {
    match parse_json(body)? {
        object @ Value::Object(_) => serde_json::from_value(object).map_err(|e| AppError::invalid("$", e.to_string())),
        _ => Err(AppError::invalid("$", "the body must be a JSON object")),
    }
}

/// A request's body, or why it could not be read.
pub(super) type Body = Result<Bytes, BytesRejection>;

/// The VIP refresh once per request, after the writes commit (`AppState::refresh_vip_after`), for the
/// customers of the items that changed something.
async fn refresh_vip<'a>(state: &AppState, workspace: i64, stored: impl IntoIterator<Item = &'a Ingested>) {
    let written: Vec<i64> = stored
        .into_iter()
        .filter(|done| done.result != Outcome::Unchanged)
        .flat_map(|done| done.affected.iter().copied())
        .collect();
    state.refresh_vip_after(workspace, &written).await;
}

#[derive(Clone, Copy)]
enum Kind {
    Order,
    Message,
    Customer,
}

/// Stores one item in a transaction of its own. A refusal is `AppError::Invalid` with paths relative to
/// the item (`$`).
async fn store_one(
    state: &AppState,
    workspace: i64,
    currency: &str,
    kind: Kind,
    value: &Value,
) -> Result<Ingested, AppError> {
    match kind {
        Kind::Order => {
            let order = parse_order(value, "$")?;
            in_transaction!(state, |tx, now| ingest_order(&mut tx, workspace, currency, now, &order)).await
        }
        Kind::Message => {
            let message = parse_message(value, "$")?;
            in_transaction!(state, |tx, now| ingest_message(&mut tx, workspace, now, &message)).await
        }
        Kind::Customer => {
            let customer = parse_customer_sync(value, "$")?;
            in_transaction!(state, |tx, now| ingest_customer(&mut tx, workspace, now, &customer)).await
        }
    }
}

/// Stores a batch of orders in one transaction, set-based; answers one result per item, refusals with
/// paths relative to the item.
async fn store_orders(
    state: &AppState,
    workspace: i64,
    currency: &str,
    values: &[Value],
) -> Result<Vec<Result<Ingested, AppError>>, AppError> {
    let mut orders = Vec::with_capacity(values.len());
    let refused: Vec<Option<Vec<FieldError>>> = values
        .iter()
        .map(|value| match parse_order(value, "$") {
            Ok(order) => {
                orders.push(order);
                None
            }
            Err(errors) => Some(errors),
        })
        .collect();
    let stored: Vec<Result<Ingested, AppError>> =
        match in_transaction!(state, |tx, now| ingest_orders(&mut tx, workspace, currency, now, &orders)).await {
            Ok(stored) => stored.into_iter().map(|r| r.map_err(AppError::Invalid)).collect(),
            // The database refused one of them, for a rule the checks before it missed: storing each on
            // its own tells which, and keeps the others. (Any other failure — the database away, say —
            // fails the whole batch at once: replaying it order by order would only fail 1,000 times.)
            Err(AppError::Refused(_)) => {
                let mut stored = Vec::with_capacity(orders.len());
                for order in &orders {
                    stored.push(
                        in_transaction!(state, |tx, now| ingest_order(&mut tx, workspace, currency, now, order)).await,
                    );
                }
                stored
            }
            Err(other) => return Err(other),
        };
    let mut stored = stored.into_iter();
    Ok(refused
        .into_iter()
        .map(|refused| match refused {
            None => stored.next().expect("one result per stored order"),
            Some(errors) => Err(AppError::Invalid(errors)),
        })
        .collect())
}

/// What the routes storing one item answer (for the OpenAPI document).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // describes answers; never built
enum ItemAnswers {
    #[response(status = 201, description = "Created")]
    Created(Ingested),
    #[response(status = 200, description = "Updated, or unchanged when re-sent")]
    Stored(Ingested),
    #[response(status = 401, description = "No key, or a bad or revoked one")]
    Unauthenticated(ErrorResponse),
    #[response(status = 400, description = "The body could not be read")]
    BadRequest(ErrorResponse),
    #[response(status = 409, description = "Too many concurrent writes to the same records; send again")]
    Conflict(ErrorResponse),
    #[response(status = 413, description = "The body is larger than the API takes")]
    TooLarge(ErrorResponse),
    #[response(status = 422, description = "Refused, nothing stored: every bad field by its JSON path")]
    Invalid(ErrorResponse),
    #[response(
        status = 503,
        description = "The database is not reachable or too slow: send again after `Retry-After` seconds"
    )]
    Unavailable(ErrorResponse),
}

/// What the batch routes answer (for the OpenAPI document).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // describes answers; never built
enum BatchAnswers {
    #[response(status = 200, description = "One result per item, in order; a refused item stores nothing")]
    Results(BatchResult),
    #[response(status = 401, description = "No key, or a bad or revoked one")]
    Unauthenticated(ErrorResponse),
    #[response(status = 400, description = "The body could not be read")]
    BadRequest(ErrorResponse),
    #[response(status = 409, description = "Too many concurrent writes to the same records; send again")]
    Conflict(ErrorResponse),
    #[response(status = 413, description = "The body is larger than the API takes")]
    TooLarge(ErrorResponse),
    #[response(status = 422, description = "The body is not a batch (each refused item has its own result)")]
    Invalid(ErrorResponse),
    #[response(
        status = 503,
        description = "The database is not reachable or too slow: send again after `Retry-After` seconds"
    )]
    Unavailable(ErrorResponse),
}

/// Stores one order: creates it, updates it, or finds it unchanged.
#[utoipa::path(post, path = "/api/v1/orders", tag = "ingestion", request_body = OrderInput,
    responses(ItemAnswers))]
pub async fn create_order(workspace: ApiWorkspace, state: State<AppState>, body: Body) -> Created {
    create(workspace, state, body, Kind::Order).await
}

/// Stores one message and the ticket it belongs to.
#[utoipa::path(post, path = "/api/v1/messages", tag = "ingestion", request_body = MessageInput,
    responses(ItemAnswers))]
pub async fn create_message(workspace: ApiWorkspace, state: State<AppState>, body: Body) -> Created {
    create(workspace, state, body, Kind::Message).await
}

/// Adds a customer by hand (no `external_id`), or creates or updates one synced from a channel.
#[utoipa::path(post, path = "/api/v1/customers", tag = "ingestion", request_body = CustomerSync,
    responses(ItemAnswers))]
pub async fn create_customer(workspace: ApiWorkspace, state: State<AppState>, body: Body) -> Created {
    create(workspace, state, body, Kind::Customer).await
}

/// Stores one order exactly as its platform's API returns it, mapped by the channel's kind (SPEC §11):
/// a Shopify order (bare or as `{"order": …}`), a WooCommerce v3 order, a BigCommerce v2 order with its
/// `products` and `shipping_addresses` inlined, or for Amazon `{"order", "items", "address", "buyer"}`.
#[utoipa::path(post, path = "/api/v1/channels/{key}/platform-orders", tag = "ingestion",
    params(("key" = String, Path, description = "The channel's key; its kind says how the order is read")),
    request_body(content = Object, description = "The order as the platform's API returns it"),
    responses(ItemAnswers))]
pub async fn create_platform_order(
    workspace: ApiWorkspace,
    State(state): State<AppState>,
    Path(key): Path<String>,
    body: Body,
) -> Created {
    let value = parse_json(body)?;
    let kind = match app::channels::db::kind_of(&state.pool, workspace.0, &key).await {
        Err(AppError::NotFound) => {
            return Err(AppError::invalid("channel", format!("there is no channel {key:?}: add it first")).into());
        }
        other => other?,
    };
    let order = app::ingest::platforms::order(kind, &key, &value).map_err(AppError::Invalid)?;
    answer(workspace, &state, Kind::Order, &order).await
}

type Created = Result<(StatusCode, Json<Ingested>), ApiError>;

async fn create(workspace: ApiWorkspace, State(state): State<AppState>, body: Body, kind: Kind) -> Created {
    let value = parse_json(body)?;
    answer(workspace, &state, kind, &value).await
}

/// Stores one item and answers 201 when it was created, else 200.
async fn answer(ApiWorkspace(workspace): ApiWorkspace, state: &AppState, kind: Kind, value: &Value) -> Created {
    let currency = workspace_currency(&state.pool, workspace).await?;
    let done = store_one(state, workspace, &currency, kind, value).await?;
    refresh_vip(state, workspace, [&done]).await;
    let status = if done.result == Outcome::Created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(done)))
}

/// Stores up to 1,000 orders in one transaction.
#[utoipa::path(post, path = "/api/v1/orders/batch", tag = "ingestion", request_body = OrderBatch,
    responses(BatchAnswers))]
pub async fn order_batch(workspace: ApiWorkspace, state: State<AppState>, body: Body) -> Batch {
    batch(workspace, state, body, "orders", Kind::Order).await
}

/// Stores up to 1,000 messages.
#[utoipa::path(post, path = "/api/v1/messages/batch", tag = "ingestion", request_body = MessageBatch,
    responses(BatchAnswers))]
pub async fn message_batch(workspace: ApiWorkspace, state: State<AppState>, body: Body) -> Batch {
    batch(workspace, state, body, "messages", Kind::Message).await
}

type Batch = Result<Json<BatchResult>, ApiError>;

/// `POST /api/v1/orders/batch`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // read item by item from JSON, so that every bad item gets its own answer
pub struct OrderBatch {
    #[schema(max_items = 1000)]
    orders: Vec<OrderInput>,
}

/// `POST /api/v1/messages/batch`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // read item by item from JSON, so that every bad item gets its own answer
pub struct MessageBatch {
    #[schema(max_items = 1000)]
    messages: Vec<MessageInput>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ItemResult {
    index: usize,
    #[serde(flatten)]
    outcome: ItemOutcome,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ItemOutcome {
    Stored(Ingested),
    /// `result` is `error`.
    Refused {
        result: &'static str,
        errors: Vec<FieldError>,
    },
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchResult {
    results: Vec<ItemResult>,
}

async fn batch(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    body: Body,
    key: &str,
    kind: Kind,
) -> Batch {
    let value = parse_json(body)?;
    let Some(items) = value.get(key).and_then(Value::as_array) else {
        return Err(AppError::invalid(format!("$.{key}"), format!("expected {{\"{key}\": [...]}}")).into());
    };
    if items.len() > MAX_BATCH {
        return Err(AppError::invalid(format!("$.{key}"), format!("send at most {MAX_BATCH} {key} per batch")).into());
    }
    let currency = workspace_currency(&state.pool, workspace).await?;
    let stored = match kind {
        Kind::Order => store_orders(&state, workspace, &currency, items).await?,
        Kind::Message | Kind::Customer => {
            let mut stored = Vec::with_capacity(items.len());
            for item in items {
                stored.push(store_one(&state, workspace, &currency, kind, item).await);
            }
            stored
        }
    };
    refresh_vip(&state, workspace, stored.iter().flatten()).await;
    let results = stored
        .into_iter()
        .enumerate()
        .map(|(index, stored)| {
            let path = format!("$.{key}[{index}]");
            let outcome = match stored {
                Ok(done) => ItemOutcome::Stored(done),
                Err(AppError::Invalid(errors)) => ItemOutcome::Refused {
                    result: "error",
                    errors: errors
                        .into_iter()
                        .map(|e| FieldError { path: e.path.replacen('$', &path, 1), message: e.message })
                        .collect(),
                },
                Err(other) => ItemOutcome::Refused {
                    result: "error",
                    errors: vec![FieldError { path, message: other.to_string() }],
                },
            };
            ItemResult { index, outcome }
        })
        .collect();
    Ok(Json(BatchResult { results }))
}
