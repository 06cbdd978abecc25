//! Database tests of the merge and its undo.

use super::MergeRequest;
use super::db::{MOVED, merge, undo};
use crate::accounts::db::create_workspace;
use crate::error::AppError;
use crate::ingest::{MessageInput, OrderInput};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::PgPool;

fn now() -> DateTime<Utc> {
    "2026-11-20T12:00:00Z".parse().unwrap()
}

/// Every table that points at customers (a foreign key, or a `customer_id` column) is one the merge
/// handles, so that a table added later cannot be forgotten: the rows that move carry their origin.
#[sqlx::test(migrations = "../migrations")]
async fn every_table_pointing_at_customers_is_handled_by_the_merge(pool: PgPool) {
    // how each table that is not moved row by row is handled
    let handled_otherwise = [
        ("customer", "the merged-away customers become tombstones (merged_into_id)"),
        ("customer_merge", "the merge itself"),
        ("message", "a message follows its ticket (its foreign key to the ticket cascades on update)"),
        ("customer_search", "removed and written again by the tombstone's trigger"),
        ("segment_membership", "recomputed"),
        ("custom_field_value", "the chosen customer's value is copied; the others keep theirs"),
        ("customer_address", "the chosen customer's address is copied; the others keep theirs"),
        ("customer_match_key", "the duplicate finder's keys: compared again (`duplicate_check`), tombstones keep none"),
        ("duplicate_pair", "compared again; pairs with a tombstone are not listed"),
        ("duplicate_dismissal", "kept: a pair dismissed stays dismissed after an undo"),
        ("duplicate_check", "the queue of customers to compare again"),
        (
            "bulk_change",
            "kept: a bulk action's change stays with the customer it changed; once one of them is merged away \
             the action's undo is refused (a merge counts as a later edit)",
        ),
        ("bulk_target", "kept: the customers a bulk action was fixed on when it started, until it changes them"),
        ("export_target", "never committed: an export's reading transaction writes them and rolls them back"),
    ];
    let pointing: Vec<String> = sqlx::query_scalar(
        "select distinct conrelid::regclass::text from pg_constraint
          where confrelid = 'customer'::regclass and contype = 'f'
         union
         select distinct table_name::text from information_schema.columns
          where table_schema = current_schema() and column_name in ('customer_id', 'survivor_id')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for table in &pointing {
        assert!(
            MOVED.iter().any(|(t, _)| t == table) || handled_otherwise.iter().any(|(t, _)| t == table),
            "the merge does not handle `{table}`: move its rows (`MOVED`) or say how it is handled"
        );
    }
    for (table, _) in MOVED {
        let origin: Option<String> = sqlx::query_scalar(
            "select column_name::text from information_schema.columns
              where table_schema = current_schema() and table_name = $1 and column_name = 'origin_customer_id'",
        )
        .bind(table)
        .fetch_optional(&pool)
        .await
        .unwrap();
        assert!(origin.is_some(), "`{table}` moves, so it needs `origin_customer_id`");
    }
}

async fn order(pool: &PgPool, ws: i64, customer: Value, id: &str, total: &str) -> i64 {
    let input: OrderInput = serde_json::from_value(json!({
        "channel": "shop", "channel_kind": "shopify", "external_id": id, "number": format!("#{id}"),
        "placed_at": "2026-10-01T10:00:00Z", "status": "paid", "test": false, "currency": "EUR",
        "exchange_rate": "1", "total": total, "paid": total, "refunded": "0", "customer": customer,
        "shipping_address": null, "billing_address": null,
        "lines": [{"sku": "A", "name": "Mug", "quantity": 1, "unit_price": total}]
    }))
    .unwrap();
    let mut tx = pool.begin().await.unwrap();
    let stored = crate::ingest::ingest_order(&mut tx, ws, "EUR", now(), &input).await.unwrap();
    tx.commit().await.unwrap();
    stored.customer_id
}

async fn message(pool: &PgPool, ws: i64, customer: Value, ticket: &str, body: &str) {
    message_in(pool, ws, customer, ticket, &format!("{ticket}-m"), body).await
}

async fn message_in(pool: &PgPool, ws: i64, customer: Value, ticket: &str, id: &str, body: &str) {
    let input: MessageInput = serde_json::from_value(json!({
        "channel": "shop", "ticket": {"external_id": ticket, "subject": "Parcel", "status": "todo"},
        "customer": customer, "external_id": id, "direction": "inbound", "kind": "email",
        "body": body, "sent_at": "2026-10-02T10:00:00Z"
    }))
    .unwrap();
    let mut tx = pool.begin().await.unwrap();
    crate::ingest::ingest_message(&mut tx, ws, now(), &input).await.unwrap();
    tx.commit().await.unwrap();
}

/// Everything the product shows of a customer, as JSON, but for what every write bumps (version, times
/// of the write).
async fn state(pool: &PgPool, ws: i64, id: i64) -> Value {
    sqlx::query_scalar(
        "select jsonb_build_object(
            'customer', to_jsonb(c) - 'version' - 'updated_at',
            'emails', (select jsonb_agg(to_jsonb(e) - 'updated_at' order by e.id) from customer_email e
                        where e.workspace_id = $1 and e.customer_id = $2),
            'addresses', (select jsonb_agg(to_jsonb(a) order by a.id) from customer_address a
                           where a.workspace_id = $1 and a.customer_id = $2),
            'orders', (select jsonb_agg(to_jsonb(o) - 'updated_at' order by o.id) from customer_order o
                        where o.workspace_id = $1 and o.customer_id = $2),
            'tickets', (select jsonb_agg(t.id order by t.id) from ticket t where t.workspace_id = $1 and t.customer_id = $2),
            'messages', (select jsonb_agg(m.id order by m.id) from message m where m.workspace_id = $1 and m.customer_id = $2),
            'notes', (select jsonb_agg(n.id order by n.id) from note n where n.workspace_id = $1 and n.customer_id = $2),
            'events', (select jsonb_agg(to_jsonb(e) order by e.id) from event e
                        where e.workspace_id = $1 and e.customer_id = $2 and e.kind not in ('merged', 'merge_undone')),
            'segments', (select jsonb_agg(m.segment_id order by m.segment_id) from segment_membership m
                          where m.workspace_id = $1 and m.customer_id = $2))
           from customer c where c.workspace_id = $1 and c.id = $2",
    )
    .bind(ws)
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn merged(pool: &PgPool, ws: i64, request: &MergeRequest) -> Result<super::Merged, AppError> {
    let mut tx = pool.begin().await.unwrap();
    let done = merge(&mut tx, ws, None, now(), request).await?;
    tx.commit().await.unwrap();
    Ok(done)
}

async fn undone(pool: &PgPool, ws: i64, merge_id: i64) -> Result<Vec<i64>, AppError> {
    let mut tx = pool.begin().await.unwrap();
    let done = undo(&mut tx, ws, None, now(), merge_id).await?;
    tx.commit().await.unwrap();
    Ok(done)
}

/// Two registered customers and a guest become one: every record moves, the figures are those of all
/// the orders together, the chosen name is kept, the others are tombstones; the undo gives each
/// customer back exactly what it had (the survivor keeps the two events of the merge and the undo).
#[sqlx::test(migrations = "../migrations")]
async fn a_merge_moves_every_record_and_its_undo_gives_each_customer_back_exactly(pool: PgPool) {
    let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
    let ann = json!({"external_id": "c-1", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"});
    let anna = json!({"external_id": "c-2", "email": "anna.lee@example.com", "first_name": "Anna", "last_name": "Lee"});
    let a = order(&pool, ws, ann.clone(), "1", "30.00").await;
    order(&pool, ws, ann.clone(), "2", "20.00").await;
    let b = order(&pool, ws, anna.clone(), "3", "100.00").await;
    message(&pool, ws, anna.clone(), "t-1", "Thank you, great service!").await;
    let guest = order(&pool, ws, json!({"email": "ANN@example.com"}), "4", "5.00").await;
    sqlx::query("insert into note (workspace_id, customer_id, body) values ($1, $2, 'Prefers e-mail')")
        .bind(ws)
        .bind(b)
        .execute(&pool)
        .await
        .unwrap();
    let before = [state(&pool, ws, a).await, state(&pool, ws, b).await, state(&pool, ws, guest).await];

    let request = MergeRequest { survivor: a, merged: vec![b, guest], fields: [("first_name".into(), b)].into() };
    let done = merged(&pool, ws, &request).await.unwrap();
    assert_eq!(done.moved["orders"], 2);
    assert_eq!(done.moved["tickets"], 1);
    assert_eq!(done.moved["notes"], 1);
    assert_eq!(done.moved["emails"], 1, "anna.lee@ moves; the guest's ANN@ is Ann's already");
    let survivor = state(&pool, ws, a).await;
    assert_eq!(survivor["customer"]["first_name"], "Anna");
    assert_eq!(survivor["customer"]["last_name"], "Lee");
    assert_eq!(survivor["customer"]["order_count"], 4);
    assert_eq!(survivor["customer"]["total_order_value"], json!(155.00));
    assert_eq!(survivor["orders"].as_array().unwrap().len(), 4);
    assert_eq!(survivor["messages"].as_array().unwrap().len(), 1);
    assert!(survivor["customer"]["sentiment_score"].as_f64().unwrap() > 0.05, "Anna's message counts for Ann");
    for gone in [b, guest] {
        let tombstone = state(&pool, ws, gone).await;
        assert_eq!(tombstone["customer"]["merged_into_id"], a);
        assert_eq!(tombstone["orders"], Value::Null);
        assert_eq!(tombstone["segments"], Value::Null, "merged-away customers leave every segment");
    }
    let moved_origin: Vec<Option<i64>> =
        sqlx::query_scalar("select origin_customer_id from customer_order where workspace_id = $1 order by id")
            .bind(ws)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(moved_origin, [None, None, Some(b), Some(guest)]);

    // merged away: no second merge, and none into them
    let again = MergeRequest { survivor: b, merged: vec![a], fields: Default::default() };
    assert!(matches!(merged(&pool, ws, &again).await, Err(AppError::Conflict(_))));

    assert_eq!(undone(&pool, ws, done.merge_id).await.unwrap(), [a, b, guest]);
    let after = [state(&pool, ws, a).await, state(&pool, ws, b).await, state(&pool, ws, guest).await];
    for (before, after) in before.iter().zip(&after) {
        assert_eq!(before, after);
    }
    let kinds: Vec<String> = sqlx::query_scalar(
        "select kind from event where workspace_id = $1 and customer_id = $2 and kind like 'merge%' order by id",
    )
    .bind(ws)
    .bind(a)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(kinds, ["merged", "merge_undone"]);
    assert!(matches!(undone(&pool, ws, done.merge_id).await, Err(AppError::Conflict(_))), "undone once");
}

/// A merge names its problems: customers of another workspace are not found, fields that are not
/// single-valued or customers outside the merge are named, and a merge of a survivor merged again since
/// is undone only after the later one.
#[sqlx::test(migrations = "../migrations")]
async fn bad_merges_are_refused_and_undos_go_last_first(pool: PgPool) {
    let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
    let other = create_workspace(&pool, "other", "Other", "EUR", "UTC").await.unwrap().id;
    let customer = |n: usize| json!({"external_id": format!("c-{n}"), "email": format!("c{n}@example.com")});
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(order(&pool, ws, customer(n), &n.to_string(), "10.00").await);
    }
    let stranger = order(&pool, other, customer(9), "9", "10.00").await;
    let request = |survivor, merged: Vec<i64>| MergeRequest { survivor, merged, fields: Default::default() };
    assert!(matches!(merged(&pool, ws, &request(ids[0], vec![stranger])).await, Err(AppError::NotFound)));
    assert!(matches!(merged(&pool, ws, &request(ids[0], vec![])).await, Err(AppError::Invalid(_))));
    assert!(matches!(merged(&pool, ws, &request(ids[0], vec![ids[0]])).await, Err(AppError::Invalid(_))));
    let fields = MergeRequest {
        survivor: ids[0],
        merged: vec![ids[1]],
        fields: [("emails".into(), ids[1]), ("first_name".into(), ids[2])].into(),
    };
    let Err(AppError::Invalid(errors)) = merged(&pool, ws, &fields).await else { panic!("refused") };
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["fields.emails", "fields.first_name"]);

    let first = merged(&pool, ws, &request(ids[0], vec![ids[1]])).await.unwrap();
    let second = merged(&pool, ws, &request(ids[2], vec![ids[0]])).await.unwrap();
    let Err(AppError::Conflict(reason)) = undone(&pool, ws, first.merge_id).await else { panic!("refused") };
    assert!(reason.contains("undo that merge first"), "{reason}");
    undone(&pool, ws, second.merge_id).await.unwrap();
    undone(&pool, ws, first.merge_id).await.unwrap();
    for (id, orders) in ids.iter().zip([1, 1, 1]) {
        let count: i32 = sqlx::query_scalar("select order_count from customer where workspace_id = $1 and id = $2")
            .bind(ws)
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(count, orders);
    }
}

/// What a customer is to a seller, without the ids a workspace gives its rows: fields and figures, e-mails
/// in order, orders, tickets and messages by the channel's ids, the timeline's kinds, the segments. (Not
/// the segments' joins and leaves on the timeline: a customer merged away does not join a segment when an
/// order arrives for it, its survivor may, and the undo puts it back in its segments quietly.)
async fn facts(pool: &PgPool, ws: i64, id: i64) -> Value {
    sqlx::query_scalar(
        "select jsonb_build_object(
            'customer', to_jsonb(c) - 'id' - 'workspace_id' - 'channel_id' - 'version' - 'created_at' - 'updated_at'
                        - 'merged_into_id',
            'emails', (select jsonb_agg(e.email order by e.position, e.id) from customer_email e
                        where e.workspace_id = $1 and e.customer_id = $2),
            'orders', (select jsonb_agg(o.external_id order by o.external_id) from customer_order o
                        where o.workspace_id = $1 and o.customer_id = $2),
            'tickets', (select jsonb_agg(t.external_id order by t.external_id) from ticket t
                         where t.workspace_id = $1 and t.customer_id = $2),
            'messages', (select jsonb_agg(m.external_id order by m.external_id) from message m
                          where m.workspace_id = $1 and m.customer_id = $2),
            'events', (select jsonb_agg(e.kind order by e.happened_at, e.kind) from event e
                        where e.workspace_id = $1 and e.customer_id = $2
                          and e.kind not in ('merged', 'merge_undone', 'segment_joined', 'segment_left')),
            'segments', (select jsonb_agg(s.key order by s.key) from segment_membership m
                          join segment s on s.workspace_id = m.workspace_id and s.id = m.segment_id
                          where m.workspace_id = $1 and m.customer_id = $2))
           from customer c where c.workspace_id = $1 and c.id = $2",
    )
    .bind(ws)
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Orders and messages that arrive for merged-away customers (by the channel's customer id, and by the
/// e-mail a guest wrote from) land on the survivor, counted there, each remembering where it came from;
/// the undo sends them back, so that every customer is what it would have been without the merge — the
/// same items sent to a twin workspace where nobody merged.
#[sqlx::test(migrations = "../migrations")]
async fn what_arrives_for_a_merged_away_customer_lands_on_the_survivor_and_goes_back_with_the_undo(pool: PgPool) {
    let ann = json!({"external_id": "c-1", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"});
    let anna = json!({"external_id": "c-2", "email": "anna.lee@example.com", "first_name": "Anna", "last_name": "Lee"});
    let annie = json!({"external_id": "c-2", "email": "annie@example.com", "first_name": "Annie"});
    let guest = json!({"email": "guest@example.com"});
    let mut customers = Vec::new();
    for slug in ["shop", "twin"] {
        let ws = create_workspace(&pool, slug, "Shop", "EUR", "UTC").await.unwrap().id;
        let a = order(&pool, ws, ann.clone(), "1", "30.00").await;
        let b = order(&pool, ws, anna.clone(), "2", "100.00").await;
        let g = order(&pool, ws, guest.clone(), "3", "5.00").await;
        message(&pool, ws, guest.clone(), "t-1", "Where is my parcel?").await;
        customers.push((ws, [a, b, g]));
    }
    let (ws, [a, b, g]) = customers[0];
    let done =
        merged(&pool, ws, &MergeRequest { survivor: a, merged: vec![b, g], fields: Default::default() }).await.unwrap();
    for (ws, _) in &customers {
        order(&pool, *ws, annie.clone(), "4", "40.00").await;
        message_in(&pool, *ws, guest.clone(), "t-1", "t-1-again", "Still nothing. Terrible.").await;
        message_in(&pool, *ws, guest.clone(), "t-2", "t-2-m", "And a second question").await;
    }

    let survivor = facts(&pool, ws, a).await;
    assert_eq!(survivor["orders"], json!(["1", "2", "3", "4"]));
    assert_eq!(survivor["customer"]["total_order_value"], json!(175.00));
    assert_eq!(survivor["tickets"], json!(["t-1", "t-2"]));
    assert_eq!(survivor["messages"], json!(["t-1-again", "t-1-m", "t-2-m"]));
    assert_eq!(survivor["customer"]["first_name"], "Ann", "the survivor keeps its chosen name");
    assert!(survivor["emails"].as_array().unwrap().contains(&json!("annie@example.com")));
    let customers_in_shop: i64 = sqlx::query_scalar("select count(*) from customer where workspace_id = $1")
        .bind(ws)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(customers_in_shop, 3, "no customer was created for what arrived");
    let origins: Vec<(String, Option<i64>)> = sqlx::query_as(
        "select external_id, origin_customer_id from customer_order where workspace_id = $1 order by external_id",
    )
    .bind(ws)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(origins, [("1".into(), None), ("2".into(), Some(b)), ("3".into(), Some(g)), ("4".into(), Some(b))]);
    let new_ticket: Option<i64> =
        sqlx::query_scalar("select origin_customer_id from ticket where workspace_id = $1 and external_id = 't-2'")
            .bind(ws)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(new_ticket, Some(g));

    undone(&pool, ws, done.merge_id).await.unwrap();
    let (twin, twins) = customers[1];
    for (id, twin_id) in [a, b, g].into_iter().zip(twins) {
        assert_eq!(facts(&pool, ws, id).await, facts(&pool, twin, twin_id).await, "customer #{id}");
    }
}

/// The undo is exact whatever was merged: over random seeded customers (orders, a message, notes, chosen
/// fields), random merges of 2–3 live customers — survivors of earlier merges included — undone last
/// first give every customer back exactly as it was.
#[sqlx::test(migrations = "../migrations")]
async fn any_sequence_of_merges_undone_last_first_gives_every_customer_back(pool: PgPool) {
    use rand::rngs::StdRng;
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};
    for seed in 0..4_u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let ws = create_workspace(&pool, &format!("shop{seed}"), "Shop", "EUR", "UTC").await.unwrap().id;
        let mut ids = Vec::new();
        for n in 0..8 {
            let registered = rng.random_bool(0.7);
            let customer = if registered {
                json!({"external_id": format!("c-{n}"), "email": format!("p{n}@example.com"),
                       "first_name": format!("First{n}"), "last_name": format!("Last{}", n % 3)})
            } else {
                json!({"email": format!("p{n}@example.com")})
            };
            let id = order(&pool, ws, customer.clone(), &format!("{n}-0"), &format!("{}.00", 10 + n)).await;
            for k in 1..rng.random_range(1..4) {
                if registered {
                    order(&pool, ws, customer.clone(), &format!("{n}-{k}"), "7.50").await;
                }
            }
            if rng.random_bool(0.4) {
                message(&pool, ws, customer.clone(), &format!("t-{n}"), "Thanks, lovely!").await;
            }
            if rng.random_bool(0.5) {
                sqlx::query("insert into note (workspace_id, customer_id, body) values ($1, $2, 'Called')")
                    .bind(ws)
                    .bind(id)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            ids.push(id);
        }
        let mut before = Vec::new();
        for id in &ids {
            before.push(state(&pool, ws, *id).await);
        }
        let mut live = ids.clone();
        let mut done = Vec::new();
        for _ in 0..rng.random_range(2..5) {
            if live.len() < 2 {
                break;
            }
            live.shuffle(&mut rng);
            let count = rng.random_range(2..=3.min(live.len()));
            let (survivor, others) = (live[0], live[1..count].to_vec());
            let mut fields = std::collections::BTreeMap::new();
            for field in ["first_name", "last_name", "company"] {
                if rng.random_bool(0.5) {
                    fields.insert(field.to_string(), live[rng.random_range(0..count)]);
                }
            }
            let request = MergeRequest { survivor, merged: others.clone(), fields };
            done.push(merged(&pool, ws, &request).await.unwrap().merge_id);
            live.retain(|id| !others.contains(id));
        }
        for merge_id in done.iter().rev() {
            undone(&pool, ws, *merge_id).await.unwrap();
        }
        for (id, before) in ids.iter().zip(&before) {
            assert_eq!(&state(&pool, ws, *id).await, before, "seed {seed}, customer #{id}");
        }
    }
}
