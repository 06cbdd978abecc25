//! Keeping the built-in segments of SPEC §3 current: memberships are stored, and every join and leave
//! is written as an event. Writers of one customer refresh that customer in their own transaction;
//! the VIP threshold is global and refreshed right after; a full refresh moves everyone as time passes.

use crate::error::AppResult;
use crate::timeline::{Event, Recorded};
use chrono::{DateTime, Months, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;

/// Advisory lock key: per-customer refreshes share it, a full refresh takes it alone.
pub const SEGMENTS_LOCK: i32 = 7001;

/// `now` minus `months` calendar months, in UTC (e.g. 31 May − 3 months = 28 Feb).
pub fn months_before(now: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(months)).expect("dates stay in range")
}

/// Brings every built-in segment of the workspace up to date at `now`: the flags of the five rules
/// that need only the customer's own figures as time has moved them, then the memberships, then VIP.
#[tracing::instrument(skip(conn))]
pub async fn refresh_all(conn: &mut PgConnection, workspace_id: i64, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!("select pg_advisory_xact_lock($1, $2::int)", SEGMENTS_LOCK, workspace_id as i32)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        r#"
        with recent as (
            select customer_id,
                   count(*) as in_12,
                   count(*) filter (where placed_at > $3) as in_3
              from customer_order
             where workspace_id = $1 and not test and status not in ('draft', 'canceled')
               and placed_at > $2 and placed_at <= $4
             group by customer_id),
        fresh as (
            select c.id,
                   (c.builtin_segments & segment_flag('vip'))
                   | case when c.merged_into_id is not null then 0
                          else builtin_segment_flags(coalesce(r.in_12, 0), coalesce(r.in_3, 0), c.customer_since,
                                                     c.order_count, c.contacts, $3, $4) end as segments
              from customer c
              left join recent r on r.customer_id = c.id
             where c.workspace_id = $1)
        update customer c
           set builtin_segments = f.segments
          from fresh f
         where c.workspace_id = $1 and c.id = f.id and c.builtin_segments <> f.segments
        "#,
        workspace_id,
        months_before(now, 12),
        months_before(now, 3),
        now
    )
    .execute(&mut *conn)
    .await?;
    follow_flags(conn, workspace_id, now, None).await?;
    refresh_vip(conn, workspace_id, now, None).await
}

/// Brings the memberships of the segments other than VIP up to date for the given customers, whose rows
/// the caller has locked and whose figures and flags it has just recomputed
/// (`customers::indicators::recompute`).
#[tracing::instrument(skip(conn))]
pub async fn refresh_customers(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    customers: &[i64],
) -> AppResult<()> {
    sqlx::query!("select pg_advisory_xact_lock_shared($1, $2::int)", SEGMENTS_LOCK, workspace_id as i32)
        .execute(&mut *conn)
        .await?;
    follow_flags(conn, workspace_id, now, Some(customers)).await
}

/// The memberships of the built-in segments other than VIP follow the customers' flags; every join and
/// leave is an event.
async fn follow_flags(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    customers: Option<&[i64]>,
) -> AppResult<()> {
    let moves = sqlx::query!(
        r#"
        with desired as (
            select c.id as customer_id, s.id as segment_id
              from customer c
              join segment s on s.workspace_id = c.workspace_id and s.builtin and s.key <> 'vip'
             where c.workspace_id = $1 and c.merged_into_id is null
               and ($2::bigint[] is null or c.id = any($2))
               and c.builtin_segments & segment_flag(s.key) <> 0),
        current as (
            select m.customer_id, m.segment_id
              from segment_membership m
              join segment s on s.workspace_id = m.workspace_id and s.id = m.segment_id
             where m.workspace_id = $1 and s.builtin and s.key <> 'vip'
               and ($2::bigint[] is null or m.customer_id = any($2))),
        joined as (
            insert into segment_membership (workspace_id, segment_id, customer_id, joined_at)
            select $1, segment_id, customer_id, $3 from (select * from desired except select * from current) j
            returning customer_id, segment_id),
        gone as (
            delete from segment_membership m
             using (select * from current except select * from desired) l
             where m.workspace_id = $1 and m.segment_id = l.segment_id and m.customer_id = l.customer_id
            returning m.customer_id, m.segment_id)
        select customer_id as "customer_id!", segment_id as "segment_id!", true as "joined!" from joined
        union all
        select customer_id, segment_id, false from gone
        "#,
        workspace_id,
        customers as Option<&[i64]>,
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    let moves = moves.into_iter().map(|m| (m.customer_id, m.segment_id, m.joined));
    record_moves(conn, workspace_id, now, moves).await
}

/// Recomputes the VIP threshold (the k-th largest TOV among customers with orders and TOV > 0, k =
/// ceil(N / 10), ties at the threshold all in) and moves only the customers whose side changed: those
/// `written` since the last refresh, and those between the old and the new threshold. `None` looks at
/// everyone (the full refresh).
#[tracing::instrument(skip(conn, written))]
pub async fn refresh_vip(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    written: Option<&[i64]>,
) -> AppResult<()> {
    // The workspace row is the lock: VIP refreshes of one workspace run one at a time. `no key update`
    // leaves writers free to insert rows that reference the workspace meanwhile (no deadlock with them).
    let stored =
        sqlx::query!("select vip_threshold, vip_members from workspace where id = $1 for no key update", workspace_id)
            .fetch_one(&mut *conn)
            .await?;
    let (old, members) = (stored.vip_threshold, stored.vip_members);
    // N, the number of customers with orders and TOV > 0: counted when everyone is looked at (which also
    // corrects the running count), else the sum of what writers recorded, compacted to one row
    let population = if written.is_none() {
        sqlx::query_scalar!(
            r#"
            with gone as (delete from vip_population where workspace_id = $1),
            n as (select count(*) as n from customer
                   where workspace_id = $1 and order_count >= 1 and total_order_value > 0 and merged_into_id is null)
            insert into vip_population (workspace_id, delta) select $1, n from n returning delta
            "#,
            workspace_id
        )
        .fetch_one(&mut *conn)
        .await?
    } else {
        sqlx::query_scalar!(
            r#"
            with gone as (delete from vip_population where workspace_id = $1 returning delta)
            insert into vip_population (workspace_id, delta)
            select $1, coalesce(sum(delta), 0)::bigint from gone returning delta
            "#,
            workspace_id
        )
        .fetch_one(&mut *conn)
        .await?
    };
    let new = match (written, old, members) {
        (Some(written), Some(old), Some(members)) if population > 0 => {
            walk_to_threshold(conn, workspace_id, written, old, members, population).await?
        }
        _ => top_threshold(conn, workspace_id, population).await?,
    };
    if new != old {
        sqlx::query!("update workspace set vip_threshold = $2, updated_at = $3 where id = $1", workspace_id, new, now)
            .execute(&mut *conn)
            .await?;
    }
    // Who may have crossed: everyone when asked or when a threshold is missing, else the written
    // customers and the band between the two thresholds.
    let (everyone, low, high) = match (written, old, new) {
        (Some(_), Some(old), Some(new)) => (false, old.min(new), old.max(new)),
        _ => (true, Decimal::ZERO, Decimal::ZERO),
    };
    let written = written.unwrap_or(&[]);
    let moved = sqlx::query!(
        r#"
        with vip as (select id from segment where workspace_id = $1 and key = 'vip'),
        -- (everyone, $3, is not a part of the scope: a million ids to look up one by one; the scope is an
        -- array, which the planner, once $3 is known, uses as an index condition)
        scope as (
            select id from customer where workspace_id = $1 and id = any($4)
            union
            -- (the conditions of the VIP index, so that it finds the band)
            select id from customer
             where workspace_id = $1 and order_count >= 1 and total_order_value > 0 and merged_into_id is null
               and total_order_value between $5 and $6),
        desired as (
            select c.id as customer_id from customer c
             where c.workspace_id = $1 and c.merged_into_id is null and c.order_count >= 1
               and c.total_order_value > 0 and c.total_order_value >= $7
               and ($3 or c.id = any(array(select id from scope)))),
        current as (
            select customer_id from segment_membership
             where workspace_id = $1 and segment_id = (select id from vip)
               and ($3 or customer_id = any(array(select id from scope)))),
        joined as (
            insert into segment_membership (workspace_id, segment_id, customer_id, joined_at)
            select $1, (select id from vip), customer_id, $2 from (select * from desired except select * from current) j
            returning customer_id),
        gone as (
            delete from segment_membership m
             where m.workspace_id = $1 and m.segment_id = (select id from vip)
               and m.customer_id in (select customer_id from current except select customer_id from desired)
            returning m.customer_id),
        -- the VIP bit of the customer row follows what VIP membership should be; a row that a writer
        -- holds right now is left to that writer's own VIP refresh, which has it in scope (waiting for
        -- it here would make every writer of those customers wait for this refresh in turn)
        -- (membership through `in`, which hashes the members once: `= any(array)` outside an index
        -- condition is a linear search per row, minutes for the million rows of a full refresh)
        to_flag as (
            select x.id, x.id in (select customer_id from desired) as member
              from customer x
             where x.workspace_id = $1 and ($3 or x.id = any(array(select id from scope)))
               and (x.builtin_segments & segment_flag('vip') <> 0) <> (x.id in (select customer_id from desired))
               for no key update of x skip locked),
        flagged as (
            update customer c
               set builtin_segments = case when f.member then c.builtin_segments | segment_flag('vip')
                                           else c.builtin_segments & ~segment_flag('vip') end
              from to_flag f
             where c.workspace_id = $1 and c.id = any(array(select id from to_flag)) and c.id = f.id),
        moved as (
            select customer_id, true as joined from joined union all select customer_id, false from gone)
        select m.customer_id as "customer_id!", m.joined as "joined!", (select id from vip) as "segment_id!"
          from moved m
        "#,
        workspace_id,
        now,
        everyone,
        written,
        low,
        high,
        // no threshold: nobody qualifies
        new.unwrap_or(Decimal::MAX)
    )
    .fetch_all(&mut *conn)
    .await?;
    let joined = moved.iter().filter(|m| m.joined).count() as i64;
    let left = moved.len() as i64 - joined;
    record_moves(conn, workspace_id, now, moved.into_iter().map(|m| (m.customer_id, m.segment_id, m.joined))).await?;
    // the members, for the next refresh's walk: counted when everyone was looked at or never before
    let members =
        match members {
            Some(members) if !everyone => members + joined - left,
            _ => sqlx::query_scalar!(
                r#"select count(*) as "n!" from segment_membership m join segment s on s.workspace_id = m.workspace_id
                                                                and s.id = m.segment_id and s.key = 'vip'
                where m.workspace_id = $1"#,
                workspace_id
            )
            .fetch_one(&mut *conn)
            .await?,
        };
    sqlx::query!("update workspace set vip_members = $2 where id = $1", workspace_id, members)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Writes the events of customers joining or leaving segments: (customer, segment, joined).
async fn record_moves(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    moves: impl Iterator<Item = (i64, i64, bool)>,
) -> AppResult<()> {
    let events: Vec<Recorded> = moves
        .map(|(customer_id, segment_id, joined)| {
            let segment_id = Some(segment_id);
            let event = if joined { Event::SegmentJoined { segment_id } } else { Event::SegmentLeft { segment_id } };
            Recorded { customer_id, actor_id: None, happened_at: now, event }
        })
        .collect();
    crate::timeline::record_all(conn, workspace_id, &events).await
}

/// The k-th largest TOV of the N customers with orders and TOV > 0 (k = ceil(N / 10)), read from the
/// top of the VIP index: a walk over k entries.
async fn top_threshold(conn: &mut PgConnection, workspace_id: i64, population: i64) -> AppResult<Option<Decimal>> {
    Ok(sqlx::query_scalar!(
        r#"
        select total_order_value from customer
         where workspace_id = $1 and order_count >= 1 and total_order_value > 0 and merged_into_id is null
         order by total_order_value desc
        offset greatest(ceil($2::bigint / 10.0)::bigint - 1, 0)
         limit 1
        "#,
        workspace_id,
        population
    )
    .fetch_optional(&mut *conn)
    .await?)
}

/// The same threshold found from the old one: the members (customers at or above the old threshold at
/// the last refresh), corrected for the customers written since, say how many are at or above it now;
/// the new threshold is then that many minus k entries above it, or below it — a short walk.
async fn walk_to_threshold(
    conn: &mut PgConnection,
    workspace_id: i64,
    written: &[i64],
    old: Decimal,
    members: i64,
    population: i64,
) -> AppResult<Option<Decimal>> {
    let above = sqlx::query_scalar!(
        r#"
        with vip as (select id from segment where workspace_id = $1 and key = 'vip'),
        now_above as (
            select id from customer
             where workspace_id = $1 and id = any($2) and order_count >= 1 and total_order_value > 0
               and merged_into_id is null and total_order_value >= $4),
        were_members as (
            select customer_id as id from segment_membership
             where workspace_id = $1 and segment_id = (select id from vip) and customer_id = any($2))
        select $3::bigint - (select count(*) from were_members where id not in (select id from now_above))
                          + (select count(*) from now_above where id not in (select id from were_members)) as "above!"
        "#,
        workspace_id,
        written,
        members,
        old
    )
    .fetch_one(&mut *conn)
    .await?;
    let k = (population + 9) / 10;
    let found = if above >= k {
        sqlx::query_scalar!(
            "select total_order_value from customer
              where workspace_id = $1 and order_count >= 1 and total_order_value > 0 and merged_into_id is null
                and total_order_value >= $2
              order by total_order_value
             offset $3 limit 1",
            workspace_id,
            old,
            above - k
        )
        .fetch_optional(&mut *conn)
        .await?
    } else {
        sqlx::query_scalar!(
            "select total_order_value from customer
              where workspace_id = $1 and order_count >= 1 and total_order_value > 0 and merged_into_id is null
                and total_order_value < $2
              order by total_order_value desc
             offset $3 limit 1",
            workspace_id,
            old,
            k - above - 1
        )
        .fetch_optional(&mut *conn)
        .await?
    };
    // a count that does not hold (the walk ran off the end) is settled from the top
    match found {
        Some(threshold) => Ok(Some(threshold)),
        None => top_threshold(conn, workspace_id, population).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::db::create_workspace;
    use crate::customers::indicators::recompute;
    use crate::segments::{BuiltinSegment, SegmentKey};
    use rust_decimal::Decimal;
    use sqlx::PgPool;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    struct Shop {
        pool: PgPool,
        ws: i64,
        channel: i64,
    }

    impl Shop {
        async fn new(pool: &PgPool) -> Shop {
            let ws = create_workspace(pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
            let channel = sqlx::query_scalar!(
                "insert into channel (workspace_id, key, kind, name) values ($1, 'web', 'website', 'Web') returning id",
                ws
            )
            .fetch_one(pool)
            .await
            .unwrap();
            Shop { pool: pool.clone(), ws, channel }
        }

        async fn customer(&self) -> i64 {
            sqlx::query_scalar!(
                "insert into customer (workspace_id, channel_id, registered) values ($1, $2, false) returning id",
                self.ws,
                self.channel
            )
            .fetch_one(&self.pool)
            .await
            .unwrap()
        }

        async fn order(&self, customer: i64, placed_at: &str, status: &str, test: bool, total: &str, refunded: &str) {
            let total: Decimal = total.parse().unwrap();
            let refunded: Decimal = refunded.parse().unwrap();
            sqlx::query!(
                "insert into customer_order (workspace_id, channel_id, external_id, number, customer_id, placed_at,
                                             status, test, currency, exchange_rate, total, paid, refunded)
                 values ($1, $2, gen_random_uuid()::text, 'n', $3, $4, $5, $6, 'USD', 1.1, $7, $7, $8)",
                self.ws,
                self.channel,
                customer,
                at(placed_at),
                status,
                test,
                total,
                refunded
            )
            .execute(&self.pool)
            .await
            .unwrap();
        }

        async fn paid(&self, customer: i64, placed_at: &str, total: &str) {
            self.order(customer, placed_at, "paid", false, total, "0").await;
        }

        async fn ticket(&self, customer: i64, first: &str, scores: &[(&str, Option<f64>)]) {
            let ticket = sqlx::query_scalar!(
                "insert into ticket (workspace_id, channel_id, customer_id, status, first_direction)
                 values ($1, $2, $3, 'todo', $4) returning id",
                self.ws,
                self.channel,
                customer,
                first
            )
            .fetch_one(&self.pool)
            .await
            .unwrap();
            for (sent_at, score) in scores {
                sqlx::query!(
                    "insert into message (workspace_id, ticket_id, customer_id, channel_id, direction, kind, body,
                                          sent_at, sentiment_score)
                     values ($1, $2, $3, $4, 'inbound', 'email', 'x', $5, $6)",
                    self.ws,
                    ticket,
                    customer,
                    self.channel,
                    at(sent_at),
                    *score
                )
                .execute(&self.pool)
                .await
                .unwrap();
            }
        }

        /// Recomputes everything at `now` as one writer would, and returns each customer's segments.
        async fn refresh(&self, now: &str) {
            let mut tx = self.pool.begin().await.unwrap();
            recompute(&mut tx, self.ws, None, at(now)).await.unwrap();
            refresh_all(&mut tx, self.ws, at(now)).await.unwrap();
            tx.commit().await.unwrap();
        }

        /// The customer's segments, after checking that the flags on the customer row say the same.
        async fn segments(&self, customer: i64) -> Vec<String> {
            let keys = sqlx::query_scalar!(
                "select s.key from segment_membership m join segment s on s.workspace_id = m.workspace_id
                   and s.id = m.segment_id where m.workspace_id = $1 and m.customer_id = $2 order by s.key",
                self.ws,
                customer
            )
            .fetch_all(&self.pool)
            .await
            .unwrap();
            let flags = sqlx::query_scalar!(
                "select builtin_segments from customer where workspace_id = $1 and id = $2",
                self.ws,
                customer
            )
            .fetch_one(&self.pool)
            .await
            .unwrap();
            let expected = keys.iter().map(|key| BuiltinSegment::parse(key).unwrap().flag()).fold(0, |a, b| a | b);
            assert_eq!(flags, expected, "flags of customer {customer} in {keys:?}");
            keys
        }

        async fn events(&self, customer: i64) -> Vec<(String, String)> {
            sqlx::query!(
                "select e.kind, s.key from event e join segment s on s.workspace_id = e.workspace_id
                   and s.id = e.segment_id where e.workspace_id = $1 and e.customer_id = $2 order by e.id",
                self.ws,
                customer
            )
            .fetch_all(&self.pool)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.kind, r.key))
            .collect()
        }
    }

    #[test]
    fn calendar_months_clamp_to_the_end_of_shorter_months() {
        assert_eq!(months_before(at("2026-05-31T12:00:00Z"), 3), at("2026-02-28T12:00:00Z"));
        assert_eq!(months_before(at("2024-05-31T00:00:00Z"), 3), at("2024-02-29T00:00:00Z"));
        assert_eq!(months_before(at("2026-05-31T12:00:00Z"), 12), at("2025-05-31T12:00:00Z"));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn each_builtin_segment_has_its_own_flag_in_rust_and_in_sql(pool: PgPool) {
        let mut seen = 0;
        for segment in BuiltinSegment::ALL {
            let key = segment.as_str();
            let sql = sqlx::query_scalar!(r#"select segment_flag($1) as "flag!""#, key).fetch_one(&pool).await.unwrap();
            let flag = segment.flag();
            assert_eq!(sql, flag, "{key}");
            assert_eq!(seen & flag, 0, "{key} shares a bit");
            seen |= flag;
        }
        assert_eq!(SegmentKey::new("custom").builtin(), None);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_last_three_months_exclude_their_first_instant_and_include_now(pool: PgPool) {
        let shop = Shop::new(&pool).await;
        let now = "2026-05-31T12:00:00Z";
        let edge = shop.customer().await;
        shop.paid(edge, "2026-02-28T12:00:00Z", "10").await; // exactly 3 months before: out
        shop.paid(edge, "2026-04-01T00:00:00Z", "10").await;
        shop.paid(edge, now, "10").await; // exactly now: in
        let inside = shop.customer().await;
        shop.paid(inside, "2026-02-28T12:00:01Z", "10").await;
        shop.paid(inside, "2026-04-01T00:00:00Z", "10").await;
        shop.paid(inside, now, "10").await;
        shop.paid(inside, "2026-06-01T00:00:00Z", "10").await; // after now: not in the window
        shop.refresh(now).await;
        let edge = shop.segments(edge).await;
        assert!(!edge.contains(&"active_customer".into()) && edge.contains(&"repeat_customer".into()), "{edge:?}");
        assert!(!edge.contains(&"new_customer".into()), "its first order is exactly 3 months old");
        let inside = shop.segments(inside).await;
        assert!(inside.contains(&"active_customer".into()) && inside.contains(&"new_customer".into()), "{inside:?}");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn twelve_months_and_new_customers_follow_the_same_boundaries(pool: PgPool) {
        let shop = Shop::new(&pool).await;
        let now = "2026-05-31T12:00:00Z";
        let edge = shop.customer().await;
        shop.paid(edge, "2025-05-31T12:00:00Z", "10").await; // exactly 12 months: out
        shop.paid(edge, "2025-12-01T00:00:00Z", "10").await;
        let inside = shop.customer().await;
        shop.paid(inside, "2025-05-31T12:00:01Z", "10").await;
        shop.paid(inside, "2025-12-01T00:00:00Z", "10").await;
        let newcomer = shop.customer().await;
        shop.paid(newcomer, "2026-02-28T12:00:01Z", "10").await;
        let not_new = shop.customer().await;
        shop.paid(not_new, "2026-02-28T12:00:00Z", "10").await;
        shop.refresh(now).await;
        assert!(!shop.segments(edge).await.contains(&"repeat_customer".into()));
        assert!(shop.segments(inside).await.contains(&"repeat_customer".into()));
        assert!(shop.segments(newcomer).await.contains(&"new_customer".to_string()));
        assert!(!shop.segments(not_new).await.contains(&"new_customer".to_string()));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn test_draft_and_canceled_orders_do_not_count_but_returned_ones_do(pool: PgPool) {
        let shop = Shop::new(&pool).await;
        let c = shop.customer().await;
        shop.order(c, "2026-05-01T00:00:00Z", "paid", true, "500", "0").await;
        shop.order(c, "2026-05-02T00:00:00Z", "draft", false, "500", "0").await;
        shop.order(c, "2026-05-03T00:00:00Z", "canceled", false, "500", "0").await;
        shop.order(c, "2026-05-04T00:00:00Z", "returned", false, "80", "80").await;
        shop.order(c, "2026-05-05T00:00:00Z", "delivered", false, "100", "25").await;
        // nothing that counts: no figures, but the test order still marks the customer
        let tester = shop.customer().await;
        shop.order(tester, "2026-05-01T00:00:00Z", "paid", true, "500", "500").await;
        shop.order(tester, "2026-05-02T00:00:00Z", "canceled", false, "500", "0").await;
        shop.refresh("2026-05-31T00:00:00Z").await;
        let none = sqlx::query!(
            "select order_count, total_order_value, total_paid, average_order_value, customer_since,
                    latest_purchase_at, has_test_order from customer where id = $1",
            tester
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!((none.order_count, none.total_order_value, none.total_paid), (0, Decimal::ZERO, Decimal::ZERO));
        assert_eq!((none.average_order_value, none.customer_since, none.latest_purchase_at), (None, None, None));
        assert!(none.has_test_order);
        assert!(shop.segments(tester).await.is_empty());
        let row = sqlx::query!(
            "select order_count, total_order_value, total_paid, accounts_receivable, average_order_value,
                    customer_since, has_test_order from customer where id = $1",
            c
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(row.order_count, 2, "the returned and the delivered order");
        // (80 − 80) × 1.1 + (100 − 25) × 1.1, in the base currency
        assert_eq!(row.total_order_value, "82.5".parse::<Decimal>().unwrap());
        assert_eq!(row.total_paid, "198".parse::<Decimal>().unwrap());
        assert_eq!(row.accounts_receivable, Decimal::ZERO, "refunds are not owed");
        assert_eq!(row.average_order_value, Some("41.25".parse().unwrap()));
        assert_eq!(row.customer_since, Some(at("2026-05-04T00:00:00Z")));
        assert!(row.has_test_order);
        assert_eq!(shop.segments(c).await, ["new_customer", "repeat_customer", "vip"]);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn vip_takes_the_top_tenth_with_ties_at_the_threshold(pool: PgPool) {
        let shop = Shop::new(&pool).await;
        let mut customers = Vec::new();
        // 20 qualifying customers: k = 2, so the threshold is the 2nd largest TOV (90 × 1.1)
        for total in [100, 90, 90, 80, 70, 60, 50, 40, 30, 20, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1] {
            let c = shop.customer().await;
            shop.paid(c, "2020-01-01T00:00:00Z", &total.to_string()).await;
            customers.push(c);
        }
        // not in S: no counted order, or TOV 0
        let nothing = shop.customer().await;
        let refunded = shop.customer().await;
        shop.order(refunded, "2020-01-01T00:00:00Z", "returned", false, "1000", "1000").await;
        shop.refresh("2026-05-31T00:00:00Z").await;
        let threshold = sqlx::query_scalar!("select vip_threshold from workspace where id = $1", shop.ws)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(threshold, Some("99".parse().unwrap()));
        for (i, c) in customers.iter().enumerate() {
            assert_eq!(shop.segments(*c).await.contains(&"vip".to_string()), i < 3, "customer {i}");
        }
        assert!(shop.segments(nothing).await.is_empty());
        assert!(shop.segments(refunded).await.is_empty());

        // one more qualifying customer: N = 21, k = 3, the threshold stays at the tie
        let c = shop.customer().await;
        shop.paid(c, "2020-01-01T00:00:00Z", "0.5").await;
        shop.refresh("2026-05-31T00:00:00Z").await;
        assert!(shop.segments(customers[2]).await.contains(&"vip".to_string()));
        // N = 31: k = 4, the threshold drops to 80 × 1.1 and the fourth customer joins
        for _ in 0..10 {
            let c = shop.customer().await;
            shop.paid(c, "2020-01-01T00:00:00Z", "0.25").await;
        }
        shop.refresh("2026-05-31T00:00:00Z").await;
        assert!(shop.segments(customers[3]).await.contains(&"vip".to_string()));
        assert_eq!(shop.events(customers[3]).await, [("segment_joined".into(), "vip".into())]);
    }

    /// The per-request VIP refresh looks only at the written customers and the band the threshold moved
    /// through; a full refresh afterwards must find nothing left to do.
    #[sqlx::test(migrations = "../migrations")]
    async fn the_scoped_vip_refresh_agrees_with_a_full_one(pool: PgPool) {
        let shop = Shop::new(&pool).await;
        let mut customers = Vec::new();
        for total in 1..=40 {
            let c = shop.customer().await;
            shop.paid(c, "2020-01-01T00:00:00Z", &(total * 10).to_string()).await;
            customers.push(c);
        }
        shop.refresh("2026-05-31T00:00:00Z").await;
        let events = || async {
            sqlx::query_scalar!(r#"select count(*) as "n!" from event where kind like 'segment_%'"#)
                .fetch_one(&pool)
                .await
                .unwrap()
        };
        // two small customers become the biggest, and six new small ones arrive: the threshold moves
        let (a, b) = (customers[0], customers[1]);
        shop.paid(a, "2020-02-01T00:00:00Z", "5000").await;
        shop.paid(b, "2020-02-01T00:00:00Z", "4000").await;
        let mut written = vec![a, b];
        for _ in 0..6 {
            let c = shop.customer().await;
            shop.paid(c, "2020-01-01T00:00:00Z", "1").await;
            written.push(c);
        }
        let mut tx = pool.begin().await.unwrap();
        recompute(&mut tx, shop.ws, Some(&written), at("2026-05-31T00:00:00Z")).await.unwrap();
        refresh_vip(&mut tx, shop.ws, at("2026-05-31T00:00:00Z"), Some(&written)).await.unwrap();
        tx.commit().await.unwrap();
        assert!(shop.segments(a).await.contains(&"vip".to_string()));
        let before = events().await;
        shop.refresh("2026-05-31T00:00:00Z").await;
        assert_eq!(events().await, before, "the full refresh found nothing the scoped one missed");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn contacts_are_tickets_begun_by_the_customer(pool: PgPool) {
        let shop = Shop::new(&pool).await;
        let one = shop.customer().await;
        shop.ticket(one, "inbound", &[]).await;
        shop.ticket(one, "outbound", &[]).await;
        let two = shop.customer().await;
        shop.ticket(two, "inbound", &[]).await;
        shop.ticket(two, "inbound", &[]).await;
        let buyer = shop.customer().await;
        shop.ticket(buyer, "inbound", &[]).await;
        shop.paid(buyer, "2020-01-01T00:00:00Z", "10").await;
        shop.refresh("2026-05-31T00:00:00Z").await;
        assert_eq!(shop.segments(one).await, ["new_contact"]);
        assert_eq!(shop.segments(two).await, ["repeat_contact"]);
        assert!(!shop.segments(buyer).await.iter().any(|s| s.ends_with("_contact")));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn sentiment_is_the_mean_of_the_five_latest_scored_messages(pool: PgPool) {
        let shop = Shop::new(&pool).await;
        let c = shop.customer().await;
        shop.ticket(
            c,
            "inbound",
            &[
                ("2026-01-01T00:00:00Z", Some(-0.9)), // sixth newest: outside the window
                ("2026-01-02T00:00:00Z", Some(0.1)),
                ("2026-01-03T00:00:00Z", Some(0.0)),
                ("2026-01-04T00:00:00Z", None), // not English: skipped, not counted as 0
                ("2026-01-05T00:00:00Z", Some(0.05)),
                ("2026-01-06T00:00:00Z", Some(0.05)),
                ("2026-01-07T00:00:00Z", Some(0.05)),
            ],
        )
        .await;
        let quiet = shop.customer().await;
        shop.refresh("2026-05-31T00:00:00Z").await;
        let score = |id: i64| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar!("select sentiment_score from customer where id = $1", id)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        // (0.1 + 0 + 0.05 × 3) / 5 = 0.05 exactly: positive, on the boundary
        let mean = score(c).await.unwrap();
        assert_eq!(mean, 0.05);
        assert_eq!(crate::sentiment::Sentiment::from_score(mean).label, crate::sentiment::SentimentLabel::Positive);
        assert_eq!(score(quiet).await, None, "no scored message, no sentiment");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn time_passing_moves_customers_out_and_leaves_events(pool: PgPool) {
        let shop = Shop::new(&pool).await;
        let c = shop.customer().await;
        for day in ["2026-05-01", "2026-05-10", "2026-05-20"] {
            shop.paid(c, &format!("{day}T00:00:00Z"), "10").await;
        }
        shop.refresh("2026-05-31T00:00:00Z").await;
        assert_eq!(shop.segments(c).await, ["active_customer", "new_customer", "repeat_customer", "vip"]);
        shop.refresh("2026-05-31T00:00:00Z").await;
        assert_eq!(shop.events(c).await.len(), 4, "refreshing again changes nothing");

        shop.refresh("2026-08-01T00:00:00Z").await; // the first order is now more than 3 months old
        assert_eq!(shop.segments(c).await, ["repeat_customer", "vip"]);
        let events = shop.events(c).await;
        assert!(events.contains(&("segment_left".into(), "active_customer".into())));
        assert!(events.contains(&("segment_left".into(), "new_customer".into())));
    }
}
