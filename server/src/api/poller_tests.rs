//! The Amazon poller against a stand-in of Login with Amazon and SP-API Orders v0 on 127.0.0.1: paging
//! with `NextToken`, a 429 waited out, an address the seller's roles do not reach, and a run that stops
//! half-way resumed by the next one without storing anything twice.

use super::tests::{serve_state, shop};
use app::channels::db::create as create_channel;
use app::channels::{AmazonCredentials, ChannelKind, Connection};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// What the stand-in has been asked, and whether page 2 fails once.
#[derive(Default)]
struct Amazon {
    order_calls: AtomicUsize,
    page_two_calls: AtomicUsize,
    fail_page_two_once: bool,
}

fn order(id: &str, status: &str, total: &str, updated: &str) -> Value {
    json!({"AmazonOrderId": id, "PurchaseDate": "2026-10-20T10:00:00Z", "LastUpdateDate": updated,
           "OrderStatus": status, "FulfillmentChannel": "MFN", "MarketplaceId": "ATVPDKIKX0DER",
           "OrderTotal": {"CurrencyCode": "USD", "Amount": total}})
}

async fn standin(amazon: Arc<Amazon>) -> String {
    async fn token(body: String) -> Response {
        if body.contains("refresh_token=Atzr%7Crefresh") && body.contains("grant_type=refresh_token") {
            Json(json!({"access_token": "Atza|access", "token_type": "bearer", "expires_in": 3600})).into_response()
        } else {
            (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant"}))).into_response()
        }
    }
    fn signed_in(headers: &HeaderMap) -> Result<(), Box<Response>> {
        match headers.get("x-amz-access-token").and_then(|v| v.to_str().ok()) {
            Some("Atza|access") => Ok(()),
            _ => Err(Box::new(
                (
                    StatusCode::FORBIDDEN,
                    Json(json!({"errors": [{"code": "Unauthorized", "message": "Access denied"}]})),
                )
                    .into_response(),
            )),
        }
    }
    fn answer(payload: Value) -> Response {
        ([("x-amzn-RateLimit-Limit", "50")], Json(json!({"payload": payload}))).into_response()
    }
    async fn orders(
        State(amazon): State<Arc<Amazon>>,
        headers: HeaderMap,
        Query(query): Query<HashMap<String, String>>,
    ) -> Response {
        if let Err(refused) = signed_in(&headers) {
            return *refused;
        }
        assert_eq!(query.get("MarketplaceIds").map(String::as_str), Some("ATVPDKIKX0DER"));
        // the very first call is throttled
        if amazon.order_calls.fetch_add(1, Ordering::SeqCst) == 0 {
            return (StatusCode::TOO_MANY_REQUESTS, Json(json!({"errors": [{"code": "QuotaExceeded"}]})))
                .into_response();
        }
        match query.get("NextToken").map(String::as_str) {
            None => {
                assert!(query.contains_key("LastUpdatedAfter"));
                answer(json!({"Orders": [order("111-0000001-0000001", "Unshipped", "40.00", "2026-10-20T11:00:00Z")],
                               "NextToken": "page-2"}))
            }
            Some("page-2") => {
                if amazon.fail_page_two_once && amazon.page_two_calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"errors": [{"message": "try later"}]})))
                        .into_response();
                }
                answer(json!({"Orders": [order("111-0000002-0000002", "Shipped", "15.50", "2026-10-21T09:00:00Z")],
                               "LastUpdatedBefore": "2026-10-31T12:00:00Z"}))
            }
            Some(_) => {
                (StatusCode::BAD_REQUEST, Json(json!({"errors": [{"message": "Invalid NextToken"}]}))).into_response()
            }
        }
    }
    async fn items(headers: HeaderMap, Path(id): Path<String>) -> Response {
        if let Err(refused) = signed_in(&headers) {
            return *refused;
        }
        let (title, quantity, price) =
            if id.ends_with('1') { ("Tea pot", 2, "40.00") } else { ("Tea cup", 1, "15.50") };
        answer(json!({"AmazonOrderId": id, "OrderItems": [{"ASIN": "B000TEA", "OrderItemId": "1", "SellerSKU": "TEA-1",
            "Title": title, "QuantityOrdered": quantity, "ItemPrice": {"CurrencyCode": "USD", "Amount": price}}]}))
    }
    async fn address(headers: HeaderMap, Path(id): Path<String>) -> Response {
        if let Err(refused) = signed_in(&headers) {
            return *refused;
        }
        if id.ends_with('2') {
            // the seller's roles do not reach this one
            return (
                StatusCode::FORBIDDEN,
                Json(json!({"errors": [{"message": "Access to requested resource is denied."}]})),
            )
                .into_response();
        }
        answer(json!({"AmazonOrderId": id, "ShippingAddress": {"Name": "Mia Wong", "AddressLine1": "1 Pine St",
            "City": "Seattle", "StateOrRegion": "WA", "PostalCode": "98101", "CountryCode": "US"}}))
    }
    async fn buyer(headers: HeaderMap, Path(id): Path<String>) -> Response {
        if let Err(refused) = signed_in(&headers) {
            return *refused;
        }
        let email = if id.ends_with('1') { "mia@marketplace.amazon.com" } else { "leo@marketplace.amazon.com" };
        answer(json!({"AmazonOrderId": id, "BuyerEmail": email, "BuyerName": "Buyer"}))
    }
    let router = axum::Router::new()
        .route("/auth/o2/token", post(token))
        .route("/orders/v0/orders", get(orders))
        .route("/orders/v0/orders/{id}/orderItems", get(items))
        .route("/orders/v0/orders/{id}/address", get(address))
        .route("/orders/v0/orders/{id}/buyerInfo", get(buyer))
        .with_state(amazon);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

async fn amazon_channel(pool: &PgPool, slug: &str, base: &str) -> i64 {
    shop(pool, slug, "Ann").await;
    let ws: i64 =
        sqlx::query_scalar("select id from workspace where slug = $1").bind(slug).fetch_one(pool).await.unwrap();
    let connection = Connection {
        name: "Amazon US".into(),
        api_base_url: Some(base.into()),
        amazon: Some(AmazonCredentials {
            marketplace_id: "ATVPDKIKX0DER".into(),
            client_id: "amzn1.application-oa2-client.x".into(),
            client_secret: "client-secret".into(),
            refresh_token: "Atzr|refresh".into(),
            token_url: Some(format!("{base}/auth/o2/token")),
        }),
        ..Connection::default()
    };
    create_channel(pool, ws, "amazon-us", ChannelKind::Amazon, &connection).await.unwrap();
    ws
}

async fn orders(pool: &PgPool, ws: i64) -> Vec<(String, String, Decimal)> {
    sqlx::query_as("select external_id, status, total from customer_order where workspace_id = $1 order by external_id")
        .bind(ws)
        .fetch_all(pool)
        .await
        .unwrap()
}

/// Makes the channel due again, as the schedule would.
async fn due(pool: &PgPool, ws: i64) {
    sqlx::query("update channel set next_poll_at = null where workspace_id = $1").bind(ws).execute(pool).await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn the_poller_reads_every_page_with_items_addresses_and_buyers_once(pool: PgPool) {
    let amazon = Arc::new(Amazon::default());
    let base = standin(amazon.clone()).await;
    let (_, state) = serve_state(pool.clone()).await;
    let ws = amazon_channel(&pool, "amazon", &base).await;
    let client = reqwest::Client::new();
    let read = app::channels::poller::poll_due(&state, &client, Duration::from_millis(10)).await.unwrap();
    assert_eq!(read, 1);
    let expected = vec![
        ("111-0000001-0000001".to_string(), "paid".to_string(), Decimal::new(4000, 2)),
        ("111-0000002-0000002".to_string(), "in_transit".to_string(), Decimal::new(1550, 2)),
    ];
    assert_eq!(orders(&pool, ws).await, expected);
    // the buyer's relay address is the customer; the address where the roles reach it
    let (city, email): (Option<String>, String) = sqlx::query_as(
        "select o.shipping_address->>'city', e.email from customer_order o
           join customer_email e on e.workspace_id = o.workspace_id and e.customer_id = o.customer_id
          where o.workspace_id = $1 and o.external_id = '111-0000001-0000001'",
    )
    .bind(ws)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((city.as_deref(), email.as_str()), (Some("Seattle"), "mia@marketplace.amazon.com"));
    let (after, token, error): (Option<chrono::DateTime<chrono::Utc>>, Option<String>, Option<String>) =
        sqlx::query_as(
            "select poll_after, poll_next_token, last_error from channel where workspace_id = $1 and key = 'amazon-us'",
        )
        .bind(ws)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((after, token, error), (Some("2026-10-31T12:00:00Z".parse().unwrap()), None, None));

    // not due again yet; once due, the same orders change nothing
    assert_eq!(app::channels::poller::poll_due(&state, &client, Duration::from_millis(10)).await.unwrap(), 0);
    due(&pool, ws).await;
    assert_eq!(app::channels::poller::poll_due(&state, &client, Duration::from_millis(10)).await.unwrap(), 1);
    assert_eq!(orders(&pool, ws).await, expected);
    let events: i64 = sqlx::query_scalar("select count(*) from event where workspace_id = $1 and tab = 'orders'")
        .bind(ws)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(events, 2, "one 'order placed' each, nothing for reading them again");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_run_stopped_half_way_is_resumed_from_its_page_and_a_switched_off_channel_is_not_read(pool: PgPool) {
    let amazon = Arc::new(Amazon { fail_page_two_once: true, ..Amazon::default() });
    let base = standin(amazon.clone()).await;
    let (_, state) = serve_state(pool.clone()).await;
    let ws = amazon_channel(&pool, "resume", &base).await;
    let client = reqwest::Client::new();
    app::channels::poller::poll_due(&state, &client, Duration::from_millis(10)).await.unwrap();
    // page 1 stored with the token of page 2; the error shown on the channel
    assert_eq!(orders(&pool, ws).await.len(), 1);
    let (token, error): (Option<String>, Option<String>) =
        sqlx::query_as("select poll_next_token, last_error from channel where workspace_id = $1 and key = 'amazon-us'")
            .bind(ws)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(token.as_deref(), Some("page-2"));
    assert!(error.unwrap().contains("503"));

    due(&pool, ws).await;
    app::channels::poller::poll_due(&state, &client, Duration::from_millis(10)).await.unwrap();
    assert_eq!(orders(&pool, ws).await.len(), 2);
    let calls_before = amazon.order_calls.load(Ordering::SeqCst);

    let id: i64 = sqlx::query_scalar("select id from channel where workspace_id = $1 and key = 'amazon-us'")
        .bind(ws)
        .fetch_one(&pool)
        .await
        .unwrap();
    app::channels::db::set_active(&pool, ws, id, false).await.unwrap();
    due(&pool, ws).await;
    assert_eq!(app::channels::poller::poll_due(&state, &client, Duration::from_millis(10)).await.unwrap(), 0);
    assert_eq!(amazon.order_calls.load(Ordering::SeqCst), calls_before);
}
