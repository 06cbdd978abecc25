//! Oracle tests of the list: every sort, filter and search against what Rust computes from the rows.

use super::db::{list_customers, list_options};
use super::query::{CustomerQuery, Sort, SortKey};
use super::sql;
use crate::accounts::db::create_workspace;
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;

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
    let search = CustomerQuery { q: Some("bob".into()), ..Default::default() };
    assert!(list_customers(&pool, a, &search).await.unwrap().items.is_empty(), "B's Bob is not found from A");
    assert_eq!(list_customers(&pool, b, &search).await.unwrap().total, 1);
}

/// A search matching more customers than are collected before the list's queries reads the
/// customers' search texts instead, with the same result.
#[sqlx::test(migrations = "../migrations")]
async fn broad_and_narrow_searches_list_alike(pool: PgPool) {
    use crate::customers::list::{Sort, SortKey};
    let a = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let mut shop = Vec::new();
    for first in ["Ann", "Bob", "Cara", "Dan", "Eve"] {
        shop.push(customer(&pool, a, first, "Lee", &format!("{}@shop.example", first.to_lowercase())).await);
    }
    customer(&pool, a, "Gus", "Hale", "gus@elsewhere.example").await;
    let found = |q: &str| {
        let pool = pool.clone();
        let query = CustomerQuery {
            q: Some(q.to_string()),
            sort: Sort { key: SortKey::Name, descending: false },
            ..Default::default()
        };
        async move {
            let page = list_customers(&pool, a, &query).await.unwrap();
            (page.total, page.items.into_iter().map(|c| c.id).collect::<Vec<_>>())
        }
    };
    assert_eq!(found("shop.example").await, (5, shop.clone()), "more than three: through the search texts");
    assert_eq!(found("lee").await, (5, shop.clone()));
    assert_eq!(found("an").await, (2, vec![shop[0], shop[3]]), "two or three: collected, tested as a subquery");
    assert_eq!(found("cara@shop").await, (1, vec![shop[2]]), "one: collected first");
    assert_eq!(found("ann lee").await, (1, vec![shop[0]]));
}

/// A customer merged into another is neither found nor counted by a search, by any of its ways;
/// the count of a search with another filter counts only customers passing both.
#[sqlx::test(migrations = "../migrations")]
async fn searches_find_and_count_only_customers_the_list_shows(pool: PgPool) {
    use crate::customers::list::Mark;
    let a = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let kept = customer(&pool, a, "Ann", "Lee", "ann@shop.example").await;
    let merged = customer(&pool, a, "Ann", "Leigh", "ann.leigh@shop.example").await;
    let other = customer(&pool, a, "Annie", "Lee", "annie@elsewhere.example").await;
    sqlx::query!(
        "insert into customer_order (workspace_id, channel_id, external_id, number, customer_id, placed_at, status,
                                     currency, total)
         select $1, id, 'o-1', '#2002', $2, now(), 'paid', 'USD', 10 from channel where workspace_id = $1 and key = 'manual'",
        a,
        merged
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query!("update customer set vip_mark = true where workspace_id = $1 and id = any($2)", a, &[merged, other])
        .execute(&pool)
        .await
        .unwrap();
    let found = |q: &str, mark: Option<Mark>| {
        let pool = pool.clone();
        let query = CustomerQuery { q: Some(q.to_string()), mark, ..Default::default() };
        async move {
            let page = list_customers(&pool, a, &query).await.unwrap();
            let mut ids: Vec<i64> = page.items.into_iter().map(|c| c.id).collect();
            ids.sort();
            (page.total, ids)
        }
    };
    let ways = [("ann", "by name"), ("shop.example", "by address"), ("ann leigg", "by a close spelling")];
    let ways =
        ways.into_iter().chain([("ann.leihg@shop.example", "by a mistyped address"), ("2002", "by an order number")]);
    for (q, way) in ways.clone() {
        assert!(found(q, None).await.1.contains(&merged), "{way} before the merge");
    }
    sqlx::query!("update customer set merged_into_id = $2 where workspace_id = $1 and id = $3", a, kept, merged)
        .execute(&pool)
        .await
        .unwrap();
    let expected = [(2, vec![kept, other]), (1, vec![kept]), (0, vec![]), (0, vec![]), (0, vec![])];
    for ((q, way), expected) in ways.zip(expected) {
        assert_eq!(found(q, None).await, expected, "{way} after the merge");
    }
    assert_eq!(found("ann", Some(Mark::Vip)).await, (1, vec![other]), "with another filter");
    assert_eq!(found("anne lee", Some(Mark::Vip)).await, (1, vec![other]), "close, with another filter");

    // back on its own: found again
    sqlx::query!("update customer set merged_into_id = null where workspace_id = $1 and id = $2", a, merged)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(found("ann.leigh", None).await, (1, vec![merged]));
}

/// A broad search alone, matching more customers than the count shows, is not counted again: the
/// matches seen while collecting them decide it, and merged-away customers (without a search text)
/// are never among them; with another filter the matches are counted.
#[sqlx::test(migrations = "../migrations")]
async fn a_broad_search_alone_is_not_counted_again(pool: PgPool) {
    use super::search::Search;
    use crate::customers::list::Mark;
    use crate::customers::types::COUNT_CAP;
    let a = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let mut lees = Vec::new();
    for i in 0..COUNT_CAP + 3 {
        lees.push(customer(&pool, a, "Ann", "Lee", &format!("ann{i}@example.com")).await);
    }
    sqlx::query!("update customer set vip_mark = true where workspace_id = $1 and id = any($2)", a, &lees[..2])
        .execute(&pool)
        .await
        .unwrap();
    let total = |mark: Option<Mark>| {
        let pool = pool.clone();
        let query = CustomerQuery { q: Some("lee".into()), mark, ..Default::default() };
        async move { list_customers(&pool, a, &query).await.unwrap().total }
    };
    assert_eq!(total(None).await, COUNT_CAP + 1, "more than the count shows");
    assert_eq!(total(Some(Mark::Vip)).await, 2, "with another filter: counted");
    // three merged away: as many as the count shows, counted exactly
    for merged in &lees[lees.len() - 3..] {
        sqlx::query!(
            "update customer set merged_into_id = $2 where workspace_id = $1 and id = $3",
            a,
            lees[0],
            *merged
        )
        .execute(&pool)
        .await
        .unwrap();
    }
    assert_eq!(total(None).await, COUNT_CAP);
    // the count believes the matches seen: a search alone seen matching more than the cap is not counted
    // again (counting would find nobody here)
    let b = create_workspace(&pool, "b", "B", "USD", "UTC").await.unwrap().id;
    let query = CustomerQuery { q: Some("nobody".into()), ..Default::default() };
    let lookups = sql::Lookups {
        search: Search { seen: COUNT_CAP + 1, more_than_listed: true, ..Default::default() },
        ..Default::default()
    };
    let mut conn = pool.acquire().await.unwrap();
    assert_eq!(sql::count(&mut conn, b, &query, &lookups).await.unwrap(), COUNT_CAP + 1);
}

/// The ids of the first page of search `q` alone, in the order of `sort`.
async fn searched(pool: &PgPool, workspace_id: i64, q: &str, sort: Sort) -> Vec<i64> {
    let query = CustomerQuery { q: Some(q.to_string()), sort, ..Default::default() };
    list_customers(pool, workspace_id, &query).await.unwrap().items.into_iter().map(|c| c.id).collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn search_matches_names_and_emails_literally(pool: PgPool) {
    let a = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let ann = customer(&pool, a, "Ann", "Lee", "ann_lee@example.com").await;
    let bob = customer(&pool, a, "Bob", "Norman", "bob@example.com").await;
    let ids = |q: &'static str| searched(&pool, a, q, Sort::default());
    assert_eq!(ids("ann lee").await, [ann]);
    assert_eq!(ids("NORMAN").await, [bob]);
    assert_eq!(ids("bob@EXAMPLE.com").await, [bob]);
    assert_eq!(ids("_").await, [ann], "LIKE wildcards in the search text match only themselves");
    assert_eq!(ids("%").await, Vec::<i64>::new());
}

#[sqlx::test(migrations = "../migrations")]
async fn signs_inside_names_and_addresses_match_only_themselves(pool: PgPool) {
    let a = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let sean = customer(&pool, a, "Seán", "O'Brien", "sean.obrien@example.com").await;
    let typographic = customer(&pool, a, "Aoife", "O’Byrne", "aoife@example.com").await;
    let joab = customer(&pool, a, "Joab", "Bob", "j.bob@example.com").await;
    let jean = customer(&pool, a, "Jean-Luc", "Picard", "jl+crew@example.com").await;
    let ids = |q: &'static str| searched(&pool, a, q, Sort::parse("name").unwrap());
    assert_eq!(ids("O'B").await, [sean]);
    assert_eq!(ids("o’b").await, [typographic], "a typographic apostrophe is its own sign");
    assert_eq!(ids("OAB").await, [joab], "the capital a search text holds for a sign matches only the sign");
    assert_eq!(ids("n-l").await, [jean]);
    assert_eq!(ids("l+c").await, [jean]);
    assert_eq!(ids("n.o").await, [sean]);
    assert_eq!(ids("en@e").await, [sean]);
    assert_eq!(ids("j.b").await, [joab]);
    // more than are collected beforehand: read along the name's index, testing each text
    let mut brady = Vec::new();
    for first in ["Cara", "Aine", "Bran"] {
        brady.push(customer(&pool, a, first, "O'Brady", &format!("{}@example.com", first.to_lowercase())).await);
    }
    assert_eq!(ids("o'b").await, [brady[1], brady[2], brady[0], sean]);
    // the search texts' function and the search's agree on every sign
    let text = "o'b ’x-y.z@w_v+u 1\\%";
    let in_sql: String =
        sqlx::query_scalar!(r#"select search_words($1) as "words!""#, text).fetch_one(&pool).await.unwrap();
    assert_eq!(in_sql, super::search::search_words(text));
}

/// What the list tests know of a customer, to compute the expected order independently of the SQL.
#[derive(Clone, Debug)]
struct Known {
    id: i64,
    first: String,
    last: String,
    registered_at: DateTime<Utc>,
    latest: Option<DateTime<Utc>>,
    since: Option<DateTime<Utc>>,
    tov: Decimal,
    orders: i32,
}

impl Known {
    fn aov(&self) -> Option<Decimal> {
        (self.orders > 0).then(|| self.tov / Decimal::from(self.orders))
    }
}

/// Thirty customers with ties on every sort column, some without orders.
async fn thirty(pool: &PgPool, ws: i64) -> Vec<Known> {
    let firsts = ["Ann", "Bob", "Cat", "Dan", "Eve"];
    let lasts = ["Lee", "Moss", "Lee", "Nash", "Ode", "Moss"];
    let base: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    let mut known = Vec::new();
    for i in 0..30i64 {
        let (first, last) = (firsts[(i % 5) as usize], lasts[(i % 6) as usize]);
        let id = customer(pool, ws, first, last, &format!("c{i}@example.com")).await;
        let orders = (i % 4) as i32; // 0..3, a quarter without orders
        let registered_at = base + Duration::days(i % 7);
        let (latest, since, tov) = if orders == 0 {
            (None, None, Decimal::ZERO)
        } else {
            (
                Some(base + Duration::days(30 + i % 5)),
                Some(base + Duration::days(10 + i % 3)),
                Decimal::from(10 * (i % 6)),
            )
        };
        sqlx::query!(
            "update customer set registered_at = $3, latest_purchase_at = $4, customer_since = $5,
                    total_order_value = $6::numeric, order_count = $7::int,
                    average_order_value = case when $7::int > 0 then round($6::numeric / $7::int, 10) end
              where workspace_id = $1 and id = $2",
            ws,
            id,
            registered_at,
            latest,
            since,
            tov,
            orders
        )
        .execute(pool)
        .await
        .unwrap();
        known.push(Known { id, first: first.into(), last: last.into(), registered_at, latest, since, tov, orders });
    }
    known
}

/// The order SPEC §3 and §4 ask for, computed in Rust.
fn expected(mut known: Vec<Known>, sort: Sort) -> Vec<i64> {
    use std::cmp::Ordering;
    let names = |a: &Known, b: &Known| (&a.last, &a.first, a.id).cmp(&(&b.last, &b.first, b.id));
    // values present first (in the asked direction), missing ones after, then by id
    fn present_first<T: Ord>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) if descending => b.cmp(&a),
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    let d = sort.descending;
    let by_id = |a: &Known, b: &Known| if d { b.id.cmp(&a.id) } else { a.id.cmp(&b.id) };
    known.sort_by(|a, b| match sort.key {
        SortKey::LatestPurchase => present_first(a.latest, b.latest, d)
            .then_with(|| if d && a.latest.is_none() { b.registered_at.cmp(&a.registered_at) } else { Ordering::Equal })
            .then_with(|| names(a, b)),
        SortKey::Name if d => names(b, a),
        SortKey::Name => names(a, b),
        // each of the two figures breaks the other's ties
        SortKey::TotalOrderValue if d => (b.tov, b.orders, b.id).cmp(&(a.tov, a.orders, a.id)),
        SortKey::TotalOrderValue => (a.tov, a.orders, a.id).cmp(&(b.tov, b.orders, b.id)),
        SortKey::Orders if d => (b.orders, b.tov, b.id).cmp(&(a.orders, a.tov, a.id)),
        SortKey::Orders => (a.orders, a.tov, a.id).cmp(&(b.orders, b.tov, b.id)),
        SortKey::AverageOrderValue => present_first(a.aov(), b.aov(), d)
            .then_with(|| if d { b.tov.cmp(&a.tov) } else { a.tov.cmp(&b.tov) })
            .then_with(|| by_id(a, b)),
        SortKey::CustomerSince => present_first(a.since, b.since, d).then_with(|| by_id(a, b)),
        SortKey::RegisteredAt => {
            if d { b.registered_at.cmp(&a.registered_at) } else { a.registered_at.cmp(&b.registered_at) }
                .then_with(|| by_id(a, b))
        }
    });
    known.into_iter().map(|k| k.id).collect()
}

/// The pages of `query` (a first page), walking "Next page" to the end; walking "Previous page" back
/// from the last page gives the same pages.
async fn pages_both_ways(pool: &PgPool, ws: i64, mut query: CustomerQuery) -> Vec<Vec<i64>> {
    let sort = query.sort;
    let mut pages = Vec::new();
    loop {
        let page = list_customers(pool, ws, &query).await.unwrap();
        pages.push(page.items.iter().map(|c| c.id).collect::<Vec<_>>());
        assert_eq!(page.previous.is_some(), pages.len() > 1, "{sort:?} page {}", pages.len());
        match page.next {
            Some(next) => query = CustomerQuery { after: Some(next), before: None, ..query },
            None => break,
        }
    }
    let last = list_customers(pool, ws, &query).await.unwrap();
    let mut cursor = last.previous;
    for expected_page in pages.iter().rev().skip(1) {
        let before = CustomerQuery { before: cursor.clone(), after: None, ..query.clone() };
        let page = list_customers(pool, ws, &before).await.unwrap();
        assert_eq!(&page.items.iter().map(|c| c.id).collect::<Vec<_>>(), expected_page, "{sort:?} back");
        assert!(page.next.is_some());
        cursor = page.previous;
    }
    assert!(cursor.is_none(), "{sort:?}: the first page has no previous page");
    pages
}

/// Every sort, both directions: walking "Next page" visits every customer once in the order of
/// SPEC §3/§4, and walking "Previous page" back from the end gives the same pages.
#[sqlx::test(migrations = "../migrations")]
async fn keyset_pages_follow_every_sort_forwards_and_backwards(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let known = thirty(&pool, ws).await;
    for key in SortKey::ALL {
        for descending in [false, true] {
            let sort = Sort { key, descending };
            let query = CustomerQuery { sort, limit: Some(7), ..Default::default() };
            assert_eq!(list_customers(&pool, ws, &query).await.unwrap().total, 30);
            let pages = pages_both_ways(&pool, ws, query).await;
            assert_eq!(pages.concat(), expected(known.clone(), sort), "{sort:?}");
            assert_eq!(pages.len(), 5);
        }
    }
    // a cursor made for another sort, or damaged, is refused with the parameter named
    let page = list_customers(&pool, ws, &CustomerQuery { limit: Some(7), ..Default::default() }).await.unwrap();
    let other =
        CustomerQuery { after: page.next, sort: Sort { key: SortKey::Name, descending: false }, ..Default::default() };
    assert!(matches!(list_customers(&pool, ws, &other).await, Err(AppError::Invalid(e)) if e[0].path == "after"));
    let damaged = CustomerQuery { before: Some("x".into()), ..Default::default() };
    assert!(matches!(list_customers(&pool, ws, &damaged).await, Err(AppError::Invalid(e)) if e[0].path == "before"));
}

/// A channel, several channels (read a channel at a time), a mood (through the moods' own indexes),
/// purchase days (by registration: nearest first in a GiST index) and a search alone sorted by name or
/// registration (read from the search texts) page in every sort, both ways, as the sort and the filter
/// say.
#[sqlx::test(migrations = "../migrations")]
async fn channels_moods_days_and_searches_page_in_every_sort(pool: PgPool) {
    use super::query::SentimentFilter;
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let known = thirty(&pool, ws).await;
    sqlx::query!(
        "insert into channel (workspace_id, key, kind, name)
         values ($1, 'shop-a', 'shopify', 'Shop A'), ($1, 'shop-b', 'website', 'Shop B')",
        ws
    )
    .execute(&pool)
    .await
    .unwrap();
    // the customers' channels by their place (manual, shop-a, shop-b) and moods (none, +, -, neutral)
    let channel = |i: usize| ["manual", "shop-a", "shop-b"][i % 3];
    let score = |i: usize| [None, Some(0.6), Some(-0.3), Some(0.01)][i % 4];
    for (i, k) in known.iter().enumerate() {
        sqlx::query!(
            "update customer c set channel_id = ch.id, sentiment_score = $4
               from channel ch where ch.workspace_id = c.workspace_id and ch.key = $3
                and c.workspace_id = $1 and c.id = $2",
            ws,
            k.id,
            channel(i),
            score(i)
        )
        .execute(&pool)
        .await
        .unwrap();
    }
    let only = |keep: &dyn Fn(usize) -> bool| -> Vec<Known> {
        known.iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, k)| k.clone()).collect()
    };
    let cases: Vec<(CustomerQuery, Vec<Known>)> = vec![
        (
            CustomerQuery { channels: vec!["shop-a".into(), "shop-b".into()], ..Default::default() },
            only(&|i| i % 3 != 0),
        ),
        (CustomerQuery { channels: vec!["shop-b".into()], ..Default::default() }, only(&|i| i % 3 == 2)),
        (CustomerQuery { sentiment: Some(SentimentFilter::Negative), ..Default::default() }, only(&|i| i % 4 == 2)),
        (CustomerQuery { sentiment: Some(SentimentFilter::Neutral), ..Default::default() }, only(&|i| i % 4 == 3)),
        (CustomerQuery { sentiment: Some(SentimentFilter::Unknown), ..Default::default() }, only(&|i| i % 4 == 0)),
        // the latest purchases are on days 30–34 of the year, for customers with orders
        (
            CustomerQuery { purchased_to: "2026-02-01".parse().ok(), ..Default::default() },
            only(&|i| i % 4 != 0 && i % 5 <= 1),
        ),
        // searches alone: everyone (read by name or registration, a walk along the sort finds each page),
        // and a third (there the walk falls short and the matches are sorted as found)
        (CustomerQuery { q: Some("example".into()), ..Default::default() }, known.clone()),
        (CustomerQuery { q: Some("lee".into()), ..Default::default() }, only(&|i| i % 6 == 0 || i % 6 == 2)),
    ];
    for (filter, members) in cases {
        for key in SortKey::ALL {
            for descending in [false, true] {
                let sort = Sort { key, descending };
                let query = CustomerQuery { sort, limit: Some(3), ..filter.clone() };
                let pages = pages_both_ways(&pool, ws, query).await;
                assert_eq!(pages.concat(), expected(members.clone(), sort), "{filter:?} {sort:?}");
            }
        }
    }
    // "Cat Lee" twice and "Bocat Lee" (collected: at most three matches in tests), who sorts first
    let bocat = customer(&pool, ws, "Bocat", "Lee", "bocat@example.com").await;
    let cats = only(&|i| i % 5 == 2 && matches!(i % 6, 0 | 2));
    assert_eq!(cats.len(), 2);
    // by registration: the cats on days 2 and 5 of the year, Bocat today
    for (key, mut order) in [
        (SortKey::Name, vec![bocat, cats[0].id, cats[1].id]),
        (SortKey::RegisteredAt, vec![cats[0].id, cats[1].id, bocat]),
    ] {
        for descending in [false, true] {
            let sort = Sort { key, descending };
            let query = CustomerQuery { q: Some("cat lee".into()), sort, limit: Some(1), ..Default::default() };
            if descending {
                order.reverse();
            }
            assert_eq!(pages_both_ways(&pool, ws, query).await.concat(), order, "{sort:?}");
        }
    }
}

/// Sorted by orders, a range of totals is read one number of orders at a time however wide the range:
/// up to the workspace's highest number (an upper end typed far above it is not millions of numbers),
/// in the sort's order, pages forwards and backwards as the filter keeps them.
/// Sorted by registration with a last day of purchase, the walk starts at that day; customers who
/// registered after their latest purchase (a guest order, then an account) are still in their place.
#[sqlx::test(migrations = "../migrations")]
async fn purchase_days_by_registration_keep_customers_registered_after_buying(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let mut known = thirty(&pool, ws).await;
    // a third of them registered in March, after their latest purchase (days 30–34 of the year)
    let march: DateTime<Utc> = "2026-03-01T00:00:00Z".parse().unwrap();
    for (i, k) in known.iter_mut().enumerate().filter(|(i, _)| i % 3 == 1) {
        k.registered_at = march + Duration::days(i as i64 % 4);
        sqlx::query!(
            "update customer set registered_at = $3 where workspace_id = $1 and id = $2",
            ws,
            k.id,
            k.registered_at
        )
        .execute(&pool)
        .await
        .unwrap();
    }
    let until: chrono::NaiveDate = "2026-02-01".parse().unwrap();
    let members: Vec<Known> =
        known.iter().filter(|k| k.latest.is_some_and(|l| l.date_naive() <= until)).cloned().collect();
    assert!(members.iter().any(|k| k.registered_at > march) && members.iter().any(|k| k.registered_at < march));
    for (from, members) in [(None, members.clone()), (Some("2026-01-31"), members.clone())] {
        let members: Vec<Known> = members
            .into_iter()
            .filter(|k| from.is_none_or(|from| k.latest.unwrap().date_naive() >= from.parse().unwrap()))
            .collect();
        for descending in [true, false] {
            let sort = Sort { key: SortKey::RegisteredAt, descending };
            let query = CustomerQuery {
                purchased_from: from.and_then(|f| f.parse().ok()),
                purchased_to: Some(until),
                sort,
                limit: Some(3),
                ..Default::default()
            };
            let pages = pages_both_ways(&pool, ws, query).await;
            assert_eq!(pages.concat(), expected(members.clone(), sort), "from {from:?} {sort:?}");
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn totals_sorted_by_orders_read_the_numbers_anyone_has(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let known = thirty(&pool, ws).await;
    let pairs = [("tov_max", "30"), ("orders_max", "2000000000")];
    for descending in [false, true] {
        let sort = Sort { key: SortKey::Orders, descending };
        let query = CustomerQuery { sort, limit: Some(2), ..CustomerQuery::from_pairs(pairs).unwrap() };
        let mut conn = pool.acquire().await.unwrap();
        assert_eq!(sql::look_up(&mut conn, ws, &query).await.unwrap().order_counts, Some(vec![0, 1, 2, 3]));
        let kept: Vec<Known> = known.iter().filter(|k| k.tov <= Decimal::from(30)).cloned().collect();
        assert!(kept.len() > 4, "the range keeps some customers");
        assert_eq!(pages_both_ways(&pool, ws, query).await.concat(), expected(kept, sort), "{sort:?}");
    }
}

/// A range of one figure sorted by the other (read one number of orders at a time), and a purchase
/// sorted by total (which starts past the customers without an order): pages in the sort's order,
/// forwards and backwards, with the customers the filter keeps.
#[sqlx::test(migrations = "../migrations")]
async fn ranges_sorted_by_another_figure_page_in_order(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let known = thirty(&pool, ws).await;
    type Case = (&'static [(&'static str, &'static str)], fn(&Known) -> bool, SortKey, Option<Vec<i32>>);
    let cases: [Case; 8] = [
        (
            &[("orders_min", "1"), ("orders_max", "2")],
            |k| (1..=2).contains(&k.orders),
            SortKey::TotalOrderValue,
            Some(vec![1, 2]),
        ),
        (&[("orders_min", "2")], |k| k.orders >= 2, SortKey::TotalOrderValue, Some(vec![2, 3])),
        (&[("tov_min", "20")], |k| k.tov >= Decimal::from(20), SortKey::Orders, Some(vec![1, 2, 3])),
        (&[("tov_max", "30")], |k| k.tov <= Decimal::from(30), SortKey::Orders, Some(vec![0, 1, 2, 3])),
        (&[("purchased_from", "2026-01-01")], |k| k.latest.is_some(), SortKey::TotalOrderValue, None),
        (&[("tov_min", "20")], |k| k.tov >= Decimal::from(20), SortKey::AverageOrderValue, Some(vec![1, 2, 3])),
        (&[("orders_max", "2")], |k| k.orders <= 2, SortKey::AverageOrderValue, Some(vec![0, 1, 2])),
        (&[("tov_max", "30")], |k| k.tov <= Decimal::from(30), SortKey::AverageOrderValue, Some(vec![0, 1, 2, 3])),
    ];
    for (pairs, keep, key, counts) in cases {
        for descending in [false, true] {
            let sort = Sort { key, descending };
            let query =
                CustomerQuery { sort, limit: Some(3), ..CustomerQuery::from_pairs(pairs.iter().copied()).unwrap() };
            let mut conn = pool.acquire().await.unwrap();
            assert_eq!(sql::look_up(&mut conn, ws, &query).await.unwrap().order_counts, counts, "{pairs:?}");
            let kept: Vec<Known> = known.iter().filter(|k| keep(k)).cloned().collect();
            assert!(kept.len() > 6 && kept.len() < 30, "{pairs:?} keeps some customers");
            let pages = pages_both_ways(&pool, ws, query).await;
            assert_eq!(pages.concat(), expected(kept, sort), "{pairs:?} {sort:?}");
        }
    }
    // an empty range of orders reads nothing
    let none = CustomerQuery {
        sort: Sort { key: SortKey::TotalOrderValue, descending: true },
        ..CustomerQuery::from_pairs([("orders_min", "9")]).unwrap()
    };
    let page = list_customers(&pool, ws, &none).await.unwrap();
    assert!(page.items.is_empty() && page.total == 0 && page.next.is_none());
}

/// Each filter of SPEC §4 on its own and combined, against the same data filtered in Rust.
#[sqlx::test(migrations = "../migrations")]
async fn every_filter_narrows_the_list_and_filters_combine(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let known = thirty(&pool, ws).await;
    let ids = |query: CustomerQuery| {
        let pool = pool.clone();
        async move {
            let mut ids: Vec<i64> = list_customers(&pool, ws, &CustomerQuery { limit: Some(200), ..query })
                .await
                .unwrap()
                .items
                .iter()
                .map(|c| c.id)
                .collect();
            ids.sort_unstable();
            ids
        }
    };
    let want = |keep: &dyn Fn(&Known) -> bool| known.iter().filter(|k| keep(k)).map(|k| k.id).collect::<Vec<_>>();
    let q = |pairs: &[(&str, &str)]| CustomerQuery::from_pairs(pairs.iter().copied()).unwrap();

    assert_eq!(
        ids(q(&[("tov_min", "20"), ("tov_max", "40")])).await,
        want(&|k| k.tov >= Decimal::from(20) && k.tov <= Decimal::from(40))
    );
    for sort in ["orders", "-orders"] {
        assert_eq!(
            ids(q(&[("tov_min", "10"), ("sort", sort)])).await,
            want(&|k| k.tov >= Decimal::from(10)),
            "by {sort}"
        );
    }
    assert_eq!(ids(q(&[("orders_min", "2")])).await, want(&|k| k.orders >= 2));
    assert_eq!(ids(q(&[("orders_max", "0")])).await, want(&|k| k.orders == 0));
    let day = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
    assert_eq!(
        ids(q(&[("purchased_from", "2026-02-01"), ("purchased_to", "2026-02-02")])).await,
        want(&|k| k.latest.is_some_and(|l| (day("2026-02-01")..=day("2026-02-02")).contains(&l.date_naive())))
    );
    // one end open, in both orders of the latest purchase: customers without a purchase never match
    for sort in ["latest_purchase", "-latest_purchase", "name", "orders", "-orders"] {
        assert_eq!(
            ids(q(&[("purchased_from", "2026-02-03"), ("sort", sort)])).await,
            want(&|k| k.latest.is_some_and(|l| l.date_naive() >= day("2026-02-03"))),
            "from, by {sort}"
        );
        assert_eq!(
            ids(q(&[("purchased_to", "2026-02-01"), ("sort", sort)])).await,
            want(&|k| k.latest.is_some_and(|l| l.date_naive() <= day("2026-02-01"))),
            "to, by {sort}"
        );
    }
    // the days are the workspace's: in New York (UTC−5 in February) a purchase at midnight UTC on the
    // 3rd was made on the 2nd, in the page and in its count
    sqlx::query!("update workspace set time_zone = 'America/New_York' where id = $1", ws).execute(&pool).await.unwrap();
    let new_york = chrono::FixedOffset::west_opt(5 * 3600).unwrap();
    let on_the_2nd = want(&|k| k.latest.is_some_and(|l| l.with_timezone(&new_york).date_naive() == day("2026-02-02")));
    assert!(!on_the_2nd.is_empty());
    for sort in ["latest_purchase", "-latest_purchase", "orders"] {
        let query = q(&[("purchased_from", "2026-02-02"), ("purchased_to", "2026-02-02"), ("sort", sort)]);
        assert_eq!(ids(query.clone()).await, on_the_2nd, "New York days, by {sort}");
        assert_eq!(list_customers(&pool, ws, &query).await.unwrap().total, on_the_2nd.len() as i64);
    }
    sqlx::query!("update workspace set time_zone = 'UTC' where id = $1", ws).execute(&pool).await.unwrap();
    assert_eq!(
        ids(q(&[("orders_min", "1"), ("tov_min", "30")])).await,
        want(&|k| k.orders >= 1 && k.tov >= Decimal::from(30)),
        "filters combine"
    );
    let all = want(&|_| true);
    assert_eq!(ids(q(&[("registered", "true")])).await, all, "everyone here was added by hand, registered");
    assert!(ids(q(&[("registered", "false")])).await.is_empty());
    assert!(ids(q(&[("sentiment", "negative")])).await.is_empty());
    assert_eq!(ids(q(&[("sentiment", "none")])).await, all);
    // the labels' boundaries: 0.05 is positive, −0.05 negative, between is neutral
    for (customer, score) in [(known[3].id, 0.05), (known[4].id, -0.05), (known[5].id, 0.0499)] {
        sqlx::query!(
            "update customer set sentiment_score = $3 where workspace_id = $1 and id = $2",
            ws,
            customer,
            score
        )
        .execute(&pool)
        .await
        .unwrap();
    }
    assert_eq!(ids(q(&[("sentiment", "positive")])).await, [known[3].id]);
    assert_eq!(ids(q(&[("sentiment", "negative")])).await, [known[4].id]);
    assert_eq!(ids(q(&[("sentiment", "neutral")])).await, [known[5].id]);
    sqlx::query!("update customer set sentiment_score = null where workspace_id = $1", ws)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(ids(q(&[("channel", "manual")])).await, all);
    assert!(ids(q(&[("channel", "amazon-de")])).await.is_empty(), "an unknown channel matches no one");

    // marks, manager, open tickets and segments
    let (a, b, c) = (known[0].id, known[1].id, known[2].id);
    sqlx::query!("update customer set vip_mark = true where workspace_id = $1 and id = $2", ws, a)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query!("update customer set bad_mark = true where workspace_id = $1 and id = $2", ws, b)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(ids(q(&[("mark", "vip")])).await, [a]);
    assert_eq!(ids(q(&[("mark", "bad")])).await, [b]);
    let ticket = |customer: i64, status: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query!(
                "insert into ticket (workspace_id, channel_id, customer_id, status, first_direction)
                 select $1, id, $2, $3, 'inbound' from channel where workspace_id = $1 and key = 'manual'",
                ws,
                customer,
                status
            )
            .execute(&pool)
            .await
            .unwrap();
        }
    };
    ticket(a, "todo").await;
    ticket(b, "resolved").await;
    ticket(c, "waiting").await;
    ticket(c, "resolved").await;
    // as the writers do after tickets change: indicators (open tickets among them), then segments;
    // no orders are stored here, so everyone now has none: a and b are new contacts, c a repeat one
    let mut tx = pool.begin().await.unwrap();
    let now = "2026-03-01T00:00:00Z".parse().unwrap();
    crate::customers::indicators::recompute(&mut tx, ws, None, now).await.unwrap();
    crate::segments::refresh_all(&mut tx, ws, now).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ids(q(&[("open_tickets", "true")])).await, [a, c]);
    assert_eq!(ids(q(&[("segment", "new_contact")])).await, [a, b]);
    assert_eq!(ids(q(&[("segment", "repeat_contact")])).await, [c]);
    assert_eq!(
        ids(q(&[("segment", "new_contact"), ("segment", "repeat_contact")])).await,
        [a, b, c],
        "any of the segments"
    );
    assert_eq!(ids(q(&[("segment", "new_contact"), ("mark", "bad")])).await, [b], "a segment and a mark");
    assert_eq!(ids(q(&[("segment", "repeat_contact"), ("segment", "no_such_segment")])).await, [c]);
    assert_eq!(ids(q(&[("channel", "manual"), ("channel", "amazon-de")])).await, all, "any of the channels");
    // a segment of the workspace's own, with and without a built-in one
    sqlx::query!(
        "with s as (insert into segment (workspace_id, key, name) values ($1, 'wholesale', 'Wholesale') returning id)
         insert into segment_membership (workspace_id, segment_id, customer_id, joined_at)
         select $1, s.id, $2, now() from s",
        ws,
        b
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(ids(q(&[("segment", "wholesale")])).await, [b]);
    assert_eq!(ids(q(&[("segment", "wholesale"), ("segment", "repeat_contact")])).await, [b, c]);
    assert!(ids(q(&[("segment", "wholesale"), ("channel", "amazon-de")])).await.is_empty());
    assert!(ids(q(&[("segment", "vip")])).await.is_empty());
    assert!(ids(q(&[("segment", "no_such_segment")])).await.is_empty(), "an unknown segment matches no one");
    let options = list_options(&pool, ws).await.unwrap();
    let listed = options.segments.iter().find(|s| s.key == "new_contact").unwrap();
    assert_eq!((listed.name.as_str(), listed.members), ("New contact", 2));
    assert_eq!(options.channels, ["manual"]);
}

/// Search forgives a wrong letter in a name or email, and finds phones in any format and orders
/// by number.
#[sqlx::test(migrations = "../migrations")]
async fn search_forgives_typos_and_finds_phones_and_order_numbers(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let bob = customer(&pool, ws, "Robert", "Norman", "robert.norman@example.com").await;
    let ann = customer(&pool, ws, "Ann", "Lee", "ann@shop.example").await;
    sqlx::query!(
        "insert into customer_phone (workspace_id, customer_id, raw, e164) values ($1, $2, '+1 613 612 0707', '+16136120707')",
        ws,
        ann
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query!(
        "insert into customer_order (workspace_id, channel_id, external_id, number, customer_id, placed_at, status,
                                     currency, total)
         select $1, id, 'o-1', '#1001', $2, now(), 'paid', 'USD', 10 from channel where workspace_id = $1 and key = 'manual'",
        ws,
        bob
    )
    .execute(&pool)
    .await
    .unwrap();
    let ids = |q: &str| {
        let pool = pool.clone();
        let query = CustomerQuery { q: Some(q.to_string()), ..Default::default() };
        async move { list_customers(&pool, ws, &query).await.unwrap().items.iter().map(|c| c.id).collect::<Vec<_>>() }
    };
    assert_eq!(ids("Normen").await, [bob], "one wrong letter");
    assert_eq!(ids("robert normna").await, [bob], "two letters swapped");
    assert_eq!(ids("robert.norman@exmaple.com").await, [bob], "a typo in the email");
    assert_eq!(ids("robert.normna@example.com").await, [bob], "a typo before the @");
    assert_eq!(ids("613-612-0707").await, [ann], "national format");
    assert_eq!(ids("(613) 612 07").await, [ann], "part of the number");
    assert!(ids("zz6120707@nowhere.example").await.is_empty(), "digits in an address are not a phone");
    assert_eq!(ids("1001").await, [bob], "order number without #");
    assert_eq!(ids("#1001").await, [bob]);
    assert!(ids("zzzz").await.is_empty());
    assert!(ids("Ann Normen").await.is_empty(), "every word must match, as typed or nearly");
    // a renamed customer's new words are found with typos too
    sqlx::query!("update customer set last_name = 'Lindqvist' where workspace_id = $1 and id = $2", ws, ann)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(ids("ann lindkvist").await, [ann], "a word learnt when the name changed");
    assert_eq!(ids("lindqvist").await, [ann], "the new name as typed");
    assert_eq!(ids("+1 (613) 612-0707").await, [ann], "international format");
    // an address added later is found at once; a phone removed no longer is
    sqlx::query!(
        "insert into customer_email (workspace_id, customer_id, email) values ($1, $2, 'a.lq@mail.example')",
        ws,
        ann
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(ids("a.lq@mail").await, [ann]);
    sqlx::query!("delete from customer_phone where workspace_id = $1 and customer_id = $2", ws, ann)
        .execute(&pool)
        .await
        .unwrap();
    assert!(ids("613 612 0707").await.is_empty(), "the removed phone");
    // close matches only when nothing matches as typed, and said so
    let page = |q: &str| {
        let pool = pool.clone();
        let query = CustomerQuery { q: Some(q.to_string()), ..Default::default() };
        async move { list_customers(&pool, ws, &query).await.unwrap() }
    };
    assert!(page("Normen").await.close_matches);
    assert!(!page("Norman").await.close_matches);
    let shared_domain = customer(&pool, ws, "Ann", "Lee", "lee@example.com").await;
    let mut found = ids("example.com").await;
    found.sort_unstable();
    assert_eq!(found, [bob, shared_domain], "what contains the text, and only that");
}

/// The list writes a mood as the expression the moods' sort indexes are led by (migration
/// `channel_and_sentiment_sorts`), threshold included: the planner uses them only for the same text.
#[sqlx::test(migrations = "../migrations")]
async fn a_mood_is_read_along_its_own_index(pool: PgPool) {
    let mut tx = pool.begin().await.unwrap();
    for setting in ["enable_seqscan", "enable_bitmapscan", "enable_sort"] {
        sqlx::query(&format!("set local {setting} = off")).execute(&mut *tx).await.unwrap();
    }
    let plan: Vec<String> = sqlx::query_scalar(&format!(
        "explain select c.id from customer c
          where c.workspace_id = 1 and c.merged_into_id is null and c.sentiment_score is not null and {} = -1
          order by c.last_name, c.first_name, c.id limit 50",
        sql::sentiment_group()
    ))
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    assert!(plan.concat().contains("customer_sentiment_by_name_idx"), "{plan:#?}");
}
