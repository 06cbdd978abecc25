//! Live updates against PostgreSQL: what a commit writes reaches the tabs of its workspace, named or
//! counted, and nothing of a rollback or of another workspace; notifications reach their member; a
//! tab that reconnects gets what it missed, or a resync.

use super::Change;
use super::hub::{Hub, Publication, Told};
use crate::accounts::db::create_workspace;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::Receiver;

fn now() -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

/// A workspace with `customers` customers; its member (who writes the notes) is user 1 of the database.
async fn shop(pool: &PgPool, slug: &str, customers: i64) -> (i64, Vec<i64>) {
    let ws = create_workspace(pool, slug, slug, "USD", "UTC").await.unwrap().id;
    sqlx::query!(
        "insert into user_account (id, email, name, password_hash)
         values (1, 'ann@a.example', 'Ann', '$argon2id$test') on conflict do nothing"
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query!("insert into membership (workspace_id, user_id, role) values ($1, 1, 'agent')", ws)
        .execute(pool)
        .await
        .unwrap();
    let ids = sqlx::query_scalar!(
        "insert into customer (workspace_id, channel_id, registered, first_name)
         select $1, c.id, true, 'Cus' || n from channel c, generate_series(1, $2::bigint) n
          where c.workspace_id = $1 and c.key = 'manual' order by n returning id",
        ws,
        customers
    )
    .fetch_all(pool)
    .await
    .unwrap();
    (ws, ids)
}

async fn listening(pool: &PgPool) -> Arc<Hub> {
    let hub = Arc::new(Hub::default());
    tokio::spawn(hub.clone().run(pool.clone()));
    hub.until_listening().await;
    hub
}

/// The next publication told to a tab of `user` in `ws` (others are passed over), within 2 seconds.
async fn next_told(receiver: &mut Receiver<Arc<Publication>>, ws: i64, user: i64) -> Told {
    let wait = async {
        loop {
            let publication = receiver.recv().await.unwrap();
            if let Some(told) = publication.told(ws, user) {
                return told;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(2), wait).await.expect("told within 2 seconds of the commit")
}

async fn add_note(pool: &PgPool, ws: i64, customer: i64) {
    let mut tx = pool.begin().await.unwrap();
    crate::notes::db::add(&mut tx, ws, 1, now(), customer, "Called back").await.unwrap();
    tx.commit().await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_commit_tells_the_tabs_of_its_workspace_which_customers_it_wrote(pool: PgPool) {
    let (ws, customers) = shop(&pool, "a", 3).await;
    let (other, _) = shop(&pool, "b", 1).await;
    let hub = listening(&pool).await;
    let mut tab = hub.subscribe(None).receiver;

    // rolled back: never told
    let mut tx = pool.begin().await.unwrap();
    crate::notes::db::add(&mut tx, ws, 1, now(), customers[0], "Not kept").await.unwrap();
    tx.rollback().await.unwrap();
    add_note(&pool, ws, customers[1]).await;
    let told = next_told(&mut tab, ws, 1).await;
    assert_eq!(told, Told::Change(Change { customers: vec![customers[1]], ..Change::default() }));

    // another workspace's tab hears nothing of it
    let mut theirs = hub.subscribe(None).receiver;
    add_note(&pool, ws, customers[2]).await;
    let mut tx = pool.begin().await.unwrap();
    sqlx::query!("update customer set vip_mark = true where workspace_id = $1", other).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(600), next_told(&mut theirs, other, 1)).await.is_err(),
        "an update without an event is not a timeline change, and workspace a's note is not b's"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_statement_over_many_customers_is_one_message_that_counts_them(pool: PgPool) {
    let (ws, customers) = shop(&pool, "a", 450).await;
    let hub = listening(&pool).await;
    let mut tab = hub.subscribe(None).receiver;
    sqlx::query!(
        "insert into event (workspace_id, customer_id, kind, happened_at, field, old_value, new_value)
         select $1, id, 'field_changed', $2, 'vip_mark', 'false', 'true' from customer where workspace_id = $1",
        ws,
        now()
    )
    .execute(&pool)
    .await
    .unwrap();
    let Told::Change(change) = next_told(&mut tab, ws, 1).await else { panic!("a change, not a resync") };
    assert_eq!(change.written(), customers.len() as i64);
    assert!(change.customers.is_empty() && change.may_touch(customers[7]));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_notification_tells_only_its_member(pool: PgPool) {
    let (ws, _) = shop(&pool, "a", 1).await;
    let user = 1;
    let hub = listening(&pool).await;
    let mut tab = hub.subscribe(None).receiver;
    let mut conn = pool.acquire().await.unwrap();
    crate::notifications::db::notify(
        &mut conn,
        ws,
        user,
        crate::notifications::NotificationKind::BulkDone,
        "Done",
        None,
        now(),
    )
    .await
    .unwrap();
    let publication = tokio::time::timeout(Duration::from_secs(2), tab.recv()).await.unwrap().unwrap();
    assert_eq!(publication.told(ws, user), Some(Told::Change(Change { notified: true, ..Change::default() })));
    assert_eq!(publication.told(ws, user + 1), None, "someone else's bell stays as it is");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_tab_that_reconnects_gets_what_it_missed_or_a_resync(pool: PgPool) {
    let (ws, customers) = shop(&pool, "a", 3).await;
    let hub = listening(&pool).await;
    let mut tab = hub.subscribe(None).receiver;
    add_note(&pool, ws, customers[0]).await;
    next_told(&mut tab, ws, 1).await;
    let seen = hub.event_id(hub.latest());
    add_note(&pool, ws, customers[1]).await;
    next_told(&mut tab, ws, 1).await;
    add_note(&pool, ws, customers[2]).await;
    next_told(&mut tab, ws, 1).await;

    let back = hub.subscribe(Some(&seen));
    assert!(!back.resync);
    let missed: Vec<Told> = back.missed.iter().filter_map(|p| p.told(ws, 1)).collect();
    assert_eq!(
        missed,
        vec![
            Told::Change(Change { customers: vec![customers[1]], ..Change::default() }),
            Told::Change(Change { customers: vec![customers[2]], ..Change::default() }),
        ]
    );
    assert!(hub.subscribe(Some(&hub.event_id(hub.latest()))).missed.is_empty(), "up to date: nothing missed");
    // numbers of another server process (or of before a restart), or not ours at all: read everything again
    for foreign in ["0-1", "nonsense", &format!("{}-{}", "f00", hub.latest())] {
        let back = hub.subscribe(Some(foreign));
        assert!(back.resync && back.missed.is_empty(), "{foreign}");
    }
}
