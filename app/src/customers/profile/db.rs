//! The queries behind the customer profile: each reads one customer's rows through its own index.

use super::{CategorySpend, CustomerProfile, Duplicate, MonthSpend, SegmentReason, TicketOverview, TicketRow};
use crate::customers::person_name;
use crate::error::AppResult;
use crate::segments::{self, db::months_before};
use crate::ui::format;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

#[tracing::instrument(skip(pool))]
pub async fn customer_profile(
    pool: &PgPool,
    workspace_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<CustomerProfile> {
    let detail = crate::customers::db::customer_detail(pool, workspace_id, id).await?;
    let workspace = sqlx::query!("select base_currency, vip_threshold from workspace where id = $1", workspace_id)
        .fetch_one(pool)
        .await?;
    let manager = sqlx::query_scalar!(
        r#"select coalesce(nullif(btrim(u.name), ''), u.email) as "name!" from customer c
             join user_account u on u.id = c.manager_id
            where c.workspace_id = $1 and c.id = $2"#,
        workspace_id,
        id
    )
    .fetch_optional(pool)
    .await?;
    let recent = sqlx::query!(
        r#"select count(*) filter (where placed_at > $3) as "in_12!", count(*) filter (where placed_at > $4) as "in_3!"
             from customer_order
            where workspace_id = $1 and customer_id = $2 and not test and status not in ('draft', 'canceled')
              and placed_at <= $5"#,
        workspace_id,
        id,
        months_before(now, 12),
        months_before(now, 3),
        now
    )
    .fetch_one(pool)
    .await?;
    let currency = workspace.base_currency;
    let row = &detail.row;
    let segments = row
        .segments
        .iter()
        .map(|key| {
            let reason = match key.as_str() {
                "vip" => match workspace.vip_threshold {
                    Some(t) => format!(
                        "TOV {} ≥ VIP threshold {}",
                        format::money(row.total_order_value, &currency),
                        format::money(t, &currency)
                    ),
                    None => "In the top tenth of customers by TOV".to_string(),
                },
                "repeat_customer" => format!("{} orders in the last 12 months", format::count(recent.in_12)),
                "active_customer" => format!("{} orders in the last 3 months", format::count(recent.in_3)),
                "new_customer" => match detail.customer_since {
                    Some(since) => {
                        format!("First order on {}, within the last 3 months", format::date(since.date_naive()))
                    }
                    None => "First order within the last 3 months".to_string(),
                },
                "new_contact" => "No orders yet, 1 contact".to_string(),
                "repeat_contact" => format!("No orders yet, {} contacts", format::count(detail.contacts.into())),
                _ => String::new(),
            };
            SegmentReason { key: key.clone(), name: segments::name(key).to_string(), reason }
        })
        .collect();
    Ok(CustomerProfile {
        manager,
        segments,
        duplicates: duplicates(pool, workspace_id, id).await?,
        tickets: tickets(pool, workspace_id, id, now).await?,
        orders: crate::orders::db::order_summary(pool, workspace_id, id).await?,
        categories: categories(pool, workspace_id, id).await?,
        spend: spend(pool, workspace_id, id, now).await?,
        currency,
        detail,
    })
}

/// Emails (normalised) and phones (E.164) that other customers of the workspace have too.
async fn duplicates(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<Vec<Duplicate>> {
    let rows = sqlx::query!(
        r#"
        select e.email as "contact!", c.id as "id!", c.first_name as "first_name!", c.last_name as "last_name!"
          from customer_email e
          join customer_email o on o.workspace_id = e.workspace_id and o.normalized = e.normalized
                               and o.customer_id <> e.customer_id
          join customer c on c.workspace_id = o.workspace_id and c.id = o.customer_id and c.merged_into_id is null
         where e.workspace_id = $1 and e.customer_id = $2
        union
        select p.raw, c.id, c.first_name, c.last_name
          from customer_phone p
          join customer_phone o on o.workspace_id = p.workspace_id and o.e164 = p.e164 and o.customer_id <> p.customer_id
          join customer c on c.workspace_id = o.workspace_id and c.id = o.customer_id and c.merged_into_id is null
         where p.workspace_id = $1 and p.customer_id = $2 and p.e164 is not null
         order by 1, 2
         limit 200
        "#,
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?;
    let mut duplicates: Vec<Duplicate> = Vec::new();
    for row in rows {
        let other = (row.id, person_name(&row.first_name, &row.last_name));
        match duplicates.last_mut() {
            Some(last) if last.contact == row.contact => last.others.push(other),
            _ => duplicates.push(Duplicate { contact: row.contact, others: vec![other] }),
        }
    }
    Ok(duplicates)
}

async fn tickets(pool: &PgPool, workspace_id: i64, id: i64, now: DateTime<Utc>) -> AppResult<TicketOverview> {
    let by_status = sqlx::query!(
        r#"select status, count(*) as "count!" from ticket where workspace_id = $1 and customer_id = $2
            group by status order by array_position(array['todo', 'waiting', 'resolved'], status)"#,
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.status, r.count))
    .collect();
    let latest: Vec<TicketRow> = sqlx::query_as!(
        TicketRow,
        r#"select t.id, t.subject, t.status, t.updated_at,
                  (select count(*) from message m where m.workspace_id = t.workspace_id and m.ticket_id = t.id)
                      as "messages!"
             from ticket t where t.workspace_id = $1 and t.customer_id = $2
            order by t.updated_at desc, t.id desc limit 30"#,
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?;
    let week_ago = now - Duration::days(7);
    let recent = latest.iter().filter(|t| t.updated_at > week_ago && t.updated_at <= now).cloned().collect();
    Ok(TicketOverview { by_status, latest, recent })
}

/// The customer's five biggest product categories by spend, over counted orders.
async fn categories(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<Vec<CategorySpend>> {
    Ok(sqlx::query_as!(
        CategorySpend,
        r#"select l.category as "category!", sum(l.quantity)::bigint as "quantity!",
                  sum(l.quantity * l.unit_price * o.exchange_rate) as "amount!"
             from customer_order o
             join order_line l on l.workspace_id = o.workspace_id and l.order_id = o.id
            where o.workspace_id = $1 and o.customer_id = $2 and not o.test
              and o.status not in ('draft', 'canceled') and l.category is not null
            group by l.category order by 3 desc, 1 limit 5"#,
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?)
}

/// What the customer spent (counted orders, less refunds, in the workspace's currency) in each of the
/// last twelve calendar months of the workspace's time zone, this one included.
async fn spend(pool: &PgPool, workspace_id: i64, id: i64, now: DateTime<Utc>) -> AppResult<Vec<MonthSpend>> {
    Ok(sqlx::query_as!(
        MonthSpend,
        r#"
        with zone as (select time_zone as tz, date_trunc('month', $3::timestamptz at time zone time_zone) as this_month
                        from workspace where id = $1),
        months as (select generate_series(this_month - interval '11 months', this_month, interval '1 month') as month
                     from zone)
        select m.month::date as "month!", coalesce(sum((o.total - o.refunded) * o.exchange_rate), 0) as "amount!"
          from months m
          cross join zone z
          left join customer_order o
            on o.workspace_id = $1 and o.customer_id = $2 and not o.test and o.status not in ('draft', 'canceled')
           and o.placed_at >= (m.month at time zone z.tz) and o.placed_at < ((m.month + interval '1 month') at time zone z.tz)
           and o.placed_at <= $3
         group by m.month
         order by m.month
        "#,
        workspace_id,
        id,
        now
    )
    .fetch_all(pool)
    .await?)
}
