//! Storing one order from a channel (SPEC §2 identity rules, §3 indicators, §5 upserts), in the
//! caller's transaction: the customer rows involved are locked, the order is inserted or updated, and
//! the customers' indicators and segments are recomputed before the transaction commits. Re-sending an
//! order changes nothing.

use super::input::{LineInput, OrderInput};
use crate::customers::identity::{channel_id, guest_customer, lock_customers, registered_customer, sync_contact};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ingested {
    pub id: i64,
    pub customer_id: i64,
    pub result: Outcome,
    /// Every customer whose figures the write changed (an order can move from one customer to another).
    #[serde(skip)]
    pub affected: Vec<i64>,
}

/// Stores `order` for the workspace: creates it, updates it, or finds it unchanged.
#[tracing::instrument(skip(conn, order), fields(channel = %order.channel, external_id = %order.external_id))]
pub async fn ingest_order(
    conn: &mut PgConnection,
    workspace_id: i64,
    base_currency: &str,
    now: DateTime<Utc>,
    order: &OrderInput,
) -> AppResult<Ingested> {
    let exchange_rate = match order.exchange_rate {
        Some(rate) => rate,
        None if order.currency == base_currency => Decimal::ONE,
        None => {
            return Err(AppError::invalid(
                "$.exchange_rate",
                format!("needed: the order is in {} and the workspace counts in {base_currency}", order.currency),
            ));
        }
    };
    let channel_id = channel_id(conn, workspace_id, &order.channel, order.channel_kind.as_deref()).await?;
    // Locked now, so neither its customer nor its status can change under us before we compare.
    let existing = sqlx::query!(
        "select id, customer_id, status from customer_order
          where workspace_id = $1 and channel_id = $2 and external_id = $3 for no key update",
        workspace_id,
        channel_id,
        order.external_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    // Registered customers appear once per channel; a guest is one customer per order, so a re-sent
    // guest order keeps the guest it created.
    let customer_id = match (&order.customer.external_id, &existing) {
        (Some(external), _) => {
            registered_customer(conn, workspace_id, channel_id, external, &order.customer, now).await?
        }
        (None, Some(existing)) => existing.customer_id,
        (None, None) => guest_customer(conn, workspace_id, channel_id, &order.customer, now).await?,
    };
    let mut affected = vec![customer_id];
    if let Some(previous) = existing.as_ref().map(|e| e.customer_id).filter(|c| *c != customer_id) {
        affected.push(previous);
    }
    affected.sort_unstable();
    lock_customers(conn, workspace_id, &affected).await?;
    sync_contact(conn, workspace_id, customer_id, &order.customer).await?;

    let (id, result) = match existing {
        None => {
            (insert_order(conn, workspace_id, channel_id, customer_id, exchange_rate, order).await?, Outcome::Created)
        }
        Some(existing) => {
            let stored = (existing.id, existing.status.as_str());
            let changed = update_order(conn, workspace_id, stored, customer_id, exchange_rate, order, now).await?;
            (existing.id, if changed { Outcome::Updated } else { Outcome::Unchanged })
        }
    };
    if result != Outcome::Unchanged {
        crate::customers::indicators::recompute(conn, workspace_id, Some(&affected)).await?;
        crate::segments::db::refresh_customers(conn, workspace_id, now, &affected).await?;
    }
    Ok(Ingested { id, customer_id, result, affected })
}

async fn insert_order(
    conn: &mut PgConnection,
    workspace_id: i64,
    channel_id: i64,
    customer_id: i64,
    exchange_rate: Decimal,
    order: &OrderInput,
) -> AppResult<i64> {
    let id = sqlx::query_scalar!(
        "insert into customer_order (workspace_id, channel_id, external_id, number, customer_id, placed_at, status,
                                     test, currency, exchange_rate, total, paid, refunded, shipping_address,
                                     billing_address)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) returning id",
        workspace_id,
        channel_id,
        order.external_id,
        order.number,
        customer_id,
        order.placed_at,
        order.status,
        order.test,
        order.currency,
        exchange_rate,
        order.total,
        order.paid,
        order.refunded,
        order.shipping_address,
        order.billing_address
    )
    .fetch_one(&mut *conn)
    .await?;
    insert_lines(conn, workspace_id, id, &order.lines).await?;
    sqlx::query!(
        "insert into event (workspace_id, customer_id, kind, happened_at, order_id, detail)
         values ($1, $2, 'order_placed', $3, $4, jsonb_build_object('number', $5::text, 'status', $6::text,
                 'total', $7::text, 'currency', $8::text))",
        workspace_id,
        customer_id,
        order.placed_at,
        id,
        order.number,
        order.status,
        order.total.to_string(),
        order.currency
    )
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

async fn insert_lines(conn: &mut PgConnection, workspace_id: i64, order_id: i64, lines: &[LineInput]) -> AppResult<()> {
    if lines.is_empty() {
        return Ok(());
    }
    // One statement for all lines: columns as arrays, zipped by unnest.
    let skus: Vec<Option<String>> = lines.iter().map(|l| l.sku.clone()).collect();
    let names: Vec<String> = lines.iter().map(|l| l.name.clone()).collect();
    let categories: Vec<Option<String>> = lines.iter().map(|l| l.category.clone()).collect();
    let quantities: Vec<i32> = lines.iter().map(|l| l.quantity).collect();
    let prices: Vec<Decimal> = lines.iter().map(|l| l.unit_price).collect();
    sqlx::query!(
        r#"insert into order_line (workspace_id, order_id, position, sku, name, category, quantity, unit_price)
           select $1, $2, (n - 1)::int, sku, name, category, quantity, unit_price
             from unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::numeric[])
                  with ordinality as l(sku, name, category, quantity, unit_price, n)"#,
        workspace_id,
        order_id,
        &skus as &[Option<String>],
        &names,
        &categories as &[Option<String>],
        &quantities,
        &prices
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Updates the stored order (id and status, locked by the caller) where anything differs; returns whether
/// anything did.
async fn update_order(
    conn: &mut PgConnection,
    workspace_id: i64,
    (id, old_status): (i64, &str),
    customer_id: i64,
    exchange_rate: Decimal,
    order: &OrderInput,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    // `is distinct from` on every field: numeric equality ignores scale, so "10.0" re-sent as "10" is
    // no change.
    let updated = sqlx::query!(
        "update customer_order
            set number = $3, customer_id = $4, placed_at = $5, status = $6, test = $7, currency = $8,
                exchange_rate = $9, total = $10, paid = $11, refunded = $12, shipping_address = $13,
                billing_address = $14, updated_at = $15
          where workspace_id = $1 and id = $2
            and (number, customer_id, placed_at, status, test, currency, exchange_rate, total, paid, refunded,
                 shipping_address, billing_address)
                is distinct from ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        workspace_id,
        id,
        order.number,
        customer_id,
        order.placed_at,
        order.status,
        order.test,
        order.currency,
        exchange_rate,
        order.total,
        order.paid,
        order.refunded,
        order.shipping_address,
        order.billing_address,
        now
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    let stored: Vec<LineInput> = sqlx::query_as!(
        LineInput,
        "select sku, name, category, quantity, unit_price from order_line
          where workspace_id = $1 and order_id = $2 order by position",
        workspace_id,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    let lines_changed = stored != order.lines;
    if lines_changed {
        sqlx::query!("delete from order_line where workspace_id = $1 and order_id = $2", workspace_id, id)
            .execute(&mut *conn)
            .await?;
        insert_lines(conn, workspace_id, id, &order.lines).await?;
    }
    if updated || lines_changed {
        sqlx::query!(
            "insert into event (workspace_id, customer_id, kind, happened_at, order_id, detail)
             values ($1, $2, 'order_changed', $3, $4, jsonb_build_object('number', $5::text,
                     'old_status', $6::text, 'status', $7::text))",
            workspace_id,
            customer_id,
            now,
            id,
            order.number,
            old_status,
            order.status
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(updated || lines_changed)
}
