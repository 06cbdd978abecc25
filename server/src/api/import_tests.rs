//! Customer imports over real HTTP (SPEC §11): Shopify's customer export posted as CSV, imported by the
//! job, its problems by line; the same file again changes nothing.

use super::tests::{get, serve_state, shop};
use app::channels::{ChannelKind, Connection};
use app::clock::Clock;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

const EXPORT: &str = "\u{feff}Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,\
Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,\
Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,\
Total Orders,Note,Tax Exempt,Tags
'7093941223597,Russell,Winfield,russel.winfield@example.com,yes,,105 Victoria St,,Toronto,ON,CA,'M5C1N7,,'+16135550135,no,0.00,0,,no,
'7093941256365,Karine,Ruby,karine.example.com,no,,,,,,,,,,no,0.00,0,,no,
'7093941289133,\"Dominique, Jr.\",Ménard,dominique@example.com,no,,\"12 Rue de la Paix\",,Paris,,FR,75002,,,no,12.50,1,,no,\"VIP, wholesale\"
";

async fn post_csv(base: &str, path: &str, key: &str, body: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(key)
        .header("content-type", "text/csv")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Runs the queued job, as a worker would.
async fn run(pool: &PgPool, id: i64) {
    let job = app::jobs::db::claim_this(pool, id).await.unwrap().expect("queued");
    app::jobs::worker::work(pool.clone(), Clock::fixed("2026-11-01T00:00:00Z".parse().unwrap()), job).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_shopify_customer_export_is_imported_once_with_its_problems_by_line(pool: PgPool) {
    let (base, _) = serve_state(pool.clone()).await;
    let key = shop(&pool, "import", "Ann").await.key;
    let ws: i64 = sqlx::query_scalar("select id from workspace where slug = 'import'").fetch_one(&pool).await.unwrap();
    let shopify = Connection { name: "Shopify CA".into(), ..Connection::default() };
    app::channels::db::create(&pool, ws, "shopify-ca", ChannelKind::Shopify, &shopify).await.unwrap();

    let (status, refused) = post_csv(&base, "/api/v1/imports?channel=nowhere", &key, EXPORT).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, refused) = post_csv(&base, "/api/v1/imports?channel=shopify-ca", &key, "Name,Amount\nX,1\n").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, refused) = post_csv(&base, "/api/v1/imports?channel=manual", &key, EXPORT).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, refused) = post_csv(&base, "/api/v1/imports?channel=shopify-ca&format=excel", &key, EXPORT).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    let (status, queued) =
        post_csv(&base, "/api/v1/imports?channel=shopify-ca&format=shopify_customers", &key, EXPORT).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    assert_eq!(queued["status"], "queued");
    let id = queued["id"].as_i64().unwrap();
    run(&pool, id).await;
    let (status, done) = get(&base, &format!("/api/v1/imports/{id}"), Some(&key)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            &done["status"],
            &done["rows_total"],
            &done["created"],
            &done["updated"],
            &done["unchanged"],
            &done["problem_count"]
        ),
        (&Value::from("done"), &Value::from(3), &Value::from(2), &Value::from(0), &Value::from(0), &Value::from(1)),
        "{done}"
    );
    assert_eq!(done["problems"][0]["line"], 3);
    assert!(done["problems"][0]["reason"].as_str().unwrap().starts_with("Email: "), "{done}");

    // external id, first and last name, email subscription, shipping city
    type Imported = (Option<String>, String, String, String, Option<String>);
    let customers: Vec<Imported> = sqlx::query_as(
        "select c.external_id, c.first_name, c.last_name, c.email_subscription, a.city
           from customer c left join customer_address a
             on a.workspace_id = c.workspace_id and a.customer_id = c.id and a.kind = 'shipping'
          where c.workspace_id = $1 and c.external_id is not null order by c.external_id",
    )
    .bind(ws)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        customers,
        [
            (
                Some("7093941223597".into()),
                "Russell".into(),
                "Winfield".into(),
                "subscribed".into(),
                Some("Toronto".into())
            ),
            (
                Some("7093941289133".into()),
                "Dominique, Jr.".into(),
                "Ménard".into(),
                "unsubscribed".into(),
                Some("Paris".into())
            ),
        ]
    );

    // the same file again: every row found unchanged, nothing added
    let (_, again) = post_csv(&base, "/api/v1/imports?channel=shopify-ca", &key, EXPORT).await;
    let again_id = again["id"].as_i64().unwrap();
    run(&pool, again_id).await;
    let (_, again) = get(&base, &format!("/api/v1/imports/{again_id}"), Some(&key)).await;
    assert_eq!(
        (&again["created"], &again["updated"], &again["unchanged"]),
        (&Value::from(0), &Value::from(0), &Value::from(2)),
        "{again}"
    );
    let total: i64 =
        sqlx::query_scalar("select count(*) from customer where workspace_id = $1 and external_id is not null")
            .bind(ws)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(total, 2);
    let (status, _) = get(&base, &format!("/api/v1/imports/{again_id}"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
