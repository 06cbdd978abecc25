//! The stored indicators of SPEC §3 and the customer's rolling sentiment, recomputed from the
//! customer's own orders, tickets and messages. Callers lock the customer row first, in the same
//! transaction as the write that changed them, so concurrent writers can neither lose nor double-count.

use crate::error::AppResult;
use sqlx::PgConnection;

/// Recomputes the indicators and sentiment of `customers` (all of the workspace's when `None`).
#[tracing::instrument(skip(conn))]
pub async fn recompute(conn: &mut PgConnection, workspace_id: i64, customers: Option<&[i64]>) -> AppResult<()> {
    sqlx::query!(
        r#"
        with counted as (
            select customer_id,
                   sum((total - refunded) * exchange_rate) as tov,
                   count(*)::int as n,
                   min(placed_at) as first,
                   max(placed_at) as last,
                   sum(paid * exchange_rate) as paid,
                   sum(greatest(0, total - refunded - paid) * exchange_rate) as receivable
              from customer_order
             where workspace_id = $1 and not test and status not in ('draft', 'canceled')
               and ($2::bigint[] is null or customer_id = any($2))
             group by customer_id),
        tests as (
            select distinct customer_id from customer_order
             where workspace_id = $1 and test and ($2::bigint[] is null or customer_id = any($2))),
        tickets as (
            select customer_id,
                   (count(*) filter (where first_direction = 'inbound'))::int as contacts,
                   (count(*) filter (where status <> 'resolved'))::int as open
              from ticket
             where workspace_id = $1 and ($2::bigint[] is null or customer_id = any($2))
             group by customer_id)
        update customer c
           set total_order_value = coalesce(o.tov, 0),
               order_count = coalesce(o.n, 0),
               average_order_value = round(o.tov / o.n, 10),
               customer_since = o.first,
               latest_purchase_at = o.last,
               total_paid = coalesce(o.paid, 0),
               accounts_receivable = coalesce(o.receivable, 0),
               has_test_order = t.customer_id is not null,
               contacts = coalesce(k.contacts, 0),
               open_tickets = coalesce(k.open, 0)
          from customer c2
          left join counted o on o.customer_id = c2.id
          left join tests t on t.customer_id = c2.id
          left join tickets k on k.customer_id = c2.id
         where c.workspace_id = $1 and c2.workspace_id = $1 and c2.id = c.id
           and ($2::bigint[] is null or c.id = any($2))
        "#,
        workspace_id,
        customers as Option<&[i64]>
    )
    .execute(&mut *conn)
    .await?;
    // Mean of the five latest scored inbound messages, averaged exactly (numeric) so that the label's
    // ±0.05 boundaries are decided on the true mean.
    sqlx::query!(
        r#"
        update customer c
           set sentiment_score = (
               select avg(m.sentiment_score::numeric)::float8 from (
                   select sentiment_score from message
                    where workspace_id = c.workspace_id and customer_id = c.id and sentiment_score is not null
                    order by sent_at desc, id desc limit 5) m)
         where c.workspace_id = $1 and ($2::bigint[] is null or c.id = any($2))
        "#,
        workspace_id,
        customers as Option<&[i64]>
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
