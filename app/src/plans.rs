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
