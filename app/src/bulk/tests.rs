//! Bulk actions against PostgreSQL: every matching customer changed with its event, batch by batch; undone
//! exactly; refused where a later edit would be overwritten; a batch done once across a lost claim.

use super::db;
use super::{BulkKind, BulkRequest, Targets};
use crate::accounts::db::create_workspace;
use crate::clock::Clock;
use crate::error::AppError;
use crate::jobs::db::claim;
use crate::jobs::worker::{Outcome, Progress};
use crate::jobs::{JobKind, JobStatus};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::PgPool;

fn now() -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

struct Shop {
    ws: i64,
    admin: i64,
    agent: i64,
    customers: Vec<i64>,
}

async fn shop(pool: &PgPool) -> Shop {
    let ws = create_workspace(pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let mut members = Vec::new();
    for (email, role) in [("ann@a.example", "admin"), ("bob@a.example", "agent")] {
        let user = sqlx::query_scalar!(
            "insert into user_account (email, name, password_hash) values ($1, $2, '$argon2id$test') returning id",
            email,
            email.split('@').next().unwrap()
        )
        .fetch_one(pool)
        .await
        .unwrap();
        sqlx::query!("insert into membership (workspace_id, user_id, role) values ($1, $2, $3)", ws, user, role)
            .execute(pool)
            .await
            .unwrap();
        members.push(user);
    }
    let customers = sqlx::query_scalar!(
        "insert into customer (workspace_id, channel_id, registered, first_name, last_name, vip_mark)
         select $1, c.id, true, 'Cus' || n, case when n <= 4 then 'Lee' else 'Moss' end, n = 1
           from channel c, generate_series(1, 6) n where c.workspace_id = $1 and c.key = 'manual'
         order by n returning id",
        ws
    )
    .fetch_all(pool)
    .await
    .unwrap();
    Shop { ws, admin: members[0], agent: members[1], customers }
}

/// Starts the action as the agent and runs it to its end.
async fn act(pool: &PgPool, shop: &Shop, targets: Targets, action: BulkKind, value: Value) -> Result<i64, AppError> {
    let request = BulkRequest { targets, action, value };
    let mut tx = pool.begin().await.unwrap();
    let id = db::start(&mut tx, shop.ws, Some(shop.agent), &request, now()).await?;
    tx.commit().await.unwrap();
    run_to_end(pool).await;
    Ok(id)
}

async fn run_to_end(pool: &PgPool) {
    while let Some(job) = claim(pool).await.unwrap() {
        assert_eq!(job.kind, JobKind::Bulk);
        let outcome = db::run(pool, &Clock::fixed(now()), &mut Progress::new(pool.clone(), job)).await.unwrap();
        assert_eq!(outcome, Outcome::Done);
    }
}

async fn managers(pool: &PgPool, shop: &Shop) -> Vec<Option<i64>> {
    sqlx::query_scalar!("select manager_id from customer where workspace_id = $1 order by id", shop.ws)
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn events(pool: &PgPool, shop: &Shop, field: &str) -> Vec<(i64, Option<Value>, Option<Value>)> {
    sqlx::query!(
        "select customer_id, old_value, new_value from event
          where workspace_id = $1 and kind = 'field_changed' and field = $2 order by id",
        shop.ws,
        field
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|e| (e.customer_id, e.old_value, e.new_value))
    .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_manager_for_everyone_a_filter_matches_then_undone_exactly(pool: PgPool) {
    let shop = shop(&pool).await;
    // one of the Lees has a manager already: not changed, no event
    sqlx::query!("update customer set manager_id = $2 where id = $1", shop.customers[3], shop.admin)
        .execute(&pool)
        .await
        .unwrap();
    let before = managers(&pool, &shop).await;
    let id = act(&pool, &shop, Targets::Query("q=lee".into()), BulkKind::SetManager, json!(shop.admin)).await.unwrap();
    let action = db::bulk_action(&mut pool.acquire().await.unwrap(), shop.ws, id).await.unwrap();
    assert_eq!((action.job.status, action.job.rows_total, action.job.rows_done), (JobStatus::Done, Some(4), 4));
    assert_eq!(action.summary, "Assign the manager ann");
    let after = managers(&pool, &shop).await;
    assert_eq!(after, [Some(shop.admin); 4].into_iter().chain([None, None]).collect::<Vec<_>>());
    let changed = events(&pool, &shop, "manager").await;
    assert_eq!(changed.len(), 3, "one event per changed customer");
    assert!(changed.iter().all(|(_, old, new)| old == &Some(Value::Null) && new == &Some(json!("ann"))));
    let notified = sqlx::query_scalar!("select title from notification where user_id = $1", shop.agent)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(notified, ["Bulk action done: Assign the manager ann (4 customers)"]);

    db::undo(&mut pool.acquire().await.unwrap(), shop.ws, id).await.unwrap();
    run_to_end(&pool).await;
    assert_eq!(managers(&pool, &shop).await, before, "exactly as before");
    assert_eq!(events(&pool, &shop, "manager").await.len(), 6, "the undo has its events");
    let undone = db::bulk_action(&mut pool.acquire().await.unwrap(), shop.ws, id).await.unwrap();
    assert!(undone.undone && undone.job.status == JobStatus::Done);
    let again = db::undo(&mut pool.acquire().await.unwrap(), shop.ws, id).await.unwrap_err();
    assert!(matches!(again, AppError::Conflict(_)), "{again:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_undo_that_would_overwrite_a_later_edit_is_refused(pool: PgPool) {
    let shop = shop(&pool).await;
    let chosen = Targets::Chosen(shop.customers[..3].to_vec());
    let id = act(&pool, &shop, chosen, BulkKind::SetSubscription, json!("subscribed")).await.unwrap();
    sqlx::query!("update customer set email_subscription = 'unsubscribed' where id = $1", shop.customers[1])
        .execute(&pool)
        .await
        .unwrap();
    let refused = db::undo(&mut pool.acquire().await.unwrap(), shop.ws, id).await.unwrap_err();
    assert!(matches!(&refused, AppError::Conflict(m) if m.starts_with("1 of its customers")), "{refused:?}");
    let subscriptions =
        sqlx::query_scalar!("select email_subscription from customer where workspace_id = $1 order by id", shop.ws)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(subscriptions[..3], ["subscribed", "unsubscribed", "subscribed"], "nothing undone");
}

#[sqlx::test(migrations = "../migrations")]
async fn marks_notes_and_custom_fields_in_bulk(pool: PgPool) {
    let shop = shop(&pool).await;
    let everyone = || Targets::Query(String::new());
    act(&pool, &shop, everyone(), BulkKind::ClearMark, json!("vip")).await.unwrap();
    let vip =
        sqlx::query_scalar!(r#"select count(*) as "n!" from customer where workspace_id = $1 and vip_mark"#, shop.ws)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(vip, 0);
    assert_eq!(events(&pool, &shop, "vip_mark").await, [(shop.customers[0], Some(json!("yes")), Some(json!("no")))]);

    let notes = act(&pool, &shop, everyone(), BulkKind::AddNote, json!("  Called about the recall  ")).await.unwrap();
    let bodies =
        sqlx::query_scalar!("select body from note where workspace_id = $1", shop.ws).fetch_all(&pool).await.unwrap();
    assert_eq!(bodies.len(), 6);
    assert!(bodies.iter().all(|b| b == "Called about the recall"));
    db::undo(&mut pool.acquire().await.unwrap(), shop.ws, notes).await.unwrap();
    run_to_end(&pool).await;
    let left = sqlx::query_scalar!(r#"select count(*) as "n!" from note where workspace_id = $1"#, shop.ws)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "the notes it added are deleted");

    let mut conn = pool.acquire().await.unwrap();
    crate::custom_fields::create(&mut conn, shop.ws, now(), "Loyalty tier", "choice", "Gold\nSilver").await.unwrap();
    let tier = json!({"field": "loyalty_tier", "value": "Gold"});
    let id = act(&pool, &shop, Targets::Chosen(vec![shop.customers[4]]), BulkKind::SetField, tier).await.unwrap();
    let shown = crate::custom_fields::shown(&pool, shop.ws, shop.customers[4]).await.unwrap();
    assert_eq!(shown, [("Loyalty tier".to_string(), "Gold".to_string())]);
    db::undo(&mut pool.acquire().await.unwrap(), shop.ws, id).await.unwrap();
    run_to_end(&pool).await;
    assert!(crate::custom_fields::shown(&pool, shop.ws, shop.customers[4]).await.unwrap().is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_bulk_requests_are_named_and_nothing_is_queued(pool: PgPool) {
    let shop = shop(&pool).await;
    let other = create_workspace(&pool, "b", "B", "USD", "UTC").await.unwrap().id;
    let foreign = sqlx::query_scalar!(
        "insert into customer (workspace_id, channel_id, registered) select $1, id, true from channel
          where workspace_id = $1 and key = 'manual' returning id",
        other
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let cases = [
        (Targets::Query(String::new()), BulkKind::SetManager, json!("ann"), "value"),
        (Targets::Query(String::new()), BulkKind::SetManager, json!(999_999), "value"),
        (Targets::Query(String::new()), BulkKind::SetMark, json!("gold"), "value"),
        (Targets::Query(String::new()), BulkKind::SetSubscription, json!(true), "value"),
        (Targets::Query(String::new()), BulkKind::AddNote, json!("   "), "value"),
        (Targets::Query(String::new()), BulkKind::SetField, json!({"field": "nope", "value": 1}), "value.field"),
        (Targets::Query("tov_min=lots".into()), BulkKind::SetMark, json!("vip"), "query.tov_min"),
        (Targets::Chosen(vec![]), BulkKind::SetMark, json!("vip"), "customers"),
        (Targets::Chosen(vec![shop.customers[0], foreign]), BulkKind::SetMark, json!("vip"), "customers"),
    ];
    for (targets, action, value, path) in cases {
        let request = BulkRequest { targets, action, value: value.clone() };
        let mut tx = pool.begin().await.unwrap();
        match db::start(&mut tx, shop.ws, Some(shop.agent), &request, now()).await {
            Err(AppError::Invalid(fields)) => assert_eq!(fields[0].path, path, "{action:?} {value}"),
            other => panic!("{action:?} {value}: {other:?}"),
        }
    }
    assert_eq!(claim(&pool).await.unwrap(), None, "nothing queued");
}

/// A batch commits with its progress: a worker stopped after some batches (here: a batch fails once two
/// notes are written) leaves them done, and the next claim goes on from there without doing any twice.
#[sqlx::test(migrations = "../migrations")]
async fn a_bulk_action_resumed_after_a_stop_changes_each_customer_once(pool: PgPool) {
    let shop = shop(&pool).await;
    let request = BulkRequest { targets: Targets::Query(String::new()), action: BulkKind::AddNote, value: json!("Hi") };
    let mut tx = pool.begin().await.unwrap();
    let id = db::start(&mut tx, shop.ws, Some(shop.agent), &request, now()).await.unwrap();
    tx.commit().await.unwrap();
    // the third note fails: the first batch (two customers in tests) is done, the second is not
    sqlx::raw_sql(
        "create function stop_at_the_third() returns trigger language plpgsql as $$
         begin if (select count(*) from note) >= 2 then raise exception 'the server stopped'; end if; return new; end $$;
         create trigger stop_at_the_third before insert on note for each row execute function stop_at_the_third();",
    )
    .execute(&pool)
    .await
    .unwrap();
    let first = claim(&pool).await.unwrap().unwrap();
    assert!(db::run(&pool, &Clock::fixed(now()), &mut Progress::new(pool.clone(), first)).await.is_err());
    let done = sqlx::query_scalar!("select rows_done from job where id = $1", id).fetch_one(&pool).await.unwrap();
    let notes = sqlx::query_scalar!(r#"select count(*) as "n!" from note"#).fetch_one(&pool).await.unwrap();
    // (each lane's first batch may have committed before the other's failed)
    assert!(done > 0 && done < 6, "some batches done, not all: {done}");
    assert_eq!(done, notes, "the batches done are counted, the failed one is not");
    sqlx::raw_sql("drop trigger stop_at_the_third on note").execute(&pool).await.unwrap();
    // its worker silent: claimed again
    sqlx::query!("update job set heartbeat_at = now() - interval '1 minute' where id = $1", id)
        .execute(&pool)
        .await
        .unwrap();
    run_to_end(&pool).await;
    let per_customer = sqlx::query_scalar!(
        r#"select count(*) as "n!" from note where workspace_id = $1 group by customer_id order by customer_id"#,
        shop.ws
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(per_customer, [1; 6], "every customer once");
}
