//! Exports over real HTTP, written by a job worker of the test's own (SPEC §10).

use super::tests::{get, post, serve, shop};
use app::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::Duration;

/// Waits for the export to finish (the worker writes it within a second or two).
async fn finished(base: &str, key: &str, id: i64) -> Value {
    for _ in 0..200 {
        let (status, export) = get(base, &format!("/api/v1/exports/{id}"), Some(key)).await;
        assert_eq!(status, StatusCode::OK);
        if !matches!(export["status"].as_str(), Some("queued" | "running")) {
            return export;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the export did not finish");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_export_holds_the_rows_the_list_answers_for_its_query(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let b = shop(&pool, "b", "Bob").await;
    sqlx::query(
        "insert into customer (workspace_id, channel_id, registered, first_name, last_name)
         select c.workspace_id, c.id, true, 'Cus' || n, 'Tomer' || (n % 7) from channel c, generate_series(1, 30) n
          where c.key = 'manual' and c.workspace_id = (select workspace_id from customer where id = $1)",
    )
    .bind(a.customer)
    .execute(&pool)
    .await
    .unwrap();
    let base = serve(pool.clone()).await;
    tokio::spawn(app::jobs::worker::run(pool.clone(), Clock::fixed("2026-11-01T00:00:00Z".parse().unwrap()), 1));

    let (status, queued) = post(&base, "/api/v1/exports", &a.key, &json!({"query": "sort=-name&q=tomer"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    let id = queued["id"].as_i64().unwrap();
    assert!(matches!(queued["status"].as_str(), Some("queued" | "running")), "{queued}");
    let done = finished(&base, &a.key, id).await;
    assert_eq!((done["status"].as_str(), done["rows_total"].as_i64()), (Some("done"), Some(30)), "{done}");
    let download = done["download"].as_str().unwrap().to_string();
    assert_eq!(download, format!("/api/v1/exports/{id}/download"));

    let response = reqwest::Client::new().get(format!("{base}{download}")).bearer_auth(&a.key).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = response.text().await.unwrap();
    let exported: Vec<String> =
        csv::Reader::from_reader(text.as_bytes()).records().map(|r| r.unwrap()[0].to_string()).collect();
    // the list's rows for the same query, page by page
    let mut listed = Vec::new();
    let mut path = "/api/v1/customers?sort=-name&q=tomer&limit=7".to_string();
    loop {
        let (_, page) = get(&base, &path, Some(&a.key)).await;
        listed.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].to_string()));
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/customers?sort=-name&q=tomer&limit=7&after={next}"),
            None => break,
        }
    }
    assert_eq!(exported, listed);
    // compressed for a client that takes it, and whole (the compression polls the file's end twice)
    let compressed = reqwest::Client::new()
        .get(format!("{base}{download}"))
        .bearer_auth(&a.key)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    assert!(!compressed.bytes().await.expect("the whole body").is_empty());

    // another workspace's key sees nothing of it; a finished export cannot be canceled
    assert_eq!(get(&base, &format!("/api/v1/exports/{id}"), Some(&b.key)).await.0, StatusCode::NOT_FOUND);
    let other = reqwest::Client::new().get(format!("{base}{download}")).bearer_auth(&b.key).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let (status, refused) = post(&base, &format!("/api/v1/exports/{id}/cancel"), &a.key, &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_bad_export_request_is_refused_naming_the_problem(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let (status, refused) = post(&base, "/api/v1/exports", &a.key, &json!({"query": "tov_min=lots"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["fields"][0]["path"], "query.tov_min", "{refused}");
    let (status, refused) = post(&base, "/api/v1/exports", &a.key, &json!({"query": 5})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    // every field may be left out, yet a body that is no object is no request (schemathesis sent `[]`)
    for body in [json!([]), json!("segment=vip"), json!(null)] {
        let (status, refused) = post(&base, "/api/v1/exports", &a.key, &body).await;
        assert_eq!(
            (status, &refused["error"]["fields"][0]["path"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("$")),
            "{body}"
        );
    }
    let (status, _) = post(&base, "/api/v1/exports", "not-a-key", &json!({"query": ""})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&base, "/api/v1/exports/999", Some(&a.key)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&base, "/api/v1/exports/x", Some(&a.key)).await.0, StatusCode::NOT_FOUND);
    // not written yet (no worker runs here): no file
    let (_, queued) = post(&base, "/api/v1/exports", &a.key, &json!({})).await;
    let id = queued["id"].as_i64().unwrap();
    let early = reqwest::Client::new()
        .get(format!("{base}/api/v1/exports/{id}/download"))
        .bearer_auth(&a.key)
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), StatusCode::CONFLICT);
    let (status, canceled) = post(&base, &format!("/api/v1/exports/{id}/cancel"), &a.key, &json!({})).await;
    assert_eq!((status, canceled["status"].as_str()), (StatusCode::OK, Some("canceled")));
}

/// The document names a job's statuses and a bulk action's kinds as they are sent (schemathesis found
/// `Queued` documented where `queued` is answered).
#[sqlx::test(migrations = "../migrations")]
async fn the_document_names_statuses_and_actions_as_sent(pool: PgPool) {
    let base = serve(pool).await;
    let document: Value = reqwest::get(format!("{base}/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    let schemas = &document["components"]["schemas"];
    assert_eq!(schemas["JobStatus"]["enum"], json!(app::jobs::JobStatus::KEYS));
    assert_eq!(schemas["BulkKind"]["enum"], json!(app::bulk::BulkKind::KEYS));
    // a bulk action's value is a member's id, a word, a text or an object, as its action asks
    assert!(schemas["BulkBody"]["properties"]["value"].get("type").is_none(), "{}", schemas["BulkBody"]);
}
