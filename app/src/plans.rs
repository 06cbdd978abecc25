//! How a transaction's statements are planned. The pool plans every statement for the values at hand
//! (`force_custom_plan`: the list's queries need it), and that includes the foreign-key checks PostgreSQL
//! runs for each row a statement inserts or points at another customer. Planned anew, a check of a
//! customer weighs every index of the customer table: 0.1–0.16 ms a check at a million customers, against
//! microseconds with the cached plan. Writers of thousands of rows (an ingestion batch, a merge moving a
//! customer's orders and events) cache plans while they write by key, and set the caller's mode back.
//! Reads of a few milliseconds (a page of the list) run without parallel workers.

use crate::error::AppResult;
use sqlx::PgConnection;

/// Lets this transaction's statements use the plans PostgreSQL caches, until [`restore`]; answers the
/// mode to restore.
pub async fn cache(conn: &mut PgConnection) -> AppResult<String> {
    let mode = mode(conn).await?;
    set(conn, "auto").await?;
    Ok(mode)
}

/// Sets back the mode [`cache`] answered (what follows may need plans for its values: a recompute's scope
/// is a list of customers or all of them).
pub async fn restore(conn: &mut PgConnection, mode: &str) -> AppResult<()> {
    set(conn, mode).await
}

/// The plan cache mode in force.
pub async fn mode(conn: &mut PgConnection) -> AppResult<String> {
    Ok(sqlx::query_scalar!(r#"select current_setting('plan_cache_mode') as "mode!""#).fetch_one(&mut *conn).await?)
}

/// Sets the plan cache mode until the transaction ends.
pub async fn set(conn: &mut PgConnection, mode: &str) -> AppResult<()> {
    sqlx::query_scalar!("select set_config('plan_cache_mode', $1, true)", mode).fetch_one(&mut *conn).await?;
    Ok(())
}

/// Plans this transaction's statements without parallel workers. A page of the list is read in a few
/// milliseconds, and starting workers cost more than they share out: a broad search sorted by a figure
/// walks about 2,000 customers of the sort's index, 8 ms alone against 27 ms with two workers merging their
/// halves (the planner counts on the thousands of matches, not on the page's 51 rows).
pub async fn without_parallel_workers(conn: &mut PgConnection) -> AppResult<()> {
    sqlx::query_scalar!("select set_config('max_parallel_workers_per_gather', '0', true)")
        .fetch_one(&mut *conn)
        .await?;
    Ok(())
}

/// Plans this transaction's next statements without nested loops, until [`restore_nested_loops`];
/// answers the setting to restore.
pub async fn without_nested_loops(conn: &mut PgConnection) -> AppResult<String> {
    Ok(sqlx::query_scalar!(
        // read before it is set: the setting is set in a lateral subquery that depends on the read one
        r#"select before.setting as "setting!"
             from (select current_setting('enable_nestloop') as setting offset 0) before,
                  lateral (select set_config('enable_nestloop', 'off', true) where before.setting is not null) set"#
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// Sets nested loops back as [`without_nested_loops`] found them.
pub async fn restore_nested_loops(conn: &mut PgConnection, setting: &str) -> AppResult<()> {
    sqlx::query_scalar!("select set_config('enable_nestloop', $1, true)", setting).fetch_one(&mut *conn).await?;
    Ok(())
}

/// The tables writes fill, whose statistics the planner's choices rest on.
const WRITTEN_TABLES: &[&str] = &[
    "customer",
    "customer_order",
    "order_line",
    "event",
    "customer_email",
    "customer_phone",
    "customer_address",
    "customer_search",
    "customer_match_key",
    "segment_membership",
    "duplicate_check",
    "ticket",
    "message",
    "channel_delivery",
];

/// Tables younger than this are analyzed here; larger ones are autovacuum's (their statistics move slowly).
const YOUNG_TABLE_ROWS: f32 = 1_000_000.0;

/// Analyzes the written tables that are young and have changed by half since their last analysis (or were
/// never analyzed): a new workspace's first batches otherwise run on plans made for empty tables until
/// autovacuum comes by, a minute later. Answers the tables analyzed; skips one being analyzed already.
pub async fn analyze_young_tables(pool: &sqlx::PgPool) -> AppResult<Vec<String>> {
    let tables = sqlx::query_scalar!(
        r#"select s.relname as "relname!" from pg_stat_user_tables s join pg_class c on c.oid = s.relid
            where s.schemaname = current_schema() and s.relname = any($1)
              and greatest(c.reltuples, s.n_live_tup) < $2
              and s.n_mod_since_analyze >= 500
              and s.n_mod_since_analyze > greatest(c.reltuples, 0) * 0.5
            order by s.relname"#,
        WRITTEN_TABLES as &[&str],
        YOUNG_TABLE_ROWS
    )
    .fetch_all(pool)
    .await?;
    let mut analyzed = Vec::new();
    for table in tables {
        // only names of `WRITTEN_TABLES` reach here
        let Some(table) = WRITTEN_TABLES.iter().find(|t| **t == table) else { continue };
        let mut tx = pool.begin().await?;
        sqlx::query("set local lock_timeout = '200ms'").execute(&mut *tx).await?;
        match sqlx::query(&format!("analyze {table}")).execute(&mut *tx).await {
            Ok(_) => {
                tx.commit().await?;
                analyzed.push(table.to_string());
            }
            // autovacuum (or another server) is at it
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55P03") => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(analyzed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn nested_loops_are_switched_off_and_back_as_they_were(pool: sqlx::PgPool) {
        let mut tx = pool.begin().await.unwrap();
        for before in ["off", "on"] {
            sqlx::query(&format!("set local enable_nestloop = {before}")).execute(&mut *tx).await.unwrap();
            assert_eq!(without_nested_loops(&mut tx).await.unwrap(), before);
            let now: String =
                sqlx::query_scalar("select current_setting('enable_nestloop')").fetch_one(&mut *tx).await.unwrap();
            assert_eq!(now, "off");
            restore_nested_loops(&mut tx, before).await.unwrap();
            let after: String =
                sqlx::query_scalar("select current_setting('enable_nestloop')").fetch_one(&mut *tx).await.unwrap();
            assert_eq!(after, before);
        }
    }
}
