//! SQL of the customer list.

use super::types::{Address, CustomerDetail, CustomerPage, CustomerQuery, CustomerRow, Phone};
use crate::accounts::db::workspace_currency;
use crate::error::{AppError, AppResult};
use crate::sentiment::Sentiment;
use sqlx::PgPool;

/// One page of the workspace's customers in the default order of SPEC §3: latest purchase first, ties
/// by last name, first name, id; customers without a counted order last, newest registered first.
#[tracing::instrument(skip(pool))]
pub async fn list_customers(pool: &PgPool, workspace_id: i64, query: &CustomerQuery) -> AppResult<CustomerPage> {
    let (items, total) = rows(pool, workspace_id, query, None).await?;
    Ok(CustomerPage { items, total, currency: workspace_currency(pool, workspace_id).await? })
}

/// The list's rows: all that match `query`, or just customer `only` (for the detail). Returns them with
/// the number of all matches.
async fn rows(
    pool: &PgPool,
    workspace_id: i64,
    query: &CustomerQuery,
    only: Option<i64>,
) -> AppResult<(Vec<CustomerRow>, i64)> {
    // A plain contains-search and a window count until issue 5 brings typo-tolerant search, keyset
    // paging and cheap counts.
    let pattern = query.search().map(|q| format!("%{}%", escape_like(q)));
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
               c.sentiment_score, c.has_test_order, c.vip_mark, c.bad_mark,
               count(*) over () as "total!"
          from customer c
          join workspace w on w.id = c.workspace_id
          join channel ch on ch.workspace_id = c.workspace_id and ch.id = c.channel_id
         where c.workspace_id = $1
           and c.merged_into_id is null
           and ($4::bigint is null or c.id = $4)
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
        query.limit(),
        only
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
        .collect();
    Ok((items, total))
}

/// One customer of the workspace; a customer of another workspace is `NotFound`, like a missing one.
#[tracing::instrument(skip(pool))]
pub async fn customer_detail(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<CustomerDetail> {
    let (mut rows, _) = rows(pool, workspace_id, &CustomerQuery::default(), Some(id)).await?;
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
    let addresses = sqlx::query!(
        "select kind, name, company, line1, line2, city, region, postal_code, country
           from customer_address where workspace_id = $1 and customer_id = $2",
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?;
    let address = |kind: &str| {
        addresses.iter().find(|a| a.kind == kind).map(|a| Address {
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
    Ok(CustomerDetail {
        row,
        company: c.company,
        emails: c.emails,
        phones,
        billing_address: address("billing"),
        shipping_address: address("shipping"),
        registered_at: c.registered_at,
        total_paid: c.total_paid,
        accounts_receivable: c.accounts_receivable,
        average_order_value: c.average_order_value,
        customer_since: c.customer_since,
        contacts: c.contacts,
    })
}

/// Makes user text match literally inside a LIKE pattern.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::db::create_workspace;

    async fn customer(pool: &PgPool, workspace_id: i64, first: &str, last: &str, email: &str) -> i64 {
        let id = sqlx::query_scalar!(
            "insert into customer (workspace_id, channel_id, registered, first_name, last_name)
             select $1, id, true, $2, $3 from channel where workspace_id = $1 and key = 'manual' returning id",
            workspace_id,
            first,
            last
        )
        .fetch_one(pool)
        .await
        .unwrap();
        sqlx::query!(
            "insert into customer_email (workspace_id, customer_id, email) values ($1, $2, $3)",
            workspace_id,
            id,
            email
        )
        .execute(pool)
        .await
        .unwrap();
        id
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_workspace_lists_only_its_own_customers(pool: PgPool) {
        let a = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
        let b = create_workspace(&pool, "b", "B", "EUR", "UTC").await.unwrap().id;
        let ann = customer(&pool, a, "Ann", "Lee", "ann@example.com").await;
        customer(&pool, b, "Ann", "Lee", "ann@example.com").await;
        customer(&pool, b, "Bob", "Norman", "bob@example.com").await;

        let everyone = list_customers(&pool, a, &CustomerQuery::default()).await.unwrap();
        assert_eq!(everyone.items.iter().map(|c| c.id).collect::<Vec<_>>(), [ann]);
        assert_eq!((everyone.total, everyone.currency.as_str()), (1, "USD"));
        let search = CustomerQuery { q: Some("bob".into()), limit: None };
        assert!(list_customers(&pool, a, &search).await.unwrap().items.is_empty(), "B's Bob is not found from A");
        assert_eq!(list_customers(&pool, b, &search).await.unwrap().total, 1);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn search_matches_names_and_emails_literally(pool: PgPool) {
        let a = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
        let ann = customer(&pool, a, "Ann", "Lee", "ann_lee@example.com").await;
        let bob = customer(&pool, a, "Bob", "Norman", "bob@example.com").await;
        let ids = |q: &str| {
            let pool = pool.clone();
            let query = CustomerQuery { q: Some(q.to_string()), limit: None };
            async move {
                list_customers(&pool, a, &query).await.unwrap().items.into_iter().map(|c| c.id).collect::<Vec<_>>()
            }
        };
        assert_eq!(ids("ann lee").await, [ann]);
        assert_eq!(ids("NORMAN").await, [bob]);
        assert_eq!(ids("bob@EXAMPLE.com").await, [bob]);
        assert_eq!(ids("_").await, [ann], "LIKE wildcards in the search text match only themselves");
        assert_eq!(ids("%").await, Vec::<i64>::new());
    }
}
