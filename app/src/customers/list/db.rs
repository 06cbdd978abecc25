//! The customer list's reads: a page of customers for a query (its ids chosen by `sql`, then read with
//! everything the list shows) and the filter panel's choices.

use super::cursor::Cursor;
use super::query::CustomerQuery;
use super::{search, sql};
use crate::accounts::db::workspace_currency;
use crate::customers::types::{COUNT_CAP, CustomerPage, ListOptions, SegmentCount};
use crate::error::AppResult;
use sqlx::PgPool;

/// One page of the workspace's customers for `query`, with the cursors of the pages around it and the
/// number of matches (counted up to `COUNT_CAP` + 1).
#[tracing::instrument(skip(pool))]
pub async fn list_customers(pool: &PgPool, workspace_id: i64, query: &CustomerQuery) -> AppResult<CustomerPage> {
    // the query may come straight from the list's server function, never through `from_pairs`
    query.check()?;
    // one snapshot for the page and its count
    let mut tx = pool.begin().await?;
    crate::plans::without_parallel_workers(&mut tx).await?;
    let mut lookups = sql::look_up(&mut tx, workspace_id, query).await?;
    // read where they are found, a page of a broad search is a walk along the sort; the rest are sorted
    let listed =
        if sql::sorted_where_found(query) { search::MATCHES_LISTED.min(COUNT_CAP) } else { search::MATCHES_LISTED };
    if let Some(q) = query.search() {
        lookups.search.found = search::by_order_number(&mut tx, workspace_id, q).await?;
        search::collect_matches(&mut tx, workspace_id, q, &mut lookups.search, listed).await?;
    }
    let mut total = sql::count(&mut tx, workspace_id, query, &lookups).await?;
    if total == 0
        && let Some(q) = query.search()
    {
        search::look_for_close_matches(&mut tx, workspace_id, q, &mut lookups.search).await?;
        search::collect_matches(&mut tx, workspace_id, q, &mut lookups.search, listed).await?;
        total = sql::count(&mut tx, workspace_id, query, &lookups).await?;
    }
    let page = sql::page_ids(&mut tx, workspace_id, query, &lookups).await?;
    let backwards = query.before.is_some();
    let next = if backwards || page.more { page.last.map(|v| Cursor::encode(query.sort, v)) } else { None };
    let previous = if (backwards && page.more) || (!backwards && query.after.is_some()) {
        page.first.map(|v| Cursor::encode(query.sort, v))
    } else {
        None
    };
    let mut rows = crate::customers::db::rows(&mut tx, workspace_id, &page.ids).await?;
    rows.sort_by_key(|r| page.ids.iter().position(|id| *id == r.id));
    tx.commit().await?;
    Ok(CustomerPage {
        items: rows,
        total,
        close_matches: lookups.search.close_words.is_some(),
        next,
        previous,
        currency: workspace_currency(pool, workspace_id).await?,
    })
}

/// The filter panel's choices: built-in segments with member counts, channels, managers.
#[tracing::instrument(skip(pool))]
pub async fn list_options(pool: &PgPool, workspace_id: i64) -> AppResult<ListOptions> {
    let segments = sqlx::query_as!(
        SegmentCount,
        r#"select s.key, s.name,
                  (select count(*) from segment_membership m
                    where m.workspace_id = s.workspace_id and m.segment_id = s.id) as "members!"
             from segment s where s.workspace_id = $1 and s.builtin order by s.id"#,
        workspace_id
    )
    .fetch_all(pool)
    .await?;
    let channels = sqlx::query_scalar!("select key from channel where workspace_id = $1 order by key", workspace_id)
        .fetch_all(pool)
        .await?;
    let managers = crate::accounts::db::member_choices(pool, workspace_id).await?;
    let custom_fields = crate::custom_fields::fields(pool, workspace_id).await?;
    Ok(ListOptions { segments, channels, managers, custom_fields })
}
