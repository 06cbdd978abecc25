//! Reading orders: the list (all of a workspace's, or one customer's), one order with its lines,
//! addresses and shipping updates, its CSV download, and a customer's order summary.

use super::types::{OrderLine, OrderPage, OrderQuery, OrderRow, OrderSummary, OrderView, ShippingUpdate};
use crate::customers::{Address, person_name};
use crate::error::{AppError, AppResult};
use crate::keyset::{after_id, next_page};
use rust_decimal::Decimal;
use sqlx::PgPool;

/// A page of orders, newest first. The cursor is the last order of the page before (its id): the next
/// page starts after that order's (placed at, id).
#[tracing::instrument(skip(pool))]
pub async fn list_orders(pool: &PgPool, workspace_id: i64, query: &OrderQuery) -> AppResult<OrderPage> {
    let after = after_id(query.after.as_deref(), "after")?;
    let limit = query.limit();
    let mut items = rows(pool, workspace_id, query.customer, after, None, false, limit + 1).await?;
    let next = next_page(&mut items, limit, |order| order.id);
    Ok(OrderPage { items, next })
}

/// The customer's open orders (pending, paid or in transit), newest first: their "in work".
pub async fn open_orders(pool: &PgPool, workspace_id: i64, customer: i64) -> AppResult<Vec<OrderRow>> {
    rows(pool, workspace_id, Some(customer), None, None, true, 50).await
}

/// Orders newest first: of one customer or all, after the order `after`, or just the order `only`; with
/// `open`, only those still under way.
async fn rows(
    pool: &PgPool,
    workspace_id: i64,
    customer: Option<i64>,
    after: Option<i64>,
    only: Option<i64>,
    open: bool,
    limit: i64,
) -> AppResult<Vec<OrderRow>> {
    let rows = sqlx::query!(
        r#"
        select o.id, ch.key as channel, o.external_id, o.number, o.placed_at,
               (o.placed_at at time zone w.time_zone)::date as "placed_on!",
               o.status, o.test, o.currency, o.total, o.customer_id, c.first_name, c.last_name
          from customer_order o
          join workspace w on w.id = o.workspace_id
          join channel ch on ch.workspace_id = o.workspace_id and ch.id = o.channel_id
          join customer c on c.workspace_id = o.workspace_id and c.id = o.customer_id
         where o.workspace_id = $1
           and ($2::bigint is null or o.customer_id = $2)
           and ($3::bigint is null or (o.placed_at, o.id) < (select placed_at, id from customer_order
                                                               where workspace_id = $1 and id = $3))
           and ($4::bigint is null or o.id = $4)
           and (not $6 or o.status in ('pending', 'paid', 'in_transit'))
         order by o.placed_at desc, o.id desc
         limit $5
        "#,
        workspace_id,
        customer,
        after,
        only,
        limit,
        open
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| OrderRow {
            id: r.id,
            channel: r.channel,
            external_id: r.external_id,
            number: r.number,
            placed_at: r.placed_at,
            placed_on: r.placed_on,
            status: r.status,
            test: r.test,
            currency: r.currency,
            total: r.total,
            customer_id: r.customer_id,
            customer_name: person_name(&r.first_name, &r.last_name),
        })
        .collect())
}

/// One order of the workspace; another workspace's is `NotFound`, like a missing one.
#[tracing::instrument(skip(pool))]
pub async fn order_view(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<OrderView> {
    let row = rows(pool, workspace_id, None, None, Some(id), false, 1).await?.pop().ok_or(AppError::NotFound)?;
    let o = sqlx::query!(
        r#"select o.paid, o.refunded, o.exchange_rate, o.shipping_address, o.billing_address,
                  w.base_currency
             from customer_order o join workspace w on w.id = o.workspace_id
            where o.workspace_id = $1 and o.id = $2"#,
        workspace_id,
        id
    )
    .fetch_one(pool)
    .await?;
    let lines = sqlx::query_as!(
        OrderLine,
        "select sku, name, category, quantity, unit_price from order_line
          where workspace_id = $1 and order_id = $2 order by position",
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?;
    let shipping_updates = sqlx::query_as!(
        ShippingUpdate,
        "select happened_at, status, note from shipping_update
          where workspace_id = $1 and order_id = $2 order by happened_at, id",
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?;
    Ok(OrderView {
        row,
        paid: o.paid,
        refunded: o.refunded,
        exchange_rate: o.exchange_rate,
        base_currency: o.base_currency,
        lines,
        shipping_address: o.shipping_address.as_ref().and_then(sent_address),
        billing_address: o.billing_address.as_ref().and_then(sent_address),
        shipping_updates,
        can_export: false,
    })
}

/// The order as CSV: one row per line, each carrying the order's number, date, status and currency, so
/// that the file reads on its own in a spreadsheet.
pub fn order_csv(order: &OrderView) -> AppResult<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "order_number",
        "placed_at",
        "status",
        "test",
        "channel",
        "customer",
        "currency",
        "sku",
        "product",
        "category",
        "quantity",
        "unit_price",
        "amount",
    ];
    // every cell goes through `spreadsheet_safe`: a product named "=HYPERLINK(…)" stays text
    let write = |out: &mut csv::Writer<Vec<u8>>, record: &[String]| {
        out.write_record(record.iter().map(|cell| crate::checks::spreadsheet_safe(cell).into_owned()))
            .map_err(csv_error)
    };
    write(&mut out, &header.map(String::from))?;
    let row = &order.row;
    for line in &order.lines {
        write(
            &mut out,
            &[
                row.number.clone(),
                row.placed_at.to_rfc3339(),
                row.status.clone(),
                row.test.to_string(),
                row.channel.clone(),
                row.customer_name.clone(),
                row.currency.clone(),
                line.sku.clone().unwrap_or_default(),
                line.name.clone(),
                line.category.clone().unwrap_or_default(),
                line.quantity.to_string(),
                line.unit_price.to_string(),
                line.amount().to_string(),
            ],
        )?;
    }
    let bytes = out.into_inner().map_err(|e| csv_error(e.into_error().into()))?;
    String::from_utf8(bytes).map_err(AppError::internal)
}

fn csv_error(error: csv::Error) -> AppError {
    AppError::internal(format!("writing CSV: {error}"))
}

/// A customer's order summary over all their orders (SPEC §3) with the last three.
#[tracing::instrument(skip(pool))]
pub async fn order_summary(pool: &PgPool, workspace_id: i64, customer: i64) -> AppResult<OrderSummary> {
    let s = sqlx::query!(
        r#"select count(*) as "all!",
                  count(*) filter (where test) as "test!",
                  count(*) filter (where status = 'draft') as "draft!",
                  count(*) filter (where status = 'canceled') as "canceled!",
                  count(*) filter (where status = 'returned') as "returned!",
                  coalesce(sum((total - refunded) * exchange_rate), 0) as "value!",
                  coalesce(sum(paid * exchange_rate), 0) as "paid!",
                  coalesce(sum(greatest(0, total - refunded - paid) * exchange_rate), 0) as "receivable!",
                  (min(placed_at) at time zone w.time_zone)::date as first,
                  (max(placed_at) at time zone w.time_zone)::date as last
             from customer_order o join workspace w on w.id = o.workspace_id
            where o.workspace_id = $1 and o.customer_id = $2
            group by w.time_zone"#,
        workspace_id,
        customer
    )
    .fetch_optional(pool)
    .await?;
    let last_three = rows(pool, workspace_id, Some(customer), None, None, false, 3).await?;
    let Some(s) = s else {
        return Ok(OrderSummary {
            all: 0,
            test: 0,
            draft: 0,
            canceled: 0,
            returned: 0,
            value: Decimal::ZERO,
            paid: Decimal::ZERO,
            receivable: Decimal::ZERO,
            first: None,
            last: None,
            last_three,
        });
    };
    Ok(OrderSummary {
        all: s.all,
        test: s.test,
        draft: s.draft,
        canceled: s.canceled,
        returned: s.returned,
        value: s.value,
        paid: s.paid,
        receivable: s.receivable,
        first: s.first,
        last: s.last,
        last_three,
    })
}

/// An order's address as the shop sent it (any part missing, a postal code as a number); `None` when
/// nothing in it is written.
fn sent_address(value: &serde_json::Value) -> Option<Address> {
    let object = value.as_object()?;
    let part = |key: &str| match object.get(key)? {
        serde_json::Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    let address = Address {
        name: part("name"),
        company: part("company"),
        line1: part("line1"),
        line2: part("line2"),
        city: part("city"),
        region: part("region"),
        postal_code: part("postal_code"),
        country: part("country"),
    };
    (address != Address::default()).then_some(address)
}
