//! Storing orders from channels (SPEC §2 identity rules, §3 indicators, §5 upserts), in the caller's
//! transaction and set-based: a batch of a thousand orders is a dozen statements. The orders are inserted
//! or updated first; then the customers involved are locked in id order — as late as possible, since a
//! concurrent batch with a customer in common waits for that lock until this one commits — their contacts
//! synced, and their indicators and segments recomputed once before the transaction commits (the lock
//! comes before the recompute, so that it reads every order committed before it). Re-sending an order
//! changes nothing.

mod input;

pub use input::*;

use super::identity::{
    CustomerInput, CustomerRef, Identity, channel_id, lock_customers, new_ids, resolve_customers, sync_contacts,
};
use super::outcome::{Ingested, OrderResult, Outcome};
use super::stored_status;
use crate::error::{AppError, AppResult, FieldError};
use crate::orders::OrderStatus;
use crate::timeline::{Event, Recorded};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::PgConnection;
use std::collections::HashMap;

/// Stores one order: creates it, updates it, or finds it unchanged.
pub async fn ingest_order(
    conn: &mut PgConnection,
    workspace_id: i64,
    base_currency: &str,
    now: DateTime<Utc>,
    order: &OrderInput,
) -> AppResult<Ingested> {
    let mut results = ingest_orders(conn, workspace_id, base_currency, now, std::slice::from_ref(order)).await?;
    results.pop().expect("one result per order").map_err(AppError::Invalid)
}

/// An order checked against the workspace, ready to store.
struct Accepted<'a> {
    index: usize,
    order: &'a OrderInput,
    channel_id: i64,
    exchange_rate: Decimal,
}

impl<'a> Accepted<'a> {
    /// What the order is upserted on.
    fn key(&self) -> (i64, &'a str) {
        (self.channel_id, self.order.external_id.as_str())
    }
}

/// Stores `orders` in order, as if one after the other, and answers one result per order. Errors of
/// the database (including a lost race, `AppError::Retry`) abort the whole call.
#[tracing::instrument(skip_all, fields(orders = orders.len()))]
pub async fn ingest_orders(
    conn: &mut PgConnection,
    workspace_id: i64,
    base_currency: &str,
    now: DateTime<Utc>,
    orders: &[OrderInput],
) -> AppResult<Vec<OrderResult>> {
    let mut results: Vec<Option<OrderResult>> = vec![None; orders.len()];
    let planning = crate::plans::cache(conn).await?;
    let channels = channels(conn, workspace_id, orders).await?;
    // The same order twice in one batch: the second copy goes in a later round, after the first.
    let mut rounds: Vec<Vec<Accepted>> = Vec::new();
    let mut copies: HashMap<(i64, &str), usize> = HashMap::new();
    for (index, order) in orders.iter().enumerate() {
        let accepted = match (&channels[order.channel.as_str()], exchange_rate(order, base_currency)) {
            (Ok(channel_id), Ok(exchange_rate)) => Accepted { index, order, channel_id: *channel_id, exchange_rate },
            (Err(errors), _) => {
                results[index] = Some(Err(errors.clone()));
                continue;
            }
            (_, Err(errors)) => {
                results[index] = Some(Err(errors));
                continue;
            }
        };
        let round = copies.entry(accepted.key()).or_default();
        if rounds.len() == *round {
            rounds.push(Vec::new());
        }
        rounds[*round].push(accepted);
        *round += 1;
    }
    let mut changed = Vec::new();
    let mut contacts = Vec::new();
    for round in &rounds {
        let (stored, round_contacts) = store_round(conn, workspace_id, now, round).await?;
        contacts.extend(round_contacts);
        for (index, done) in stored {
            if done.result != Outcome::Unchanged {
                changed.extend_from_slice(&done.affected);
            }
            results[index] = Some(Ok(done));
        }
    }
    changed.sort_unstable();
    changed.dedup();
    let mut involved: Vec<i64> = changed.iter().copied().chain(contacts.iter().map(|(id, _)| *id)).collect();
    involved.sort_unstable();
    involved.dedup();
    lock_customers(conn, workspace_id, &involved).await?;
    // in the orders' order across rounds, so that a later name wins
    let contacts_changed = sync_contacts(conn, workspace_id, &contacts).await?;
    // orders for a merged-away customer's channel id go on to the survivor (SPEC §9)
    let forwarded = crate::merges::forward(conn, workspace_id, &involved).await?;
    let survivor = |id: &mut i64| *id = forwarded.get(id).copied().unwrap_or(*id);
    if !forwarded.is_empty() {
        changed.iter_mut().for_each(survivor);
        changed.sort_unstable();
        changed.dedup();
        for done in results.iter_mut().flatten().flat_map(|r| r.as_mut().ok()) {
            survivor(&mut done.customer_id);
            done.affected.iter_mut().for_each(survivor);
        }
    }
    // compared with the others (SPEC §9): customers new to the finder, and those whose names or contacts
    // changed (an order alone changes neither; a new delivery address is seen by the next scan)
    involved.iter_mut().for_each(survivor);
    involved.sort_unstable();
    involved.dedup();
    let mut compared: Vec<i64> = contacts_changed
        .into_iter()
        .map(|mut id| {
            survivor(&mut id);
            id
        })
        .collect();
    compared.extend(crate::duplicates::db::never_compared(conn, workspace_id, &involved).await?);
    crate::duplicates::db::queue(conn, workspace_id, &compared).await?;
    crate::plans::restore(conn, &planning).await?;
    if !changed.is_empty() {
        crate::customers::indicators::recompute(conn, workspace_id, Some(&changed), now).await?;
        crate::segments::refresh_customers(conn, workspace_id, now, &changed).await?;
    }
    Ok(results.into_iter().map(|r| r.expect("every order answered")).collect())
}

fn exchange_rate(order: &OrderInput, base_currency: &str) -> Result<Decimal, Vec<FieldError>> {
    match order.exchange_rate {
        Some(rate) => Ok(rate),
        None if order.currency == base_currency => Ok(Decimal::ONE),
        None => Err(vec![FieldError {
            path: "$.exchange_rate".into(),
            message: format!("needed: the order is in {} and the workspace counts in {base_currency}", order.currency),
        }]),
    }
}

/// The channel of every key the orders name, created the first time a key is seen with the kind that
/// one of the orders gives.
async fn channels<'a>(
    conn: &mut PgConnection,
    workspace_id: i64,
    orders: &'a [OrderInput],
) -> AppResult<HashMap<&'a str, Result<i64, Vec<FieldError>>>> {
    let mut channels = HashMap::new();
    for order in orders {
        if channels.contains_key(order.channel.as_str()) {
            continue;
        }
        let kind = orders.iter().filter(|o| o.channel == order.channel).find_map(|o| o.channel_kind.as_deref());
        let channel = match channel_id(conn, workspace_id, &order.channel, kind).await {
            Ok(id) => Ok(id),
            Err(AppError::Invalid(errors)) => Err(errors),
            Err(other) => return Err(other),
        };
        channels.insert(order.channel.as_str(), channel);
    }
    Ok(channels)
}

struct Existing {
    id: i64,
    customer_id: i64,
    status: OrderStatus,
    /// When the channel last changed it, as far as we know.
    updated_at: Option<DateTime<Utc>>,
}

impl Existing {
    /// Whether `order` is an older state of this order than the one stored (deliveries arrive in any
    /// order): it changes nothing.
    fn newer_than(&self, order: &OrderInput) -> bool {
        matches!((self.updated_at, order.updated_at), (Some(stored), Some(sent)) if sent < stored)
    }
}

/// Stores orders with distinct (channel, external id) keys.
/// Stores one round's orders; answers each order's outcome and the contacts each order's customer
/// came with (synced by the caller once the customers are locked).
async fn store_round<'a>(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    round: &[Accepted<'a>],
) -> AppResult<(Vec<(usize, Ingested)>, Vec<(i64, &'a CustomerInput)>)> {
    let existing = existing_orders(conn, workspace_id, round).await?;
    // registered customers once per channel; a guest is one customer per order, so a re-sent guest
    // order keeps the guest it created
    let refs: Vec<CustomerRef> = round
        .iter()
        .map(|a| {
            let identity = match (&a.order.customer.external_id, existing.get(&a.key())) {
                (Some(external), _) => Identity::Registered(external),
                (None, Some(before)) => Identity::Known(before.customer_id),
                (None, None) => Identity::New { registered: false },
            };
            CustomerRef::new(a.channel_id, identity, &a.order.customer)
        })
        .collect();
    let customers: Vec<i64> =
        resolve_customers(conn, workspace_id, now, &refs).await?.into_iter().map(|c| c.id).collect();
    let contacts: Vec<(i64, &'a CustomerInput)> =
        round.iter().zip(&customers).map(|(a, c)| (*c, &a.order.customer)).collect();

    let (mut new, old): (Vec<_>, Vec<_>) =
        round.iter().zip(customers).partition(|(a, _)| !existing.contains_key(&a.key()));
    // In key order, so that batches sending the same new orders wait for each other instead of deadlocking.
    new.sort_by_key(|(a, _)| a.key());
    let created = insert_orders(conn, workspace_id, &new).await?;
    let changed = update_orders(conn, workspace_id, now, &old, &existing).await?;

    let mut stored = Vec::with_capacity(round.len());
    for ((accepted, customer_id), id) in new.iter().zip(created) {
        stored.push((
            accepted.index,
            Ingested { id, customer_id: *customer_id, result: Outcome::Created, affected: vec![*customer_id] },
        ));
    }
    for (accepted, customer_id) in &old {
        let before = &existing[&accepted.key()];
        let mut affected = vec![*customer_id];
        if before.customer_id != *customer_id {
            affected.push(before.customer_id);
            affected.sort_unstable();
        }
        let result = if changed.contains(&before.id) { Outcome::Updated } else { Outcome::Unchanged };
        stored.push((accepted.index, Ingested { id: before.id, customer_id: *customer_id, result, affected }));
    }
    Ok((stored, contacts))
}

/// The stored orders among the round's, locked (in id order) so that neither their customer nor their
/// status can change before we compare.
async fn existing_orders<'a>(
    conn: &mut PgConnection,
    workspace_id: i64,
    round: &[Accepted<'a>],
) -> AppResult<HashMap<(i64, &'a str), Existing>> {
    let channels: Vec<i64> = round.iter().map(|a| a.channel_id).collect();
    let externals: Vec<&str> = round.iter().map(|a| a.order.external_id.as_str()).collect();
    let rows = sqlx::query!(
        "select o.id, o.channel_id, o.external_id, o.customer_id, o.status, o.source_updated_at
           from customer_order o
           join unnest($2::bigint[], $3::text[]) as k(channel_id, external_id)
             on o.channel_id = k.channel_id and o.external_id = k.external_id
          where o.workspace_id = $1
          order by o.id
            for no key update of o",
        workspace_id,
        &channels,
        &externals as &[&str]
    )
    .fetch_all(&mut *conn)
    .await?;
    // Keyed by the round's own strings, which outlive the rows.
    let keys: HashMap<(i64, &str), (i64, &'a str)> = round.iter().map(|a| (a.key(), a.key())).collect();
    rows.into_iter()
        .map(|r| {
            let key = keys[&(r.channel_id, r.external_id.as_str())];
            let status = stored_status(OrderStatus::parse, &r.status)?;
            Ok((key, Existing { id: r.id, customer_id: r.customer_id, status, updated_at: r.source_updated_at }))
        })
        .collect()
}

/// The order's fields as columns, one array per column.
#[derive(Default)]
struct OrderColumns<'a> {
    ids: Vec<i64>,
    numbers: Vec<&'a str>,
    customers: Vec<i64>,
    placed: Vec<DateTime<Utc>>,
    updated: Vec<Option<DateTime<Utc>>>,
    statuses: Vec<&'a str>,
    tests: Vec<bool>,
    currencies: Vec<&'a str>,
    rates: Vec<Decimal>,
    totals: Vec<Decimal>,
    paid: Vec<Decimal>,
    refunded: Vec<Decimal>,
    shipping: Vec<Option<Value>>,
    billing: Vec<Option<Value>>,
}

impl<'a> OrderColumns<'a> {
    fn push(&mut self, id: i64, accepted: &Accepted<'a>, customer_id: i64) {
        let o = accepted.order;
        self.ids.push(id);
        self.numbers.push(&o.number);
        self.customers.push(customer_id);
        self.placed.push(o.placed_at);
        self.updated.push(o.updated_at);
        self.statuses.push(o.status.as_str());
        self.tests.push(o.test);
        self.currencies.push(&o.currency);
        self.rates.push(accepted.exchange_rate);
        self.totals.push(o.total);
        self.paid.push(o.paid);
        self.refunded.push(o.refunded);
        self.shipping.push(o.shipping_address.clone());
        self.billing.push(o.billing_address.clone());
    }
}

/// Inserts the new orders with their lines and an "order placed" event each; answers their ids.
async fn insert_orders(
    conn: &mut PgConnection,
    workspace_id: i64,
    new: &[(&Accepted<'_>, i64)],
) -> AppResult<Vec<i64>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let ids = new_ids(conn, "customer_order", new.len()).await?;
    let mut columns = OrderColumns::default();
    for ((accepted, customer_id), id) in new.iter().zip(&ids) {
        columns.push(*id, accepted, *customer_id);
    }
    let channels: Vec<i64> = new.iter().map(|(a, _)| a.channel_id).collect();
    let externals: Vec<&str> = new.iter().map(|(a, _)| a.order.external_id.as_str()).collect();
    let c = &columns;
    sqlx::query!(
        "insert into customer_order (workspace_id, id, channel_id, external_id, number, customer_id, placed_at, status,
                                     test, currency, exchange_rate, total, paid, refunded, shipping_address,
                                     billing_address, source_updated_at)
         select $1, * from unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[],
                                  $7::timestamptz[], $8::text[], $9::bool[], $10::text[], $11::numeric[],
                                  $12::numeric[], $13::numeric[], $14::numeric[], $15::jsonb[], $16::jsonb[],
                                  $17::timestamptz[])",
        workspace_id,
        &c.ids,
        &channels,
        &externals as &[&str],
        &c.numbers as &[&str],
        &c.customers,
        &c.placed,
        &c.statuses as &[&str],
        &c.tests,
        &c.currencies as &[&str],
        &c.rates,
        &c.totals,
        &c.paid,
        &c.refunded,
        &c.shipping as &[Option<Value>],
        &c.billing as &[Option<Value>],
        &c.updated as &[Option<DateTime<Utc>>]
    )
    .execute(&mut *conn)
    .await?;
    let lines: Vec<(i64, &[LineInput])> = new.iter().zip(&ids).map(|((a, _), id)| (*id, &a.order.lines[..])).collect();
    insert_lines(conn, workspace_id, &lines).await?;
    let events: Vec<Recorded> = new
        .iter()
        .zip(&ids)
        .map(|((a, customer_id), id)| Recorded {
            customer_id: *customer_id,
            actor_id: None,
            happened_at: a.order.placed_at,
            event: Event::OrderPlaced {
                order_id: Some(*id),
                number: a.order.number.clone(),
                status: a.order.status,
                total: Some(a.order.total),
                currency: Some(a.order.currency.clone()),
            },
        })
        .collect();
    crate::timeline::record_all(conn, workspace_id, &events).await?;
    Ok(ids)
}

/// Updates the stored orders where anything differs (fields or lines), with an "order changed" event
/// each; answers the ids of those that changed.
async fn update_orders(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    old: &[(&Accepted<'_>, i64)],
    existing: &HashMap<(i64, &str), Existing>,
) -> AppResult<Vec<i64>> {
    // an older state than the one stored changes nothing
    let old: Vec<(&Accepted<'_>, i64)> =
        old.iter().filter(|(a, _)| !before(existing, a).newer_than(a.order)).copied().collect();
    let old = &old[..];
    if old.is_empty() {
        return Ok(Vec::new());
    }
    let mut columns = OrderColumns::default();
    for (accepted, customer_id) in old {
        columns.push(before(existing, accepted).id, accepted, *customer_id);
    }
    let c = &columns;
    // `is distinct from` on every field: numeric equality ignores scale, so "10.0" re-sent as "10" is
    // no change.
    let mut changed = sqlx::query_scalar!(
        "update customer_order o
            set number = v.number, customer_id = v.customer_id, placed_at = v.placed_at, status = v.status,
                test = v.test, currency = v.currency, exchange_rate = v.exchange_rate, total = v.total,
                paid = v.paid, refunded = v.refunded, shipping_address = v.shipping_address,
                billing_address = v.billing_address, updated_at = $15,
                source_updated_at = coalesce(v.source_updated_at, o.source_updated_at)
           from unnest($2::bigint[], $3::text[], $4::bigint[], $5::timestamptz[], $6::text[], $7::bool[],
                       $8::text[], $9::numeric[], $10::numeric[], $11::numeric[], $12::numeric[], $13::jsonb[],
                       $14::jsonb[], $16::timestamptz[])
                as v(id, number, customer_id, placed_at, status, test, currency, exchange_rate, total, paid,
                     refunded, shipping_address, billing_address, source_updated_at)
          where o.workspace_id = $1 and o.id = v.id
            and (o.number, o.customer_id, o.placed_at, o.status, o.test, o.currency, o.exchange_rate, o.total,
                 o.paid, o.refunded, o.shipping_address, o.billing_address)
                is distinct from (v.number, v.customer_id, v.placed_at, v.status, v.test, v.currency,
                                  v.exchange_rate, v.total, v.paid, v.refunded, v.shipping_address,
                                  v.billing_address)
         returning o.id",
        workspace_id,
        &c.ids,
        &c.numbers as &[&str],
        &c.customers,
        &c.placed,
        &c.statuses as &[&str],
        &c.tests,
        &c.currencies as &[&str],
        &c.rates,
        &c.totals,
        &c.paid,
        &c.refunded,
        &c.shipping as &[Option<Value>],
        &c.billing as &[Option<Value>],
        now,
        &c.updated as &[Option<DateTime<Utc>>]
    )
    .fetch_all(&mut *conn)
    .await?;
    // the same order again, changed at the channel in nothing we keep: still the newest state known
    if c.updated.iter().any(Option::is_some) {
        sqlx::query!(
            "update customer_order o set source_updated_at = v.source_updated_at
               from unnest($2::bigint[], $3::timestamptz[]) as v(id, source_updated_at)
              where o.workspace_id = $1 and o.id = v.id
                and v.source_updated_at > coalesce(o.source_updated_at, '-infinity')",
            workspace_id,
            &c.ids,
            &c.updated as &[Option<DateTime<Utc>>]
        )
        .execute(&mut *conn)
        .await?;
    }

    let rows = sqlx::query!(
        "select order_id, sku, name, category, quantity, unit_price from order_line
          where workspace_id = $1 and order_id = any($2) order by order_id, position",
        workspace_id,
        &c.ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut stored: HashMap<i64, Vec<LineInput>> = HashMap::new();
    for r in rows {
        let line = LineInput {
            sku: r.sku,
            name: r.name,
            category: r.category,
            quantity: r.quantity,
            unit_price: r.unit_price,
        };
        stored.entry(r.order_id).or_default().push(line);
    }
    let new_lines: Vec<(i64, &[LineInput])> = old
        .iter()
        .map(|(a, _)| (before(existing, a).id, &a.order.lines[..]))
        .filter(|(id, lines)| stored.get(id).map_or(&[][..], Vec::as_slice) != *lines)
        .collect();
    if !new_lines.is_empty() {
        let ids: Vec<i64> = new_lines.iter().map(|(id, _)| *id).collect();
        sqlx::query!("delete from order_line where workspace_id = $1 and order_id = any($2)", workspace_id, &ids)
            .execute(&mut *conn)
            .await?;
        insert_lines(conn, workspace_id, &new_lines).await?;
        changed.extend(ids);
    }
    changed.sort_unstable();
    changed.dedup();
    let events: Vec<Recorded> = old
        .iter()
        .filter(|(a, _)| changed.binary_search(&before(existing, a).id).is_ok())
        .map(|(a, customer_id)| Recorded {
            customer_id: *customer_id,
            actor_id: None,
            happened_at: now,
            event: Event::OrderChanged {
                order_id: Some(before(existing, a).id),
                number: a.order.number.clone(),
                old_status: before(existing, a).status,
                status: a.order.status,
            },
        })
        .collect();
    crate::timeline::record_all(conn, workspace_id, &events).await?;
    Ok(changed)
}

fn before<'e, 'k>(existing: &'e HashMap<(i64, &'k str), Existing>, accepted: &Accepted<'k>) -> &'e Existing {
    &existing[&accepted.key()]
}

/// Inserts the lines of several orders in one statement.
async fn insert_lines(conn: &mut PgConnection, workspace_id: i64, orders: &[(i64, &[LineInput])]) -> AppResult<()> {
    let lines = || orders.iter().flat_map(|(id, lines)| lines.iter().enumerate().map(move |(n, l)| (*id, n, l)));
    if lines().next().is_none() {
        return Ok(());
    }
    let order_ids: Vec<i64> = lines().map(|(id, _, _)| id).collect();
    let positions: Vec<i32> = lines().map(|(_, n, _)| n as i32).collect();
    let skus: Vec<Option<&str>> = lines().map(|(_, _, l)| l.sku.as_deref()).collect();
    let names: Vec<&str> = lines().map(|(_, _, l)| l.name.as_str()).collect();
    let categories: Vec<Option<&str>> = lines().map(|(_, _, l)| l.category.as_deref()).collect();
    let quantities: Vec<i32> = lines().map(|(_, _, l)| l.quantity).collect();
    let prices: Vec<Decimal> = lines().map(|(_, _, l)| l.unit_price).collect();
    sqlx::query!(
        "insert into order_line (workspace_id, order_id, position, sku, name, category, quantity, unit_price)
         select $1, * from unnest($2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::int[],
                                  $8::numeric[])",
        workspace_id,
        &order_ids,
        &positions,
        &skus as &[Option<&str>],
        &names as &[&str],
        &categories as &[Option<&str>],
        &quantities,
        &prices
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::db::create_workspace;
    use serde_json::json;
    use sqlx::PgPool;

    /// The batch's lookups and inserts use cached plans, but what the caller runs after it in the same
    /// transaction — and the recompute of figures scoped to the batch's customers — is planned as the
    /// caller asked.
    #[sqlx::test(migrations = "../migrations")]
    async fn the_callers_planning_is_kept(pool: PgPool) {
        let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        let order: OrderInput = serde_json::from_value(json!({
            "channel": "shop", "channel_kind": "shopify", "external_id": "1001", "number": "#1001", "placed_at": "2026-11-20T10:00:00Z",
            "status": "paid", "currency": "EUR", "total": "20.00", "paid": "20.00", "refunded": "0",
            "customer": {"external_id": "C-1", "email": "ann@example.com", "first_name": "Ann"},
            "lines": [{"sku": "HAT", "name": "Hat", "quantity": 1, "unit_price": "20.00"}]
        }))
        .unwrap();
        let now = "2026-11-20T12:00:00Z".parse().unwrap();
        let mut tx = pool.begin().await.unwrap();
        crate::plans::set(&mut tx, "force_custom_plan").await.unwrap();
        let results = ingest_orders(&mut tx, ws, "EUR", now, &[order]).await.unwrap();
        assert_eq!(crate::plans::mode(&mut tx).await.unwrap(), "force_custom_plan");
        let nested_loops = sqlx::query_scalar!(r#"select current_setting('enable_nestloop') as "on!""#)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(nested_loops, "on", "the recompute plans without nested loops, and sets them back");
        let stored = results[0].as_ref().unwrap();
        assert_eq!(stored.result, Outcome::Created);
        let total = sqlx::query_scalar!("select total_order_value from customer where id = $1", stored.customer_id)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(total, Decimal::new(2000, 2));
    }
}
