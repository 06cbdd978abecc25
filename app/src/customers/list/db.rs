//! The customer list's reads: a page of customers for a query (its ids chosen by `sql`, then read with
//! everything the list shows) and the filter panel's choices.

use super::cursor::Cursor;
use super::query::CustomerQuery;
use super::{search, sql};
use crate::accounts::db::workspace_currency;
use crate::customers::types::{COUNT_CAP, CustomerPage, ListOptions, SegmentCount};
use crate::error::AppResult;
use sqlx::{PgConnection, PgPool};

/// One page of the workspace's customers for `query`, with the cursors of the pages around it and the
/// number of matches (counted up to `COUNT_CAP` + 1).
#[tracing::instrument(skip(pool))]
pub async fn list_customers(pool: &PgPool, workspace_id: i64, query: &CustomerQuery) -> AppResult<CustomerPage> {
    // the query may come straight from the list's server function, never through `from_pairs`
    query.check()?;
    // one snapshot for the page and its count
    let mut tx = pool.begin().await?;
    crate::plans::without_parallel_workers(&mut tx).await?;
    let (lookups, total) = prepare(&mut tx, workspace_id, query).await?;
    let page = sql::page_ids(&mut tx, workspace_id, query, &lookups, query.limit()).await?;
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
        can_act: false,
    })
}

/// What `query` needs looked up before its pages are read (channels, custom segments, the search's
/// matches, close spellings when nothing matches as typed), and how many customers match (counted up to
/// `COUNT_CAP` + 1).
async fn prepare(tx: &mut PgConnection, workspace_id: i64, query: &CustomerQuery) -> AppResult<(sql::Lookups, i64)> {
    let mut lookups = sql::look_up(tx, workspace_id, query).await?;
    // read where they are found, a page of a broad search is a walk along the sort; the rest are sorted
    let listed =
        if sql::sorted_where_found(query) { search::MATCHES_LISTED.min(COUNT_CAP) } else { search::MATCHES_LISTED };
    if let Some(q) = query.search() {
        lookups.search.found = search::by_order_number(tx, workspace_id, q).await?;
        search::collect_matches(tx, workspace_id, q, &mut lookups.search, listed).await?;
    }
    let mut total = sql::count(tx, workspace_id, query, &lookups).await?;
    if total == 0
        && let Some(q) = query.search()
    {
        search::look_for_close_matches(tx, workspace_id, q, &mut lookups.search).await?;
        search::collect_matches(tx, workspace_id, q, &mut lookups.search, listed).await?;
        total = sql::count(tx, workspace_id, query, &lookups).await?;
    }
    Ok((lookups, total))
}

/// Every customer of the list for a query, in its order from its first page (whatever cursor the query
/// names), `batch` at a time along the list's own cursors: exactly the rows a reader paging through the
/// list sees. Read in one repeatable-read transaction, the ids of one moment (an export's).
pub struct Walk {
    query: CustomerQuery,
    lookups: sql::Lookups,
    batch: i64,
    over: bool,
}

impl Walk {
    pub async fn start(
        conn: &mut PgConnection,
        workspace_id: i64,
        query: &CustomerQuery,
        batch: i64,
    ) -> AppResult<Walk> {
        query.check()?;
        let query = query.first_page();
        crate::plans::without_parallel_workers(conn).await?;
        let (lookups, _) = prepare(conn, workspace_id, &query).await?;
        Ok(Walk { query, lookups, batch, over: false })
    }

    /// The ids of the next batch; none after the last.
    pub async fn next(&mut self, conn: &mut PgConnection, workspace_id: i64) -> AppResult<Option<Vec<i64>>> {
        if self.over {
            return Ok(None);
        }
        let page = sql::page_ids(conn, workspace_id, &self.query, &self.lookups, self.batch).await?;
        match page.last {
            Some(last) if page.more => self.query.after = Some(Cursor::encode(self.query.sort, last)),
            _ => self.over = true,
        }
        Ok(Some(page.ids).filter(|ids| !ids.is_empty()))
    }
}

/// Exactly how many customers the list for `query` holds (not capped: what a bulk action over all of
/// them changes), counted along its own pages.
pub async fn count_all(pool: &PgPool, workspace_id: i64, query: &CustomerQuery) -> AppResult<i64> {
    let mut tx = pool.begin().await?;
    let mut walk = Walk::start(&mut tx, workspace_id, query, 10_000).await?;
    let mut count = 0;
    while let Some(page) = walk.next(&mut tx, workspace_id).await? {
        count += page.len() as i64;
    }
    tx.commit().await?;
    Ok(count)
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
