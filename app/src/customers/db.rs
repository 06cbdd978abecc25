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
