//! Merges over real HTTP: the merge, the redirect of a merged-away customer, orders arriving for it, the
//! undo, their refusals, and merges racing ingestion.

use super::tests::{get, order, post, serve, shop};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

async fn customer_of(base: &str, key: &str, external_id: &str, customer: Value) -> i64 {
    let (status, body) = post(base, "/api/v1/orders", key, &order(external_id, customer, "paid", "10.00")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["customer_id"].as_i64().unwrap()
}

/// How a request for `path` is answered, without following a redirect.
async fn answer_to(base: &str, path: &str, key: &str) -> (StatusCode, Option<String>) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client.get(format!("{base}{path}")).bearer_auth(key).send().await.unwrap();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    (response.status(), location)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_merge_redirects_the_merged_away_customer_and_its_undo_brings_it_back(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let ann = customer_of(&base, &a.key, "1", json!({"external_id": "C-1", "first_name": "Ann"})).await;
    let anna = customer_of(&base, &a.key, "2", json!({"external_id": "C-2", "first_name": "Anna"})).await;

    let request = json!({"survivor": ann, "merged": [anna], "fields": {"first_name": anna}});
    let (status, merged) = post(&base, "/api/v1/customers/merge", &a.key, &request).await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["customer"]["id"], ann);
    assert_eq!(merged["customer"]["first_name"], "Anna");
    assert_eq!(merged["customer"]["orders"], 2);
    let merge_id = merged["merge_id"].as_i64().unwrap();

    let old = format!("/api/v1/customers/{anna}");
    assert_eq!(
        answer_to(&base, &old, &a.key).await,
        (StatusCode::PERMANENT_REDIRECT, Some(format!("/api/v1/customers/{ann}")))
    );
    let (status, followed) = get(&base, &old, Some(&a.key)).await;
    assert_eq!((status, followed["id"].as_i64()), (StatusCode::OK, Some(ann)));
    let (_, list) = get(&base, "/api/v1/customers", Some(&a.key)).await;
    assert!(list["items"].as_array().unwrap().iter().all(|c| c["id"] != anna), "merged away: not listed");

    // an order for the merged-away customer's channel id lands on the survivor
    assert_eq!(customer_of(&base, &a.key, "3", json!({"external_id": "C-2"})).await, ann);
    let (_, survivor) = get(&base, &format!("/api/v1/customers/{ann}"), Some(&a.key)).await;
    assert_eq!(survivor["orders"], 3);

    // refusals, each named
    let (status, body) = post(&base, "/api/v1/customers/merge", &a.key, &request).await;
    assert_eq!(status, StatusCode::CONFLICT, "merged away already: {body}");
    let stranger = json!({"survivor": ann, "merged": [ann + anna + 1000]});
    assert_eq!(post(&base, "/api/v1/customers/merge", &a.key, &stranger).await.0, StatusCode::NOT_FOUND);
    let other = shop(&pool, "b", "Bea").await;
    let across = json!({"survivor": ann, "merged": [other.customer]});
    assert_eq!(post(&base, "/api/v1/customers/merge", &a.key, &across).await.0, StatusCode::NOT_FOUND);
    let bea = customer_of(&base, &a.key, "4", json!({"external_id": "C-4"})).await;
    let bad_field = json!({"survivor": ann, "merged": [bea], "fields": {"emails": ann, "last_name": anna}});
    let (status, body) = post(&base, "/api/v1/customers/merge", &a.key, &bad_field).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let named: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(named, ["fields.emails", "fields.last_name"]);
    for bad in [
        json!({"survivor": "one", "merged": [anna]}),
        json!({"merged": [anna]}),
        json!({"survivor": ann, "merged": [anna], "why": 1}),
    ] {
        let (status, body) = post(&base, "/api/v1/customers/merge", &a.key, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    assert_eq!(post(&base, "/api/v1/merges/x/undo", &a.key, &json!({})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        post(&base, &format!("/api/v1/merges/{merge_id}/undo"), &other.key, &json!({})).await.0,
        StatusCode::NOT_FOUND,
        "another workspace's merge"
    );

    let (status, undone) = post(&base, &format!("/api/v1/merges/{merge_id}/undo"), &a.key, &json!({})).await;
    assert_eq!((status, undone), (StatusCode::OK, json!({"customers": [ann, anna]})));
    let (_, back) = get(&base, &old, Some(&a.key)).await;
    assert_eq!(
        (back["first_name"].as_str(), back["orders"].as_i64()),
        (Some("Anna"), Some(2)),
        "with the order sent since"
    );
    let (_, survivor) = get(&base, &format!("/api/v1/customers/{ann}"), Some(&a.key)).await;
    assert_eq!((survivor["first_name"].as_str(), survivor["orders"].as_i64()), (Some("Ann"), Some(1)));
    let (status, body) = post(&base, &format!("/api/v1/merges/{merge_id}/undo"), &a.key, &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "undone once: {body}");
    assert_eq!(post(&base, "/api/v1/customers/merge", "wrong", &request).await.0, StatusCode::UNAUTHORIZED);
}

/// Orders for four customers stream in while two overlapping pairs of them are merged, one merge undone:
/// every order is counted once, on the customer it belongs to at the end.
#[sqlx::test(migrations = "../migrations")]
async fn merges_racing_ingestion_lose_and_double_count_nothing(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let base = serve(pool.clone()).await;
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(customer_of(&base, &a.key, &format!("first-{n}"), json!({"external_id": format!("C-{n}")})).await);
    }
    let mut writers = Vec::new();
    for i in 0..40 {
        let (base, key) = (base.clone(), a.key.clone());
        let body = order(&format!("o{i}"), json!({"external_id": format!("C-{}", i % 4)}), "paid", "1.00");
        writers.push(tokio::spawn(async move { post(&base, "/api/v1/orders", &key, &body).await }));
    }
    let merges =
        [json!({"survivor": ids[0], "merged": [ids[1]]}), json!({"survivor": ids[2], "merged": [ids[3], ids[1]]})];
    let mut mergers = Vec::new();
    for request in merges {
        let (base, key) = (base.clone(), a.key.clone());
        mergers.push(tokio::spawn(async move { post(&base, "/api/v1/customers/merge", &key, &request).await }));
    }
    for writer in writers {
        let (status, body) = writer.await.unwrap();
        assert!(status.is_success(), "{status} {body}");
    }
    let mut done = Vec::new();
    for merger in mergers {
        let (status, body) = merger.await.unwrap();
        // the two merges share customer #1: one of them finds it merged away already
        assert!(status == StatusCode::OK || status == StatusCode::CONFLICT, "{status} {body}");
        if status == StatusCode::OK {
            done.push(body["merge_id"].as_i64().unwrap());
        }
    }
    assert!(!done.is_empty());
    let counts = || async {
        sqlx::query_as::<_, (i64, i64, i32)>(
            "select c.id, (select count(*) from customer_order o where o.customer_id = c.id), c.order_count
               from customer c where c.external_id like 'C-%' order by c.id",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let during = counts().await;
    assert_eq!(during.iter().map(|c| c.1).sum::<i64>(), 44, "every order once");
    for (id, stored, counted) in &during {
        assert_eq!(*stored, i64::from(*counted), "customer #{id}: its figure is its orders");
    }
    for merge_id in done.iter().rev() {
        let (status, body) = post(&base, &format!("/api/v1/merges/{merge_id}/undo"), &a.key, &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // undone: each customer has its own 1 + 10 orders again
    assert_eq!(counts().await.iter().map(|c| (c.1, c.2)).collect::<Vec<_>>(), [(11, 11); 4]);
}
