//! The Amazon poller (SPEC §11): every few minutes each active Amazon channel with credentials reads the
//! orders updated since its cursor, page by page, and stores each page with the cursor in one transaction
//! — so a restart resumes where the last committed page left off, and nothing is stored twice. A channel
//! is taken by one server process at a time (a lease on `next_poll_at`, extended page by page).

use super::amazon::{SpApi, SpApiError};
use super::{AmazonCredentials, ChannelKind};
use crate::error::AppResult;
use crate::ingest::{OrderInput, ingest_orders, parse_order, platforms};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::Duration;

/// How often a channel is read.
pub const POLL_EVERY: Duration = Duration::from_secs(180);
/// How long a server process holds a channel it reads without a sign of life.
const LEASE: Duration = Duration::from_secs(600);
/// How far back a channel's first read goes.
const FIRST_SYNC_DAYS: i64 = 365;
/// How often the poller looks for channels that are due.
const LOOK_EVERY: Duration = Duration::from_secs(20);

/// Reads Amazon channels until the process ends.
pub async fn run(state: AppState) {
    let client = reqwest::Client::new();
    loop {
        if let Err(error) = poll_due(&state, &client, Duration::from_secs(2)).await {
            tracing::warn!(%error, "could not look for Amazon channels to read; trying again shortly");
        }
        tokio::time::sleep(LOOK_EVERY).await;
    }
}

/// An Amazon channel taken for a read.
struct Due {
    workspace_id: i64,
    id: i64,
    key: String,
    base_url: String,
    credentials: AmazonCredentials,
    after: Option<DateTime<Utc>>,
    next_token: Option<String>,
    currency: String,
}

/// Reads every Amazon channel that is due; answers how many were read. `throttle_wait` is the first wait
/// after Amazon answers 429.
pub async fn poll_due(state: &AppState, client: &reqwest::Client, throttle_wait: Duration) -> AppResult<usize> {
    let mut read = 0;
    while let Some(channel) = take_due(state).await? {
        read += 1;
        let outcome = poll(state, client, &channel, throttle_wait).await;
        let now = state.clock.now();
        let mut conn = state.pool.acquire().await?;
        if let Err(error) = &outcome {
            tracing::warn!(channel = channel.key, %error, "reading the Amazon channel stopped; the next read resumes");
            super::db::note_error(&mut conn, channel.workspace_id, channel.id, &error.message, now).await?;
        }
        let next = POLL_EVERY.as_secs_f64();
        sqlx::query!(
            "update channel set next_poll_at = now() + make_interval(secs => $3) where workspace_id = $1 and id = $2",
            channel.workspace_id,
            channel.id,
            next
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(read)
}

/// Takes the Amazon channel most overdue, leasing it to this process.
async fn take_due(state: &AppState) -> AppResult<Option<Due>> {
    let lease = LEASE.as_secs_f64();
    let Some(r) = sqlx::query!(
        r#"update channel c set next_poll_at = now() + make_interval(secs => $1)
            from workspace w
           where w.id = c.workspace_id
             and (c.workspace_id, c.id) = (
                 select workspace_id, id from channel
                  where kind = 'amazon' and active and credentials is not null and api_base_url is not null
                    and coalesce(next_poll_at, '-infinity') <= now()
                  order by next_poll_at nulls first
                  limit 1
                    for update skip locked)
         returning c.workspace_id, c.id, c.key, c.api_base_url as "api_base_url!", c.credentials as "credentials!",
                   c.poll_after, c.poll_next_token, w.base_currency"#,
        lease
    )
    .fetch_optional(&state.pool)
    .await?
    else {
        return Ok(None);
    };
    let credentials: AmazonCredentials = match serde_json::from_value(r.credentials) {
        Ok(credentials) => credentials,
        Err(error) => return Err(crate::error::AppError::internal(format!("stored Amazon credentials: {error}"))),
    };
    Ok(Some(Due {
        workspace_id: r.workspace_id,
        id: r.id,
        key: r.key,
        base_url: r.api_base_url,
        credentials,
        after: r.poll_after,
        next_token: r.poll_next_token,
        currency: r.base_currency,
    }))
}

/// Reads one channel from its cursor to the last page.
async fn poll(
    state: &AppState,
    client: &reqwest::Client,
    channel: &Due,
    throttle_wait: Duration,
) -> Result<(), SpApiError> {
    let mut api = SpApi::sign_in(client.clone(), &channel.base_url, &channel.credentials, throttle_wait).await?;
    let after = channel.after.unwrap_or_else(|| state.clock.now() - chrono::Duration::days(FIRST_SYNC_DAYS));
    let mut token = channel.next_token.clone();
    let mut newest = after;
    loop {
        let page = match api.orders(after, token.as_deref()).await {
            // a page token Amazon no longer knows: start the window again (re-reading changes nothing)
            Err(SpApiError { status: Some(400), .. }) if token.is_some() => {
                token = None;
                continue;
            }
            other => other?,
        };
        let mut orders = Vec::with_capacity(page.orders.len());
        for order in page.orders {
            if let Some(updated) = order.get("LastUpdateDate").and_then(Value::as_str).and_then(|t| t.parse().ok()) {
                newest = newest.max(updated);
            }
            let detailed = api.order_with_details(order).await?;
            match map(channel, &detailed) {
                Ok(order) => orders.push(order),
                Err(why) => {
                    tracing::warn!(channel = channel.key, why, "an Amazon order could not be read; skipped");
                    let mut conn =
                        state.pool.acquire().await.map_err(|e| SpApiError { status: None, message: e.to_string() })?;
                    let _ = super::db::note_error(&mut conn, channel.workspace_id, channel.id, &why, state.clock.now())
                        .await;
                }
            }
        }
        let cursor = match &page.next_token {
            Some(_) => None,
            None => Some(page.updated_before.map_or(newest, |before| before.max(newest))),
        };
        store_page(state, channel, &orders, page.next_token.as_deref(), cursor)
            .await
            .map_err(|e| SpApiError { status: None, message: format!("the orders could not be stored: {e}") })?;
        match page.next_token {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}

/// One Amazon order with its details, mapped and checked.
fn map(channel: &Due, detailed: &Value) -> Result<OrderInput, String> {
    let id = detailed.pointer("/order/AmazonOrderId").and_then(Value::as_str).unwrap_or("?");
    platforms::order(ChannelKind::Amazon, &channel.key, detailed)
        .and_then(|mapped: Value| parse_order(&mapped, "$"))
        .map_err(|errors| {
            format!("Amazon order {id} could not be read: {}", crate::error::FieldError::describe(&errors))
        })
}

/// Stores a page's orders and moves the channel's cursor in one transaction: the page token while pages
/// remain, the new window start after the last one.
async fn store_page(
    state: &AppState,
    channel: &Due,
    orders: &[OrderInput],
    next_token: Option<&str>,
    cursor: Option<DateTime<Utc>>,
) -> AppResult<()> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let results = ingest_orders(&mut tx, channel.workspace_id, &channel.currency, now, orders).await?;
    let lease = LEASE.as_secs_f64();
    sqlx::query!(
        "update channel
            set poll_next_token = $3, poll_after = coalesce($4, poll_after),
                next_poll_at = now() + make_interval(secs => $5),
                last_received_at = case when $6 then $7 else last_received_at end
          where workspace_id = $1 and id = $2",
        channel.workspace_id,
        channel.id,
        next_token,
        cursor,
        lease,
        !orders.is_empty(),
        now
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let written: Vec<i64> = results
        .iter()
        .flatten()
        .filter(|done| done.result != crate::ingest::Outcome::Unchanged)
        .flat_map(|done| done.affected.iter().copied())
        .collect();
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        tracing::warn!(channel = channel.key, ?refused, "an Amazon order was refused");
    }
    state.refresh_vip_after(channel.workspace_id, &written).await;
    Ok(())
}
