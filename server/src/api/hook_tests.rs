//! Connected shops over real HTTP (SPEC §11): signed webhooks stored and worked through into customers
//! and orders, the BigCommerce store's API served by a stand-in on 127.0.0.1, the platform-native import
//! and the orders API.

use super::tests::{get, serve_state, shop};
use app::channels::db::create as create_channel;
use app::channels::{ChannelKind, Connection};
use app::hooks::signature::sign;
use app::state::AppState;
use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::get as route_get;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sqlx::PgPool;

const SHOPIFY_ORDER: &str = include_str!("../../../app/src/ingest/platforms/fixtures/shopify-order.json");
const SHOPIFY_REFUND: &str = include_str!("../../../app/src/ingest/platforms/fixtures/shopify-refund.json");
const WOOCOMMERCE_ORDER: &str = include_str!("../../../app/src/ingest/platforms/fixtures/woocommerce-order.json");

async fn workspace(pool: &PgPool, slug: &str) -> i64 {
    sqlx::query_scalar("select id from workspace where slug = $1").bind(slug).fetch_one(pool).await.unwrap()
}

/// A channel of `kind` with the secret `s3cret`; answers its webhook URL.
async fn channel(pool: &PgPool, base: &str, ws: i64, key: &str, kind: ChannelKind, api: Option<&str>) -> String {
    let connection = Connection {
        name: key.into(),
        secret: Some("s3cret".into()),
        api_base_url: api.map(str::to_string),
        access_token: api.map(|_| "bc-token".to_string()),
        amazon: None,
    };
    let channel = create_channel(pool, ws, key, kind, &connection).await.unwrap();
    format!("{base}{}", channel.hook_path.unwrap())
}

async fn deliver(url: &str, headers: &[(&str, &str)], body: &[u8]) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().post(url).header("content-type", "application/json").body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn shopify(url: &str, topic: &str, id: &str, body: &str) -> (StatusCode, Value) {
    let signature = sign("s3cret", body.as_bytes());
    let headers =
        [("x-shopify-hmac-sha256", signature.as_str()), ("x-shopify-topic", topic), ("x-shopify-webhook-id", id)];
    deliver(url, &headers, body.as_bytes()).await
}

/// Works through every delivery due, as the server's worker does.
async fn work(state: &AppState) {
    let client = reqwest::Client::new();
    while app::hooks::worker::work_batch(state, &client, 500).await.unwrap() > 0 {}
}

async fn count(pool: &PgPool, sql: &str, ws: i64) -> i64 {
    sqlx::query_scalar(sql).bind(ws).fetch_one(pool).await.unwrap()
}

/// The customer with `email`: (id, external id, first name, last name, total order value, orders).
async fn customer_by_email(pool: &PgPool, ws: i64, email: &str) -> (i64, Option<String>, String, String, Decimal, i32) {
    sqlx::query_as(
        "select c.id, c.external_id, c.first_name, c.last_name, c.total_order_value, c.order_count
           from customer c join customer_email e on e.workspace_id = c.workspace_id and e.customer_id = c.id
          where c.workspace_id = $1 and e.email = $2",
    )
    .bind(ws)
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn order_amounts(pool: &PgPool, ws: i64, external_id: &str) -> (String, Decimal, Decimal, Decimal) {
    sqlx::query_as(
        "select status, total, paid, refunded from customer_order where workspace_id = $1 and external_id = $2",
    )
    .bind(ws)
    .bind(external_id)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn money(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_signed_shopify_order_becomes_its_customer_and_order_once(pool: PgPool) {
    let (base, state) = serve_state(pool.clone()).await;
    shop(&pool, "hooks", "Ann").await;
    let ws = workspace(&pool, "hooks").await;
    let url = channel(&pool, &base, ws, "shopify-us", ChannelKind::Shopify, None).await;

    // a wrong signature: 401, nothing stored
    let forged = [("x-shopify-hmac-sha256", "bm90IGEgc2lnbmF0dXJl"), ("x-shopify-topic", "orders/create")];
    let (status, body) = deliver(&url, &forged, SHOPIFY_ORDER.as_bytes()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(count(&pool, "select count(*) from channel_delivery where workspace_id = $1", ws).await, 0);

    let (status, body) = shopify(&url, "orders/create", "delivery-1", SHOPIFY_ORDER).await;
    assert_eq!((status, body["duplicate"].as_bool()), (StatusCode::OK, Some(false)), "{body}");
    // answered before the work: stored, waiting
    assert_eq!(
        count(&pool, "select count(*) from channel_delivery where workspace_id = $1 and status = 'received'", ws).await,
        1
    );
    work(&state).await;

    let (id, external, first, last, value, orders) = customer_by_email(&pool, ws, "bob.norman@mail.example.com").await;
    assert_eq!((external.as_deref(), first.as_str(), last.as_str(), orders), (Some("207119551"), "Bob", "Norman", 1));
    // 598.94 ordered, 209.00 refunded
    assert_eq!(value, money("389.94"));
    assert_eq!(
        order_amounts(&pool, ws, "450789469").await,
        ("paid".to_string(), money("598.94"), money("598.94"), money("209.00"))
    );

    // the same delivery again, and the same order under another delivery id: nothing changes
    let (status, body) = shopify(&url, "orders/create", "delivery-1", SHOPIFY_ORDER).await;
    assert_eq!((status, body["duplicate"].as_bool()), (StatusCode::OK, Some(true)));
    shopify(&url, "orders/updated", "delivery-2", SHOPIFY_ORDER).await;
    work(&state).await;
    assert_eq!(count(&pool, "select count(*) from customer_order where workspace_id = $1", ws).await, 1);
    assert_eq!(customer_by_email(&pool, ws, "bob.norman@mail.example.com").await.4, money("389.94"));

    // a refund on its own, after the order: counted once into the order and the customer's figures
    for delivery in ["refund-1", "refund-1-again"] {
        shopify(&url, "refunds/create", delivery, SHOPIFY_REFUND).await;
        work(&state).await;
    }
    assert_eq!(order_amounts(&pool, ws, "450789469").await.3, money("250.94"));
    assert_eq!(customer_by_email(&pool, ws, "bob.norman@mail.example.com").await.4, money("348.00"));

    // an update that is newer lowers the figures exactly; an older one is ignored
    let mut order: Value = serde_json::from_str(SHOPIFY_ORDER).unwrap();
    if let Some(inner) = order.get("order").cloned() {
        order = inner;
    }
    order["updated_at"] = json!("2030-01-01T00:00:00Z");
    order["cancelled_at"] = json!("2030-01-01T00:00:00Z");
    order["financial_status"] = json!("voided");
    let cancelled = order.to_string();
    order["updated_at"] = json!("2029-01-01T00:00:00Z");
    order["cancelled_at"] = Value::Null;
    order["financial_status"] = json!("paid");
    let older = order.to_string();
    shopify(&url, "orders/cancelled", "delivery-3", &cancelled).await;
    shopify(&url, "orders/updated", "delivery-4", &older).await;
    work(&state).await;
    assert_eq!(order_amounts(&pool, ws, "450789469").await.0, "canceled");
    let (same_id, .., value, orders) = customer_by_email(&pool, ws, "bob.norman@mail.example.com").await;
    assert_eq!((same_id, value, orders), (id, Decimal::ZERO, 0));
    assert_eq!(
        count(&pool, "select count(*) from channel_delivery where workspace_id = $1 and status <> 'done'", ws).await,
        0
    );

    // switched off: 410, nothing stored
    app::channels::db::set_active(&pool, ws, channel_id(&pool, ws, "shopify-us").await, false).await.unwrap();
    let (status, _) = shopify(&url, "orders/updated", "delivery-5", SHOPIFY_ORDER).await;
    assert_eq!(status, StatusCode::GONE);
    // the six deliveries before it, and no more
    assert_eq!(count(&pool, "select count(*) from channel_delivery where workspace_id = $1", ws).await, 6);
}

async fn channel_id(pool: &PgPool, ws: i64, key: &str) -> i64 {
    sqlx::query_scalar("select id from channel where workspace_id = $1 and key = $2")
        .bind(ws)
        .bind(key)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn woocommerce_pings_are_answered_and_a_payload_the_mapping_refuses_is_failed_with_its_reason(pool: PgPool) {
    let (base, state) = serve_state(pool.clone()).await;
    shop(&pool, "woo", "Ann").await;
    let ws = workspace(&pool, "woo").await;
    let url = channel(&pool, &base, ws, "woo", ChannelKind::WooCommerce, None).await;
    let ping = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("webhook_id=15")
        .send()
        .await
        .unwrap();
    assert_eq!(ping.status(), StatusCode::OK);

    let woo = |body: String, delivery: &'static str| {
        let url = url.clone();
        async move {
            let signature = sign("s3cret", body.as_bytes());
            let headers = [
                ("x-wc-webhook-signature", signature.as_str()),
                ("x-wc-webhook-topic", "order.created"),
                ("x-wc-webhook-delivery-id", delivery),
            ];
            deliver(&url, &headers, body.as_bytes()).await
        }
    };
    assert_eq!(woo(WOOCOMMERCE_ORDER.to_string(), "1").await.0, StatusCode::OK);
    let mut broken: Value = serde_json::from_str(WOOCOMMERCE_ORDER).unwrap();
    broken["currency"] = json!("dollars");
    assert_eq!(woo(broken.to_string(), "2").await.0, StatusCode::OK);
    work(&state).await;
    assert_eq!(count(&pool, "select count(*) from customer_order where workspace_id = $1", ws).await, 1);
    let error: Option<String> =
        sqlx::query_scalar("select error from channel_delivery where workspace_id = $1 and status = 'failed'")
            .bind(ws)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(error.unwrap().contains("currency"));
    let channel = app::channels::db::one(&pool, ws, channel_id(&pool, ws, "woo").await).await.unwrap();
    assert!(channel.last_error.unwrap().contains("currency"));
    assert_eq!((channel.failed, channel.waiting), (1, 0));
    assert!(channel.last_received_at.is_some());
}

/// The BigCommerce store's API as its documentation shows it: the order, its products and its shipping
/// addresses, for the token `bc-token` only; order 404 is missing, order 429 is rate limited.
async fn bigcommerce_store() -> String {
    async fn order(Path(id): Path<u64>, headers: HeaderMap) -> Result<Json<Value>, AxumStatus> {
        authorised(&headers)?;
        match id {
            100 => Ok(Json(json!({
                "id": 100, "customer_id": 11, "date_created": "Tue, 05 Mar 2024 19:52:03 +0000",
                "date_modified": "Wed, 06 Mar 2024 08:00:00 +0000", "status_id": 11, "status": "Awaiting Fulfillment",
                "total_inc_tax": "225.0000", "refunded_amount": "0.0000", "currency_code": "USD",
                "payment_status": "captured",
                "billing_address": {"first_name": "Jane", "last_name": "Doe", "street_1": "455 Main Street",
                    "street_2": "", "city": "Austin", "state": "Texas", "zip": "78751", "country": "United States",
                    "country_iso2": "US", "phone": "+15125550100", "email": "jane@example.com"},
                "products": {"url": "https://api.bigcommerce.com/stores/abc/v2/orders/100/products", "resource": "/orders/100/products"}
            }))),
            429 => Err(AxumStatus::TOO_MANY_REQUESTS),
            _ => Err(AxumStatus::NOT_FOUND),
        }
    }
    async fn products(headers: HeaderMap) -> Result<Json<Value>, AxumStatus> {
        authorised(&headers)?;
        Ok(Json(json!([{"id": 1, "order_id": 100, "product_id": 77, "name": "Orbit Terrarium - Large",
                        "sku": "OTL-1", "quantity": 2, "price_inc_tax": "112.5000"}])))
    }
    async fn addresses(headers: HeaderMap) -> Result<Json<Value>, AxumStatus> {
        authorised(&headers)?;
        Ok(Json(
            json!([{"id": 9, "order_id": 100, "first_name": "Jane", "last_name": "Doe", "street_1": "455 Main Street",
                        "street_2": "", "city": "Austin", "state": "Texas", "zip": "78751", "country_iso2": "US"}]),
        ))
    }
    fn authorised(headers: &HeaderMap) -> Result<(), AxumStatus> {
        match headers.get("x-auth-token").and_then(|v| v.to_str().ok()) {
            Some("bc-token") => Ok(()),
            _ => Err(AxumStatus::UNAUTHORIZED),
        }
    }
    let router = axum::Router::new()
        .route("/v2/orders/{id}", route_get(order))
        .route("/v2/orders/{id}/products", route_get(products))
        .route("/v2/orders/{id}/shipping_addresses", route_get(addresses));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_bigcommerce_delivery_fetches_its_order_from_the_store(pool: PgPool) {
    let (base, state) = serve_state(pool.clone()).await;
    shop(&pool, "big", "Ann").await;
    let ws = workspace(&pool, "big").await;
    let store = bigcommerce_store().await;
    let url = channel(&pool, &base, ws, "big", ChannelKind::BigCommerce, Some(&store)).await;
    let hook = |id: u64, hash: &str| {
        json!({"scope": "store/order/created", "store_id": "1025646", "producer": "stores/abc",
               "data": {"type": "order", "id": id}, "hash": hash, "created_at": 1_709_668_323})
        .to_string()
    };
    let (status, _) = deliver(&url, &[("x-webhook-secret", "wrong")], hook(100, "h1").as_bytes()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for (id, hash) in [(100, "h1"), (404, "h2"), (429, "h3")] {
        let (status, body) = deliver(&url, &[("x-webhook-secret", "s3cret")], hook(id, hash).as_bytes()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    work(&state).await;

    let (_, external, first, last, value, orders) = customer_by_email(&pool, ws, "jane@example.com").await;
    assert_eq!(
        (external.as_deref(), first.as_str(), last.as_str(), value, orders),
        (Some("11"), "Jane", "Doe", money("225"), 1)
    );
    assert_eq!(order_amounts(&pool, ws, "100").await, ("paid".to_string(), money("225"), money("225"), Decimal::ZERO));
    let lines: Vec<(String, i32, Decimal)> =
        sqlx::query_as("select name, quantity, unit_price from order_line where workspace_id = $1")
            .bind(ws)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(lines, [("Orbit Terrarium - Large".to_string(), 2, money("112.5"))]);
    // the missing order failed for good, the rate-limited one waits for another try
    let states: Vec<(String, i32)> = sqlx::query_as(
        "select status, attempts from channel_delivery where workspace_id = $1 and status <> 'done' order by id",
    )
    .bind(ws)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(states, [("failed".to_string(), 1), ("received".to_string(), 1)]);
}

#[sqlx::test(migrations = "../migrations")]
async fn platform_orders_are_imported_with_the_channels_mapping_and_read_back_from_the_orders_api(pool: PgPool) {
    let (base, _state) = serve_state(pool.clone()).await;
    let key = shop(&pool, "import", "Ann").await.key;
    let ws = workspace(&pool, "import").await;
    channel(&pool, &base, ws, "shopify-us", ChannelKind::Shopify, None).await;
    let post = |path: String, body: String| {
        let key = key.clone();
        async move {
            let response = reqwest::Client::new()
                .post(path)
                .bearer_auth(key)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, created) =
        post(format!("{base}/api/v1/channels/shopify-us/platform-orders"), SHOPIFY_ORDER.into()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, again) =
        post(format!("{base}/api/v1/channels/shopify-us/platform-orders"), SHOPIFY_ORDER.into()).await;
    assert_eq!((status, again["result"].as_str()), (StatusCode::OK, Some("unchanged")));
    let (status, refused) = post(format!("{base}/api/v1/channels/nowhere/platform-orders"), SHOPIFY_ORDER.into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, refused) =
        post(format!("{base}/api/v1/channels/shopify-us/platform-orders"), "{\"id\": 1}".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    let customer = created["customer_id"].as_i64().unwrap();
    let (status, page) = get(&base, &format!("/api/v1/orders?customer={customer}"), Some(&key)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["external_id"], "450789469");
    let id = page["items"][0]["id"].as_i64().unwrap();
    let (status, order) = get(&base, &format!("/api/v1/orders/{id}"), Some(&key)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&order["number"], &order["total"], &order["paid"], &order["refunded"], &order["customer_id"]),
        (&json!("#1001"), &json!("598.94"), &json!("598.94"), &json!("209.00"), &json!(customer))
    );
    assert_eq!(order["lines"].as_array().unwrap().len(), 3);
    assert_eq!(order["channel"], "shopify-us");
    let (status, _) = get(&base, "/api/v1/orders?limit=0", Some(&key)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = get(&base, "/api/v1/orders/999999", Some(&key)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&base, "/api/v1/orders", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
