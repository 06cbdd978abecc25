//! The API over real HTTP: the router served on a local port, called with an HTTP client.

use app::accounts::db::{create_api_key, create_workspace};
use app::clock::Clock;
use app::state::AppState;
use leptos::prelude::LeptosOptions;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

async fn serve(pool: PgPool) -> String {
    let state = AppState {
        leptos_options: LeptosOptions::builder().output_name("customer-view").build(),
        pool,
        clock: Clock::fixed("2026-11-01T00:00:00Z".parse().unwrap()),
        secure_cookies: false,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            crate::serve::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

struct Shop {
    key: String,
    customer: i64,
}

async fn shop(pool: &PgPool, slug: &str, first_name: &str) -> Shop {
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

async fn get(base: &str, path: &str, key: Option<&str>) -> (StatusCode, Value) {
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
    let path = <app::customers::api::ListCustomers as leptos::server_fn::ServerFn>::PATH;
    let response =
        client.post(format!("{base}{path}")).header("origin", &base).form(&[("query[q]", "ann")]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let response = client.post(format!("{base}/logout")).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
