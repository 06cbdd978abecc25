//! Bulk actions over real HTTP (SPEC §10): small ones are done before the answer, undone the same way.

use super::tests::{get, post, serve, shop};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test(migrations = "../migrations")]
async fn a_bulk_mark_over_a_filter_then_undone(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let b = shop(&pool, "b", "Bob").await;
    let base = serve(pool.clone()).await;
    let vip = |pool: PgPool| async move {
        sqlx::query_scalar::<_, bool>("select vip_mark from customer where id = $1")
            .bind(a.customer)
            .fetch_one(&pool)
            .await
            .unwrap()
    };

    let (status, job) =
        post(&base, "/api/v1/bulk", &a.key, &json!({"query": "q=ann", "action": "set_mark", "value": "vip"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(
        (job["status"].as_str(), job["rows_total"].as_i64(), job["rows_done"].as_i64()),
        (Some("done"), Some(1), Some(1)),
        "{job}"
    );
    assert_eq!(job["summary"], "Set the VIP mark");
    assert!(vip(pool.clone()).await);
    let id = job["id"].as_i64().unwrap();
    assert_eq!(
        get(&base, &format!("/api/v1/bulk/{id}"), Some(&b.key)).await.0,
        StatusCode::NOT_FOUND,
        "another workspace's"
    );

    let (status, undone) = post(&base, &format!("/api/v1/bulk/{id}/undo"), &a.key, &json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{undone}");
    assert_eq!((undone["status"].as_str(), undone["undone"].as_bool()), (Some("done"), Some(true)), "{undone}");
    assert!(!vip(pool.clone()).await);
    let (status, again) = post(&base, &format!("/api/v1/bulk/{id}/undo"), &a.key, &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");

    for (body, path) in [
        (json!({"action": "paint", "value": "red"}), "$"),
        (json!({"action": "set_mark", "value": "gold"}), "value"),
        (json!({"customers": [b.customer], "action": "set_mark", "value": "vip"}), "customers"),
        (json!({"query": "orders_min=-1", "action": "set_mark", "value": "vip"}), "query.orders_min"),
    ] {
        let (status, refused) = post(&base, "/api/v1/bulk", &a.key, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {refused}");
        assert_eq!(refused["error"]["fields"][0]["path"], path, "{body}: {refused}");
    }
}
