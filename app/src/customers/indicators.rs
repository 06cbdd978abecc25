//! The stored indicators of SPEC §3 and the customer's rolling sentiment, recomputed from the
//! customer's own orders, tickets and messages. Callers lock the customer row first, in the same
//! transaction as the write that changed them, so concurrent writers can neither lose nor double-count.
//! One statement writes each customer row once (every write of a row adds an entry to each of its
//! indexes): the figures, and with them the flags of the built-in segments the figures put the customer
//! in at `now` (the memberships follow the flags, `segments::db::refresh_customers`; VIP by the threshold
//! of the last VIP refresh, which moves whoever it changes). Rows whose values did not change are left
//! alone, and how many customers entered or left the VIP population (customers with orders and TOV > 0)
//! is recorded for the VIP refresh.

use crate::error::AppResult;
use crate::segments::months_before;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Recomputes the indicators, sentiment and segment flags of `customers` (all of the workspace's when
/// `None`) at `now`.
#[tracing::instrument(skip(conn))]
pub async fn recompute(
    conn: &mut PgConnection,
    workspace_id: i64,
    customers: Option<&[i64]>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    // Scoped to a batch's customers, the statement joins a few thousand rows at most, read by their ids:
    // hash joins do that in one pass whatever the planner believes. Without statistics yet (tables a
    // new workspace's first batches are filling, before ANALYZE has seen them) it believes each side
    // holds a handful of rows and loops over one for each row of the other — a second at a thousand
    // customers, and longer the more there are.
    let nested_loops = match customers {
        Some(_) => Some(crate::plans::without_nested_loops(conn).await?),
        None => None,
    };
    sqlx::query!(
        r#"
        with counted as (
            -- one pass over the customers' orders: the figures count neither test orders nor drafts
            -- and cancellations (`counts`); a test order only marks the customer
            select customer_id,
                   sum((total - refunded) * exchange_rate) filter (where counts) as tov,
                   (count(*) filter (where counts))::int as n,
                   min(placed_at) filter (where counts) as first,
                   max(placed_at) filter (where counts) as last,
                   sum(paid * exchange_rate) filter (where counts) as paid,
                   sum(greatest(0, total - refunded - paid) * exchange_rate) filter (where counts) as receivable,
                   count(*) filter (where counts and placed_at > $3 and placed_at <= $5) as in_12,
                   count(*) filter (where counts and placed_at > $4 and placed_at <= $5) as in_3,
                   bool_or(test) as has_test
              from customer_order,
                   lateral (select not test and status not in ('draft', 'canceled') as counts) as counting
             where workspace_id = $1 and ($2::bigint[] is null or customer_id = any($2))
             group by customer_id),
        tickets as (
            select customer_id,
                   (count(*) filter (where first_direction = 'inbound'))::int as contacts,
                   (count(*) filter (where status <> 'resolved'))::int as open
              from ticket
             where workspace_id = $1 and ($2::bigint[] is null or customer_id = any($2))
             group by customer_id),
        fresh as (
            select c2.id,
                   coalesce(o.tov, 0) as tov,
                   coalesce(o.n, 0) as n,
                   round(o.tov / o.n, 10) as aov,
                   o.first, o.last,
                   coalesce(o.paid, 0) as paid,
                   coalesce(o.receivable, 0) as receivable,
                   coalesce(o.has_test, false) as has_test,
                   coalesce(k.contacts, 0) as contacts,
                   coalesce(k.open, 0) as open,
                   -- mean of the five latest scored inbound messages, averaged exactly (numeric) so that
                   -- the label's ±0.05 boundaries are decided on the true mean
                   (select avg(m.sentiment_score::numeric)::float8 from (
                        select sentiment_score from message
                         where workspace_id = $1 and customer_id = c2.id and sentiment_score is not null
                         order by sent_at desc, id desc limit 5) m) as sentiment,
                   case when c2.merged_into_id is not null then 0
                        else builtin_segment_flags(coalesce(o.in_12, 0), coalesce(o.in_3, 0), o.first,
                                                   coalesce(o.n, 0), coalesce(k.contacts, 0), $4, $5)
                             | case when o.tov > 0 and o.tov >= (select vip_threshold from workspace where id = $1)
                                    then segment_flag('vip') else 0 end
                   end as segments,
                   c2.order_count >= 1 and c2.total_order_value > 0 and c2.merged_into_id is null as was_vip_population
              from customer c2
              left join counted o on o.customer_id = c2.id
              left join tickets k on k.customer_id = c2.id
             where c2.workspace_id = $1 and ($2::bigint[] is null or c2.id = any($2))),
        updated as (
            update customer c
               set total_order_value = f.tov,
                   order_count = f.n,
                   average_order_value = f.aov,
                   customer_since = f.first,
                   latest_purchase_at = f.last,
                   total_paid = f.paid,
                   accounts_receivable = f.receivable,
                   has_test_order = f.has_test,
                   contacts = f.contacts,
                   open_tickets = f.open,
                   sentiment_score = f.sentiment,
                   builtin_segments = f.segments
              from fresh f
             where c.workspace_id = $1 and c.id = f.id and ($2::bigint[] is null or c.id = any($2))
               and (c.total_order_value, c.order_count, c.average_order_value, c.customer_since, c.latest_purchase_at,
                    c.total_paid, c.accounts_receivable, c.has_test_order, c.contacts, c.open_tickets,
                    c.sentiment_score, c.builtin_segments)
                   is distinct from
                   (f.tov, f.n, f.aov, f.first, f.last, f.paid, f.receivable, f.has_test, f.contacts, f.open,
                    f.sentiment, f.segments)
            returning f.was_vip_population,
                      c.order_count >= 1 and c.total_order_value > 0 and c.merged_into_id is null as is_vip_population),
        moved as (
            select sum(is_vip_population::int - was_vip_population::int) as delta from updated)
        insert into vip_population (workspace_id, delta)
        select $1, delta from moved where delta <> 0
        "#,
        workspace_id,
        customers as Option<&[i64]>,
        months_before(now, 12),
        months_before(now, 3),
        now
    )
    .execute(&mut *conn)
    .await?;
    if let Some(setting) = nested_loops {
        crate::plans::restore_nested_loops(conn, &setting).await?;
    }
    Ok(())
}
