//! Moving customers between segments as time passes: `server segments refresh` and the server's
//! periodic refresh run the same full refresh, one workspace per transaction.

use anyhow::Result;
use app::clock::Clock;
use app::error::AppError;
use sqlx::PgPool;
use std::time::{Duration, Instant};

/// Refreshes every workspace (or the one with `slug`); answers each slug with how long it took, or why
/// it failed. One failing workspace does not stop the others (each is refreshed in a transaction of
/// its own).
pub async fn refresh_segments(
    pool: &PgPool,
    clock: &Clock,
    slug: Option<&str>,
) -> Result<Vec<(String, Result<Duration, AppError>)>> {
    let mut done = Vec::new();
    for ws in workspaces(pool, slug).await? {
        let started = Instant::now();
        let refreshed = async {
            let mut tx = pool.begin().await?;
            // a full refresh of a large workspace is long by nature; the server's limit is for requests
            sqlx::query!("set local statement_timeout = '10min'").execute(&mut *tx).await?;
            app::segments::refresh_all(&mut tx, ws.id, clock.now()).await?;
            tx.commit().await?;
            Ok::<_, AppError>(started.elapsed())
        };
        done.push((ws.slug, refreshed.await));
    }
    Ok(done)
}

/// A workspace a full refresh or scan goes through.
pub struct Workspace {
    pub id: i64,
    pub slug: String,
}

/// Every workspace, or the one with `slug` (an error when there is none).
pub async fn workspaces(pool: &PgPool, slug: Option<&str>) -> Result<Vec<Workspace>> {
    let workspaces = sqlx::query_as!(
        Workspace,
        "select id, slug from workspace where $1::text is null or slug = $1 order by id",
        slug
    )
    .fetch_all(pool)
    .await?;
    if let (Some(slug), true) = (slug, workspaces.is_empty()) {
        anyhow::bail!("there is no workspace {slug:?}");
    }
    Ok(workspaces)
}

/// Runs the full refresh every `every`, for as long as the server runs; failures are logged and
/// retried at the next tick (the database may be restarting).
pub async fn refresh_periodically(pool: PgPool, clock: Clock, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.tick().await; // the first tick is immediate: start-up should not wait for a refresh
    loop {
        ticker.tick().await;
        match refresh_segments(&pool, &clock, None).await {
            Ok(done) => {
                for (slug, refreshed) in &done {
                    if let Err(error) = refreshed {
                        tracing::error!(workspace = slug, %error, "segment refresh of a workspace failed");
                    }
                }
                tracing::info!(workspaces = done.len(), "segments refreshed");
            }
            Err(error) => tracing::warn!(%error, "segment refresh failed; retrying at the next interval"),
        }
    }
}

/// Deletes the files of expired exports every hour (SPEC §10: kept 7 days); their records stay.
pub async fn expire_exports_periodically(pool: PgPool, clock: Clock) {
    let mut ticker = tokio::time::interval(Duration::from_secs(3600));
    loop {
        ticker.tick().await;
        match app::exports::db::expire(&pool, clock.now()).await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "deleted the files of expired exports"),
            Err(error) => tracing::warn!(%error, "deleting expired exports failed; retrying in an hour"),
        }
    }
}

/// Keeps the planner's statistics of young tables current (`plans::analyze_young_tables`), every two
/// seconds: a new workspace's first sync is planned for the rows it has, not for empty tables.
pub async fn analyze_young_tables_periodically(pool: PgPool) {
    let mut ticker = tokio::time::interval(Duration::from_secs(2));
    loop {
        ticker.tick().await;
        match app::plans::analyze_young_tables(&pool).await {
            Ok(tables) if tables.is_empty() => {}
            Ok(tables) => tracing::debug!(?tables, "analyzed young tables"),
            Err(error) => tracing::warn!(%error, "analyzing young tables failed; trying again shortly"),
        }
    }
}

/// Tells the assignees of tasks that became overdue, every minute (SPEC §10: "a task overdue"); each task
/// once, whichever server gets there first.
pub async fn tell_overdue_tasks_periodically(pool: PgPool, clock: Clock) {
    let mut ticker = tokio::time::interval(Duration::from_secs(60));
    loop {
        ticker.tick().await;
        match app::tasks::db::tell_overdue(&pool, clock.now()).await {
            Ok(0) => {}
            Ok(told) => tracing::info!(told, "told the assignees of overdue tasks"),
            Err(error) => tracing::warn!(%error, "telling of overdue tasks failed; retrying in a minute"),
        }
    }
}

/// Compares again the customers written since (the queue `duplicate_check` the writes fill), so that the
/// duplicates list stays current (SPEC §9): at most `COMPARED_PER_TICK` every two seconds, so that a burst
/// of ingestion is not slowed by the comparisons it causes (they catch up after it; measured: comparing
/// every written customer at once halved ingestion's throughput). A batch is taken off the queue in the
/// transaction that compares it: one that fails is compared again at the next tick.
pub async fn compare_written_customers(pool: PgPool, clock: Clock) {
    let mut ticker = tokio::time::interval(Duration::from_secs(2));
    loop {
        ticker.tick().await;
        let compared = async {
            let mut tx = pool.begin().await?;
            let compared = app::duplicates::db::compare_queued(&mut tx, COMPARED_PER_TICK, clock.now()).await?;
            tx.commit().await?;
            Ok::<_, AppError>(compared)
        };
        if let Err(error) = compared.await {
            tracing::warn!(%error, "comparing written customers for duplicates failed; retrying");
        }
    }
}

/// Scans every workspace for duplicates every `every` (SPEC §9: "and periodically"; `CV_DUPLICATE_SCAN_HOURS`,
/// default a day): what the writes' queue does not see — a new delivery address on an order of a customer
/// compared before, a key that grew past the block limit or back under it — the next scan finds. `pool`
/// has no statement limit (a scan of a million customers takes a minute or more) and two connections: one
/// holds an advisory lock, so that of several servers on one database one scans at a time.
pub async fn scan_duplicates_periodically(pool: PgPool, clock: Clock, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.tick().await; // the first tick is immediate: start-up should not wait for a scan
    loop {
        ticker.tick().await;
        if let Err(error) = scan_duplicates(&pool, &clock).await {
            tracing::warn!(%error, "the periodic duplicate scan failed; retrying at the next interval");
        }
    }
}

/// One periodic scan of every workspace, unless another server is scanning. A workspace that fails is
/// logged and the others scanned all the same.
async fn scan_duplicates(pool: &PgPool, clock: &Clock) -> Result<()> {
    let mut lock = pool.acquire().await?;
    let held = sqlx::query_scalar!(r#"select pg_try_advisory_lock($1, 0) as "held!""#, DUPLICATE_SCAN_LOCK)
        .fetch_one(&mut *lock)
        .await?;
    if !held {
        tracing::info!("another server is scanning for duplicates");
        return Ok(());
    }
    let scanned = async {
        for ws in workspaces(pool, None).await? {
            let started = Instant::now();
            match app::duplicates::db::scan(pool, ws.id, clock.now(), &mut |_| {}).await {
                Ok(done) => tracing::info!(
                    workspace = ws.slug,
                    customers = done.customers,
                    listed = done.listed,
                    seconds = started.elapsed().as_secs_f64(),
                    "scanned for duplicates"
                ),
                Err(error) => tracing::error!(workspace = ws.slug, %error, "the duplicate scan of a workspace failed"),
            }
        }
        Ok(())
    }
    .await;
    sqlx::query_scalar!("select pg_advisory_unlock($1, 0)", DUPLICATE_SCAN_LOCK).fetch_one(&mut *lock).await?;
    scanned
}

/// The advisory lock (class; the second key is 0) that one server holds while it scans for duplicates
/// (`app::segments::SEGMENTS_LOCK` is 7001).
pub const DUPLICATE_SCAN_LOCK: i32 = 7002;

/// How many written customers are compared every two seconds.
const COMPARED_PER_TICK: i64 = 250;

#[cfg(test)]
mod tests {
    use super::*;

    /// The periodic refresh stopped at the first workspace that failed, so the ones after it were never
    /// refreshed again. Here the first workspace's refresh cannot take its lock (another session holds it,
    /// and the pool waits for locks at most 200 ms): the second is refreshed all the same.
    #[sqlx::test(migrations = "../migrations")]
    async fn a_workspace_that_fails_does_not_stop_the_others(pool: PgPool) {
        let first = app::accounts::db::create_workspace(&pool, "first", "First", "USD", "UTC").await.unwrap().id;
        app::accounts::db::create_workspace(&pool, "second", "Second", "USD", "UTC").await.unwrap();
        let mut holder = pool.begin().await.unwrap();
        sqlx::query("select pg_advisory_xact_lock($1, $2::int)")
            .bind(app::segments::SEGMENTS_LOCK)
            .bind(first as i32)
            .execute(&mut *holder)
            .await
            .unwrap();
        let impatient = (*pool.connect_options()).clone().options([("lock_timeout", "200ms")]);
        let impatient = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_with(impatient).await.unwrap();
        let clock = Clock::fixed("2026-11-01T00:00:00Z".parse().unwrap());
        let done = refresh_segments(&impatient, &clock, None).await.unwrap();
        let outcome: Vec<(&str, bool)> = done.iter().map(|(slug, result)| (slug.as_str(), result.is_ok())).collect();
        assert_eq!(outcome, [("first", false), ("second", true)]);
        holder.rollback().await.unwrap();
    }

    /// What the writes' queue leaves out, the periodic scan finds — unless another server is scanning.
    #[sqlx::test(migrations = "../migrations")]
    async fn the_periodic_scan_lists_what_the_queue_left_out_one_server_at_a_time(pool: PgPool) {
        let ws = app::accounts::db::create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        let clock = Clock::fixed("2026-11-20T12:00:00Z".parse().unwrap());
        for (id, first) in [("A-1", "Ann"), ("A-2", "Anne")] {
            let body = serde_json::json!({"channel": "shop", "channel_kind": "shopify", "external_id": id,
                "first_name": first, "last_name": "Lee", "email": format!("{id}@example.com"),
                "billing_address": {"line1": "Hauptstraße 12", "city": "Berlin", "postal_code": "10115", "country": "DE"}});
            let sync = app::ingest::parse_customer_sync(&body, "$").unwrap();
            let mut tx = pool.begin().await.unwrap();
            app::ingest::ingest_customer(&mut tx, ws, clock.now(), &sync).await.unwrap();
            tx.commit().await.unwrap();
        }
        // as if the queue had been lost (written before the finder existed)
        sqlx::query("delete from duplicate_check").execute(&pool).await.unwrap();
        let listed = || async {
            sqlx::query_scalar::<_, i64>("select count(*) from duplicate_pair where workspace_id = $1")
                .bind(ws)
                .fetch_one(&pool)
                .await
                .unwrap()
        };
        let mut other_server = pool.acquire().await.unwrap();
        sqlx::query("select pg_advisory_lock($1, 0)")
            .bind(DUPLICATE_SCAN_LOCK)
            .execute(&mut *other_server)
            .await
            .unwrap();
        scan_duplicates(&pool, &clock).await.unwrap();
        assert_eq!(listed().await, 0, "another server holds the scan");
        sqlx::query("select pg_advisory_unlock_all()").execute(&mut *other_server).await.unwrap();
        scan_duplicates(&pool, &clock).await.unwrap();
        assert_eq!(listed().await, 1);
    }
}
