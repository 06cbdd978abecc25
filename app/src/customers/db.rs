//! SQL of the customer list.

use super::types::{CustomerPage, CustomerQuery, CustomerRow};
use crate::accounts::db::workspace_currency;
use crate::error::AppResult;
use sqlx::PgPool;

/// One page of the workspace's customers in the default order of SPEC §3: latest purchase first, ties
/// by last name, first name, id; customers without a counted order last, newest registered first.
#[tracing::instrument(skip(pool))]
pub async fn list_customers(pool: &PgPool, workspace_id: i64, query: &CustomerQuery) -> AppResult<CustomerPage> {
    // A plain contains-search and a window count until issue 5 brings typo-tolerant search, keyset
    // paging and cheap counts.
    let pattern = query.search().map(|q| format!("%{}%", escape_like(q)));
    let rows = sqlx::query!(
        r#"
        select c.id, c.first_name, c.last_name,
               (select e.email from customer_email e
                 where e.workspace_id = c.workspace_id and e.customer_id = c.id
                 order by e.position, e.id limit 1) as email,
               ch.key as channel, c.registered,
               c.total_order_value, c.order_count,
               (c.latest_purchase_at at time zone w.time_zone)::date as latest_purchase,
               c.has_test_order, c.vip_mark, c.bad_mark,
               count(*) over () as "total!"
          from customer c
          join workspace w on w.id = c.workspace_id
          join channel ch on ch.workspace_id = c.workspace_id and ch.id = c.channel_id
         where c.workspace_id = $1
           and c.merged_into_id is null
           and ($2::text is null
                or c.first_name || ' ' || c.last_name ilike $2
                or exists (select 1 from customer_email e
                            where e.workspace_id = c.workspace_id and e.customer_id = c.id
                              and e.normalized like lower($2)))
         order by c.latest_purchase_at is null, c.latest_purchase_at desc,
                  case when c.latest_purchase_at is null then c.registered_at end desc,
                  c.last_name, c.first_name, c.id
         limit $3
        "#,
        workspace_id,
        pattern,
        query.limit()
    )
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let items = rows
        .into_iter()
        .map(|r| CustomerRow {
            id: r.id,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            channel: r.channel,
            registered: r.registered,
            total_order_value: r.total_order_value,
            orders: r.order_count,
            latest_purchase: r.latest_purchase,
            has_test_order: r.has_test_order,
            vip_mark: r.vip_mark,
            bad_mark: r.bad_mark,
        })
        .collect();
    Ok(CustomerPage { items, total, currency: workspace_currency(pool, workspace_id).await? })
}

/// Makes user text match literally inside a LIKE pattern.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
