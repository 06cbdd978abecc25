//! The list benchmark of SPEC §8, run by `scripts/bench` (not part of `scripts/test`): against the
//! 1,000,000-customer workspace `bench`, p50/p95 of the list's page data (rows and capped count, as
//! the screen and the API ask for them) for every filter of §4 with every sort on the first page, and
//! on page 200 (reached through keyset cursors) for every filter with the default sort and every sort
//! without a filter; search; and the naive approach of §8 (OFFSET paging,
//! indicators computed per request with GROUP BY, COUNT(*) per page) on the same data in the same run;
//! and the customer detail. Then a part drawn at random (`random`): one filter kind at a time with
//! random values (bounds, days, keys, searches of 3–5 letters of real names) under every sort both
//! ways, each on its first page and on a deeper page reached through cursors, reported per class
//! (filter kind × sort) with the worst classes: the fixed table's values are the ones tuned for.
//! Prints Markdown; `scripts/bench` puts it into `bench/RESULTS.md`.
//!
//!     DATABASE_URL=… cargo bench -p server --bench list -- [--workspace bench] [--runs 11] [--quick]
//!         [--naive-only | --detail-only] [--only <part of a filter's name>]
//!         [--random N] [--seed S] [--deep P]
//!
//! `--random N`: only the random part, with N combinations (every class once per 168; a whole run draws
//! 336, about four minutes), or with `--only`, of the filter kinds whose name contains it. `--seed S`: the seed of its draws (printed; by default from the clock),
//! so that a run can be repeated. `--deep P`: the deeper page is drawn from pages 2 to P (default 40).
//! `--quick`, `--only`, `--naive-only` and `--detail-only` leave the random part out.

use app::customers::list::db::list_customers;
use app::customers::list::{CustomerQuery, Mark, SentimentFilter, Sort, SortKey};
use chrono::{Days, NaiveDate};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Past this, a query is only sampled three times, and its page 200 is not walked to.
const SLOW: Duration = Duration::from_millis(200);

struct Figures {
    p50: Duration,
    p95: Duration,
}

fn figures(mut samples: Vec<Duration>) -> Figures {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    Figures { p50: at(0.5), p95: at(0.95) }
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn time_list(pool: &PgPool, ws: i64, query: &CustomerQuery, runs: usize) -> Figures {
    figures(samples(pool, ws, query, runs).await)
}

/// `runs` timings of the page of `query` after a warm-up (three when the warm-up is slow).
async fn samples(pool: &PgPool, ws: i64, query: &CustomerQuery, runs: usize) -> Vec<Duration> {
    let started = Instant::now();
    list_customers(pool, ws, query).await.expect("warm-up");
    // a query far over its target needs no eleven samples to show it
    let runs = if started.elapsed() > SLOW { runs.min(3) } else { runs };
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        list_customers(pool, ws, query).await.expect("list");
        samples.push(started.elapsed());
    }
    samples
}

/// The query of page `n` (1-based), found by following "Next page"; the last page if there are fewer.
async fn page(pool: &PgPool, ws: i64, first: &CustomerQuery, n: usize) -> (CustomerQuery, usize) {
    let mut query = first.clone();
    for reached in 1..n {
        match list_customers(pool, ws, &query).await.expect("page").next {
            Some(next) => query = CustomerQuery { after: Some(next), ..query },
            None => return (query, reached),
        }
    }
    (query, n)
}

async fn time_sql(pool: &PgPool, sql: &str, runs: usize) -> Figures {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        pool.fetch_all(sql).await.expect("naive query");
        samples.push(started.elapsed());
    }
    figures(samples)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let slug = arg("--workspace").unwrap_or_else(|| "bench".into());
    let runs: usize = arg("--runs").map_or(11, |r| r.parse().expect("--runs N"));
    let quick = args.iter().any(|a| a == "--quick");
    // only the naive comparison (the list and search tables take a quarter of an hour at 1M)
    let naive_only = args.iter().any(|a| a == "--naive-only");
    let random_only: Option<usize> = arg("--random").map(|n| n.parse().expect("--random N"));
    let seed: u64 = arg("--seed").map_or_else(
        || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64,
        |s| s.parse().expect("--seed S"),
    );
    let deep: usize = arg("--deep").map_or(40, |p| p.parse().expect("--deep P"));
    assert!(deep >= 2, "--deep P: a page from 2 on");
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    // as the server connects (server/src/config.rs)
    let options = PgConnectOptions::from_str(&url).unwrap().options([("plan_cache_mode", "force_custom_plan")]);
    let pool = PgPoolOptions::new().max_connections(2).connect_with(options).await.expect("connect");
    let ws: i64 = sqlx::query_scalar("select id from workspace where slug = $1")
        .bind(&slug)
        .fetch_one(&pool)
        .await
        .expect("workspace");
    let customers: i64 = sqlx::query_scalar("select count(*) from customer where workspace_id = $1")
        .bind(ws)
        .fetch_one(&pool)
        .await
        .unwrap();
    let orders: i64 = sqlx::query_scalar("select count(*) from customer_order where workspace_id = $1")
        .bind(ws)
        .fetch_one(&pool)
        .await
        .unwrap();
    let channel: String =
        sqlx::query_scalar("select key from channel where workspace_id = $1 and kind = 'amazon' limit 1")
            .bind(ws)
            .fetch_one(&pool)
            .await
            .unwrap();
    println!(
        "Workspace `{slug}`: {customers} customers, {orders} orders; {runs} runs per figure (searches at least 41) after a warm-up.\n"
    );

    // only the customer detail
    let detail_only = args.iter().any(|a| a == "--detail-only");
    // only the filters whose name contains this (and search), to check a change quickly
    let only = arg("--only");
    if let Some(n) = random_only {
        random(&pool, ws, n, seed, deep, only.as_deref()).await;
        return;
    }
    if !naive_only && !detail_only {
        list_and_search(&pool, ws, &channel, runs, quick, only.as_deref()).await;
    }
    if !naive_only && only.is_none() {
        detail(&pool, ws).await;
    }
    if !detail_only && only.is_none() {
        naive(&pool, ws, runs).await;
    }
    if !naive_only && !detail_only && !quick && only.is_none() {
        random(&pool, ws, KINDS.len() * SortKey::ALL.len() * 2, seed, deep, None).await;
    }
}

/// The customer detail: what `GET /api/v1/customers/{id}` reads, and everything the customer page
/// loads (the profile, the first page of orders and of the timeline), each for 201 customers spread
/// over the workspace, every one read once after a warm-up on another.
async fn detail(pool: &PgPool, ws: i64) {
    use app::orders::OrderQuery;
    let ids: Vec<i64> = sqlx::query_scalar(
        "select id from (select id, row_number() over (order by id) as n from customer
                          where workspace_id = $1 and merged_into_id is null) c
          where n % 5000 = 1 limit 202",
    )
    .bind(ws)
    .fetch_all(pool)
    .await
    .unwrap();
    let now = chrono::Utc::now();
    let page = |id: i64| {
        let pool = pool.clone();
        async move {
            app::customers::profile::db::customer_profile(&pool, ws, id, now).await.expect("profile");
            let orders = OrderQuery { customer: Some(id), after: None, limit: Some(10) };
            app::orders::db::list_orders(&pool, ws, &orders).await.expect("orders");
            app::timeline::timeline(&pool, ws, id, "all", None, app::timeline::TIMELINE_PAGE).await.expect("timeline");
        }
    };
    page(ids[0]).await;
    app::customers::customer_detail(pool, ws, ids[0]).await.expect("warm-up");
    let (mut api, mut full) = (Vec::new(), Vec::new());
    for &id in &ids[1..] {
        let started = Instant::now();
        app::customers::customer_detail(pool, ws, id).await.expect("detail");
        api.push(started.elapsed());
        let started = Instant::now();
        page(id).await;
        full.push(started.elapsed());
    }
    println!("### Customer detail, ms\n");
    println!("{} customers spread over the workspace, each read once (target p95 ≤ 20 ms).\n", ids.len() - 1);
    println!("| what | p50 | p95 |");
    println!("|---|---|---|");
    let api = figures(api);
    println!(
        "| `GET /api/v1/customers/{{id}}` data (indicators, contacts, addresses) | {} | {} |",
        ms(api.p50),
        ms(api.p95)
    );
    let full = figures(full);
    println!(
        "| the customer page (profile with segments explained, duplicates, tickets, order summary, categories, spend; first page of orders and of the timeline) | {} | {} |\n",
        ms(full.p50),
        ms(full.p95)
    );
}

async fn list_and_search(pool: &PgPool, ws: i64, channel: &str, runs: usize, quick: bool, only: Option<&str>) {
    let pool = pool.clone();
    let channel = channel.to_string();
    let filters: Vec<(String, Vec<(&str, String)>)> = vec![
        ("no filter".into(), vec![]),
        ("segment=vip".into(), vec![("segment", "vip".into())]),
        ("segment=repeat_customer".into(), vec![("segment", "repeat_customer".into())]),
        ("segment=active_customer".into(), vec![("segment", "active_customer".into())]),
        ("segment=new_customer".into(), vec![("segment", "new_customer".into())]),
        ("segment=new_contact".into(), vec![("segment", "new_contact".into())]),
        ("segment=repeat_contact".into(), vec![("segment", "repeat_contact".into())]),
        (format!("channel={channel}"), vec![("channel", channel.clone())]),
        ("sentiment=negative".into(), vec![("sentiment", "negative".into())]),
        ("registered=false".into(), vec![("registered", "false".into())]),
        ("tov_min=1000".into(), vec![("tov_min", "1000".into())]),
        ("orders 2–3".into(), vec![("orders_min", "2".into()), ("orders_max", "3".into())]),
        (
            "purchased in Oct 2026".into(),
            vec![("purchased_from", "2026-10-01".into()), ("purchased_to", "2026-10-31".into())],
        ),
        ("open_tickets=true".into(), vec![("open_tickets", "true".into())]),
        ("mark=vip".into(), vec![("mark", "vip".into())]),
        ("manager=1".into(), vec![("manager", "1".into())]),
    ];
    let sorts: Vec<Sort> = SortKey::ALL
        .into_iter()
        .flat_map(|key| [Sort { key, descending: true }, Sort { key, descending: false }])
        .filter(|s| !quick || *s == Sort::default())
        .collect();

    println!("### List page data (rows and capped count), ms\n");
    println!("| filter | sort | first page p50 | p95 | page 200 p50 | p95 |");
    println!("|---|---|---|---|---|---|");
    let (mut worst_first, mut worst_deep) = (Duration::ZERO, Duration::ZERO);
    for (name, pairs) in filters.iter().filter(|(name, _)| only.is_none_or(|only| name.contains(only))) {
        for sort in &sorts {
            let mut first = CustomerQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
            first.sort = *sort;
            let top = time_list(&pool, ws, &first, runs).await;
            worst_first = worst_first.max(top.p95);
            // page 200 (reached by following 199 "Next page" cursors) for every filter with the default
            // sort and every sort without a filter
            let deep = if top.p50 > SLOW {
                "not walked: the first page is already slow | –".to_string()
            } else if pairs.is_empty() || *sort == Sort::default() {
                let (deep_query, reached) = page(&pool, ws, &first, 200).await;
                let deep = time_list(&pool, ws, &deep_query, runs).await;
                worst_deep = worst_deep.max(deep.p95);
                let note = if reached == 200 { String::new() } else { format!(" (last page: {reached})") };
                format!("{}{note} | {}", ms(deep.p50), ms(deep.p95))
            } else {
                "– | –".to_string()
            };
            println!("| {name} | {} | {} | {} | {deep} |", sort.param(), ms(top.p50), ms(top.p95));
        }
    }
    println!("\nWorst p95: first page {} ms, page 200 {} ms (target ≤ 20 ms).\n", ms(worst_first), ms(worst_deep));

    println!("### Search, ms\n");
    println!("| search | p50 | p95 |");
    println!("|---|---|---|");
    let sample: (String, String, Option<String>, String) = sqlx::query_as(
        "select c.first_name || ' ' || c.last_name,
                (select email from customer_email e where e.workspace_id = c.workspace_id and e.customer_id = c.id limit 1),
                (select raw from customer_phone p where p.workspace_id = c.workspace_id and p.customer_id = c.id limit 1),
                (select number from customer_order o where o.workspace_id = c.workspace_id and o.customer_id = c.id limit 1)
           from customer c where c.workspace_id = $1 and c.order_count > 0 and c.last_name <> ''
          order by c.id limit 1 offset 4321",
    )
    .bind(ws)
    .fetch_one(&pool)
    .await
    .unwrap();
    let (name, email, phone, number) = sample;
    let typo = format!("{}x", &name[..name.len() - 1]);
    // three letters of a name: thousands of matches
    let broad = name[..3].to_string();
    let mut searches = vec![
        ("name", name.clone()),
        ("name with a typo", typo),
        ("email with a typo", format!("{}x{}", &email[..2], &email[3..])),
        ("email", email),
        ("order number", number),
        ("three letters", broad.clone()),
    ];
    if let Some(phone) = phone {
        searches.push(("phone", phone));
    }
    // seven searches are quick to sample: with at least 41 runs each, p95 is not simply the slowest run
    // (the 11th of 11), which one checkpoint or autovacuum beside the run decides
    let search_runs = runs.max(41);
    let mut worst_search = Duration::ZERO;
    for (what, q) in searches {
        let query = CustomerQuery { q: Some(q.clone()), ..Default::default() };
        let f = time_list(&pool, ws, &query, search_runs).await;
        worst_search = worst_search.max(f.p95);
        println!("| {what} (`{q}`) | {} | {} |", ms(f.p50), ms(f.p95));
    }
    // the broad search in every other order: its thousands of matches are spread unevenly along some
    // (the newest registrations, say, are accounts that have not ordered yet)
    for sort in sorts.iter().filter(|s| **s != Sort::default()) {
        let query = CustomerQuery { q: Some(broad.clone()), sort: *sort, ..Default::default() };
        let f = time_list(&pool, ws, &query, search_runs).await;
        worst_search = worst_search.max(f.p95);
        println!("| three letters (`{broad}`), sort `{}` | {} | {} |", sort.param(), ms(f.p50), ms(f.p95));
    }
    println!("\nWorst search p95: {} ms (target ≤ 50 ms).\n", ms(worst_search));
}

async fn naive(pool: &PgPool, ws: i64, runs: usize) {
    let pool = pool.clone();
    println!("### The naive approach on the same data, ms\n");
    println!("OFFSET paging, indicators computed per request with GROUP BY over the orders, COUNT(*) per page.\n");
    println!("| query | naive p50 | naive p95 | this app p50 | ratio (p50) |");
    println!("|---|---|---|---|---|");
    let naive_runs = runs.min(3);
    let naive = |offset: i64, filter: &str| {
        format!(
            "with figures as (
                 select c.id, c.first_name, c.last_name,
                        coalesce(sum((o.total - o.refunded) * o.exchange_rate)
                                 filter (where not o.test and o.status not in ('draft', 'canceled')), 0) as tov,
                        count(o.id) filter (where not o.test and o.status not in ('draft', 'canceled')) as orders,
                        max(o.placed_at) filter (where not o.test and o.status not in ('draft', 'canceled')) as latest
                   from customer c
                   left join customer_order o on o.workspace_id = c.workspace_id and o.customer_id = c.id
                  where c.workspace_id = {ws}
                  group by c.workspace_id, c.id)
             select *, (select count(*) from figures where {filter}) as total
               from figures where {filter}
              order by latest desc nulls last, last_name, first_name, id
             offset {offset} limit 50"
        )
    };
    for (label, offset, filter, ours) in [
        ("first page, no filter", 0, "true", CustomerQuery::default()),
        ("page 200, no filter", 199 * 50, "true", page(&pool, ws, &CustomerQuery::default(), 200).await.0),
        (
            "first page, tov_min=1000",
            0,
            "tov >= 1000",
            CustomerQuery { tov_min: Some(1000.into()), ..Default::default() },
        ),
    ] {
        let slow = time_sql(&pool, &naive(offset, filter), naive_runs).await;
        let fast = time_list(&pool, ws, &ours, runs).await;
        println!(
            "| {label} | {} | {} | {} | {:.0}× |",
            ms(slow.p50),
            ms(slow.p95),
            ms(fast.p50),
            slow.p50.as_secs_f64() / fast.p50.as_secs_f64()
        );
    }
}

/// The filter kinds the random part draws, one per combination (`draw`).
const KINDS: [&str; 12] = [
    "no filter",
    "segment",
    "channel",
    "sentiment",
    "registered",
    "tov range",
    "orders range",
    "purchase days",
    "open tickets",
    "mark",
    "manager",
    "search",
];

/// Timings per combination and page in the random part (after a warm-up): its classes are many, so
/// each one's p95 comes from its combinations' values as much as from repeated runs.
const RANDOM_RUNS: usize = 5;

/// What the random values are drawn from: the workspace's own keys, and a sample of its customers.
struct Draws {
    segments: Vec<String>,
    channels: Vec<String>,
    managers: Vec<i64>,
    /// (total order value, number of orders, first name, last name) of about 2,000 customers.
    customers: Vec<(Decimal, i32, String, String)>,
    max_total: Decimal,
    max_orders: i32,
    first_day: NaiveDate,
    last_day: NaiveDate,
}

impl Draws {
    async fn load(pool: &PgPool, ws: i64, seed: u64) -> Draws {
        let keys = |sql: &'static str| sqlx::query_scalar::<_, String>(sql).bind(ws).fetch_all(pool);
        let segments = keys("select key from segment where workspace_id = $1 order by id").await.unwrap();
        let channels = keys("select key from channel where workspace_id = $1 order by key").await.unwrap();
        let mut managers: Vec<i64> =
            sqlx::query_scalar("select user_id from membership where workspace_id = $1 order by user_id")
                .bind(ws)
                .fetch_all(pool)
                .await
                .unwrap();
        if managers.is_empty() {
            // nobody manages anyone: a user id then matches no customer, which is still a filter to time
            managers.push(1);
        }
        // a repeatable sample (the seed picks it, in order: a scan may start where another one is), so that
        // the values follow the data: most totals small
        let customers: Vec<(Decimal, i32, String, String)> = sqlx::query_as(
            "select total_order_value, order_count, first_name, last_name
               from customer tablesample bernoulli (0.2) repeatable ($2)
              where workspace_id = $1 and merged_into_id is null
              order by id",
        )
        .bind(ws)
        .bind((seed % 1_000_000_007) as f64)
        .fetch_all(pool)
        .await
        .unwrap();
        assert!(!customers.is_empty(), "a workspace with customers");
        let (max_total, max_orders, first, last): (Decimal, i32, Option<NaiveDate>, Option<NaiveDate>) = sqlx::query_as(
            "select (select max(total_order_value) from customer where workspace_id = $1 and merged_into_id is null),
                    (select max(order_count) from customer where workspace_id = $1 and merged_into_id is null),
                    (select min(latest_purchase_at)::date from customer where workspace_id = $1 and merged_into_id is null),
                    (select max(latest_purchase_at)::date from customer where workspace_id = $1 and merged_into_id is null)",
        )
        .bind(ws)
        .fetch_one(pool)
        .await
        .unwrap();
        let today = chrono::Utc::now().date_naive();
        Draws {
            segments,
            channels,
            managers,
            customers,
            max_total,
            max_orders,
            first_day: first.unwrap_or(today),
            last_day: last.unwrap_or(today),
        }
    }

    /// A number in `0..=max`: half the time a sampled customer's (where customers are), otherwise spread
    /// evenly over the orders of magnitude up to `max` (the tails the sample rarely reaches).
    fn bound(
        &self,
        rng: &mut ChaCha8Rng,
        of_customer: impl Fn(&(Decimal, i32, String, String)) -> f64,
        max: f64,
    ) -> f64 {
        if rng.random::<bool>() {
            of_customer(self.customers.choose(rng).unwrap())
        } else {
            ((max + 1.0).ln() * rng.random::<f64>()).exp() - 1.0
        }
    }

    /// Two ends of a range, one of them left out a third of the time each.
    fn range<T: PartialOrd + Copy>(
        &self,
        rng: &mut ChaCha8Rng,
        mut draw: impl FnMut(&mut ChaCha8Rng) -> T,
    ) -> (Option<T>, Option<T>) {
        let (a, b) = (draw(rng), draw(rng));
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        match rng.random_range(0..3) {
            0 => (Some(low), None),
            1 => (None, Some(high)),
            _ => (Some(low), Some(high)),
        }
    }

    /// A query of the filter kind `KINDS[kind]` with random values.
    fn draw(&self, rng: &mut ChaCha8Rng, kind: usize) -> CustomerQuery {
        let mut query = CustomerQuery::default();
        match KINDS[kind] {
            "no filter" => {}
            // through the URL's reading, whatever type the query keeps keys in
            "segment" => {
                query = CustomerQuery::from_pairs([("segment", self.segments.choose(rng).unwrap().as_str())]).unwrap()
            }
            "channel" => query.channels.push(self.channels.choose(rng).unwrap().clone()),
            "sentiment" => query.sentiment = Some(*SentimentFilter::ALL.choose(rng).unwrap()),
            "registered" => query.registered = Some(rng.random()),
            "tov range" => {
                let max = self.max_total.try_into().unwrap_or(1e6);
                let draw = |rng: &mut ChaCha8Rng| {
                    Decimal::from(self.bound(rng, |c| c.0.try_into().unwrap_or(0.0), max).round() as i64)
                };
                (query.tov_min, query.tov_max) = self.range(rng, draw);
            }
            "orders range" => {
                let draw =
                    |rng: &mut ChaCha8Rng| self.bound(rng, |c| c.1.into(), self.max_orders.into()).round() as i32;
                (query.orders_min, query.orders_max) = self.range(rng, draw);
            }
            "purchase days" => {
                let days = (self.last_day - self.first_day).num_days().max(0) as u64;
                let draw = |rng: &mut ChaCha8Rng| self.first_day + Days::new(rng.random_range(0..=days));
                (query.purchased_from, query.purchased_to) = self.range(rng, draw);
            }
            "open tickets" => query.open_tickets = true,
            "mark" => query.mark = Some(if rng.random() { Mark::Vip } else { Mark::Bad }),
            "manager" => query.manager = Some(*self.managers.choose(rng).unwrap()),
            "search" => {
                // 3–5 letters from a word of a sampled customer's name (common names come up more often)
                let words: Vec<Vec<char>> = loop {
                    let (_, _, first, last) = self.customers.choose(rng).unwrap();
                    let words: Vec<Vec<char>> = format!("{first} {last}")
                        .split_whitespace()
                        .map(|w| w.chars().collect::<Vec<char>>())
                        .filter(|w| w.len() >= 3)
                        .collect();
                    if !words.is_empty() {
                        break words;
                    }
                };
                let word = words.choose(rng).unwrap();
                let len = rng.random_range(3..=word.len().min(5));
                let at = rng.random_range(0..=word.len() - len);
                query.q = Some(word[at..at + len].iter().collect());
            }
            other => unreachable!("{other}"),
        }
        query
    }
}

/// The timings of one class (filter kind × sort) in the random part, with its slowest page.
#[derive(Default)]
struct Class {
    combinations: usize,
    first: Vec<Duration>,
    deep: Vec<Duration>,
    /// The slowest sample: its time, the first page's URL and the page it was on.
    slowest: Option<(Duration, String, usize)>,
}

impl Class {
    fn note(&mut self, samples: &[Duration], url: &str, page: usize) {
        if let Some(&max) = samples.iter().max()
            && self.slowest.as_ref().is_none_or(|(slowest, _, _)| max > *slowest)
        {
            self.slowest = Some((max, url.to_string(), page));
        }
    }

    fn p95(&self) -> Duration {
        let p95 = |s: &Vec<Duration>| if s.is_empty() { Duration::ZERO } else { figures(s.clone()).p95 };
        p95(&self.first).max(p95(&self.deep))
    }
}

/// `n` combinations of one filter kind with random values and a sort: the classes (every filter kind ×
/// every sort, both ways) are taken in a shuffled order, all of them before any comes again, so that a
/// run of `KINDS.len()` × 14 combinations times each class once. Each combination's first page is timed,
/// then a page from 2 to `deep` reached by following "Next page" (the last page if there are fewer).
async fn random(pool: &PgPool, ws: i64, n: usize, seed: u64, deep: usize, only: Option<&str>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let draws = Draws::load(pool, ws, seed).await;
    let sorts: Vec<Sort> = SortKey::ALL
        .into_iter()
        .flat_map(|key| [Sort { key, descending: true }, Sort { key, descending: false }])
        .collect();
    let all: Vec<(usize, usize)> = (0..KINDS.len())
        .filter(|k| only.is_none_or(|only| KINDS[*k].contains(only)))
        .flat_map(|k| (0..sorts.len()).map(move |s| (k, s)))
        .collect();
    assert!(!all.is_empty(), "--only: a part of a filter kind's name: {KINDS:?}");
    let mut classes: Vec<Class> = all.iter().map(|_| Class::default()).collect();
    let mut order: Vec<usize> = Vec::new();
    let started = Instant::now();
    for i in 0..n {
        if order.is_empty() {
            order = (0..all.len()).collect();
            order.shuffle(&mut rng);
        }
        let class = order.pop().unwrap();
        let (kind, sort) = all[class];
        let mut query = draws.draw(&mut rng, kind);
        query.sort = sorts[sort];
        let page_wanted = rng.random_range(2..=deep);
        let url = query.url();
        let first = samples(pool, ws, &query, RANDOM_RUNS).await;
        let class = &mut classes[class];
        class.combinations += 1;
        class.note(&first, &url, 1);
        let slow = first.iter().min().is_some_and(|d| *d > SLOW);
        class.first.extend(first);
        if !slow {
            let (deeper, reached) = page(pool, ws, &query, page_wanted).await;
            if reached > 1 {
                let deeper = samples(pool, ws, &deeper, RANDOM_RUNS).await;
                class.note(&deeper, &url, reached);
                class.deep.extend(deeper);
            }
        }
        if (i + 1) % 50 == 0 {
            eprintln!("random: {} of {n} combinations, {:.0} s", i + 1, started.elapsed().as_secs_f64());
        }
    }

    let target = |kind: usize| Duration::from_millis(if KINDS[kind] == "search" { 50 } else { 20 });
    let cell = |samples: &Vec<Duration>, target: Duration| {
        if samples.is_empty() {
            return "– | –".to_string();
        }
        let f = figures(samples.clone());
        let p95 = if f.p95 > target { format!("**{}**", ms(f.p95)) } else { ms(f.p95) };
        format!("{} | {p95}", ms(f.p50))
    };
    println!("### Random combinations (one filter kind with random values × every sort), ms\n");
    println!(
        "Seed {seed} (`--random {n} --seed {seed} --deep {deep}` draws them again): {n} combinations over {} classes; \
         each first page and a page from 2 to {deep} reached through cursors (the last one if fewer), \
         {RANDOM_RUNS} runs each after a warm-up; {:.0} s. Over the target (20 ms, search 50 ms) in bold.\n",
        all.len(),
        started.elapsed().as_secs_f64()
    );
    println!("| filter | sort | combinations | first page p50 | p95 | deeper page p50 | p95 | slowest |");
    println!("|---|---|---|---|---|---|---|---|");
    let slowest = |class: &Class| match &class.slowest {
        Some((time, url, page)) => format!("{} ms: `{url}` page {page}", ms(*time)),
        None => "–".to_string(),
    };
    for (&(kind, sort), class) in all.iter().zip(&classes).filter(|(_, c)| c.combinations > 0) {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            KINDS[kind],
            sorts[sort].param(),
            class.combinations,
            cell(&class.first, target(kind)),
            cell(&class.deep, target(kind)),
            slowest(class)
        );
    }
    let mut worst: Vec<(&(usize, usize), &Class)> =
        all.iter().zip(&classes).filter(|(_, c)| c.combinations > 0).collect();
    // by how far over its own target each class is
    worst.sort_by(|(a, x), (b, y)| {
        let over = |kind: usize, class: &Class| class.p95().as_secs_f64() / target(kind).as_secs_f64();
        over(b.0, y).total_cmp(&over(a.0, x))
    });
    let over = worst.iter().filter(|((kind, _), class)| class.p95() > target(*kind)).count();
    println!("\nWorst classes ({over} over their target):\n");
    println!("| filter | sort | p95 (worse page) | target | slowest |");
    println!("|---|---|---|---|---|");
    for ((kind, sort), class) in worst.iter().take(10) {
        println!(
            "| {} | {} | {} | {} | {} |",
            KINDS[*kind],
            sorts[*sort].param(),
            ms(class.p95()),
            ms(target(*kind)),
            slowest(class)
        );
    }
    println!();
}
