//! Ingestion: `POST /api/v1/orders`, `/orders/batch`, `/messages`, `/messages/batch` and `/customers`. Each item is
//! stored in its own transaction (so one refused item leaves the others, and nothing of itself,
//! behind); the VIP threshold is refreshed once per request.

use super::auth::ApiWorkspace;
use super::error::ApiError;
use app::accounts::db::workspace_currency;
use app::customers::identity::{CustomerSync, ingest_customer, parse_customer_sync};
use app::error::{AppError, FieldError};
use app::orders::ingest::{Ingested, Outcome, ingest_order};
use app::orders::input::{OrderInput, parse_order};
use app::state::AppState;
use app::tickets::ingest::ingest_message;
use app::tickets::input::{MessageInput, parse_message};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value;

pub const MAX_BATCH: usize = 1000;

pub fn parse_json(body: &Bytes) -> Result<Value, AppError> {
    serde_json::from_slice(body).map_err(|e| AppError::invalid("$", format!("the body is not valid JSON: {e}")))
}

/// One item of either kind.
pub enum Item {
    Order(OrderInput),
    Message(MessageInput),
    Customer(CustomerSync),
}

fn parse_customer_item(value: &Value, path: &str) -> Result<Item, Vec<FieldError>> {
    parse_customer_sync(value, path).map(Item::Customer)
}

fn parse_order_item(value: &Value, path: &str) -> Result<Item, Vec<FieldError>> {
    parse_order(value, path).map(Item::Order)
}

fn parse_message_item(value: &Value, path: &str) -> Result<Item, Vec<FieldError>> {
    parse_message(value, path).map(Item::Message)
}

/// Stores one item in its own transaction, retrying when a concurrent writer got there first (the
/// same new order or customer sent twice at once) or PostgreSQL broke a deadlock.
async fn store(state: &AppState, workspace: i64, currency: &str, item: &Item) -> Result<Ingested, AppError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tx = state.pool.begin().await?;
        let now = state.clock.now();
        let stored = match item {
            Item::Order(order) => ingest_order(&mut tx, workspace, currency, now, order).await,
            Item::Message(message) => ingest_message(&mut tx, workspace, now, message).await,
            Item::Customer(customer) => ingest_customer(&mut tx, workspace, now, customer).await,
        };
        match stored {
            Ok(done) => {
                tx.commit().await?;
                return Ok(done);
            }
            Err(AppError::Retry) if attempt < 5 => continue,
            Err(AppError::Retry) => return Err(AppError::Conflict("too many concurrent writes; try again".into())),
            Err(other) => return Err(other),
        }
    }
}

/// After the writes commit: the VIP threshold is global, so it is refreshed once per request, looking
/// at the customers written and at those the threshold's move may have crossed.
async fn refresh_vip(state: &AppState, workspace: i64, written: &[i64]) -> Result<(), AppError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tx = state.pool.begin().await?;
        match app::segments::db::refresh_vip(&mut tx, workspace, state.clock.now(), Some(written)).await {
            Ok(()) => return Ok(tx.commit().await?),
            Err(AppError::Retry) if attempt < 5 => continue,
            Err(other) => return Err(other),
        }
    }
}

pub async fn create_order(
    workspace: ApiWorkspace,
    state: State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Ingested>), ApiError> {
    create(workspace, state, body, parse_order_item).await
}

pub async fn create_message(
    workspace: ApiWorkspace,
    state: State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Ingested>), ApiError> {
    create(workspace, state, body, parse_message_item).await
}

pub async fn create_customer(
    workspace: ApiWorkspace,
    state: State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Ingested>), ApiError> {
    create(workspace, state, body, parse_customer_item).await
}

pub async fn order_batch(
    workspace: ApiWorkspace,
    state: State<AppState>,
    body: Bytes,
) -> Result<Json<BatchResult>, ApiError> {
    batch(workspace, state, body, "orders", parse_order_item).await
}

pub async fn message_batch(
    workspace: ApiWorkspace,
    state: State<AppState>,
    body: Bytes,
) -> Result<Json<BatchResult>, ApiError> {
    batch(workspace, state, body, "messages", parse_message_item).await
}

type Parse = fn(&Value, &str) -> Result<Item, Vec<FieldError>>;

async fn create(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    body: Bytes,
    parse: Parse,
) -> Result<(StatusCode, Json<Ingested>), ApiError> {
    let item = parse(&parse_json(&body)?, "$").map_err(AppError::Invalid)?;
    let currency = workspace_currency(&state.pool, workspace).await?;
    let done = store(&state, workspace, &currency, &item).await?;
    if done.result != Outcome::Unchanged {
        refresh_vip(&state, workspace, &done.affected).await?;
    }
    let status = if done.result == Outcome::Created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(done)))
}

#[derive(Serialize)]
pub struct ItemResult {
    index: usize,
    #[serde(flatten)]
    outcome: ItemOutcome,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum ItemOutcome {
    Stored(Ingested),
    Refused { result: &'static str, errors: Vec<FieldError> },
}

#[derive(Serialize)]
pub struct BatchResult {
    results: Vec<ItemResult>,
}

async fn batch(
    ApiWorkspace(workspace): ApiWorkspace,
    State(state): State<AppState>,
    body: Bytes,
    key: &str,
    parse: Parse,
) -> Result<Json<BatchResult>, ApiError> {
    let value = parse_json(&body)?;
    let Some(items) = value.get(key).and_then(Value::as_array) else {
        return Err(AppError::invalid(format!("$.{key}"), format!("expected {{\"{key}\": [...]}}")).into());
    };
    if items.len() > MAX_BATCH {
        return Err(AppError::invalid(format!("$.{key}"), format!("send at most {MAX_BATCH} {key} per batch")).into());
    }
    let currency = workspace_currency(&state.pool, workspace).await?;
    let mut results = Vec::with_capacity(items.len());
    let mut written = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let path = format!("$.{key}[{index}]");
        let outcome = match parse(item, &path) {
            Err(errors) => ItemOutcome::Refused { result: "error", errors },
            Ok(item) => match store(&state, workspace, &currency, &item).await {
                Ok(done) => {
                    if done.result != Outcome::Unchanged {
                        written.extend_from_slice(&done.affected);
                    }
                    ItemOutcome::Stored(done)
                }
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
            },
        };
        results.push(ItemResult { index, outcome });
    }
    if !written.is_empty() {
        refresh_vip(&state, workspace, &written).await?;
    }
    Ok(Json(BatchResult { results }))
}
