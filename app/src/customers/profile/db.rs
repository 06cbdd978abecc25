//! The queries behind the customer profile: each reads one customer's rows through its own index.

use super::{CategorySpend, CustomerProfile, Duplicate, MonthSpend, SegmentReason, TicketOverview, TicketRow};
use crate::customers::person_name;
use crate::error::AppResult;
use crate::segments::{self, months_before};
use crate::ui::format;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

#[tracing::instrument(skip(pool))]
pub async fn customer_profile(
    pool: &PgPool,
    workspace_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<CustomerProfile> {
    let detail = crate::customers::db::customer_detail(pool, workspace_id, id).await?;
    let workspace = sqlx::query!(
        r#"select w.base_currency, w.vip_threshold,
                  (c.customer_since at time zone w.time_zone)::date as customer_since,
                  (c.registered_at at time zone w.time_zone)::date as "registered_on!"
             from workspace w join customer c on c.workspace_id = w.id and c.id = $2
            where w.id = $1"#,
        workspace_id,
        id
    )
    .fetch_one(pool)
    .await?;
    let manager = sqlx::query_scalar!(
        r#"select coalesce(nullif(btrim(u.name), ''), u.email) as "name!" from customer c
             join user_account u on u.id = c.manager_id
            where c.workspace_id = $1 and c.id = $2"#,
        workspace_id,
        id
    )
    .fetch_optional(pool)
    .await?;
    let recent = sqlx::query!(
        r#"select count(*) filter (where placed_at > $3) as "in_12!", count(*) filter (where placed_at > $4) as "in_3!"
             from customer_order
            where workspace_id = $1 and customer_id = $2 and not test and status not in ('draft', 'canceled')
              and placed_at <= $5"#,
        workspace_id,
        id,
        months_before(now, 12),
        months_before(now, 3),
        now
    )
    .fetch_one(pool)
    .await?;
    let currency = workspace.base_currency;
    let row = &detail.row;
    let segments = row
        .segments
        .iter()
        .map(|key| {
            let reason = match key.as_str() {
                "vip" => match workspace.vip_threshold {
                    Some(t) => format!(
                        "TOV {} ≥ VIP threshold {}",
                        format::money(row.total_order_value, &currency),
                        format::money(t, &currency)
                    ),
                    None => "In the top tenth of customers by TOV".to_string(),
                },
                "repeat_customer" => format!("{} orders in the last 12 months", format::count(recent.in_12)),
                "active_customer" => format!("{} orders in the last 3 months", format::count(recent.in_3)),
                "new_customer" => match workspace.customer_since {
                    Some(since) => format!("First order on {}, within the last 3 months", format::date(since)),
                    None => "First order within the last 3 months".to_string(),
                },
                "new_contact" => "No orders yet, 1 contact".to_string(),
                "repeat_contact" => format!("No orders yet, {} contacts", format::count(detail.contacts.into())),
                _ => String::new(),
            };
            SegmentReason { key: key.clone(), name: segments::name(key).to_string(), reason }
        })
        .collect();
    Ok(CustomerProfile {
        manager,
        customer_since: workspace.customer_since,
        registered_on: workspace.registered_on,
        segments,
        duplicates: duplicates(pool, workspace_id, id).await?,
        tickets: tickets(pool, workspace_id, id, now).await?,
        orders: crate::orders::order_summary(pool, workspace_id, id).await?,
        categories: categories(pool, workspace_id, id).await?,
        spend: spend(pool, workspace_id, id, now).await?,
        custom: crate::custom_fields::shown(pool, workspace_id, id).await?,
        can_edit: false,
        can_delete: false,
        can_merge: false,
        currency,
        detail,
    })
}

/// Emails (normalised) and phones (E.164) that other customers of the workspace have too.
async fn duplicates(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<Vec<Duplicate>> {
    let rows = sqlx::query!(
        r#"
        select e.email as "contact!", c.id as "id!", c.first_name as "first_name!", c.last_name as "last_name!"
          from customer_email e
          join customer_email o on o.workspace_id = e.workspace_id and o.normalized = e.normalized
                               and o.customer_id <> e.customer_id
          join customer c on c.workspace_id = o.workspace_id and c.id = o.customer_id and c.merged_into_id is null
         where e.workspace_id = $1 and e.customer_id = $2
        union
        select p.raw, c.id, c.first_name, c.last_name
          from customer_phone p
          join customer_phone o on o.workspace_id = p.workspace_id and o.e164 = p.e164 and o.customer_id <> p.customer_id
          join customer c on c.workspace_id = o.workspace_id and c.id = o.customer_id and c.merged_into_id is null
         where p.workspace_id = $1 and p.customer_id = $2 and p.e164 is not null
         order by 1, 2
         limit 200
        "#,
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?;
    let mut duplicates: Vec<Duplicate> = Vec::new();
    for row in rows {
        let other = (row.id, person_name(&row.first_name, &row.last_name));
        match duplicates.last_mut() {
            Some(last) if last.contact == row.contact => last.others.push(other),
            _ => duplicates.push(Duplicate { contact: row.contact, others: vec![other] }),
        }
    }
    Ok(duplicates)
}

async fn tickets(pool: &PgPool, workspace_id: i64, id: i64, now: DateTime<Utc>) -> AppResult<TicketOverview> {
    let by_status = sqlx::query!(
        r#"select status, count(*) as "count!" from ticket where workspace_id = $1 and customer_id = $2
            group by status order by array_position(array['todo', 'waiting', 'resolved'], status)"#,
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.status, r.count))
    .collect();
    let latest: Vec<TicketRow> = sqlx::query_as!(
        TicketRow,
        r#"select t.id, t.subject, t.status, t.updated_at,
                  (select count(*) from message m where m.workspace_id = t.workspace_id and m.ticket_id = t.id)
                      as "messages!"
             from ticket t where t.workspace_id = $1 and t.customer_id = $2
            order by t.updated_at desc, t.id desc limit 30"#,
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?;
    let week_ago = now - Duration::days(7);
    let recent = latest.iter().filter(|t| t.updated_at > week_ago && t.updated_at <= now).cloned().collect();
    Ok(TicketOverview { by_status, latest, recent })
}

/// The customer's five biggest product categories by spend, over counted orders.
async fn categories(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<Vec<CategorySpend>> {
    Ok(sqlx::query_as!(
        CategorySpend,
        r#"select l.category as "category!", sum(l.quantity)::bigint as "quantity!",
                  sum(l.quantity * l.unit_price * o.exchange_rate) as "amount!"
             from customer_order o
             join order_line l on l.workspace_id = o.workspace_id and l.order_id = o.id
            where o.workspace_id = $1 and o.customer_id = $2 and not o.test
              and o.status not in ('draft', 'canceled') and l.category is not null
            group by l.category order by 3 desc, 1 limit 5"#,
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?)
}

/// What the customer spent (counted orders, less refunds, in the workspace's currency) in each of the
/// last twelve calendar months of the workspace's time zone, this one included.
async fn spend(pool: &PgPool, workspace_id: i64, id: i64, now: DateTime<Utc>) -> AppResult<Vec<MonthSpend>> {
    Ok(sqlx::query_as!(
        MonthSpend,
        r#"
        with zone as (select time_zone as tz, date_trunc('month', $3::timestamptz at time zone time_zone) as this_month
                        from workspace where id = $1),
        months as (select generate_series(this_month - interval '11 months', this_month, interval '1 month') as month
                     from zone)
        select m.month::date as "month!", coalesce(sum((o.total - o.refunded) * o.exchange_rate), 0) as "amount!"
          from months m
          cross join zone z
          left join customer_order o
            on o.workspace_id = $1 and o.customer_id = $2 and not o.test and o.status not in ('draft', 'canceled')
           and o.placed_at >= (m.month at time zone z.tz) and o.placed_at < ((m.month + interval '1 month') at time zone z.tz)
           and o.placed_at <= $3
         group by m.month
         order by m.month
        "#,
        workspace_id,
        id,
        now
    )
    .fetch_all(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::db::create_workspace;
    use crate::ingest::MessageInput;
    use crate::ingest::OrderInput;
    use crate::orders::OrderQuery;
    use rust_decimal::Decimal;
    use serde_json::json;

    const NOW: &str = "2026-11-20T12:00:00Z";

    fn now() -> DateTime<Utc> {
        NOW.parse().unwrap()
    }

    /// An order of the SPEC's shape, stored as the API stores it.
    /// `what` is (external id, placed at, status, test, total).
    async fn order(
        pool: &PgPool,
        ws: i64,
        customer: serde_json::Value,
        what: (&str, &str, &str, bool, &str),
        lines: serde_json::Value,
    ) -> i64 {
        let (id, placed_at, status, test, total) = what;
        let input: OrderInput = serde_json::from_value(json!({
            "channel": "shop", "channel_kind": "shopify", "external_id": id, "number": format!("#{id}"),
            "placed_at": placed_at, "status": status, "test": test, "currency": "EUR", "exchange_rate": "1",
            "total": total, "paid": total, "refunded": "0", "customer": customer,
            "shipping_address": {"name": "Bob Norman", "line1": "Chestnut Street 92", "city": "Louisville",
                                 "region": "KY", "postal_code": "40202", "country": "US"},
            "billing_address": null, "lines": lines
        }))
        .unwrap();
        let mut tx = pool.begin().await.unwrap();
        let stored = crate::ingest::ingest_order(&mut tx, ws, "EUR", now(), &input).await.unwrap();
        tx.commit().await.unwrap();
        stored.customer_id
    }

    async fn message(pool: &PgPool, ws: i64, customer: serde_json::Value, ticket: &str, sent_at: &str) {
        let input: MessageInput = serde_json::from_value(json!({
            "channel": "shop", "ticket": {"external_id": ticket, "subject": "Where is my parcel?", "status": "todo"},
            "customer": customer, "external_id": format!("{ticket}-m"), "direction": "inbound", "kind": "email",
            "body": "Hi, my parcel is late.", "sent_at": sent_at
        }))
        .unwrap();
        let mut tx = pool.begin().await.unwrap();
        crate::ingest::ingest_message(&mut tx, ws, now(), &input).await.unwrap();
        tx.commit().await.unwrap();
    }

    fn shoes_and_hat() -> serde_json::Value {
        json!([{"sku": "S1", "name": "Boots, brown", "category": "Shoes", "quantity": 2, "unit_price": "40.00"},
               {"sku": "H1", "name": "Hat", "category": "Hats", "quantity": 1, "unit_price": "20.00"}])
    }

    /// Bob: three paid orders and a returned one lately (counted), a test and a canceled one (not
    /// counted), one ticket; Ann shares his email and phone, written differently.
    async fn bob_and_ann(pool: &PgPool) -> (i64, i64, i64) {
        let ws = create_workspace(pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        let bob = json!({"external_id": "b1", "email": "bob@example.com", "first_name": "Bob", "last_name": "Norman",
                         "phone": "+16136120707"});
        let no_lines = json!([{"name": "Gift card", "quantity": 1, "unit_price": "10.00"}]);
        let id =
            order(pool, ws, bob.clone(), ("1", "2026-09-01T10:00:00Z", "paid", false, "100.00"), shoes_and_hat()).await;
        order(pool, ws, bob.clone(), ("2", "2026-10-01T10:00:00Z", "delivered", false, "50.00"), no_lines.clone())
            .await;
        order(pool, ws, bob.clone(), ("3", "2026-11-01T10:00:00Z", "paid", false, "30.00"), no_lines.clone()).await;
        order(pool, ws, bob.clone(), ("4", "2026-11-02T10:00:00Z", "returned", false, "10.00"), no_lines.clone()).await;
        order(pool, ws, bob.clone(), ("5", "2026-11-03T10:00:00Z", "paid", true, "999.00"), shoes_and_hat()).await;
        order(pool, ws, bob.clone(), ("6", "2026-11-04T10:00:00Z", "canceled", false, "20.00"), shoes_and_hat()).await;
        message(pool, ws, json!({"external_id": "b1"}), "T-1", "2026-11-19T09:00:00Z").await;
        let mut tx = pool.begin().await.unwrap();
        crate::segments::refresh_vip(&mut tx, ws, now(), None).await.unwrap();
        let ann =
            json!({"first_name": "Ann", "last_name": "Lee", "email": "Bob@Example.com", "phone": "+1 613-612-0707"});
        let sync = crate::ingest::parse_customer_sync(&ann, "$").unwrap();
        let ann = crate::ingest::ingest_customer(&mut tx, ws, now(), &sync).await.unwrap().id;
        tx.commit().await.unwrap();
        (ws, id, ann)
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_profile_explains_segments_and_sums_every_order(pool: PgPool) {
        let (ws, bob, ann) = bob_and_ann(&pool).await;
        let p = customer_profile(&pool, ws, bob, now()).await.unwrap();
        assert_eq!(p.detail.row.orders, 4, "test and canceled orders do not count");
        assert_eq!(p.detail.row.total_order_value, Decimal::from(190));
        let reason = |key: &str| p.segments.iter().find(|s| s.key == key).map(|s| s.reason.clone());
        assert_eq!(reason("vip").as_deref(), Some("TOV €190.00 ≥ VIP threshold €190.00"));
        assert_eq!(reason("repeat_customer").as_deref(), Some("4 orders in the last 12 months"));
        assert_eq!(reason("active_customer").as_deref(), Some("4 orders in the last 3 months"));
        assert_eq!(reason("new_customer").as_deref(), Some("First order on 1 Sep 2026, within the last 3 months"));

        // the summary card: every order, test and canceled ones named apart
        let o = &p.orders;
        assert_eq!((o.all, o.test, o.canceled, o.returned, o.draft), (6, 1, 1, 1, 0));
        assert_eq!(o.value, Decimal::from(1209));
        assert_eq!(o.last_three.iter().map(|o| o.number.as_str()).collect::<Vec<_>>(), ["#6", "#5", "#4"]);

        // the same email and phone, written differently, on Ann
        assert_eq!(p.duplicates.len(), 2, "{:?}", p.duplicates);
        assert!(p.duplicates.iter().all(|d| d.others == [(ann, "Ann Lee".to_string())]), "{:?}", p.duplicates);

        // categories of counted orders only (the test and canceled orders' shoes are left out)
        assert_eq!(p.categories[0].category, "Shoes");
        assert_eq!((p.categories[0].quantity, p.categories[0].amount), (2, Decimal::from(80)));
        assert_eq!(p.categories[1].category, "Hats");

        // twelve months, oldest first, ending with this one; counted orders less refunds
        assert_eq!(p.spend.len(), 12);
        assert_eq!(p.spend[0].month.to_string(), "2025-12-01");
        assert_eq!(p.spend[11].month.to_string(), "2026-11-01");
        let month = |m: &str| p.spend.iter().find(|s| s.month.to_string() == m).unwrap().amount;
        assert_eq!(
            (month("2026-09-01"), month("2026-10-01"), month("2026-11-01")),
            (Decimal::from(100), Decimal::from(50), Decimal::from(40))
        );
        assert_eq!(p.spend.iter().map(|s| s.amount).sum::<Decimal>(), Decimal::from(190));

        assert_eq!(p.tickets.by_status, [("todo".to_string(), 1)]);
        assert_eq!(p.tickets.recent.len(), 1);
        assert_eq!(p.tickets.latest[0].messages, 1);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn orders_page_newest_first_and_read_alone(pool: PgPool) {
        let (ws, bob, _) = bob_and_ann(&pool).await;
        let query = |after: Option<String>| OrderQuery { customer: Some(bob), after, limit: Some(4) };
        let first = crate::orders::db::list_orders(&pool, ws, &query(None)).await.unwrap();
        assert_eq!(first.items.iter().map(|o| o.number.as_str()).collect::<Vec<_>>(), ["#6", "#5", "#4", "#3"]);
        let second = crate::orders::db::list_orders(&pool, ws, &query(first.next.clone())).await.unwrap();
        assert_eq!(second.items.iter().map(|o| o.number.as_str()).collect::<Vec<_>>(), ["#2", "#1"]);
        assert_eq!(second.next, None);
        assert!(matches!(
            crate::orders::db::list_orders(&pool, ws, &query(Some("x".into()))).await,
            Err(crate::error::AppError::Invalid(e)) if e[0].path == "after"
        ));

        let one = first.items.iter().find(|o| o.number == "#5").unwrap();
        let view = crate::orders::db::order_view(&pool, ws, one.id).await.unwrap();
        assert!(view.row.test);
        assert_eq!(view.lines.len(), 2);
        assert_eq!(view.shipping_address.as_ref().and_then(|a| a.city.as_deref()), Some("Louisville"));
        let csv = crate::orders::db::order_csv(&view).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(lines[0].starts_with("order_number,placed_at,status,test,"));
        assert!(lines[1].contains("\"Boots, brown\""), "a comma in a product name is quoted: {csv}");
        assert!(lines[1].ends_with(",2,40.00,80.00"), "{csv}");
        // cells a spreadsheet would run as formulas are quoted (CSV injection)
        let mut hostile = view.clone();
        hostile.lines[0].name = "=HYPERLINK(\"https://evil.example\")".into();
        hostile.row.customer_name = "@SUM(1)".into();
        let csv = crate::orders::db::order_csv(&hostile).unwrap();
        assert!(csv.contains("\"'=HYPERLINK(") && csv.contains(",'@SUM(1),"), "{csv}");

        let other = create_workspace(&pool, "other", "Other", "EUR", "UTC").await.unwrap().id;
        assert!(matches!(
            crate::orders::db::order_view(&pool, other, one.id).await,
            Err(crate::error::AppError::NotFound)
        ));
        assert!(crate::orders::db::list_orders(&pool, other, &query(None)).await.unwrap().items.is_empty());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_timeline_files_events_under_tabs_and_pages_through_them(pool: PgPool) {
        use crate::timeline::timeline;
        let (ws, bob, _) = bob_and_ann(&pool).await;
        let all = timeline(&pool, ws, bob, "all", None, 100).await.unwrap();
        assert!(all.next.is_none());
        let kinds = |items: &[crate::timeline::TimelineEntry]| items.iter().map(|e| e.kind.clone()).collect::<Vec<_>>();
        let orders = timeline(&pool, ws, bob, "orders", None, 100).await.unwrap();
        assert_eq!(orders.items.len(), 6);
        assert!(kinds(&orders.items).iter().all(|k| k == "order_placed"));
        assert_eq!(orders.items[0].text, "Order #6 placed (Canceled)");
        let segments = timeline(&pool, ws, bob, "segments", None, 100).await.unwrap();
        assert!(segments.items.iter().any(|e| e.text == "Joined the segment VIP"), "{:?}", kinds(&segments.items));
        let tickets = timeline(&pool, ws, bob, "tickets", None, 100).await.unwrap();
        assert_eq!(tickets.items[0].text, "Ticket “Where is my parcel?” opened");
        assert!(timeline(&pool, ws, bob, "notes", None, 100).await.unwrap().items.is_empty());

        // newest first, and pages of three walk every event exactly once
        let times: Vec<_> = all.items.iter().map(|e| (e.happened_at, e.id)).collect();
        assert!(times.windows(2).all(|w| w[0] > w[1]), "newest first");
        let (mut walked, mut after) = (Vec::new(), None);
        loop {
            let page = timeline(&pool, ws, bob, "all", after.as_deref(), 3).await.unwrap();
            walked.extend(page.items.iter().map(|e| e.id));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(walked, all.items.iter().map(|e| e.id).collect::<Vec<_>>());

        assert!(matches!(
            timeline(&pool, ws, bob, "everything", None, 3).await,
            Err(crate::error::AppError::Invalid(e)) if e[0].path == "tab"
        ));
        let other = create_workspace(&pool, "other", "Other", "EUR", "UTC").await.unwrap().id;
        assert!(matches!(timeline(&pool, other, bob, "all", None, 3).await, Err(crate::error::AppError::NotFound)));
    }
}
