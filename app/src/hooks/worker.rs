//! Works through the inbox: deliveries are claimed in batches, mapped by their platform's mapping and
//! stored as API v1 stores them, in the transaction that marks them done — so each is worked through
//! exactly once, even across restarts. A batch the database refuses is worked through again one delivery
//! at a time, so that one bad delivery holds up no other. What can never succeed (a payload the mapping
//! refuses, an order the store does not have) is failed at once with the reason, shown on the channel's
//! settings; what may pass (the store's API away) is tried again later, backing off.

use super::bigcommerce::{FetchError, fetch_order};
use super::db::{self, Claimed};
use crate::channels::ChannelKind;
use crate::error::{AppError, AppResult, FieldError};
use crate::ingest::platforms;
use crate::ingest::{
    CustomerSync, OrderInput, RefundInput, ingest_customer, ingest_orders, ingest_refund, parse_customer_sync,
    parse_order,
};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::postgres::PgListener;
use std::collections::BTreeMap;
use std::time::Duration;

/// Deliveries claimed at once: a batch of orders is stored set-based, like `POST /api/v1/orders/batch`.
const BATCH: i64 = 500;

/// How often the worker looks without being woken (retries come due, a notification was missed).
const POLL: Duration = Duration::from_secs(2);

/// What a delivery asks for, once mapped.
enum Work {
    Order(Box<OrderInput>),
    Customer(Box<CustomerSync>),
    Refund(RefundInput),
}

/// A delivery, prepared.
enum Prepared {
    Work(Work),
    /// It can never be worked through: why.
    Never(String),
    /// Not now: why.
    Later(String),
}

/// Works through deliveries until the process ends.
pub async fn run(state: AppState) {
    let client = reqwest::Client::new();
    let mut listener: Option<PgListener> = None;
    loop {
        if listener.is_none() {
            listener = listen(&state).await;
        }
        loop {
            match work_batch(&state, &client, BATCH).await {
                Ok(0) => break,
                Ok(_) => continue,
                Err(error) => {
                    tracing::warn!(%error, "could not work through webhook deliveries; trying again shortly");
                    break;
                }
            }
        }
        match listener.as_mut() {
            Some(l) => match tokio::time::timeout(POLL, l.recv()).await {
                Ok(Ok(_)) | Err(_) => {}
                Ok(Err(error)) => {
                    tracing::warn!(%error, "lost the webhook listener; listening again");
                    listener = None;
                }
            },
            None => tokio::time::sleep(POLL).await,
        }
    }
}

async fn listen(state: &AppState) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(&state.pool).await.ok()?;
    listener.listen("channel_delivery").await.ok()?;
    Some(listener)
}

/// Works through one batch of due deliveries; answers how many were claimed.
pub async fn work_batch(state: &AppState, client: &reqwest::Client, limit: i64) -> AppResult<usize> {
    let mut tx = state.pool.begin().await?;
    let claimed = db::claim(&mut tx, limit).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    if let Some(error) = work_claimed(state, client, tx, &claimed).await? {
        tracing::info!(%error, deliveries = claimed.len(), "a batch of deliveries failed; one at a time now");
        for delivery in &claimed {
            work_one(state, client, delivery.id).await?;
        }
    }
    Ok(claimed.len())
}

/// Works through one delivery on its own; a failure of the database is noted on it and tried later.
async fn work_one(state: &AppState, client: &reqwest::Client, id: i64) -> AppResult<()> {
    let mut tx = state.pool.begin().await?;
    let Some(delivery) = db::claim_this(&mut tx, id).await? else {
        return Ok(());
    };
    let Some(error) = work_claimed(state, client, tx, &[delivery]).await? else {
        return Ok(());
    };
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    if let Some(delivery) = db::claim_this(&mut tx, id).await? {
        match error {
            // what the checks say is wrong stays wrong: no use trying again
            AppError::Invalid(errors) => db::failed(&mut tx, &delivery, &FieldError::describe(&errors), now).await?,
            AppError::Refused(why) => {
                db::failed(&mut tx, &delivery, &format!("the database refused it: {why}"), now).await?
            }
            other => db::try_later(&mut tx, &delivery, &other.to_string(), now).await?,
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Prepares and stores the deliveries claimed in `tx` and commits; answers the error that made it roll
/// everything back instead, if any.
async fn work_claimed(
    state: &AppState,
    client: &reqwest::Client,
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    claimed: &[Claimed],
) -> AppResult<Option<AppError>> {
    let prepared = prepare_all(client, claimed).await;
    match store(&mut tx, claimed, prepared, state.clock.now()).await {
        Ok(written) => {
            tx.commit().await?;
            refresh_vip(state, written).await;
            Ok(None)
        }
        Err(error) => {
            tx.rollback().await?;
            Ok(Some(error))
        }
    }
}

async fn refresh_vip(state: &AppState, written: BTreeMap<i64, Vec<i64>>) {
    for (workspace, customers) in written {
        state.refresh_vip_after(workspace, &customers).await;
    }
}

async fn prepare_all(client: &reqwest::Client, claimed: &[Claimed]) -> Vec<Prepared> {
    let mut prepared = Vec::with_capacity(claimed.len());
    for delivery in claimed {
        prepared.push(prepare(client, delivery).await);
    }
    prepared
}

/// Maps a delivery by its platform's mapping, fetching the order first where the delivery only names it.
async fn prepare(client: &reqwest::Client, delivery: &Claimed) -> Prepared {
    let channel = delivery.channel_key.as_str();
    let order = |payload: &serde_json::Value| match platforms::order(delivery.kind, channel, payload)
        .and_then(|mapped: serde_json::Value| parse_order(&mapped, "$"))
    {
        Ok(order) => Prepared::Work(Work::Order(Box::new(order))),
        Err(errors) => Prepared::Never(format!("the order could not be read: {}", FieldError::describe(&errors))),
    };
    let customer = |payload: &serde_json::Value| match platforms::customer(delivery.kind, channel, payload)
        .and_then(|mapped: serde_json::Value| parse_customer_sync(&mapped, "$"))
    {
        Ok(customer) => Prepared::Work(Work::Customer(Box::new(customer))),
        Err(errors) => Prepared::Never(format!("the customer could not be read: {}", FieldError::describe(&errors))),
    };
    match (delivery.kind, delivery.topic.as_str()) {
        (ChannelKind::Shopify, "refunds/create") => match platforms::shopify::refund(&delivery.body) {
            Ok(refund) => Prepared::Work(Work::Refund(RefundInput {
                channel: channel.to_string(),
                order_external_id: refund.order_external_id,
                refund_id: refund.refund_id,
                amount: refund.amount,
                refunded_at: refund.processed_at,
            })),
            Err(errors) => Prepared::Never(format!("the refund could not be read: {}", FieldError::describe(&errors))),
        },
        (ChannelKind::Shopify, topic) if topic.starts_with("customers/") => customer(&delivery.body),
        (ChannelKind::WooCommerce, topic) if topic.starts_with("customer.") => customer(&delivery.body),
        (ChannelKind::BigCommerce, _) => {
            let id = delivery.body.pointer("/data/id").cloned().unwrap_or_default();
            match fetch_order(client, delivery.api_base_url.as_deref(), delivery.credentials.as_ref(), &id).await {
                Ok(fetched) => order(&fetched),
                Err(FetchError::Never(why)) => Prepared::Never(why),
                Err(FetchError::Later(why)) => Prepared::Later(why),
            }
        }
        _ => order(&delivery.body),
    }
}

/// A workspace's order deliveries and their orders, in the order received.
type OrdersOf<'a> = (Vec<&'a Claimed>, Vec<OrderInput>);

/// Stores the prepared deliveries and marks each done, failed or to be tried later, all in `conn`'s
/// transaction; answers the customers written, by workspace. An error means none of it is kept.
async fn store(
    conn: &mut PgConnection,
    claimed: &[Claimed],
    prepared: Vec<Prepared>,
    now: DateTime<Utc>,
) -> AppResult<BTreeMap<i64, Vec<i64>>> {
    let mut written: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    let mut done = Vec::new();
    // orders by workspace, in the order received: stored together, set-based
    let mut orders: BTreeMap<(i64, &str), OrdersOf> = BTreeMap::new();
    for (delivery, prepared) in claimed.iter().zip(prepared) {
        match prepared {
            Prepared::Work(Work::Order(order)) => {
                let (deliveries, inputs) =
                    orders.entry((delivery.workspace_id, delivery.currency.as_str())).or_default();
                deliveries.push(delivery);
                inputs.push(*order);
            }
            Prepared::Work(Work::Customer(customer)) => {
                let stored = ingest_customer(conn, delivery.workspace_id, now, &customer).await?;
                written.entry(delivery.workspace_id).or_default().extend(stored.affected);
                done.push(delivery.id);
            }
            Prepared::Work(Work::Refund(refund)) => {
                match ingest_refund(conn, delivery.workspace_id, now, &refund).await? {
                    Some(stored) => {
                        written.entry(delivery.workspace_id).or_default().extend(stored.affected);
                        done.push(delivery.id);
                    }
                    None => {
                        let why = format!("order {} is not here yet", refund.order_external_id);
                        db::try_later(conn, delivery, &why, now).await?;
                    }
                }
            }
            Prepared::Never(why) => db::failed(conn, delivery, &why, now).await?,
            Prepared::Later(why) => db::try_later(conn, delivery, &why, now).await?,
        }
    }
    for ((workspace, currency), (deliveries, inputs)) in orders {
        let results = ingest_orders(conn, workspace, currency, now, &inputs).await?;
        for (delivery, result) in deliveries.into_iter().zip(results) {
            match result {
                Ok(stored) => {
                    written.entry(workspace).or_default().extend(stored.affected);
                    done.push(delivery.id);
                }
                Err(errors) => {
                    db::failed(
                        conn,
                        delivery,
                        &format!("the order was refused: {}", FieldError::describe(&errors)),
                        now,
                    )
                    .await?
                }
            }
        }
    }
    db::done(conn, &done, now).await?;
    Ok(written)
}
