//! No input breaks a workspace, no bad input is a 500, and the database's absence is a 503 (SPEC §15):
//! each test tries, over real HTTP, what once got through.

use super::tests::{get, order, post, serve, serve_with, shop};
use leptos::prelude::LeptosOptions;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE};
use serde_json::{Value, json};
use sqlx::PgPool;

fn paths(body: &Value) -> Vec<String> {
    body["error"]["fields"].as_array().map_or_else(Vec::new, |fields| {
        fields.iter().map(|f| f["path"].as_str().unwrap_or_default().to_string()).collect()
    })
}

/// An order near the top of what decimals hold once committed, and every later read of its customer's
/// figures failed: the list, the customer, the refresh of the workspace.
#[sqlx::test(migrations = "../migrations")]
async fn amounts_beyond_the_limit_are_refused_and_the_workspace_stays_readable(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let bob = json!({"external_id": "C-1", "email": "bob@example.com"});
    let mut huge = order("1", bob.clone(), "paid", "7000000000000000000000000000");
    huge["paid"] = json!("0");
    let mut converted = order("2", bob.clone(), "paid", "9999999999999");
    converted["paid"] = json!("0"); // 9,999,999,999,999 × 1.1 is over the limit in the base currency
    let mut line = order("3", bob.clone(), "paid", "10");
    line["lines"][0]["quantity"] = json!(1000);
    line["lines"][0]["unit_price"] = json!("99999999999");
    let mut paid = order("4", bob.clone(), "paid", "10");
    paid["paid"] = json!("10000000000000");
    for (body, field) in [(huge, "$.total"), (converted, "$.total"), (line, "$.lines[0].unit_price"), (paid, "$.paid")]
    {
        let (status, answer) = post(&base, "/api/v1/orders", &a.key, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert!(paths(&answer).contains(&field.to_string()), "{field} in {answer}");
    }
    let mut largest = order("5", bob, "paid", "9999999999999.9999");
    largest["exchange_rate"] = json!("1");
    assert_eq!(post(&base, "/api/v1/orders", &a.key, &largest).await.0, StatusCode::CREATED);

    let (status, list) = get(&base, "/api/v1/customers", Some(&a.key)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let bob = list["items"].as_array().unwrap().iter().find(|c| c["external_id"] == "C-1").unwrap().clone();
    assert_eq!(bob["total_order_value"], "9999999999999.9999");
    assert_eq!(get(&base, &format!("/api/v1/customers/{}", bob["id"]), Some(&a.key)).await.0, StatusCode::OK);

    // the database keeps the bound too, whoever writes
    let refused = sqlx::query("update customer_order set total = 1e20, paid = 0 where external_id = '5'")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("customer_order_amounts_bounded"), "{refused}");
}

/// Text PostgreSQL refuses, emails with two @, channel keys it refuses, years it cannot read and forged
/// page links all reached the database and came back as 500s.
#[sqlx::test(migrations = "../migrations")]
async fn bad_text_keys_and_dates_are_refused_naming_the_field(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool).await;
    let customer = |body: Value| (body, "/api/v1/customers");
    let mut nul_in_order = order("1", json!({"external_id": "C-1", "first_name": "Bo\u{0}b"}), "paid", "10");
    nul_in_order["shipping_address"] = json!({"line1": "Main St 1", "city": "Lou\u{0}isville", "country": "US"});
    let mut year_one = order("2", json!({"external_id": "C-1"}), "paid", "10");
    year_one["placed_at"] = json!("0001-01-01T00:00:00+01:00"); // year 0 in UTC
    let message = json!({"channel": "Shop EU", "channel_kind": "shopify", "ticket": {"external_id": "T-1"},
                         "customer": {"email": "bob@example.com"}, "external_id": "M-1", "direction": "inbound",
                         "kind": "email", "body": "Hi\u{0}", "sent_at": "2026-10-01T10:00:00Z"});
    let cases = [
        (customer(json!({"first_name": "a\u{0}b"})), vec!["$.first_name"]),
        (customer(json!({"email": "a@b@c"})), vec!["$.email"]),
        (customer(json!({"channel": "Bad Key!", "channel_kind": "other", "external_id": "1"})), vec!["$.channel"]),
        ((message, "/api/v1/messages"), vec!["$.channel", "$.body"]),
        ((nul_in_order, "/api/v1/orders"), vec!["$.shipping_address.city", "$.customer.first_name"]),
        ((year_one, "/api/v1/orders"), vec!["$.placed_at"]),
    ];
    for ((body, path), fields) in cases {
        let (status, answer) = post(&base, path, &a.key, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path} {body}: {answer}");
        for field in fields {
            assert!(paths(&answer).contains(&field.to_string()), "{field} in {answer}");
        }
    }

    use base64::Engine;
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(br#"{"sort":"customer_since","values":[{"Time":"-0001-01-01 00:00:00+00"},{"Int":1}]}"#);
    let fields = (0..25).map(|i| format!("field.f{i}=x")).collect::<Vec<_>>().join("&");
    for (query, field) in [
        ("purchased_from=-0001-01-01".to_string(), "purchased_from"),
        ("purchased_to=99999-01-01".to_string(), "purchased_to"),
        (format!("q={}", "a".repeat(300)), "q"),
        ("q=a%00b".to_string(), "q"),
        (fields, "field"),
        (format!("sort=customer_since&after={forged}"), "after"),
    ] {
        let (status, answer) = get(&base, &format!("/api/v1/customers?{query}"), Some(&a.key)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {answer}");
        assert_eq!(paths(&answer), [field], "{query}");
    }
}

/// A customer added by hand (no channel customer id) and sent again was created again.
#[sqlx::test(migrations = "../migrations")]
async fn a_customer_sent_again_without_an_external_id_is_the_same_customer(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool).await;
    for body in [
        json!({"first_name": "Mia", "email": "mia@example.com"}),
        json!({"first_name": "Noor", "phone": "+1 613 612 0707"}),
        json!({"first_name": "Lea", "last_name": "Roth", "company": "Roth GmbH"}),
    ] {
        let (status, first) = post(&base, "/api/v1/customers", &a.key, &body).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        let (status, again) = post(&base, "/api/v1/customers", &a.key, &body).await;
        assert_eq!((status, again["result"].as_str()), (StatusCode::OK, Some("unchanged")), "{body}");
        assert_eq!(first["id"], again["id"], "{body}");
    }
    // the email is the key, whatever its case; another email is another customer
    let (_, mia) = post(&base, "/api/v1/customers", &a.key, &json!({"email": " MIA@example.com"})).await;
    let (_, other) = post(&base, "/api/v1/customers", &a.key, &json!({"email": "mia2@example.com"})).await;
    assert_eq!(mia["result"], "unchanged");
    assert_eq!(other["result"], "created");
}

/// Signs in through the form and answers the session cookie.
pub(super) async fn sign_in(base: &str, email: &str, next: &str) -> (StatusCode, Option<String>, String) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client
        .post(format!("{base}/login"))
        .header("origin", base)
        .form(&[("email", email), ("password", "a long password"), ("next", next)])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .and_then(|c| c.to_str().ok())
        .map(|c| c.split(';').next().unwrap().to_string());
    let location = response.headers().get(LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
    (response.status(), cookie, location)
}

pub(super) async fn member(pool: &PgPool, slug: &str, email: &str, role: app::accounts::Role) {
    let ws = app::accounts::db::workspace_by_slug(pool, slug).await.unwrap();
    let hash = app::accounts::secrets::hash_password("a long password").unwrap();
    app::accounts::db::add_member(pool, ws.id, email, role, Some(&hash)).await.unwrap();
}

/// Server functions answered malformed arguments, oversized bodies and stale page links with 500.
#[sqlx::test(migrations = "../migrations")]
async fn server_functions_answer_bad_arguments_with_a_4xx(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    member(&pool, "a", "agent@a.example", app::accounts::Role::Agent).await;
    let base = serve(pool).await;
    let (_, cookie, _) = sign_in(&base, "agent@a.example", "/customers").await;
    let cookie = cookie.expect("signed in");
    let client = reqwest::Client::new();
    let call = |path: &str| client.post(format!("{base}{path}")).header("origin", &base).header(COOKIE, &cookie);
    let add_note = <app::notes::AddNote as leptos::server_fn::ServerFn>::PATH;
    let list = <app::customers::list::ListCustomers as leptos::server_fn::ServerFn>::PATH;

    let status = |r: reqwest::Response| r.status();
    assert_eq!(status(call(add_note).form(&[("customer", "abc"), ("body", "x")]).send().await.unwrap()), 400);
    assert_eq!(status(call(add_note).form(&[("body", "x")]).send().await.unwrap()), 400);
    let nul =
        call(add_note).form(&[("customer", a.customer.to_string().as_str()), ("body", "a\0b")]).send().await.unwrap();
    assert_eq!(nul.status(), 422);
    assert!(nul.text().await.unwrap().contains("\"body\""), "the field is named");
    let long = json!({"query": {"q": "x".repeat(3000)}});
    assert_eq!(status(call(list).json(&long).send().await.unwrap()), 422);
    let stale = json!({"query": {"after": "forged"}});
    assert_eq!(status(call(list).json(&stale).send().await.unwrap()), 422);
    let fields: Vec<(String, String)> = (0..25).map(|i| (format!("f{i}"), "x".to_string())).collect();
    assert_eq!(status(call(list).json(&json!({"query": {"fields": fields}})).send().await.unwrap()), 422);
    let huge = json!({"query": {"q": "x".repeat(2 * 1024 * 1024)}});
    assert_eq!(status(call(list).json(&huge).send().await.unwrap()), 413);
    assert_eq!(
        status(call(list).body("{not json").header("content-type", "application/json").send().await.unwrap()),
        400
    );
}

/// Deletes are admins' and downloads agents' and admins' (SPEC §2): agents deleted notes and files, and
/// viewers downloaded orders as CSV.
#[sqlx::test(migrations = "../migrations")]
async fn deleting_needs_an_admin_and_downloading_an_agent(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    member(&pool, "a", "agent@a.example", app::accounts::Role::Agent).await;
    member(&pool, "a", "viewer@a.example", app::accounts::Role::Viewer).await;
    let base = serve(pool.clone()).await;
    let (_, created) =
        post(&base, "/api/v1/orders", &a.key, &order("1", json!({"external_id": "C-1"}), "paid", "10")).await;
    let client = reqwest::Client::new();
    let (_, agent, _) = sign_in(&base, "agent@a.example", "/customers").await;
    let (_, viewer, _) = sign_in(&base, "viewer@a.example", "/customers").await;
    let (agent, viewer) = (agent.unwrap(), viewer.unwrap());
    let download = format!("{base}/orders/{}/download", created["id"]);
    assert_eq!(client.get(&download).header(COOKIE, &viewer).send().await.unwrap().status(), 403);
    assert_eq!(client.get(&download).header(COOKIE, &agent).send().await.unwrap().status(), 200);

    let add_note = <app::notes::AddNote as leptos::server_fn::ServerFn>::PATH;
    let delete_note = <app::notes::DeleteNote as leptos::server_fn::ServerFn>::PATH;
    let note: i64 = client
        .post(format!("{base}{add_note}"))
        .header("origin", &base)
        .header(COOKIE, &agent)
        .form(&[("customer", a.customer.to_string().as_str()), ("body", "a note")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let deleted = client
        .post(format!("{base}{delete_note}"))
        .header("origin", &base)
        .header(COOKIE, &agent)
        .form(&[("id", note.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 403);
    let left: i64 =
        sqlx::query_scalar("select count(*) from note where id = $1").bind(note).fetch_one(&pool).await.unwrap();
    assert_eq!(left, 1, "the note is still there");
}

/// `next=/%09/evil.example`: browsers drop the tab and follow `//evil.example`.
#[sqlx::test(migrations = "../migrations")]
async fn sign_in_sends_people_only_to_pages_of_this_site(pool: PgPool) {
    shop(&pool, "a", "Ann").await;
    member(&pool, "a", "agent@a.example", app::accounts::Role::Agent).await;
    let base = serve(pool).await;
    for next in ["/\t/evil.example", "/\\evil.example", "//evil.example", "https://evil.example/"] {
        let (status, _, location) = sign_in(&base, "agent@a.example", next).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/customers"), "{next:?}");
    }
    let (_, _, location) = sign_in(&base, "agent@a.example", "/orders?customer=1").await;
    assert_eq!(location, "/orders?customer=1");
}

/// Sessions expire in real time even when `CV_NOW` pins the business clock (the test server's clock is
/// pinned to 2026-11-01, before the session's expiry below).
#[sqlx::test(migrations = "../migrations")]
async fn sessions_expire_in_real_time_whatever_the_business_clock(pool: PgPool) {
    shop(&pool, "a", "Ann").await;
    member(&pool, "a", "agent@a.example", app::accounts::Role::Agent).await;
    let base = serve(pool.clone()).await;
    let (_, cookie, _) = sign_in(&base, "agent@a.example", "/customers").await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = || client.get(format!("{base}/customers")).header(COOKIE, cookie.as_deref().unwrap()).send();
    assert_eq!(page().await.unwrap().status(), StatusCode::OK);
    sqlx::query("update session set expires_at = now() - interval '1 minute'").execute(&pool).await.unwrap();
    assert_eq!(page().await.unwrap().status(), StatusCode::SEE_OTHER, "expired: sent to sign in");
}

#[sqlx::test(migrations = "../migrations")]
async fn health_is_200_with_the_database(pool: PgPool) {
    let base = serve(pool).await;
    let response = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// While PostgreSQL is away every answer is a 503 with `Retry-After`, never a 500 or a hang.
#[tokio::test]
async fn without_the_database_answers_are_503_with_retry_after() {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://nobody:nothing@127.0.0.1:9/nowhere")
        .unwrap();
    let base = serve_with(pool, LeptosOptions::builder().output_name("customer-view").build()).await;
    let health = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.headers()[RETRY_AFTER], "5");
    let (status, body) = get(&base, "/api/v1/customers", Some("cv_some_key")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    let response =
        reqwest::Client::new().get(format!("{base}/api/v1/customers")).bearer_auth("cv_some_key").send().await.unwrap();
    assert_eq!(response.headers()[RETRY_AFTER], "5");
    let page =
        reqwest::Client::new().get(format!("{base}/customers")).header(COOKIE, "cv_session=abc").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.headers().contains_key(RETRY_AFTER));
}
