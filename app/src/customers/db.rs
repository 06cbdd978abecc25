//! Reads of customers: the row the list shows (for the list's pages and the customer's page) and the
//! rest of one customer.

use super::types::{Address, CustomerDetail, CustomerRow, Phone};
use crate::error::{AppError, AppResult};
use crate::sentiment::Sentiment;
use sqlx::{PgConnection, PgPool};

/// The list's rows for these customers of the workspace (in no particular order).
pub(crate) async fn rows(conn: &mut PgConnection, workspace_id: i64, ids: &[i64]) -> AppResult<Vec<CustomerRow>> {
    let rows = sqlx::query!(
        r#"
        select c.id, c.first_name, c.last_name,
               (select e.email from customer_email e
                 where e.workspace_id = c.workspace_id and e.customer_id = c.id
                 order by e.position, e.id limit 1) as email,
               ch.key as channel, c.external_id, c.registered,
               c.total_order_value, c.order_count, c.latest_purchase_at,
               (c.latest_purchase_at at time zone w.time_zone)::date as latest_purchase,
               array(select s.key from segment_membership m
                       join segment s on s.workspace_id = m.workspace_id and s.id = m.segment_id
                      where m.workspace_id = c.workspace_id and m.customer_id = c.id
                      order by s.id) as "segments!",
               c.sentiment_score, c.has_test_order, c.vip_mark, c.bad_mark
          from customer c
          join workspace w on w.id = c.workspace_id
          join channel ch on ch.workspace_id = c.workspace_id and ch.id = c.channel_id
         where c.workspace_id = $1 and c.id = any($2) and c.merged_into_id is null
        "#,
        workspace_id,
        ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CustomerRow {
            id: r.id,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            channel: r.channel,
            external_id: r.external_id,
            registered: r.registered,
            total_order_value: r.total_order_value,
            orders: r.order_count,
            latest_purchase_at: r.latest_purchase_at,
            latest_purchase: r.latest_purchase,
            segments: r.segments,
            sentiment: r.sentiment_score.map(Sentiment::from_score),
            has_test_order: r.has_test_order,
            vip_mark: r.vip_mark,
            bad_mark: r.bad_mark,
        })
        .collect())
}

/// One customer of the workspace; a customer of another workspace is `NotFound`, like a missing one.
#[tracing::instrument(skip(pool))]
pub async fn customer_detail(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<CustomerDetail> {
    let mut rows = rows(&mut *pool.acquire().await?, workspace_id, &[id]).await?;
    let row = rows.pop().ok_or(AppError::NotFound)?;
    let c = sqlx::query!(
        r#"select company, registered_at, total_paid, accounts_receivable, average_order_value, customer_since,
                  contacts,
                  array(select email from customer_email e
                         where e.workspace_id = c.workspace_id and e.customer_id = c.id
                         order by position, id) as "emails!"
             from customer c where workspace_id = $1 and id = $2"#,
        workspace_id,
        id
    )
    .fetch_one(pool)
    .await?;
    let phones = sqlx::query_as!(
        Phone,
        "select raw, e164 from customer_phone where workspace_id = $1 and customer_id = $2 order by position, id",
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?;
    let (billing_address, shipping_address) = addresses(&mut *pool.acquire().await?, workspace_id, id).await?;
    Ok(CustomerDetail {
        row,
        company: c.company,
        emails: c.emails,
        phones,
        billing_address,
        shipping_address,
        registered_at: c.registered_at,
        total_paid: c.total_paid,
        accounts_receivable: c.accounts_receivable,
        average_order_value: c.average_order_value,
        customer_since: c.customer_since,
        contacts: c.contacts,
    })
}

/// The customer's billing and shipping addresses.
pub async fn addresses(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
) -> AppResult<(Option<Address>, Option<Address>)> {
    let rows = sqlx::query!(
        "select kind, name, company, line1, line2, city, region, postal_code, country
           from customer_address where workspace_id = $1 and customer_id = $2",
        workspace_id,
        id
    )
    .fetch_all(conn)
    .await?;
    let address = |kind: &str| {
        rows.iter().find(|a| a.kind == kind).map(|a| Address {
            name: a.name.clone(),
            company: a.company.clone(),
            line1: a.line1.clone(),
            line2: a.line2.clone(),
            city: a.city.clone(),
            region: a.region.clone(),
            postal_code: a.postal_code.clone(),
            country: a.country.clone(),
        })
    };
    Ok((address("billing"), address("shipping")))
}

/// A customer added by hand, with nothing else: what tests of notes, tasks, files and fields hang on.
#[cfg(test)]
pub async fn manual_customer(pool: &PgPool, workspace_id: i64) -> i64 {
    sqlx::query_scalar!(
        "insert into customer (workspace_id, channel_id, registered)
         select $1, id, true from channel where workspace_id = $1 and key = 'manual' returning id",
        workspace_id
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// `NotFound` unless the workspace has this customer: what reads of a customer's notes, timeline or
/// history (and writes of their files) check first, so that another workspace's customer looks like a
/// missing one; a customer merged away is a `Conflict` naming the customer it was merged into.
pub async fn require_customer<'e>(db: impl sqlx::PgExecutor<'e>, workspace_id: i64, id: i64) -> AppResult<()> {
    let found = sqlx::query_scalar!(
        "select merged_into_id from customer where workspace_id = $1 and id = $2",
        workspace_id,
        id
    )
    .fetch_optional(db)
    .await?;
    match found {
        None => Err(AppError::NotFound),
        // a tombstone keeps nothing of its own: what is written goes to the customer it was merged into
        Some(Some(survivor)) => {
            Err(AppError::Conflict(format!("customer #{id} was merged into customer #{survivor}: open that one")))
        }
        Some(None) => Ok(()),
    }
}

/// Writes the `kind` address of many customers in one statement (the last one given for a customer
/// wins); answers the customers whose address changed.
pub async fn write_addresses(
    conn: &mut sqlx::PgConnection,
    workspace_id: i64,
    kind: &str,
    addresses: &[(i64, &Address)],
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Vec<i64>> {
    if addresses.is_empty() {
        return Ok(Vec::new());
    }
    let column = |part: fn(&Address) -> &Option<String>| -> Vec<Option<&str>> {
        addresses.iter().map(|(_, a)| part(a).as_deref()).collect()
    };
    let customers: Vec<i64> = addresses.iter().map(|(id, _)| *id).collect();
    Ok(sqlx::query_scalar!(
        "insert into customer_address (workspace_id, customer_id, kind, name, company, line1, line2, city,
                                       region, postal_code, country)
         select distinct on (customer_id) $1, customer_id, $3, name, company, line1, line2, city, region,
                postal_code, country
           from unnest($2::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                       $10::text[], $11::text[])
                with ordinality as v(customer_id, name, company, line1, line2, city, region, postal_code, country, n)
          order by customer_id, n desc
         on conflict (workspace_id, customer_id, kind) do update
            set name = excluded.name, company = excluded.company, line1 = excluded.line1,
                line2 = excluded.line2, city = excluded.city, region = excluded.region,
                postal_code = excluded.postal_code, country = excluded.country, updated_at = $12
          where (customer_address.name, customer_address.company, customer_address.line1, customer_address.line2,
                 customer_address.city, customer_address.region, customer_address.postal_code,
                 customer_address.country)
                is distinct from (excluded.name, excluded.company, excluded.line1, excluded.line2, excluded.city,
                                  excluded.region, excluded.postal_code, excluded.country)
         returning customer_id",
        workspace_id,
        &customers,
        kind,
        &column(|a| &a.name) as &[Option<&str>],
        &column(|a| &a.company) as &[Option<&str>],
        &column(|a| &a.line1) as &[Option<&str>],
        &column(|a| &a.line2) as &[Option<&str>],
        &column(|a| &a.city) as &[Option<&str>],
        &column(|a| &a.region) as &[Option<&str>],
        &column(|a| &a.postal_code) as &[Option<&str>],
        &column(|a| &a.country) as &[Option<&str>],
        now
    )
    .fetch_all(conn)
    .await?)
}

/// Stores the customer's address of `kind` (`billing` or `shipping`), replacing the one it had; answers
/// whether anything changed.
pub async fn write_address(
    conn: &mut sqlx::PgConnection,
    workspace_id: i64,
    customer: i64,
    kind: &str,
    a: &Address,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<bool> {
    Ok(!write_addresses(conn, workspace_id, kind, &[(customer, a)], now).await?.is_empty())
}
