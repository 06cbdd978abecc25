//! Database tests of the duplicate finder: kept current as customers are written, dismissals for good,
//! the scan finding what the writes found, merged-away customers off the list.

use super::db::{compare_queued as compare, dismiss, page, scan};
use crate::accounts::db::create_workspace;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::PgPool;

fn now() -> DateTime<Utc> {
    "2026-11-20T12:00:00Z".parse().unwrap()
}

async fn customer(pool: &PgPool, ws: i64, body: Value) -> i64 {
    let sync = crate::ingest::parse_customer_sync(&body, "$").unwrap();
    let mut tx = pool.begin().await.unwrap();
    let done = crate::ingest::ingest_customer(&mut tx, ws, now(), &sync).await.unwrap();
    tx.commit().await.unwrap();
    done.customer_id
}

/// What the background worker does: the customers written since, compared again.
async fn compare_queued(pool: &PgPool) {
    let mut tx = pool.begin().await.unwrap();
    compare(&mut tx, 500, now()).await.unwrap();
    tx.commit().await.unwrap();
    let left: i64 = sqlx::query_scalar("select count(*) from duplicate_check").fetch_one(pool).await.unwrap();
    assert_eq!(left, 0, "compared customers leave the queue");
}

/// A person says "not the same" of the pair.
async fn dismissed(pool: &PgPool, ws: i64, pair: [i64; 2]) {
    let mut tx = pool.begin().await.unwrap();
    dismiss(&mut tx, ws, None, now(), pair).await.unwrap();
    tx.commit().await.unwrap();
}

/// An admin merges `merged` into `survivor`, keeping the survivor's fields.
async fn merge(pool: &PgPool, ws: i64, survivor: i64, merged: i64) {
    let request = crate::merges::MergeRequest { survivor, merged: vec![merged], fields: Default::default() };
    let mut tx = pool.begin().await.unwrap();
    crate::merges::db::merge(&mut tx, ws, None, now(), &request).await.unwrap();
    tx.commit().await.unwrap();
}

async fn listed(pool: &PgPool, ws: i64) -> Vec<([i64; 2], Vec<String>)> {
    page(pool, ws, 100, None).await.unwrap().items.into_iter().map(|p| (p.customers, p.reasons)).collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn possible_duplicates_are_found_as_customers_are_written_and_dismissed_for_good(pool: PgPool) {
    let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
    let home = json!({"line1": "Hauptstraße 12", "city": "Berlin", "postal_code": "10115", "country": "DE"});
    let ann = customer(
        &pool,
        ws,
        json!({"channel": "shop", "channel_kind": "shopify", "external_id": "C-1",
        "first_name": "Ann", "last_name": "Lee", "email": "ann.lee@example.com", "billing_address": home}),
    )
    .await;
    // the same person on a marketplace: her name with a typo, her phone, the address written short
    let anne = customer(
        &pool,
        ws,
        json!({"channel": "market", "channel_kind": "amazon", "external_id": "A-9",
        "first_name": "Anne", "last_name": "Lee", "phones": ["+49 30 1234 5678"],
        "shipping_address": {"line1": "12 Hauptstr.", "city": "Berlin", "postal_code": "10115", "country": "DE"}}),
    )
    .await;
    // her brother at the same address, with his own email: not her
    let tom = customer(
        &pool,
        ws,
        json!({"channel": "shop", "external_id": "C-2", "first_name": "Tom",
        "last_name": "Lee", "email": "tom@example.com", "billing_address": home}),
    )
    .await;
    compare_queued(&pool).await;
    assert_eq!(listed(&pool, ws).await, [([ann, anne], vec!["similar name".to_string(), "same address".to_string()])]);

    // a later write brings evidence: the same phone on Ann's account
    customer(&pool, ws, json!({"channel": "shop", "external_id": "C-1", "phones": ["030 12345678"]})).await;
    compare_queued(&pool).await;
    let pairs = listed(&pool, ws).await;
    assert_eq!(pairs.len(), 1);
    assert!(pairs[0].1.contains(&"same phone".to_string()), "{pairs:?}");
    let score = page(&pool, ws, 1, None).await.unwrap().items[0].score;
    assert!(score > 0.99, "{score}");

    // "not the same" is for good: neither the next write nor a whole scan lists it again
    dismissed(&pool, ws, [anne, ann]).await;
    assert!(listed(&pool, ws).await.is_empty());
    customer(&pool, ws, json!({"channel": "market", "external_id": "A-9", "email": "ann.lee@example.com"})).await;
    compare_queued(&pool).await;
    assert!(listed(&pool, ws).await.is_empty());
    let mut quiet = |_: &str| {};
    let scanned = scan(&pool, ws, now(), &mut quiet).await.unwrap();
    assert_eq!((scanned.customers, scanned.listed), (3, 1), "the scan finds the pair; it stays dismissed");
    assert!(listed(&pool, ws).await.is_empty());
    let _ = tom;
}

#[sqlx::test(migrations = "../migrations")]
async fn the_scan_lists_what_writes_list_and_merged_away_customers_leave_the_list(pool: PgPool) {
    let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
    let bob = customer(
        &pool,
        ws,
        json!({"channel": "shop", "channel_kind": "shopify", "external_id": "C-1",
        "first_name": "Bob", "last_name": "Smith", "email": "bob@example.com"}),
    )
    .await;
    let robert = customer(
        &pool,
        ws,
        json!({"first_name": "Robert", "last_name": "Smith",
        "emails": ["BOB@example.com"]}),
    )
    .await;
    let other =
        customer(&pool, ws, json!({"first_name": "Rob", "last_name": "Stone", "email": "rs@example.com"})).await;
    let mut quiet = |_: &str| {};
    scan(&pool, ws, now(), &mut quiet).await.unwrap();
    let pairs = listed(&pool, ws).await;
    assert_eq!(pairs, [([bob, robert], vec!["same email".to_string(), "same name".to_string()])]);
    let _ = other;

    merge(&pool, ws, bob, robert).await;
    assert!(listed(&pool, ws).await.is_empty(), "a merged-away customer is no one's duplicate");
    compare_queued(&pool).await;
    assert!(listed(&pool, ws).await.is_empty());
    let keys: i64 = sqlx::query_scalar("select count(*) from customer_match_key where customer_id = $1")
        .bind(robert)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(keys, 0, "tombstones keep no keys");
}

/// Two accounts of one person that share nothing but what each shares with a third (a shop account with
/// her email, a marketplace one with her phone, a support contact with both) are listed through it; a
/// link dismissed as "not the same" takes the pair with it; merging the third leaves the pair judged on
/// its own.
#[sqlx::test(migrations = "../migrations")]
async fn two_customers_alike_to_a_third_are_listed_through_it(pool: PgPool) {
    let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
    let shop = customer(
        &pool,
        ws,
        json!({"channel": "shop", "channel_kind": "shopify", "external_id": "C-1",
        "first_name": "Madeline", "last_name": "Mason", "email": "madeline@example.com"}),
    )
    .await;
    let market = customer(
        &pool,
        ws,
        json!({"channel": "market", "channel_kind": "amazon", "external_id": "A-1",
        "first_name": "M.", "last_name": "Mason", "phone": "+61 7 4123 4567"}),
    )
    .await;
    let support = customer(
        &pool,
        ws,
        json!({"first_name": "Madeline", "last_name": "Mason", "email": "madeline@example.com",
        "phones": ["07 4123 4567"]}),
    )
    .await;
    let through = |pairs: &[([i64; 2], Vec<String>)]| {
        pairs.iter().find(|(pair, _)| *pair == [shop, market]).map(|(_, reasons)| reasons.clone())
    };
    compare_queued(&pool).await;
    let pairs = listed(&pool, ws).await;
    assert_eq!(pairs.len(), 3, "{pairs:?}");
    assert_eq!(through(&pairs), Some(vec![format!("both like #{support}")]));
    // a whole scan lists the same
    let mut quiet = |_: &str| {};
    let scanned = scan(&pool, ws, now(), &mut quiet).await.unwrap();
    assert_eq!(scanned.listed, 3);
    assert_eq!(listed(&pool, ws).await, pairs);

    // "not the same" for one link: what was inferred through it goes, now and when compared again
    dismissed(&pool, ws, [market, support]).await;
    assert_eq!(listed(&pool, ws).await.len(), 1);
    compare_queued(&pool).await;
    assert_eq!(listed(&pool, ws).await.iter().map(|p| p.0).collect::<Vec<_>>(), [[shop, support]]);
    scan(&pool, ws, now(), &mut quiet).await.unwrap();
    assert_eq!(listed(&pool, ws).await.len(), 1);

    // merged into the shop account, the support contact's phone makes the pair one judged on its own
    merge(&pool, ws, shop, support).await;
    compare_queued(&pool).await;
    let pairs = listed(&pool, ws).await;
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert!(through(&pairs).is_some_and(|reasons| reasons.contains(&"same phone".to_string())), "{pairs:?}");
}
