//! Refunds a platform sends on their own (Shopify's `refunds/create`): each counted once into its order's
//! `refunded` (at most the order's total), with an "order changed" event and the customer's figures
//! recomputed, in the caller's transaction. A refund the stored order already counts — its state from
//! the platform is as new as the refund, and the platform's order lists its refunds — is recorded and
//! not added again; the order's next update from the platform sets `refunded` from its refunds anyway.

use super::identity::lock_customers;
use super::outcome::{Ingested, Outcome};
use super::stored_status;
use crate::error::AppResult;
use crate::orders::OrderStatus;
use crate::timeline::{Event, Recorded};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;

/// A refund of an order of a channel.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundInput {
    pub channel: String,
    pub order_external_id: String,
    /// The platform's refund id: the same refund sent again is counted once.
    pub refund_id: String,
    pub amount: Decimal,
    pub refunded_at: DateTime<Utc>,
}

/// Counts a refund into its order; `None` when the order is not stored (yet: the platform may send the
/// refund before the order's own update arrives).
pub async fn ingest_refund(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    refund: &RefundInput,
) -> AppResult<Option<Ingested>> {
    let Some(order) = sqlx::query!(
        "select o.id, o.customer_id, o.number, o.status, o.source_updated_at from customer_order o join channel c
             on c.workspace_id = o.workspace_id and c.id = o.channel_id
          where o.workspace_id = $1 and c.key = $2 and o.external_id = $3
            for no key update of o",
        workspace_id,
        refund.channel,
        refund.order_external_id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let counted = sqlx::query!(
        "insert into order_refund (workspace_id, order_id, external_id, amount, refunded_at)
         values ($1, $2, $3, $4, $5) on conflict do nothing",
        workspace_id,
        order.id,
        refund.refund_id,
        refund.amount,
        refund.refunded_at
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    let already_counted = order.source_updated_at.is_some_and(|updated| updated >= refund.refunded_at);
    let changed = counted
        && !already_counted
        && sqlx::query!(
            "update customer_order set refunded = least(total, refunded + $3), updated_at = $4
              where workspace_id = $1 and id = $2 and refunded <> least(total, refunded + $3)",
            workspace_id,
            order.id,
            refund.amount,
            now
        )
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1;
    if !changed {
        return Ok(Some(Ingested {
            id: order.id,
            customer_id: order.customer_id,
            result: Outcome::Unchanged,
            affected: vec![order.customer_id],
        }));
    }
    let status = stored_status(OrderStatus::parse, &order.status)?;
    let customers = [order.customer_id];
    lock_customers(conn, workspace_id, &customers).await?;
    let event = Event::OrderChanged { order_id: Some(order.id), number: order.number, old_status: status, status };
    let recorded = Recorded { customer_id: order.customer_id, actor_id: None, happened_at: now, event };
    crate::timeline::record_all(conn, workspace_id, &[recorded]).await?;
    crate::customers::indicators::recompute(conn, workspace_id, Some(&customers), now).await?;
    crate::segments::refresh_customers(conn, workspace_id, now, &customers).await?;
    Ok(Some(Ingested {
        id: order.id,
        customer_id: order.customer_id,
        result: Outcome::Updated,
        affected: vec![order.customer_id],
    }))
}
