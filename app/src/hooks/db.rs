//! The inbox of webhook deliveries: stored once each as they arrive, claimed by a worker in batches
//! (`for update skip locked`, the claim held by the transaction that also stores their work), and marked
//! done, failed, or to be tried again later.

use crate::channels::ChannelKind;
use crate::channels::db::HookChannel;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

/// A delivery read and verified, to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    pub topic: String,
    pub dedupe_key: String,
    pub body: Value,
}

/// Stores a delivery and notes when the channel last received one, in one statement; answers whether it
/// was new (false: the same delivery had come before). Wakes the workers.
pub async fn store(
    pool: &PgPool,
    channel: &HookChannel,
    delivery: &NewDelivery,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let stored = sqlx::query_scalar!(
        r#"with stored as (
               insert into channel_delivery (workspace_id, channel_id, topic, dedupe_key, received_at, body,
                                             next_attempt_at)
               values ($1, $2, $3, $4, $5, $6, now())
               on conflict (channel_id, dedupe_key) do nothing
               returning id),
           seen as (update channel set last_received_at = $5 where workspace_id = $1 and id = $2)
         select pg_notify('channel_delivery', id::text) is not null as "stored!" from stored"#,
        channel.workspace_id,
        channel.id,
        delivery.topic,
        delivery.dedupe_key,
        now,
        delivery.body
    )
    .fetch_optional(pool)
    .await?;
    Ok(stored.is_some())
}

/// A delivery claimed for work.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub workspace_id: i64,
    pub id: i64,
    pub channel_id: i64,
    pub channel_key: String,
    pub kind: ChannelKind,
    pub topic: String,
    pub body: Value,
    pub attempts: i32,
    /// The workspace's base currency.
    pub currency: String,
    /// The store's API, for platforms whose deliveries only name the order (BigCommerce).
    pub api_base_url: Option<String>,
    pub credentials: Option<Value>,
}

/// Claims up to `limit` deliveries due for work, oldest first, locked until `conn`'s transaction ends.
pub async fn claim(conn: &mut PgConnection, limit: i64) -> AppResult<Vec<Claimed>> {
    claim_where(conn, None, limit).await
}

/// Claims one delivery, if it is still waiting (to work through the deliveries of a failed batch one at
/// a time).
pub async fn claim_this(conn: &mut PgConnection, id: i64) -> AppResult<Option<Claimed>> {
    Ok(claim_where(conn, Some(id), 1).await?.pop())
}

async fn claim_where(conn: &mut PgConnection, id: Option<i64>, limit: i64) -> AppResult<Vec<Claimed>> {
    let rows = sqlx::query!(
        "select d.workspace_id, d.id, d.channel_id, c.key, c.kind, d.topic, d.body, d.attempts, w.base_currency,
                c.api_base_url, c.credentials
           from channel_delivery d
           join channel c on c.workspace_id = d.workspace_id and c.id = d.channel_id
           join workspace w on w.id = d.workspace_id
          where d.status = 'received' and (d.id = $1 or $1 is null and d.next_attempt_at <= now())
          order by d.next_attempt_at, d.id
          limit $2
            for update of d skip locked",
        id,
        limit
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Claimed {
                workspace_id: r.workspace_id,
                id: r.id,
                channel_id: r.channel_id,
                channel_key: r.key,
                kind: crate::ingest::stored_status(ChannelKind::parse, &r.kind)?,
                topic: r.topic,
                body: r.body,
                attempts: r.attempts,
                currency: r.base_currency,
                api_base_url: r.api_base_url,
                credentials: r.credentials,
            })
        })
        .collect()
}

/// Marks deliveries done, in the transaction that stored their work.
pub async fn done(conn: &mut PgConnection, ids: &[i64], now: DateTime<Utc>) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "update channel_delivery set status = 'done', attempts = attempts + 1, processed_at = $2, error = null
          where id = any($1)",
        ids,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives up on a delivery that can never be worked through (its content is wrong), saying why; the
/// channel's settings show it.
pub async fn failed(conn: &mut PgConnection, delivery: &Claimed, error: &str, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "update channel_delivery set status = 'failed', attempts = attempts + 1, processed_at = $2, error = $3
          where id = $1",
        delivery.id,
        now,
        error
    )
    .execute(&mut *conn)
    .await?;
    crate::channels::db::note_error(conn, delivery.workspace_id, delivery.channel_id, error, now).await
}

/// The most times a delivery is tried before it is given up on.
pub const MAX_ATTEMPTS: i32 = 10;

/// How long to wait before the next try after `attempts` tries: 10 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let seconds = 10u64.saturating_mul(1u64 << attempts.clamp(0, 20));
    Duration::from_secs(seconds.min(3600))
}

/// A try that did not succeed for a reason that may pass (the store's API away, the order of a refund not
/// here yet): tried again later, given up on after `MAX_ATTEMPTS`.
pub async fn try_later(conn: &mut PgConnection, delivery: &Claimed, error: &str, now: DateTime<Utc>) -> AppResult<()> {
    let attempts = delivery.attempts + 1;
    if attempts >= MAX_ATTEMPTS {
        let error = format!("{error} (gave up after {attempts} tries)");
        return failed(conn, delivery, &error, now).await;
    }
    let wait = backoff(delivery.attempts).as_secs_f64();
    sqlx::query!(
        "update channel_delivery
            set attempts = attempts + 1, error = $2, next_attempt_at = now() + make_interval(secs => $3)
          where id = $1",
        delivery.id,
        error,
        wait
    )
    .execute(&mut *conn)
    .await?;
    crate::channels::db::note_error(conn, delivery.workspace_id, delivery.channel_id, error, now).await
}
