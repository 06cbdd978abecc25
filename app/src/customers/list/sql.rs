//! The customer list's query (SPEC §4): every filter, seven sorts in both directions, keyset pages and a
//! capped count. This is the one statement built at run time: which filters apply and which sort is
//! asked for decide its shape, so that each shape is planned on its own and uses its index. Every piece
//! of SQL comes from the closed lists below; user input only ever travels as bound parameters.

use super::cursor::Cursor;
use super::query::{CustomerQuery, Mark, SentimentFilter, Sort, SortKey};
use super::search::{self, Search, escape_like, push_search};
use super::sort::{Column, Kind, SortValue, col, columns, read_row};
use crate::customers::types::COUNT_CAP;
use crate::error::AppResult;
use crate::segments::{BuiltinSegment, SegmentKey};
use crate::sentiment::LABEL_THRESHOLD;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

/// A row of a page: the customer's id and its sort values.
type PageRow = (i64, Vec<SortValue>);

/// Ids of one page, in order, with whether there are more rows beyond it in the direction read, and the
/// sort values of the first and last rows (for the cursors of the pages around it).
pub(super) struct PageIds {
    pub ids: Vec<i64>,
    pub more: bool,
    pub first: Option<Vec<SortValue>>,
    pub last: Option<Vec<SortValue>>,
}

pub(super) async fn page_ids(
    conn: &mut PgConnection,
    workspace_id: i64,
    query: &CustomerQuery,
    lookups: &Lookups,
    limit: i64,
) -> AppResult<PageIds> {
    let (cursor, backwards) = match (&query.after, &query.before) {
        (Some(after), _) => (Some(Cursor::decode(after, query.sort, "after")?), false),
        (None, Some(before)) => (Some(Cursor::decode(before, query.sort, "before")?), true),
        (None, None) => (None, false),
    };
    let mut columns = columns(query.sort);
    if backwards {
        // read the page before by walking the order the other way, then turn the rows round
        for column in &mut columns {
            column.descending = !column.descending;
        }
    }
    if has_purchase_days(query) && query.sort.key == SortKey::RegisteredAt && lookups.channels.len() <= 1 {
        let rows = by_registration(conn, workspace_id, query, lookups, &columns, cursor.as_ref(), limit).await?;
        return Ok(PageIds::of(rows, limit, backwards));
    }
    if let Some(q) = query.search()
        && sorted_where_found(query)
        && lookups.search.matches.is_none()
        && let Some(rows) =
            along_search_texts(conn, workspace_id, q, &lookups.search, &columns, cursor.as_ref(), limit).await?
    {
        return Ok(PageIds::of(rows, limit, backwards));
    }
    let mut sql = QueryBuilder::<Postgres>::new("");
    // sorted by orders, the numbers of orders are the sort's first column: read one by one in its
    // order, the walk stops at the number that completes the page (`push_order_by` below)
    let by_orders = query.sort.key == SortKey::Orders;
    let order_counts = lookups.order_counts.as_ref().map(|counts| {
        let mut counts: Vec<i32> = match &cursor {
            // sorted by orders, the counts before the cursor's hold nothing after it
            Some(cursor) if by_orders => {
                let SortValue::Int(at) = cursor.values[0] else { unreachable!("checked when the cursor was decoded") };
                let at = i32::try_from(at).unwrap_or(if at < 0 { i32::MIN } else { i32::MAX });
                counts.iter().copied().filter(|&n| if columns[0].descending { n <= at } else { n >= at }).collect()
            }
            _ => counts.clone(),
        };
        if by_orders && columns[0].descending {
            counts.reverse();
        }
        counts
    });
    // several channels: a page for each (a seek in the channel's sort index), then the page of pages
    let by_channel = order_counts.is_none() && lookups.channels.len() > 1;
    if by_channel {
        sql.push("select c.* from unnest(").push_bind(lookups.channels.clone());
        sql.push("::bigint[]) as v(channel_id) cross join lateral (");
    }
    if let Some(counts) = &order_counts {
        // a page for each number of orders (a seek in the orders index, which holds the totals in order
        // for each), then the page of pages; the sorts read this way have no times to order as text
        debug_assert!(columns.iter().all(|c| !matches!(c.kind, Kind::Time)));
        sql.push("select c.* from unnest(").push_bind(counts.clone());
        sql.push("::int[]) with ordinality as v(order_count, n) cross join lateral (");
    }
    sql.push("select c.id");
    for (i, column) in columns.iter().enumerate() {
        // times travel as PostgreSQL's text, which keeps ±infinity (no purchase yet) and every microsecond
        let cast = if matches!(column.kind, Kind::Time) { "::text" } else { "" };
        sql.push(format!(", {}{cast} as s{i}", column.sql));
        if by_channel && matches!(column.kind, Kind::Time) {
            // the page of pages orders by the times themselves, not by their text
            sql.push(format!(", {} as t{i}", column.sql));
        }
    }
    match query.search() {
        // a search alone sorted by name or registration: read where its matches are found, which carries
        // what the sort reads, sorted as found (`offset 0` keeps the sort's index of the search texts out):
        // few enough to collect, or more than a walk along the sort found a page of
        Some(q) if sorted_where_found(query) => {
            sql.push(" from (");
            search::push_sorted_where_found(&mut sql, workspace_id, q, &lookups.search);
            sql.push(" offset 0) c where true");
        }
        _ => {
            sql.push(" from customer c where c.workspace_id = ").push_bind(workspace_id);
            sql.push(" and c.merged_into_id is null");
            if order_counts.is_some() {
                sql.push(" and c.order_count = v.order_count");
            }
            if by_channel {
                sql.push(" and c.channel_id = v.channel_id");
            }
            push_filters(&mut sql, workspace_id, query, lookups, query.sort);
            push_implied(&mut sql, query, lookups, cursor.is_none() || columns[0].descending);
        }
    }
    if let Some(cursor) = &cursor {
        push_after(&mut sql, &columns, &cursor.values);
    }
    if order_counts.is_some() && query.sort.key == SortKey::AverageOrderValue {
        // among customers with as many orders, the order of the averages (with their ties by total) is
        // the order of the totals, which the orders index holds
        let descending = columns.last().is_some_and(|id| id.descending);
        let within = [col("c.total_order_value", Kind::Number, descending), col("c.id", Kind::BigInt, descending)];
        push_order_by(&mut sql, &within, |_, column| column.sql.to_string());
    } else {
        push_order_by(&mut sql, &columns, |_, column| column.sql.to_string());
    }
    sql.push(" limit ").push_bind(limit + 1);
    if order_counts.is_some() {
        sql.push(") c");
        if by_orders {
            // the numbers come in the sort's order, `n` their place (the function's ordinality, which the
            // planner knows the rows arrive in): each number's few rows are sorted and the walk stops at
            // the number that fills the page, where sorting all rows first sought every number (up to
            // 1,341 in the benchmark: a range of totals sorted by most orders crossed them all)
            let mut by_place = columns.clone();
            by_place[0] = col("v.n", Kind::BigInt, false);
            push_order_by(
                &mut sql,
                &by_place,
                |i, column| if i == 0 { column.sql.to_string() } else { format!("c.s{i}") },
            );
        } else {
            push_order_by(&mut sql, &columns, |i, _| format!("c.s{i}"));
        }
        sql.push(" limit ").push_bind(limit + 1);
    }
    if by_channel {
        sql.push(") c");
        let name = |i, column: &Column| format!("c.{}{i}", if matches!(column.kind, Kind::Time) { "t" } else { "s" });
        push_order_by(&mut sql, &columns, name);
        sql.push(" limit ").push_bind(limit + 1);
    }
    let rows = sql.build().fetch_all(conn).await?;
    let rows = rows.iter().map(|row| read_row(row, &columns)).collect::<Result<_, _>>()?;
    Ok(PageIds::of(rows, limit, backwards))
}

impl PageIds {
    /// The page of `rows`, read in the order walked (up to `limit` + 1, the one more telling whether there
    /// are more).
    fn of(mut rows: Vec<PageRow>, limit: i64, backwards: bool) -> PageIds {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        if backwards {
            rows.reverse();
        }
        PageIds {
            first: rows.first().map(|(_, v)| v.clone()),
            last: rows.last().map(|(_, v)| v.clone()),
            ids: rows.into_iter().map(|(id, _)| id).collect(),
            more,
        }
    }
}

/// Purchase days sorted by registration, up to `limit` + 1 rows in the order of `columns`. Customers
/// register before they buy, so those who last bought early registered early: along the registrations'
/// index, a page of them lay past every later registration (525,000 customers, 67–96 ms at 1,100,000).
/// A GiST index of both (migration `purchase_days_by_registration`) hands out the customers of the days
/// nearest first to a time beyond every registration, which is the order of registrations but not of
/// ids among equal times: the customers registered at the last time read are then read by id.
async fn by_registration(
    conn: &mut PgConnection,
    workspace_id: i64,
    query: &CustomerQuery,
    lookups: &Lookups,
    columns: &[Column],
    cursor: Option<&Cursor>,
    limit: i64,
) -> AppResult<Vec<PageRow>> {
    let descending = columns[0].descending;
    if let Some(rows) = along_registrations(conn, workspace_id, query, lookups, columns, cursor, limit).await? {
        return Ok(rows);
    }
    let matching = |sql: &mut QueryBuilder<'_, Postgres>| {
        sql.push(" from customer c where c.workspace_id = ").push_bind(workspace_id);
        sql.push(" and c.merged_into_id is null");
        push_filters(sql, workspace_id, query, lookups, query.sort);
        if let Some(cursor) = cursor {
            push_after(sql, columns, &cursor.values);
            // the cursor's time as a bound the index can use (the row comparison cannot)
            sql.push(if descending { " and c.registered_at <= " } else { " and c.registered_at >= " });
            push_value(sql, &columns[0], &cursor.values[0]);
        }
    };
    let beyond = if descending { "10000-01-01 00:00:00+00" } else { "0001-01-01 00:00:00+00 BC" };
    let mut sql =
        QueryBuilder::<Postgres>::new("select c.id, c.registered_at::text as s0, c.id as s1, c.registered_at");
    matching(&mut sql);
    sql.push(format!(" order by c.registered_at <-> '{beyond}'::timestamptz limit ")).push_bind(limit + 1);
    let mut rows: Vec<(DateTime<Utc>, PageRow)> = Vec::new();
    for row in sql.build().fetch_all(&mut *conn).await? {
        rows.push((row.try_get("registered_at")?, read_row(&row, columns)?));
    }
    rows.sort_by(|(a, (a_id, _)), (b, (b_id, _))| {
        let order = (a, a_id).cmp(&(b, b_id));
        if descending { order.reverse() } else { order }
    });
    if rows.len() as i64 > limit
        && let Some(&(last, _)) = rows.last()
    {
        // everyone registered at the last time read, by id (a seek in the registrations' index)
        rows.retain(|(at, _)| *at != last);
        let mut sql = QueryBuilder::<Postgres>::new("select c.id, c.registered_at::text as s0, c.id as s1");
        matching(&mut sql);
        sql.push(" and c.registered_at = ").push_bind(last);
        sql.push(if descending { " order by c.id desc limit " } else { " order by c.id limit " });
        sql.push_bind(limit + 1);
        for row in sql.build().fetch_all(&mut *conn).await? {
            rows.push((last, read_row(&row, columns)?));
        }
    }
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

/// How many customers along the registrations' index a page of purchase days is looked for among
/// before the GiST index is asked instead: where the days hold most customers (all purchases since
/// 2021, say), a page is a few hundred steps along the B-tree, and deep pages of the GiST's nearest
/// first cost 40–55 ms (its bounds on the registration overlap). Each step costs ~0.2 µs (an index-only
/// scan). (Four in tests, so that pages take both ways.)
const REGISTRATIONS_WALKED: i64 = if cfg!(test) { 4 } else { 10_000 };

/// Purchase days sorted by registration along the registrations' index, as any filter: the page, when
/// the first `REGISTRATIONS_WALKED` customers after the cursor hold it (or are all there are).
///
/// Customers nearly always register before they buy, so with a last day the walk starts at its end:
/// sorted by newest registration first, the customers registered since then came first and were each
/// crossed (30,000 registered after October in the benchmark, 18–24 ms for "bought in October"). Those
/// who registered after their latest purchase (a guest order, then an account) are read beside them
/// from their own small index (migration `registered_after_last_purchase`) and merged in order.
async fn along_registrations(
    conn: &mut PgConnection,
    workspace_id: i64,
    query: &CustomerQuery,
    lookups: &Lookups,
    columns: &[Column],
    cursor: Option<&Cursor>,
    limit: i64,
) -> AppResult<Option<Vec<PageRow>>> {
    let without_days = CustomerQuery { purchased_from: None, purchased_to: None, ..query.clone() };
    // `registered`: a bound on the registration by the last day, `… <` or `… >=` it
    let walk = |sql: &mut QueryBuilder<'_, Postgres>, registered: Option<(&str, DateTime<Utc>)>| {
        sql.push("select c.id, c.registered_at, c.registered_at::text as s0, c.id as s1, coalesce(true");
        push_purchase_days(sql, &lookups.purchased, "c.latest_purchase_at");
        // (no purchase at all: null)
        sql.push(", false) as in_days from customer c where c.workspace_id = ").push_bind(workspace_id);
        sql.push(" and c.merged_into_id is null");
        push_filters(sql, workspace_id, &without_days, lookups, query.sort);
        if let Some(cursor) = cursor {
            push_after(sql, columns, &cursor.values);
        }
        if let Some((bound, until)) = registered {
            sql.push(format!(" and {bound}")).push_bind(until);
        }
        push_order_by(sql, columns, |_, column| column.sql.to_string());
        sql.push(" limit ").push_bind(REGISTRATIONS_WALKED);
    };
    let mut sql = QueryBuilder::<Postgres>::new(
        "select id, s0, s1, in_days, n from (select w.*, row_number() over () as n from (",
    );
    match lookups.purchased.until {
        Some(until) => {
            sql.push("select * from ((");
            walk(&mut sql, Some(("c.registered_at < ", until)));
            sql.push(") union all (");
            walk(&mut sql, Some(("c.registered_at > c.latest_purchase_at and c.registered_at >= ", until)));
            sql.push(")) c");
            push_order_by(&mut sql, columns, |_, column| column.sql.to_string());
            sql.push(" limit ").push_bind(REGISTRATIONS_WALKED);
        }
        None => walk(&mut sql, None),
    }
    // the page's rows, and the last customer walked if the walk got that far before the page was full;
    // in the walk's order as numbered, without sorting them again, so that a page found early ends the
    // walk there (a sort would read all of it first)
    sql.push(") w) walked where in_days or n = ").push_bind(REGISTRATIONS_WALKED);
    sql.push(" limit ").push_bind(limit + 2);
    let mut rows = Vec::new();
    let mut cut_short = false;
    for row in sql.build().fetch_all(conn).await? {
        if row.try_get("in_days")? && (rows.len() as i64) <= limit {
            rows.push(read_row(&row, columns)?);
        }
        cut_short |= row.try_get::<i64, _>("n")? == REGISTRATIONS_WALKED;
    }
    Ok((rows.len() as i64 > limit || !cut_short).then_some(rows))
}

/// Whether the page of `query` is read where its search's matches are found: a search alone sorted by
/// name or registration, which the search texts carry (migrations `search_names`, `search_registration`).
pub(super) fn sorted_where_found(query: &CustomerQuery) -> bool {
    query.search().is_some() && matches!(query.sort.key, SortKey::Name | SortKey::RegisteredAt) && !query.has_filters()
}

/// How many search texts along a sort's index a page of a broad search is looked for among before its
/// matches are sorted as found instead. Spread over the sort, a page of matches of three letters of a
/// common name lies within a few hundred; gathered in one part of it (the surnames with "che" from Z
/// backwards), the walk crossed 185,000 texts (170–250 ms) where sorting the 29,000 matches takes 25 ms.
/// The walk reads the sort's index alone (it carries the texts, migration `search_sorts_cover`), 0.6 µs a
/// text: 15,000 find a page of matches one customer in 300 shares, and fewer are sorted in under 10 ms.
/// (Four in tests, so that pages take both ways.)
const SEARCH_TEXTS_WALKED: i64 = if cfg!(test) { 4 } else { 15_000 };

/// A page of a search alone along the sort's index of the search texts (`sorted_where_found`): the page,
/// when the first `SEARCH_TEXTS_WALKED` texts after the cursor hold it (or are all there are).
async fn along_search_texts(
    conn: &mut PgConnection,
    workspace_id: i64,
    q: &str,
    search: &Search,
    columns: &[Column],
    cursor: Option<&Cursor>,
    limit: i64,
) -> AppResult<Option<Vec<PageRow>>> {
    let mut sql =
        QueryBuilder::<Postgres>::new("select * from (select w.*, row_number() over () as n from (select c.id");
    for (i, column) in columns.iter().enumerate() {
        let cast = if matches!(column.kind, Kind::Time) { "::text" } else { "" };
        sql.push(format!(", {}{cast} as s{i}", column.sql));
    }
    sql.push(", ");
    search::push_row_matches(&mut sql, q, search, "c");
    sql.push(" as matches from (select s.customer_id as id, s.last_name, s.first_name, s.registered_at, s.search_text");
    sql.push(" from customer_search s where s.workspace_id = ").push_bind(workspace_id);
    sql.push(") c where true");
    if let Some(cursor) = cursor {
        push_after(&mut sql, columns, &cursor.values);
    }
    push_order_by(&mut sql, columns, |_, column| column.sql.to_string());
    sql.push(" limit ").push_bind(SEARCH_TEXTS_WALKED);
    // the page's rows, and the last text walked if the walk got that far before the page was full, in the
    // walk's order as numbered (not sorted again, so that a page found early ends the walk there)
    sql.push(") w) walked where matches or n = ").push_bind(SEARCH_TEXTS_WALKED);
    sql.push(" limit ").push_bind(limit + 2);
    let mut rows = Vec::new();
    let mut cut_short = false;
    for row in sql.build().fetch_all(conn).await? {
        if row.try_get("matches")? && (rows.len() as i64) <= limit {
            rows.push(read_row(&row, columns)?);
        }
        cut_short |= row.try_get::<i64, _>("n")? == SEARCH_TEXTS_WALKED;
    }
    Ok((rows.len() as i64 > limit || !cut_short).then_some(rows))
}

/// What the filters of `query` imply for the figures its sort reads, so that the sort's index seeks past
/// the customers who cannot match instead of crossing them. `from_below`: the walk is not bounded from
/// below by a cursor already (the index would start at either bound, not at the higher one).
fn push_implied(sql: &mut QueryBuilder<'_, Postgres>, query: &CustomerQuery, lookups: &Lookups, from_below: bool) {
    // one segment sorted by its figures: what the segment's rule implies for them (not in the count:
    // there the flag's own indexes serve better than a scan the extra condition would lead the planner to)
    if let [key] = query.segments.as_slice() {
        match query.sort.key {
            SortKey::Orders | SortKey::TotalOrderValue => {
                if let Some(segment) = key.builtin() {
                    sql.push(format!(" and {}", segment.implied()));
                }
            }
            // contacts have no average: they are the customers the average's index keeps last (seen
            // from the index's flags alone, the planner walked past every customer with an average)
            SortKey::AverageOrderValue if key.builtin().is_some_and(BuiltinSegment::without_orders) => {
                // written as the sort's first column, which its index leads with
                sql.push(if query.sort.descending {
                    " and not (c.average_order_value is not null)"
                } else {
                    " and (c.average_order_value is null)"
                });
            }
            _ => {}
        }
    }
    // the first purchase is no later than the latest (a check on the table): sorted by newest customer
    // first, those who first bought after the last day asked for came first, each crossed
    if query.sort.key == SortKey::CustomerSince
        && let Some(until) = lookups.purchased.until
    {
        sql.push(format!(" and {} < ", columns(query.sort)[0].sql)).push_bind(until);
    }
    // a purchase, or a total above zero, implies an order: sorted by orders, the customers without one
    // (an eighth of them in the benchmark) come first; by total, they are the first of the lowest totals
    // (0 with no orders), which a total above zero seeks past by itself
    if implies_an_order(query) {
        match query.sort.key {
            SortKey::Orders => {
                sql.push(" and c.order_count >= 1");
            }
            SortKey::TotalOrderValue if from_below && query.tov_min.is_none_or(|min| min <= 0.into()) => {
                sql.push(" and (c.total_order_value, c.order_count) >= (0, 1)");
            }
            _ => {}
        }
    }
}

/// `order by` the sort's columns, each written as `name(i, column)` gives it.
fn push_order_by(sql: &mut QueryBuilder<'_, Postgres>, columns: &[Column], name: impl Fn(usize, &Column) -> String) {
    sql.push(" order by ");
    for (i, column) in columns.iter().enumerate() {
        sql.push(if i > 0 { ", " } else { "" }).push(name(i, column));
        sql.push(if column.descending { " desc" } else { " asc" });
    }
}

/// Whether the ranges of `query` leave out every customer without a counted order: the latest purchase
/// and the total are figures of the same counted orders as their number (`indicators`).
fn implies_an_order(query: &CustomerQuery) -> bool {
    has_purchase_days(query)
        || query.tov_min.is_some_and(|min| min > 0.into())
        || query.orders_min.is_some_and(|min| min >= 1)
}

fn has_purchase_days(query: &CustomerQuery) -> bool {
    query.purchased_from.is_some() || query.purchased_to.is_some()
}

/// Up to how many numbers of orders a page sorted by total or average is read one number at a time
/// (`order_counts`); a wider range is read along the sort's index, as any other filter. Sorted by orders
/// there is no limit: the page stops at the number that fills it; nor sorted by average with a highest
/// total, where each number is a seek to the bound.
const MAX_ORDER_COUNTS: i32 = 200;

/// The numbers of orders to read a page for one at a time, when `query` sorts by one of the two figures
/// and has a range of the other, or by average with a range of either: the figures go together (few
/// orders, small totals), so a page of big spenders sorted by fewest orders, or of customers with two
/// or three orders sorted by highest total, lies past hundreds of thousands of customers along the
/// sort's index. The orders index holds each number of orders' customers by total (and so by average),
/// so each is a seek. The range ends at the workspace's highest number of orders at most.
async fn order_counts(
    conn: &mut PgConnection,
    workspace_id: i64,
    query: &CustomerQuery,
) -> AppResult<Option<Vec<i32>>> {
    let totals = query.tov_min.is_some() || query.tov_max.is_some();
    let orders = query.orders_min.is_some() || query.orders_max.is_some();
    let other_range = match query.sort.key {
        SortKey::Orders => totals,
        SortKey::TotalOrderValue => orders,
        SortKey::AverageOrderValue => totals || orders,
        _ => false,
    };
    if !other_range {
        return Ok(None);
    }
    let least = query.orders_min.unwrap_or(0).max(i32::from(implies_an_order(query)));
    let few = |most: i32| most < least.saturating_add(MAX_ORDER_COUNTS);
    // the numbers anyone has: an upper end typed far above them would be millions of seeks
    let highest = sqlx::query_scalar!(
        "select max(order_count) from customer where workspace_id = $1 and merged_into_id is null",
        workspace_id
    )
    .fetch_one(conn)
    .await?
    .unwrap_or(0);
    // sorted by total, a range holding everyone with an order (1 to 210 where nobody has more) leaves out
    // only the customers without one, whom the totals' index seeks past (`push_implied`): read one
    // number at a time, the page of the lowest totals took a seek for each number (31 ms)
    if query.sort.key == SortKey::TotalOrderValue && least <= 1 && query.orders_max.is_none_or(|most| most >= highest) {
        return Ok(None);
    }
    let most = highest.min(query.orders_max.unwrap_or(i32::MAX));
    // sorted by average, a highest total bounds the averages (an average is at most its total), which
    // the average's index cannot seek to past its first column (no average last): a walk along it
    // crossed every bigger average (tov_max=8 by highest average: 850,000 customers, 99-420 ms), where
    // each number of orders is a seek to the bound with at most a page of rows (1,341 numbers in the
    // benchmark: 4,200 buffers)
    let bounded_averages = query.sort.key == SortKey::AverageOrderValue && query.tov_max.is_some();
    Ok((few(most) || query.sort.key == SortKey::Orders || bounded_averages).then(|| (least..=most).collect()))
}

/// Rows after the cursor in the order of `columns`: (a, b, c) after (x, y, z) is a > x, or a = x and
/// b > y, or …, with each comparison turned for descending columns. The leading columns that share a
/// direction are also bounded together as a row, (a, b) >= (x, y), which the index can seek to: the
/// scan starts at the cursor even deep inside a run of equal first values (customers without a
/// purchase, all at −infinity).
fn push_after(sql: &mut QueryBuilder<'_, Postgres>, columns: &[Column], values: &[SortValue]) {
    let descending = columns[0].descending;
    let prefix = columns.iter().take_while(|c| c.descending == descending).count();
    sql.push(" and (");
    for (i, column) in columns[..prefix].iter().enumerate() {
        sql.push(if i > 0 { ", " } else { "" }).push(column.sql);
    }
    sql.push(if descending { ") <= (" } else { ") >= (" });
    for (i, (column, value)) in columns[..prefix].iter().zip(values).enumerate() {
        sql.push(if i > 0 { ", " } else { "" });
        push_value(sql, column, value);
    }
    sql.push(") and (");
    for i in 0..columns.len() {
        if i > 0 {
            sql.push(" or ");
        }
        sql.push("(");
        for (column, value) in columns[..i].iter().zip(values) {
            sql.push(format!("{} = ", column.sql));
            push_value(sql, column, value);
            sql.push(" and ");
        }
        let column = &columns[i];
        sql.push(format!("{} {} ", column.sql, if column.descending { "<" } else { ">" }));
        push_value(sql, column, &values[i]);
        sql.push(")");
    }
    sql.push(")");
}

fn push_value(sql: &mut QueryBuilder<'_, Postgres>, column: &Column, value: &SortValue) {
    match (column.kind, value) {
        (Kind::Time, SortValue::Time(t)) => sql.push_bind(t.clone()).push("::timestamptz"),
        (Kind::Number, SortValue::Number(n)) => sql.push_bind(*n).push("::numeric"),
        (Kind::Text, SortValue::Text(t)) => sql.push_bind(t.clone()).push("::text"),
        (Kind::Int, SortValue::Int(n)) => sql.push_bind(i32::try_from(*n).unwrap_or_default()).push("::int"),
        (Kind::BigInt, SortValue::Int(n)) => sql.push_bind(*n).push("::bigint"),
        (Kind::Bool, SortValue::Bool(b)) => sql.push_bind(*b).push("::boolean"),
        _ => unreachable!("cursors are checked against the sort's columns when decoded"),
    };
}

/// The filters of `query`, each one `and …`; `along`: the order the rows are read in (the page's sort;
/// for the count, the default one, whose index holds the latest purchases in order).
fn push_filters(
    sql: &mut QueryBuilder<'_, Postgres>,
    workspace_id: i64,
    query: &CustomerQuery,
    lookups: &Lookups,
    along: Sort,
) {
    if let Some(q) = query.search() {
        push_search(sql, workspace_id, q, &lookups.search, !query.has_filters());
    }
    if !query.segments.is_empty() {
        // built-in segments are flags on the customer row, each with its partial indexes (migration
        // `list_flags`), written as literals so that the planner can match them; other segments go
        // through the memberships
        let flags =
            query.segments.iter().filter_map(SegmentKey::builtin).map(BuiltinSegment::flag).fold(0, |a, b| a | b);
        let others = &lookups.segments;
        if flags == 0 && others.is_empty() {
            sql.push(" and false");
        } else {
            sql.push(" and (");
            if flags != 0 {
                sql.push(format!("c.builtin_segments & {flags} <> 0"));
            }
            if !others.is_empty() {
                if flags != 0 {
                    sql.push(" or ");
                }
                sql.push(
                    "exists (select 1 from segment_membership m
                              where m.workspace_id = c.workspace_id and m.customer_id = c.id and m.segment_id = any(",
                );
                sql.push_bind(others.clone()).push("))");
            }
            sql.push(")");
        }
    }
    if !query.channels.is_empty() {
        match lookups.channels.as_slice() {
            [] => sql.push(" and false"),
            // one channel as a value, which its sort indexes (migration `channel_and_sentiment_sorts`) are
            // led by; several are read one at a time by the page (`page_ids`)
            [channel] => sql.push(" and c.channel_id = ").push_bind(*channel),
            channels => sql.push(" and c.channel_id = any(").push_bind(channels.to_vec()).push(")"),
        };
    }
    let group = match query.sentiment {
        Some(SentimentFilter::Positive) => Some(1),
        Some(SentimentFilter::Negative) => Some(-1),
        Some(SentimentFilter::Neutral) => Some(0),
        Some(SentimentFilter::Unknown) => {
            sql.push(" and c.sentiment_score is null");
            None
        }
        None => None,
    };
    if let Some(group) = group {
        sql.push(format!(" and c.sentiment_score is not null and {} = {group}", sentiment_group()));
    }
    if let Some(registered) = query.registered {
        sql.push(" and c.registered = ").push_bind(registered);
    }
    if let Some(min) = query.tov_min {
        sql.push(" and c.total_order_value >= ").push_bind(min);
    }
    if let Some(max) = query.tov_max {
        sql.push(" and c.total_order_value <= ").push_bind(max);
    }
    if let Some(min) = query.orders_min {
        sql.push(" and c.order_count >= ").push_bind(min);
    }
    if let Some(max) = query.orders_max {
        sql.push(" and c.order_count <= ").push_bind(max);
    }
    // days in the workspace's time zone, compared on the expression the sort reads when it is the
    // latest purchase (the same for every customer with a purchase), so that its index bounds the scan
    let purchased = match along {
        Sort { key: SortKey::LatestPurchase, descending: true } => "coalesce(c.latest_purchase_at, '-infinity')",
        Sort { key: SortKey::LatestPurchase, descending: false } => "coalesce(c.latest_purchase_at, 'infinity')",
        _ => "c.latest_purchase_at",
    };
    if has_purchase_days(query) {
        push_purchase_days(sql, &lookups.purchased, purchased);
    }
    if query.open_tickets {
        // kept with the indicators; a flag with its own indexes, like the marks below
        sql.push(" and c.open_tickets > 0");
    }
    match query.mark {
        Some(Mark::Vip) => sql.push(" and c.vip_mark"),
        Some(Mark::Bad) => sql.push(" and c.bad_mark"),
        None => sql,
    };
    if let Some(manager) = query.manager {
        sql.push(" and c.manager_id = ").push_bind(manager);
    }
    for (key, value) in &query.fields {
        push_custom_field(sql, key, value);
    }
}

/// A customer's mood as a number, 1 positive, -1 negative, 0 neutral (for a score; a customer without
/// one has none), on the labels' own boundaries (`Sentiment::from_score`): the expression that leads
/// the moods' sort indexes (migration `channel_and_sentiment_sorts`), which the planner matches as
/// written, constants included.
pub(super) fn sentiment_group() -> String {
    let t = LABEL_THRESHOLD;
    format!("(case when c.sentiment_score >= {t} then 1 when c.sentiment_score <= -{t} then -1 else 0 end)")
}

/// `and …` of a purchase on the days, read from `purchased` (the latest purchase, or an expression of it).
fn push_purchase_days(sql: &mut QueryBuilder<'_, Postgres>, days: &PurchaseDays, purchased: &str) {
    // a purchase at all (the coalesced expressions give the customers without one ±infinity)
    sql.push(format!(" and {purchased} > '-infinity' and {purchased} < 'infinity'"));
    if let Some(from) = days.from {
        sql.push(format!(" and {purchased} >= ")).push_bind(from);
    }
    if let Some(until) = days.until {
        sql.push(format!(" and {purchased} < ")).push_bind(until);
    }
}

/// The customer has a value of the custom field `key` that matches `value` as the field's kind reads
/// it: a text containing it, the number or day it names, yes/no, a choice with that label.
fn push_custom_field(sql: &mut QueryBuilder<'_, Postgres>, key: &str, value: &str) {
    let boolean = match value.to_lowercase().as_str() {
        "true" | "yes" => Some(true),
        "false" | "no" => Some(false),
        _ => None,
    };
    let contains = format!("%{}%", escape_like(value));
    sql.push(
        " and exists (select 1 from custom_field_value v
                        join custom_field f on f.workspace_id = v.workspace_id and f.id = v.field_id
                        left join custom_field_choice ch on ch.workspace_id = v.workspace_id
                                                       and ch.field_id = v.field_id and ch.id = v.choice_id
                       where v.workspace_id = c.workspace_id and v.customer_id = c.id and f.key = ",
    );
    sql.push_bind(key.to_string());
    sql.push(" and (v.text_value ilike ").push_bind(contains);
    sql.push(" or v.number_value = ").push_bind(value.parse::<rust_decimal::Decimal>().ok());
    sql.push(" or v.date_value = ").push_bind(chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok());
    sql.push(" or v.boolean_value = ").push_bind(boolean);
    sql.push(" or lower(ch.label) = lower(").push_bind(value.to_string()).push(")))");
}

/// What is looked up before the list's queries, so that they are planned for the values themselves: the
/// ids behind the keys of channels and segments (a key nobody has — a new channel, a misspelling — then
/// matches nothing at once, where walking a sort in search of it read every customer), and the search.
#[derive(Default)]
pub(super) struct Lookups {
    /// The channels named (none of them exists: nobody matches).
    pub channels: Vec<i64>,
    /// The segments named that are not built in (their members are read from the memberships).
    pub segments: Vec<i64>,
    pub search: Search,
    pub purchased: PurchaseDays,
    /// The numbers of orders a page is read for one at a time (`order_counts`).
    pub order_counts: Option<Vec<i32>>,
}

/// The instants the days of `purchased_from` and `purchased_to` begin and end at in the workspace's time
/// zone, bound as values: the planner then knows how many customers bought in between, where a bound
/// computed inside the statement left it guessing 0.5% of them (and, at a million customers, counting
/// the matches along an index that visits them all).
#[derive(Default)]
pub(super) struct PurchaseDays {
    pub from: Option<DateTime<Utc>>,
    /// The first instant after the last day.
    pub until: Option<DateTime<Utc>>,
}

/// The ids of the channels and custom segments `query` names; the search is left to the caller.
pub(super) async fn look_up(conn: &mut PgConnection, workspace_id: i64, query: &CustomerQuery) -> AppResult<Lookups> {
    let mut lookups = Lookups::default();
    if !query.channels.is_empty() {
        lookups.channels = sqlx::query_scalar!(
            "select id from channel where workspace_id = $1 and key = any($2)",
            workspace_id,
            &query.channels
        )
        .fetch_all(&mut *conn)
        .await?;
    }
    let others: Vec<&str> =
        query.segments.iter().filter(|key| key.builtin().is_none()).map(SegmentKey::as_str).collect();
    if !others.is_empty() {
        lookups.segments = sqlx::query_scalar!(
            "select id from segment where workspace_id = $1 and key = any($2)",
            workspace_id,
            &others as &[&str]
        )
        .fetch_all(&mut *conn)
        .await?;
    }
    if has_purchase_days(query) {
        let days = sqlx::query!(
            r#"select ($2::date::timestamp at time zone time_zone) as "from",
                      (($3::date + 1)::timestamp at time zone time_zone) as "until"
                 from workspace where id = $1"#,
            workspace_id,
            query.purchased_from,
            query.purchased_to
        )
        .fetch_one(&mut *conn)
        .await?;
        lookups.purchased = PurchaseDays { from: days.from, until: days.until };
    }
    lookups.order_counts = order_counts(conn, workspace_id, query).await?;
    Ok(lookups)
}

/// How many customers match, counted up to `COUNT_CAP` + 1 (more reads as "more than 1,000").
pub(super) async fn count(
    conn: &mut PgConnection,
    workspace_id: i64,
    query: &CustomerQuery,
    lookups: &Lookups,
) -> AppResult<i64> {
    if let Some(matches) = &lookups.search.matches
        && (matches.is_empty() || !query.has_filters())
    {
        // only customers the list shows (not merged away) have a search text or are found beforehand,
        // so the collected matches are the count when nothing else narrows the list
        return Ok((matches.len() as i64).min(COUNT_CAP + 1));
    }
    if lookups.search.seen > COUNT_CAP && !query.has_filters() {
        // a broad search alone (three letters of a common name: 56,000 matches of "mar" in the benchmark)
        // matches more than the count shows: counting again joined its matches to the customers along
        // their ids (40 ms; 2 s when the matches were the newest customers)
        return Ok(COUNT_CAP + 1);
    }
    let mut sql =
        QueryBuilder::<Postgres>::new("select count(*) from (select 1 from customer c where c.workspace_id = ");
    sql.push_bind(workspace_id).push(" and c.merged_into_id is null");
    // a range of purchase days is then a range of that index, whatever the page's sort: counting along
    // another index (total order value, say) crossed every customer without a purchase first
    push_filters(&mut sql, workspace_id, query, lookups, Sort::default());
    sql.push(" limit ").push_bind(COUNT_CAP + 1).push(") matching");
    Ok(sql.build_query_scalar::<i64>().fetch_one(conn).await?)
}
