//! The API over real HTTP: the router served on a local port, called with an HTTP client.

use app::accounts::db::{create_api_key, create_workspace};
use app::clock::Clock;
use app::state::AppState;
use leptos::prelude::LeptosOptions;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

pub(super) async fn serve(pool: PgPool) -> String {
    serve_with(pool, LeptosOptions::builder().output_name("customer-view").build()).await
}

/// The whole router on a local port, with these Leptos options; answers its base URL.
pub(crate) async fn serve_with(pool: PgPool, leptos_options: LeptosOptions) -> String {
    serve_state_with(pool, leptos_options).await.0
}

/// The whole router on a local port; answers its base URL and its state (its live updates' hub).
pub(super) async fn serve_state(pool: PgPool) -> (String, AppState) {
    serve_state_with(pool, LeptosOptions::builder().output_name("customer-view").build()).await
}

async fn serve_state_with(pool: PgPool, leptos_options: LeptosOptions) -> (String, AppState) {
    let live = std::sync::Arc::new(app::live::hub::Hub::default());
    tokio::spawn(live.clone().run(pool.clone()));
    let state = AppState {
        leptos_options,
        pool,
        clock: Clock::fixed("2026-11-01T00:00:00Z".parse().unwrap()),
        secure_cookies: false,
        vip: Default::default(),
        trusted_proxies: Default::default(),
        live,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = crate::serve::router(state.clone());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
    });
    (format!("http://{addr}"), state)
}

pub(super) struct Shop {
    pub(super) key: String,
    pub(super) customer: i64,
}

pub(super) async fn shop(pool: &PgPool, slug: &str, first_name: &str) -> Shop {
    let ws = create_workspace(pool, slug, slug, "USD", "UTC").await.unwrap().id;
    let customer: i64 = sqlx::query_scalar(
        "insert into customer (workspace_id, channel_id, registered, first_name, last_name)
         select $1, id, true, $2, 'Norman' from channel where workspace_id = $1 and key = 'manual' returning id",
    )
    .bind(ws)
    .bind(first_name)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("insert into customer_email (workspace_id, customer_id, email) values ($1, $2, $3)")
        .bind(ws)
        .bind(customer)
        .bind(format!("{}@{slug}.example", first_name.to_lowercase()))
        .execute(pool)
        .await
        .unwrap();
    Shop { key: create_api_key(pool, ws, "test", None).await.unwrap(), customer }
}

pub(super) async fn get(base: &str, path: &str, key: Option<&str>) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[sqlx::test(migrations = "../migrations")]
async fn no_key_or_a_wrong_or_revoked_key_is_401(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    for path in ["/api/v1/customers", &format!("/api/v1/customers/{}", a.customer)] {
        let response = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path} without a key");
        assert!(response.headers().contains_key("www-authenticate"));
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthenticated");
        assert_eq!(get(&base, path, Some("cv_not_a_key")).await.0, StatusCode::UNAUTHORIZED, "{path} bad key");
    }
    assert_eq!(get(&base, "/api/v1/customers", Some(&a.key)).await.0, StatusCode::OK);
    sqlx::query("update api_key set revoked_at = now()").execute(&pool).await.unwrap();
    assert_eq!(get(&base, "/api/v1/customers", Some(&a.key)).await.0, StatusCode::UNAUTHORIZED, "revoked");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_key_sees_only_its_own_workspace(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let b = shop(&pool, "b", "Bob").await;
    let base = serve(pool.clone()).await;

    let (status, page) = get(&base, "/api/v1/customers", Some(&a.key)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], a.customer);
    assert_eq!(page["items"][0]["email"], "ann@a.example");
    assert_eq!(page["items"][0]["total_order_value"], "0", "decimals are strings");
    assert_eq!(page["next"], Value::Null);

    let (status, customer) = get(&base, &format!("/api/v1/customers/{}", a.customer), Some(&a.key)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(customer["first_name"], "Ann");
    assert_eq!(customer["channel"], "manual");
    assert_eq!(customer["registered"], true);
    assert_eq!(customer["emails"], serde_json::json!(["ann@a.example"]));
    assert_eq!(customer["sentiment"], Value::Null);
    assert_eq!(customer["average_order_value"], Value::Null);

    // B's customer is exactly as absent as one that never existed
    let (status, body) = get(&base, &format!("/api/v1/customers/{}", b.customer), Some(&a.key)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (missing, missing_body) = get(&base, "/api/v1/customers/999999999", Some(&a.key)).await;
    assert_eq!((missing, missing_body), (status, body));
    assert_eq!(get(&base, "/api/v1/customers/not-a-number", Some(&a.key)).await.0, StatusCode::NOT_FOUND);
    let (_, search) = get(&base, "/api/v1/customers?q=bob", Some(&a.key)).await;
    assert_eq!(search["total"], 0, "searching does not reach into B");
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_parameters_are_named_in_a_422(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool).await;
    for limit in ["0", "201", "many"] {
        let (status, body) = get(&base, &format!("/api/v1/customers?limit={limit}"), Some(&a.key)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "limit={limit}");
        assert_eq!(body["error"]["fields"][0]["path"], "limit");
    }
    assert_eq!(get(&base, "/api/v1/no-such-thing", Some(&a.key)).await.0, StatusCode::NOT_FOUND);
    let (status, body) = get(&base, "/api/v1/customers?sort=email&tov_min=ten&after=forged", Some(&a.key)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let paths: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["sort", "tov_min"]);
    let (status, body) = get(&base, "/api/v1/customers?after=forged", Some(&a.key)).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["path"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("after"))
    );
}

/// The API lists with the screen's filters, sort and cursors (SPEC §4 parameters).
#[sqlx::test(migrations = "../migrations")]
async fn the_list_filters_sorts_and_pages_like_the_screen(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    for (i, total) in ["10", "30", "20", "40", "50"].iter().enumerate() {
        let customer = serde_json::json!({"external_id": format!("C-{i}"), "email": format!("c{i}@example.com")});
        let (status, body) =
            post(&base, "/api/v1/orders", &a.key, &order(&format!("o{i}"), customer, "paid", total)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // registered shop customers with TOV ≥ 22 (× 1.1 exchange rate), highest first, two per page
    let mut url = "/api/v1/customers?channel=shopify-eu&tov_min=22&sort=-tov&limit=2".to_string();
    let mut seen = Vec::new();
    loop {
        let (status, page) = get(&base, &url, Some(&a.key)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!((page["total"].as_i64(), page["total_exact"].as_bool()), (Some(4), Some(true)));
        seen.extend(page["items"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap().to_string()));
        match page["next"].as_str() {
            Some(next) => {
                url = format!("/api/v1/customers?channel=shopify-eu&tov_min=22&sort=-tov&limit=2&after={next}")
            }
            None => break,
        }
    }
    assert_eq!(seen, ["c4@example.com", "c3@example.com", "c1@example.com", "c2@example.com"]);
    let (_, manual) = get(&base, "/api/v1/customers?channel=manual&segment=vip", Some(&a.key)).await;
    assert_eq!(manual["total"], 0, "Ann has no orders: not VIP");
    let (_, vip) = get(&base, "/api/v1/customers?segment=vip", Some(&a.key)).await;
    assert_eq!(vip["items"][0]["email"], "c4@example.com", "k = ceil(5 / 10) = 1: the top TOV");
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_need_a_session_and_carry_security_headers(pool: PgPool) {
    let base = serve(pool).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client.get(format!("{base}/customers?q=ann")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login?next=%2Fcustomers%3Fq%3Dann");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["x-frame-options"], "DENY");

    // a server function called without a session is refused, not run
    let path = <app::customers::list::ListCustomers as leptos::server_fn::ServerFn>::PATH;
    let body = serde_json::json!({"query": {"q": "ann"}});
    let response = client.post(format!("{base}{path}")).header("origin", &base).json(&body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let response = client.post(format!("{base}/logout")).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

pub(super) fn order(external_id: &str, customer: Value, status: &str, total: &str) -> Value {
    serde_json::json!({
        "channel": "shopify-eu", "channel_kind": "shopify", "external_id": external_id, "number": format!("#{external_id}"),
        "placed_at": "2026-10-01T10:00:00Z", "status": status, "currency": "EUR", "exchange_rate": "1.1",
        "total": total, "paid": total, "refunded": "0", "customer": customer,
        "lines": [{"sku": "A-1", "name": "Mug", "category": "Home", "quantity": 2, "unit_price": "5.00"}]
    })
}

pub(super) async fn post(base: &str, path: &str, key: &str, body: &Value) -> (StatusCode, Value) {
    let response =
        reqwest::Client::new().post(format!("{base}{path}")).bearer_auth(key).json(body).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[sqlx::test(migrations = "../migrations")]
async fn an_order_is_created_then_unchanged_when_resent_then_updated(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let bob = serde_json::json!({"external_id": "C-1", "email": "bob@example.com", "first_name": "Bob",
                                 "last_name": "Norman", "phone": "+1 613 612 0707"});
    let (status, body) = post(&base, "/api/v1/orders", &a.key, &order("1001", bob.clone(), "paid", "100.00")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["result"], "created");
    let customer = body["customer_id"].as_i64().unwrap();

    let (status, again) = post(&base, "/api/v1/orders", &a.key, &order("1001", bob.clone(), "paid", "100.0")).await;
    assert_eq!((status, again["result"].as_str()), (StatusCode::OK, Some("unchanged")));
    assert_eq!(again["id"], body["id"]);

    let (_, detail) = get(&base, &format!("/api/v1/customers/{customer}"), Some(&a.key)).await;
    assert_eq!(detail["orders"], 1);
    assert_eq!(detail["total_order_value"], "110.000");
    assert_eq!(detail["phones"][0]["e164"], "+16136120707");
    assert_eq!(detail["registered"], true);

    let (_, updated) = post(&base, "/api/v1/orders", &a.key, &order("1001", bob, "canceled", "100.00")).await;
    assert_eq!(updated["result"], "updated");
    let (_, detail) = get(&base, &format!("/api/v1/customers/{customer}"), Some(&a.key)).await;
    assert_eq!((detail["orders"].as_i64(), detail["total_order_value"].as_str()), (Some(0), Some("0")));
}

#[sqlx::test(migrations = "../migrations")]
async fn registered_customers_appear_once_and_guests_once_per_order(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let registered = serde_json::json!({"external_id": "C-7", "email": "reg@example.com"});
    let guest = serde_json::json!({"email": "guest@example.com", "first_name": "Gus"});
    let mut customers = Vec::new();
    for (id, customer) in [("1", &registered), ("2", &registered), ("3", &guest), ("4", &guest)] {
        let (status, body) = post(&base, "/api/v1/orders", &a.key, &order(id, customer.clone(), "paid", "10")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        customers.push(body["customer_id"].as_i64().unwrap());
    }
    assert_eq!(customers[0], customers[1], "one registered customer");
    assert_ne!(customers[2], customers[3], "a guest per order");
    let (_, resent) = post(&base, "/api/v1/orders", &a.key, &order("3", guest, "paid", "10")).await;
    assert_eq!(resent["customer_id"], customers[2], "a re-sent guest order keeps its guest");
    let (_, guest_detail) = get(&base, &format!("/api/v1/customers/{}", customers[2]), Some(&a.key)).await;
    assert_eq!((guest_detail["registered"].as_bool(), guest_detail["external_id"].is_null()), (Some(false), true));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_refused_order_names_its_fields_and_stores_nothing(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let mut bad = order("9", serde_json::json!({"external_id": "C-1"}), "shipped", "10");
    bad["lines"][0]["quantity"] = serde_json::json!(-1);
    let (status, body) = post(&base, "/api/v1/orders", &a.key, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let paths: Vec<_> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["path"].clone()).collect();
    assert_eq!(paths, ["$.status", "$.lines[0].quantity"]);

    let mut new_channel = order("9", serde_json::json!({"external_id": "C-1"}), "paid", "10");
    new_channel["channel"] = serde_json::json!("ebay-us");
    new_channel.as_object_mut().unwrap().remove("channel_kind");
    let (status, body) = post(&base, "/api/v1/orders", &a.key, &new_channel).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["path"], "$.channel_kind");

    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/orders"))
        .bearer_auth(&a.key)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (orders, customers): (i64, i64) =
        sqlx::query_as("select (select count(*) from customer_order), (select count(*) from customer)")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((orders, customers), (0, 1), "nothing was written");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_batch_answers_item_by_item(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let c = serde_json::json!({"external_id": "C-1"});
    let batch = serde_json::json!({"orders": [
        order("1", c.clone(), "paid", "10"),
        order("2", c.clone(), "teleported", "10"),
        order("1", c.clone(), "paid", "10"),
    ]});
    let (status, body) = post(&base, "/api/v1/orders/batch", &a.key, &batch).await;
    assert_eq!(status, StatusCode::OK);
    let results = body["results"].as_array().unwrap();
    assert_eq!(results[0]["result"], "created");
    assert_eq!(results[1]["result"], "error");
    assert_eq!(results[1]["errors"][0]["path"], "$.orders[1].status");
    assert_eq!(results[2]["result"], "unchanged");
    let too_many = serde_json::json!({"orders": vec![order("x", c, "paid", "1"); 1001]});
    let (status, body) = post(&base, "/api/v1/orders/batch", &a.key, &too_many).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["path"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("$.orders"))
    );
}

/// Many writers at once for one customer: no order is lost or counted twice.
#[sqlx::test(migrations = "../migrations")]
async fn concurrent_writers_neither_lose_nor_double_count(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let customer = serde_json::json!({"external_id": "C-busy"});
    let mut tasks = Vec::new();
    for i in 0..24 {
        // every order twice, racing itself, and all for the same (new) customer
        for _ in 0..2 {
            let (base, key, body) =
                (base.clone(), a.key.clone(), order(&format!("o{i}"), customer.clone(), "paid", "1.25"));
            tasks.push(tokio::spawn(async move { post(&base, "/api/v1/orders", &key, &body).await }));
        }
    }
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert!(status.is_success(), "{status} {body}");
    }
    let (orders, tov, customers): (i32, rust_decimal::Decimal, i64) = sqlx::query_as(
        "select order_count, total_order_value, (select count(*) from customer where external_id = 'C-busy')
           from customer where external_id = 'C-busy'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((orders, customers), (24, 1));
    assert_eq!(tov, "33".parse::<rust_decimal::Decimal>().unwrap(), "24 × 1.25 × 1.1");
}

/// A batch is stored as if its orders came one after the other: the same order twice, a guest order
/// re-sent, a customer's name and emails changing along the way, and one order refused.
#[sqlx::test(migrations = "../migrations")]
async fn a_batch_is_stored_as_if_one_order_after_the_other(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let bob = serde_json::json!({"external_id": "C-1", "email": "bob@example.com", "first_name": "Bob"});
    let robert = serde_json::json!({"external_id": "C-1", "email": " BOB@example.com", "first_name": "Robert",
                                    "last_name": "Norman", "phone": "+16136120707"});
    let bobby = serde_json::json!({"external_id": "C-1", "email": "robert@example.com", "phone": "+1 613 612 0707"});
    let guest = serde_json::json!({"email": "gus@example.com", "first_name": "Gus"});
    let mut dollars = order("4", bob.clone(), "paid", "10");
    dollars["currency"] = serde_json::json!("GBP");
    dollars.as_object_mut().unwrap().remove("exchange_rate");
    let batch = serde_json::json!({"orders": [
        order("1", bob, "paid", "10"),
        order("2", robert, "paid", "20"),
        order("3", guest.clone(), "paid", "5"),
        dollars,
        order("1", bobby, "returned", "10"),
        order("3", guest, "paid", "5"),
    ]});
    let (status, body) = post(&base, "/api/v1/orders/batch", &a.key, &batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let results = body["results"].as_array().unwrap();
    let outcomes: Vec<&str> = results.iter().map(|r| r["result"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["created", "created", "created", "error", "updated", "unchanged"]);
    assert_eq!(results[3]["errors"][0]["path"], "$.orders[3].exchange_rate");
    assert_eq!(results[0]["customer_id"], results[1]["customer_id"], "one registered customer");
    assert_eq!(results[0]["id"], results[4]["id"], "the second copy updated the first");
    assert_eq!(results[2]["customer_id"], results[5]["customer_id"], "a re-sent guest order keeps its guest");
    assert_ne!(results[2]["customer_id"], results[0]["customer_id"]);

    let customer = results[0]["customer_id"].as_i64().unwrap();
    let (_, detail) = get(&base, &format!("/api/v1/customers/{customer}"), Some(&a.key)).await;
    assert_eq!((detail["first_name"].as_str(), detail["last_name"].as_str()), (Some("Robert"), Some("Norman")));
    let emails: Vec<&str> = detail["emails"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert_eq!(emails, ["bob@example.com", "robert@example.com"], "no duplicate, in the order they came");
    assert_eq!(detail["phones"].as_array().unwrap().len(), 1, "the same number in two formats is one");
    // order 1 was returned by its second copy: it counts, with its refund of 0
    assert_eq!((detail["orders"].as_i64(), detail["total_order_value"].as_str()), (Some(2), Some("33.0")));
    let placed: i64 =
        sqlx::query_scalar("select count(*) from event where kind = 'order_placed'").fetch_one(&pool).await.unwrap();
    let changed: i64 =
        sqlx::query_scalar("select count(*) from event where kind = 'order_changed'").fetch_one(&pool).await.unwrap();
    assert_eq!((placed, changed), (3, 1));
}

/// Batches racing each other over the same customers, with orders sent by two of them: every order
/// counted exactly once.
#[sqlx::test(migrations = "../migrations")]
async fn concurrent_batches_neither_lose_nor_double_count(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let mut tasks = Vec::new();
    for b in 0..6 {
        // batches b and b+1 share half their order ids; each walks the customers in its own order
        let mut orders: Vec<Value> = (0..40)
            .map(|i| {
                let (id, customer) = if i % 2 == 0 {
                    (format!("shared-{}-{i}", b / 2), i % 5)
                } else {
                    (format!("own-{b}-{i}"), (i * 7 + b * 3) % 5)
                };
                order(&id, serde_json::json!({"external_id": format!("C-{customer}")}), "paid", "1.00")
            })
            .collect();
        if b % 2 == 1 {
            orders.reverse();
        }
        let (base, key) = (base.clone(), a.key.clone());
        tasks.push(tokio::spawn(async move {
            post(&base, "/api/v1/orders/batch", &key, &serde_json::json!({ "orders": orders })).await
        }));
    }
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["results"].as_array().unwrap().iter().all(|r| r["result"] != "error"), "{body}");
    }
    let (orders, counted, tov): (i64, i64, rust_decimal::Decimal) = sqlx::query_as(
        "select (select count(*) from customer_order), sum(order_count)::bigint, sum(total_order_value)
           from customer where external_id is not null",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    // 3 pairs of batches × 20 shared ids + 6 batches × 20 own ids
    assert_eq!((orders, counted), (180, 180));
    assert_eq!(tov, "198".parse::<rust_decimal::Decimal>().unwrap(), "180 × 1.00 × 1.1");
    // the VIP refreshes the batches asked for, coalesced, left the segment as §3 computes it from scratch
    let (expected, stored): (Vec<i64>, Vec<i64>) = sqlx::query_as(
        "with s as (select id, total_order_value as tov from customer where order_count >= 1 and total_order_value > 0),
              t as (select tov from s order by tov desc offset (select ceil(count(*) / 10.0)::int - 1 from s) limit 1)
         select array(select id from s where tov >= (select tov from t) order by id),
                array(select m.customer_id from segment_membership m join segment g on g.id = m.segment_id
                       where g.key = 'vip' order by m.customer_id)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!expected.is_empty());
    assert_eq!(stored, expected);
    // the running count of customers with orders and TOV > 0 (what the threshold's k comes from) that
    // the concurrent writers kept is the true count
    let (running, counted): (i64, i64) = sqlx::query_as(
        "select (select sum(delta)::bigint from vip_population),
                (select count(*) from customer where order_count >= 1 and total_order_value > 0)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(running, counted);
    // and the member count the refreshes walk from is the true one
    let (kept, members): (Option<i64>, i64) = sqlx::query_as(
        "select (select vip_members from workspace where slug = 'a'),
                (select count(*) from segment_membership m join segment g on g.id = m.segment_id where g.key = 'vip')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(kept, Some(members));
    // and the customer rows' segment flags (which the list filters on) say the same as the memberships
    let disagreeing: i64 = sqlx::query_scalar(
        "select count(*) from customer c
          where c.builtin_segments <> coalesce((select bit_or(segment_flag(g.key)) from segment_membership m
                                                  join segment g on g.workspace_id = m.workspace_id and g.id = m.segment_id
                                                 where m.workspace_id = c.workspace_id and m.customer_id = c.id), 0)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(disagreeing, 0);
}

fn message(id: &str, ticket: &str, customer: Value, direction: &str, body: &str, sent_at: &str) -> Value {
    serde_json::json!({"channel": "shopify-eu", "channel_kind": "shopify",
        "ticket": {"external_id": ticket, "subject": "Where is my parcel?", "status": "todo"},
        "customer": customer, "external_id": id, "direction": direction, "kind": "email", "body": body,
        "sent_at": sent_at})
}

#[sqlx::test(migrations = "../migrations")]
async fn messages_open_tickets_score_the_mood_and_make_contacts(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let eve = serde_json::json!({"email": "eve@example.com", "first_name": "Eve"});
    let angry = "This is terrible service, nobody answers my emails!";
    let (status, first) = post(
        &base,
        "/api/v1/messages",
        &a.key,
        &message("M-1", "T-1", eve.clone(), "inbound", angry, "2026-10-01T09:00:00Z"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let customer = first["customer_id"].as_i64().unwrap();
    let detail = |base: String, key: String| async move {
        get(&base, &format!("/api/v1/customers/{customer}"), Some(&key)).await.1
    };
    let d = detail(base.clone(), a.key.clone()).await;
    assert_eq!((d["contacts"].as_i64(), d["segments"].clone()), (Some(1), serde_json::json!(["new_contact"])));
    assert_eq!(d["sentiment"]["label"], "negative");

    // a reply does not change the mood; German mail gets no score; a second ticket makes a repeat contact
    let reply = message("M-2", "T-1", eve.clone(), "outbound", "Thank you, we are so sorry!", "2026-10-01T10:00:00Z");
    assert_eq!(post(&base, "/api/v1/messages", &a.key, &reply).await.0, StatusCode::CREATED);
    let german = "Hallo, leider ist mein Paket immer noch nicht angekommen. Können Sie bitte nachsehen, wo es ist?";
    let (_, second) = post(
        &base,
        "/api/v1/messages",
        &a.key,
        &message("M-3", "T-2", eve.clone(), "inbound", german, "2026-10-02T09:00:00Z"),
    )
    .await;
    assert_eq!(second["customer_id"], customer, "the same person by email");
    let d = detail(base.clone(), a.key.clone()).await;
    assert_eq!((d["contacts"].as_i64(), d["segments"].clone()), (Some(2), serde_json::json!(["repeat_contact"])));
    let score = d["sentiment"]["score"].as_f64().unwrap();
    let expected = app::sentiment::score_message(angry).unwrap();
    assert_eq!(score, expected, "only the scored English message counts");
    let unscored: Option<f64> = sqlx::query_scalar("select sentiment_score from message where external_id = 'M-3'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(unscored, None);

    let (status, again) = post(&base, "/api/v1/messages", &a.key, &reply).await;
    assert_eq!((status, again["result"].as_str()), (StatusCode::OK, Some("unchanged")));
    let (status, body) = post(&base, "/api/v1/messages/batch", &a.key, &serde_json::json!({"messages": [reply]})).await;
    assert_eq!((status, body["results"][0]["result"].as_str()), (StatusCode::OK, Some("unchanged")));
}

#[sqlx::test(migrations = "../migrations")]
async fn customers_are_added_by_hand_or_synced_from_a_channel(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let manual = serde_json::json!({"first_name": "Mia", "last_name": "Wong", "email": "mia@example.com",
                                    "company": "Lumen Studio"});
    let (status, body) = post(&base, "/api/v1/customers", &a.key, &manual).await;
    assert_eq!((status, body["result"].as_str()), (StatusCode::CREATED, Some("created")));
    let (_, mia) = get(&base, &format!("/api/v1/customers/{}", body["id"]), Some(&a.key)).await;
    assert_eq!((mia["channel"].as_str(), mia["registered"].as_bool()), (Some("manual"), Some(true)));
    assert_eq!((mia["external_id"].is_null(), mia["company"].as_str()), (true, Some("Lumen Studio")));

    let synced = serde_json::json!({"channel": "amazon-de", "channel_kind": "amazon", "external_id": "A-9",
                                    "first_name": "Jonas"});
    let (_, first) = post(&base, "/api/v1/customers", &a.key, &synced).await;
    let (status, second) = post(&base, "/api/v1/customers", &a.key, &synced).await;
    assert_eq!((status, second["result"].as_str()), (StatusCode::OK, Some("unchanged")));
    assert_eq!(first["id"], second["id"], "a channel customer is created once");
    let mut renamed = synced.clone();
    renamed["last_name"] = serde_json::json!("Becker");
    let (_, third) = post(&base, "/api/v1/customers", &a.key, &renamed).await;
    assert_eq!((third["id"].clone(), third["result"].as_str()), (first["id"].clone(), Some("updated")));

    let (status, body) =
        post(&base, "/api/v1/customers", &a.key, &serde_json::json!({"external_id": "X", "email": "nope"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["path"], "$.email");
}

/// A customer's addresses take the order's shape (SPEC §9), as shops and imported lists send them: any
/// part missing or blank, a country in lower case; a country that is no code, or a part that is no text,
/// is named in a 422 and nothing is stored; an address that places the customer nowhere changes nothing.
#[sqlx::test(migrations = "../migrations")]
async fn customer_addresses_take_the_orders_shape(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let mut mason = serde_json::json!({"channel": "febrl", "channel_kind": "other", "external_id": "rec-1-org",
        "first_name": "Madeline", "last_name": "Mason",
        "billing_address": {"line1": "54 Hoseason Street", "line2": "", "city": null, "postal_code": "4881",
                            "region": "qld"},
        "shipping_address": {"city": "Granville", "country": "au"}});
    let (status, created) = post(&base, "/api/v1/customers", &a.key, &mason).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let path = format!("/api/v1/customers/{}", created["id"]);
    let (_, stored) = get(&base, &path, Some(&a.key)).await;
    let billing = &stored["addresses"]["billing"];
    assert_eq!(
        [&billing["line1"], &billing["line2"], &billing["city"], &billing["postal_code"], &billing["country"]],
        [
            &serde_json::json!("54 Hoseason Street"),
            &Value::Null,
            &Value::Null,
            &serde_json::json!("4881"),
            &Value::Null
        ]
    );
    let shipping = &stored["addresses"]["shipping"];
    assert_eq!((shipping["city"].as_str(), shipping["country"].as_str()), (Some("Granville"), Some("AU")));

    // a country that is no code: named, and the stored addresses stay
    mason["billing_address"] = serde_json::json!({"line1": "1 Other Street", "country": "Australia"});
    let (status, refused) = post(&base, "/api/v1/customers", &a.key, &mason).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["fields"][0]["path"], "$.billing_address.country");
    mason["billing_address"] = serde_json::json!({"line1": "1 Other Street", "city": 4881});
    let (status, refused) = post(&base, "/api/v1/customers", &a.key, &mason).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["fields"][0]["path"], "$.billing_address.city");
    // nothing that places the customer (a name and a country): no change
    mason["billing_address"] = serde_json::json!({"name": "M. Mason", "line1": " ", "country": "AU"});
    let (status, again) = post(&base, "/api/v1/customers", &a.key, &mason).await;
    assert_eq!((status, again["result"].as_str()), (StatusCode::OK, Some("unchanged")));
    let (_, after) = get(&base, &path, Some(&a.key)).await;
    assert_eq!(after["addresses"], stored["addresses"]);
}

/// The OpenAPI document is served without a key, names every route, and describes the SPEC's example
/// order field by field.
#[sqlx::test(migrations = "../migrations")]
async fn the_openapi_document_describes_every_route_and_the_example_order(pool: PgPool) {
    let base = serve(pool).await;
    let (status, doc) = get(&base, "/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, method) in [
        ("/api/v1/orders", "post"),
        ("/api/v1/orders/batch", "post"),
        ("/api/v1/messages", "post"),
        ("/api/v1/messages/batch", "post"),
        ("/api/v1/customers", "post"),
        ("/api/v1/customers", "get"),
        ("/api/v1/customers/{id}", "get"),
    ] {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is documented");
        assert!(operation["responses"]["401"].is_object(), "{method} {path} says a key is needed");
    }
    assert_eq!(doc["components"]["securitySchemes"]["api_key"]["scheme"], "bearer");

    let schemas = &doc["components"]["schemas"];
    let resolve = |schema: &Value| -> Value {
        match schema["$ref"].as_str() {
            Some(reference) => schemas[reference.trim_start_matches("#/components/schemas/")].clone(),
            None => schema.clone(),
        }
    };
    // every field of the example is declared with the type it has there, and every required one is there
    fn check(example: &Value, schema: &Value, resolve: &dyn Fn(&Value) -> Value, at: &str) {
        let schema = resolve(schema);
        let properties = schema["properties"].as_object().unwrap_or_else(|| panic!("{at}: {schema}"));
        for (field, value) in example.as_object().unwrap() {
            let declared =
                resolve(&properties.get(field).cloned().unwrap_or_else(|| panic!("{at}.{field} undeclared")));
            let types: Vec<&str> = match &declared["type"] {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => vec!["object"],
            };
            let actual = match value {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Number(_) => "integer",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            };
            assert!(types.contains(&actual), "{at}.{field}: {actual} where {types:?} is declared");
            match value {
                Value::Object(_) if declared["properties"].is_object() => {
                    check(value, &declared, resolve, &format!("{at}.{field}"))
                }
                Value::Array(items) => check(&items[0], &declared["items"], resolve, &format!("{at}.{field}[0]")),
                _ => {}
            }
        }
        for required in schema["required"].as_array().into_iter().flatten() {
            assert!(example.get(required.as_str().unwrap()).is_some(), "{at}.{required} is required");
        }
    }
    let example = serde_json::json!({
        "channel": "shopify-eu", "channel_kind": "shopify", "external_id": "450789469", "number": "#1001",
        "placed_at": "2024-05-01T10:00:00Z", "status": "paid", "test": false, "currency": "EUR",
        "exchange_rate": "1", "total": "199.90", "paid": "199.90", "refunded": "0",
        "customer": {"external_id": "207119551", "email": "bob@example.com", "first_name": "Bob",
                     "last_name": "Norman", "phone": "+16136120707"},
        "shipping_address": {"name": "Bob Norman", "line1": "Chestnut Street 92", "line2": null,
                             "city": "Louisville", "region": "KY", "postal_code": "40202", "country": "US"},
        "billing_address": null,
        "lines": [{"sku": "IPOD2008PINK", "name": "iPod Nano 8GB", "category": "Electronics",
                   "quantity": 1, "unit_price": "199.00"}]
    });
    let body = &doc["paths"]["/api/v1/orders"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    check(&example, body, &resolve, "$");
}
