//! `server seed`: deterministic, realistic demo data, streamed into PostgreSQL with COPY in one
//! transaction. Stored indicators are then computed set-based, exactly as SPEC §3 defines them.

mod copy;
mod data;
mod plan;

use anyhow::{Context, Result, bail};
use app::clock::Clock;
use chrono::Duration;
use copy::Copy;
use plan::{Channel, Ctx, Kind};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct SeedArgs {
    /// Slug of the workspace to fill.
    #[arg(long)]
    workspace: String,
    /// How many customers to create.
    #[arg(long)]
    customers: u64,
    /// How many orders in all (default: ten per customer).
    #[arg(long)]
    orders: Option<u64>,
    /// The same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Selling channels of the demo: key, kind, currency, and US dollars per unit of that currency.
const CHANNELS: &[(&str, &str, &str, &str)] = &[
    ("shopify-eu", "shopify", "EUR", "1.08"),
    ("amazon-de", "amazon", "EUR", "1.08"),
    ("ebay-us", "ebay", "USD", "1"),
    ("website", "website", "USD", "1"),
    ("amazon-uk", "amazon", "GBP", "1.27"),
    ("pos-berlin", "pos", "EUR", "1.08"),
];

pub async fn run(pool: &PgPool, clock: &Clock, args: SeedArgs) -> Result<()> {
    let started = Instant::now();
    let workspace = app::accounts::db::workspace_by_slug(pool, &args.workspace)
        .await
        .map_err(|_| anyhow::anyhow!("there is no workspace {:?}; create it first", args.workspace))?;
    let orders = args.orders.unwrap_or(args.customers * 10);
    let mut tx = pool.begin().await?;
    // Demo rows are generated consistent, so foreign-key triggers can be skipped when we are allowed to
    // (superuser); otherwise every row is checked, which is slower but just as correct.
    let fast = sqlx::query("set local session_replication_role = replica").execute(&mut *tx).await.is_ok();
    if !fast {
        tx.rollback().await?;
        tx = pool.begin().await?;
    }
    let channels = ensure_channels(&mut tx, workspace.id, &workspace.base_currency).await?;
    let manual_channel = sqlx::query_scalar!(
        "select id from channel where workspace_id = $1 and kind = 'manual' order by id limit 1",
        workspace.id
    )
    .fetch_one(&mut *tx)
    .await?;
    let ctx = Ctx { seed: args.seed, now: clock.now(), channels, manual_channel };

    let (kinds, order_counts) = allocate(&ctx, args.customers, orders);
    let customer_base = reserve(&mut tx, "customer", args.customers).await?;
    let order_base = reserve(&mut tx, "customer_order", orders).await?;
    let plan = Plan { ctx, workspace: workspace.id, kinds, order_counts, customer_base, order_base };

    plan.customers(&mut tx).await?;
    plan.contacts(&mut tx).await?;
    plan.orders(&mut tx).await?;
    let tickets = plan.count_tickets();
    let ticket_base = reserve(&mut tx, "ticket", tickets.0).await?;
    plan.tickets(&mut tx, ticket_base).await?;
    plan.notes(&mut tx).await?;
    tracing::info!(elapsed = ?started.elapsed(), "rows loaded; computing indicators and segments");
    // The planner must know the tables are no longer (nearly) empty, or the set-based statements below
    // pick nested loops over millions of rows. ANALYZE sees this transaction's own rows.
    sqlx::query("analyze customer, customer_order, order_line, ticket, message, customer_email")
        .execute(&mut *tx)
        .await?;
    // Set-based, with the same functions that keep them current on every write.
    app::customers::indicators::recompute(&mut tx, workspace.id, None, clock.now()).await?;
    app::segments::refresh_all(&mut tx, workspace.id, clock.now()).await?;
    // what the customer triggers (off during the load) would have done: the dictionary of name words
    // that typo search looks words up in
    sqlx::query!(
        "insert into name_word (workspace_id, word)
         select distinct $1::bigint, w from customer c, name_words(c.first_name, c.last_name) w
          where c.workspace_id = $1
         on conflict do nothing",
        workspace.id
    )
    .execute(&mut *tx)
    .await?;
    // and the texts that search reads (migration `customer_search`)
    sqlx::query!(
        "select refresh_search_text(array_agg(workspace_id), array_agg(id)) from customer where workspace_id = $1",
        workspace.id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query("analyze").execute(pool).await?;
    eprintln!(
        "seeded {} customers, {} orders, {} tickets, {} messages into {} in {:.1} s",
        args.customers,
        orders,
        tickets.0,
        tickets.1,
        workspace.slug,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn ensure_channels(tx: &mut Transaction<'_, Postgres>, workspace_id: i64, base: &str) -> Result<Vec<Channel>> {
    let usd_per = |code: &str| -> Decimal {
        CHANNELS.iter().find(|c| c.2 == code).map_or(Decimal::ONE, |c| c.3.parse().expect("valid rate"))
    };
    let base_rate = usd_per(base);
    let mut channels = Vec::new();
    for &(key, kind, currency, _) in CHANNELS {
        let id = sqlx::query_scalar!(
            r#"insert into channel (workspace_id, key, kind, name) values ($1, $2, $3, $2)
               on conflict (workspace_id, key) do update set updated_at = channel.updated_at
               returning id"#,
            workspace_id,
            key,
            kind
        )
        .fetch_one(&mut **tx)
        .await?;
        let rate = if currency == base { Decimal::ONE } else { (usd_per(currency) / base_rate).round_dp(6) };
        channels.push(Channel { id, kind, currency, rate });
    }
    Ok(channels)
}

/// Decides every customer's kind and how many orders they placed, so that the orders add up exactly.
fn allocate(ctx: &Ctx, customers: u64, orders: u64) -> (Vec<Kind>, Vec<u32>) {
    let kinds: Vec<Kind> = (0..customers).map(|i| plan::kind(ctx, i)).collect();
    let buyers: Vec<usize> =
        (0..kinds.len()).filter(|&i| matches!(kinds[i], Kind::Registered { weight } if weight > 0.0)).collect();
    let mut counts = vec![0u32; kinds.len()];
    let mut left = orders;
    for (i, kind) in kinds.iter().enumerate() {
        if *kind == Kind::Guest && left > 0 {
            counts[i] = 1;
            left -= 1;
        }
    }
    // Everyone who buys buys once; the rest is shared out by weight, remainders going to the first.
    for &i in &buyers {
        if left == 0 {
            break;
        }
        counts[i] = 1;
        left -= 1;
    }
    let total_weight: f64 = buyers.iter().map(|&i| weight(kinds[i])).sum();
    let pool = left;
    for &i in &buyers {
        let share = ((pool as f64) * weight(kinds[i]) / total_weight).floor() as u64;
        let share = share.min(left);
        counts[i] += share as u32;
        left -= share;
    }
    for &i in buyers.iter().cycle().take(if buyers.is_empty() { 0 } else { left as usize }) {
        counts[i] += 1;
    }
    (kinds, counts)
}

fn weight(kind: Kind) -> f64 {
    match kind {
        Kind::Registered { weight } => f64::from(weight),
        _ => 0.0,
    }
}

/// Takes `n` ids from the table's identity sequence; the exclusive lock keeps other writers from
/// drawing ids from the range meanwhile.
async fn reserve(tx: &mut Transaction<'_, Postgres>, table: &str, n: u64) -> Result<i64> {
    if !matches!(table, "customer" | "customer_order" | "ticket") {
        bail!("no id range to reserve in {table}");
    }
    sqlx::query(&format!("lock table {table} in exclusive mode")).execute(&mut **tx).await?;
    let last: i64 = sqlx::query_scalar(
        "select setval(pg_get_serial_sequence($1, 'id'), nextval(pg_get_serial_sequence($1, 'id')) + $2)",
    )
    .bind(table)
    .bind(n as i64)
    .fetch_one(&mut **tx)
    .await
    .with_context(|| format!("reserving {n} ids in {table}"))?;
    Ok(last - n as i64)
}

struct Plan {
    ctx: Ctx,
    workspace: i64,
    kinds: Vec<Kind>,
    order_counts: Vec<u32>,
    customer_base: i64,
    order_base: i64,
}

impl Plan {
    fn customer_id(&self, index: usize) -> i64 {
        self.customer_base + index as i64
    }

    fn profile(&self, index: usize) -> plan::Profile {
        plan::profile(&self.ctx, index as u64, self.kinds[index])
    }

    fn channel_id(&self, p: &plan::Profile) -> i64 {
        if p.kind == Kind::Manual { self.ctx.manual_channel } else { self.ctx.channels[p.channel].id }
    }

    /// When the customer registered: before their first order, or some time ago.
    fn registered_at(&self, index: usize, p: &plan::Profile) -> chrono::DateTime<chrono::Utc> {
        let since =
            if self.order_counts[index] > 0 { plan::first_order_at(&self.ctx, index as u64) } else { self.ctx.now };
        since - Duration::days(p.registered_days_before)
    }

    async fn customers(&self, conn: &mut PgConnection) -> Result<()> {
        let mut w = Copy::begin(
            &mut *conn,
            "customer (workspace_id, id, channel_id, external_id, registered, first_name, last_name, company, \
             email_subscription, personal_discount, contractor_type, legal_name, vip_mark, bad_mark, comment, \
             registered_at)",
        )
        .await?;
        for i in 0..self.kinds.len() {
            let p = self.profile(i);
            let id = self.customer_id(i);
            let registered = p.kind != Kind::Guest;
            let external = matches!(p.kind, Kind::Registered { .. }).then(|| (7_000_000 + id).to_string());
            w.row()
                .int(self.workspace)
                .int(id)
                .int(self.channel_id(&p))
                .opt(external.as_deref())
                .bool(registered)
                .text(p.first_name)
                .text(p.last_name)
                .opt(p.company)
                .text(if p.subscribed { "subscribed" } else { "unsubscribed" })
                .opt_dec(p.discount)
                .text(if p.company.is_some() { "legal_entity" } else { "individual" })
                .opt(p.company)
                .bool(p.vip_mark)
                .bool(p.bad_mark)
                .opt(p.comment)
                .time(self.registered_at(i, &p))
                .end();
            w.flush_if_full().await?;
        }
        w.finish().await?;
        Ok(())
    }

    async fn contacts(&self, conn: &mut PgConnection) -> Result<()> {
        let mut w = Copy::begin(&mut *conn, "customer_email (workspace_id, customer_id, email, position)").await?;
        for i in 0..self.kinds.len() {
            let p = self.profile(i);
            for (position, email) in p.emails.iter().enumerate() {
                w.row().int(self.workspace).int(self.customer_id(i)).text(email).int(position as i64).end();
            }
            w.flush_if_full().await?;
        }
        w.finish().await?;
        let mut w = Copy::begin(&mut *conn, "customer_phone (workspace_id, customer_id, raw, e164)").await?;
        for i in 0..self.kinds.len() {
            if let Some((raw, e164)) = self.profile(i).phone {
                w.row().int(self.workspace).int(self.customer_id(i)).text(&raw).text(&e164).end();
                w.flush_if_full().await?;
            }
        }
        w.finish().await?;
        let mut w = Copy::begin(
            &mut *conn,
            "customer_address (workspace_id, customer_id, kind, name, line1, city, region, postal_code, country)",
        )
        .await?;
        for i in 0..self.kinds.len() {
            let p = self.profile(i);
            if !p.has_address {
                continue;
            }
            let kinds: &[&str] = if p.billing_too { &["shipping", "billing"] } else { &["shipping"] };
            for kind in kinds {
                let a = &p.address;
                w.row()
                    .int(self.workspace)
                    .int(self.customer_id(i))
                    .text(kind)
                    .text(&a.name)
                    .text(&a.line1)
                    .text(a.city)
                    .opt((!a.region.is_empty()).then_some(a.region))
                    .text(a.postal_code)
                    .text(a.country)
                    .end();
            }
            w.flush_if_full().await?;
        }
        w.finish().await?;
        Ok(())
    }

    /// Orders, their lines and their timeline events: three passes over the same generated orders.
    async fn orders(&self, conn: &mut PgConnection) -> Result<()> {
        for table in [OrderTable::Order, OrderTable::Line, OrderTable::Event] {
            let mut w = Copy::begin(&mut *conn, table.columns()).await?;
            let mut order_id = self.order_base;
            for i in 0..self.kinds.len() {
                let p = self.profile(i);
                let channel =
                    if p.kind == Kind::Manual { &self.ctx.channels[0] } else { &self.ctx.channels[p.channel] };
                let address = (channel.kind != "pos" && p.has_address).then(|| p.address.json());
                for o in plan::orders(&self.ctx, i as u64, self.order_counts[i]) {
                    order_id += 1;
                    let number = order_number(channel.kind, order_id);
                    match table {
                        OrderTable::Order => {
                            w.row()
                                .int(self.workspace)
                                .int(order_id)
                                .int(channel.id)
                                .text(&(9_000_000_000 + order_id).to_string())
                                .text(&number)
                                .int(self.customer_id(i))
                                .time(o.placed_at)
                                .text(o.status)
                                .bool(o.test)
                                .text(channel.currency)
                                .dec(channel.rate)
                                .dec(o.total)
                                .dec(o.paid)
                                .dec(o.refunded)
                                .opt(address.as_deref())
                                .end();
                        }
                        OrderTable::Line => {
                            for (position, line) in o.lines.iter().enumerate() {
                                w.row()
                                    .int(self.workspace)
                                    .int(order_id)
                                    .int(position as i64)
                                    .text(line.product.sku)
                                    .text(line.product.name)
                                    .text(line.product.category)
                                    .int(line.quantity.into())
                                    .dec(Decimal::new(line.product.price_cents, 2))
                                    .end();
                            }
                        }
                        OrderTable::Event => {
                            let detail = format!(
                                r#"{{"number": "{number}", "status": "{}", "total": "{}", "currency": "{}"}}"#,
                                o.status, o.total, channel.currency
                            );
                            w.row()
                                .int(self.workspace)
                                .int(self.customer_id(i))
                                .text("order_placed")
                                .time(o.placed_at)
                                .int(order_id)
                                .text(&detail)
                                .end();
                        }
                    }
                }
                w.flush_if_full().await?;
            }
            w.finish().await?;
        }
        Ok(())
    }

    fn tickets_of(&self, i: usize) -> Vec<plan::Ticket> {
        let p = self.profile(i);
        let since = self.registered_at(i, &p);
        plan::tickets(&self.ctx, i as u64, since, self.order_counts[i] > 0)
    }

    fn count_tickets(&self) -> (u64, u64) {
        (0..self.kinds.len()).fold((0, 0), |(t, m), i| {
            let tickets = self.tickets_of(i);
            (t + tickets.len() as u64, m + tickets.iter().map(|t| t.messages.len() as u64).sum::<u64>())
        })
    }

    async fn tickets(&self, conn: &mut PgConnection, ticket_base: i64) -> Result<()> {
        let mut scores = Scores::default();
        for table in [TicketTable::Ticket, TicketTable::Message, TicketTable::Event] {
            let mut w = Copy::begin(&mut *conn, table.columns()).await?;
            let mut ticket_id = ticket_base;
            for i in 0..self.kinds.len() {
                let p = self.profile(i);
                let channel_id = self.channel_id(&p);
                let customer_id = self.customer_id(i);
                for t in self.tickets_of(i) {
                    ticket_id += 1;
                    let (Some(first), Some(last)) = (t.messages.first(), t.messages.last()) else {
                        continue;
                    };
                    match table {
                        TicketTable::Ticket => {
                            w.row()
                                .int(self.workspace)
                                .int(ticket_id)
                                .int(channel_id)
                                .text(&format!("T-{ticket_id}"))
                                .int(customer_id)
                                .text(t.subject)
                                .text(t.status)
                                .text(if first.inbound { "inbound" } else { "outbound" })
                                .time(first.sent_at)
                                .time(last.sent_at)
                                .end();
                        }
                        TicketTable::Message => {
                            for (n, m) in t.messages.iter().enumerate() {
                                w.row()
                                    .int(self.workspace)
                                    .int(ticket_id)
                                    .int(customer_id)
                                    .int(channel_id)
                                    .text(&format!("M-{ticket_id}-{n}"))
                                    .text(if m.inbound { "inbound" } else { "outbound" })
                                    .text(m.kind)
                                    .text(&m.body)
                                    .time(m.sent_at)
                                    .opt_int(m.call_seconds.map(i64::from))
                                    .opt_float(if m.inbound { scores.score(&m.body) } else { None })
                                    .end();
                            }
                        }
                        TicketTable::Event => {
                            let detail = format!(r#"{{"subject": {}}}"#, serde_json::to_string(t.subject)?);
                            w.row()
                                .int(self.workspace)
                                .int(customer_id)
                                .text("ticket_opened")
                                .time(first.sent_at)
                                .int(ticket_id)
                                .text(&detail)
                                .end();
                        }
                    }
                }
                w.flush_if_full().await?;
            }
            w.finish().await?;
        }
        Ok(())
    }

    async fn notes(&self, conn: &mut PgConnection) -> Result<()> {
        for events in [false, true] {
            let mut w = Copy::begin(
                &mut *conn,
                if events {
                    "event (workspace_id, customer_id, kind, happened_at, detail)"
                } else {
                    "note (workspace_id, customer_id, body, created_at, updated_at)"
                },
            )
            .await?;
            for i in 0..self.kinds.len() {
                let Some((body, days_ago)) = plan::note(&self.ctx, i as u64) else { continue };
                let at = self.ctx.now - Duration::days(days_ago);
                let row = w.row().int(self.workspace).int(self.customer_id(i));
                if events {
                    row.text("note_added")
                        .time(at)
                        .text(&format!(r#"{{"body": {}}}"#, serde_json::to_string(body)?))
                        .end();
                } else {
                    row.text(body).time(at).time(at).end();
                }
                w.flush_if_full().await?;
            }
            w.finish().await?;
        }
        Ok(())
    }
}

/// Message scores, remembered: demo mail is assembled from a few hundred sentences, so bodies repeat.
#[derive(Default)]
struct Scores(std::collections::HashMap<String, Option<f64>>);

impl Scores {
    fn score(&mut self, body: &str) -> Option<f64> {
        if let Some(score) = self.0.get(body) {
            return *score;
        }
        let score = app::sentiment::score_message(body);
        self.0.insert(body.to_string(), score);
        score
    }
}

#[derive(Clone, Copy)]
enum OrderTable {
    Order,
    Line,
    Event,
}

impl OrderTable {
    fn columns(self) -> &'static str {
        match self {
            OrderTable::Order => {
                "customer_order (workspace_id, id, channel_id, external_id, number, customer_id, placed_at, status, \
                 test, currency, exchange_rate, total, paid, refunded, shipping_address)"
            }
            OrderTable::Line => {
                "order_line (workspace_id, order_id, position, sku, name, category, quantity, unit_price)"
            }
            OrderTable::Event => "event (workspace_id, customer_id, kind, happened_at, order_id, detail)",
        }
    }
}

#[derive(Clone, Copy)]
enum TicketTable {
    Ticket,
    Message,
    Event,
}

impl TicketTable {
    fn columns(self) -> &'static str {
        match self {
            TicketTable::Ticket => {
                "ticket (workspace_id, id, channel_id, external_id, customer_id, subject, status, first_direction, \
                 created_at, updated_at)"
            }
            TicketTable::Message => {
                "message (workspace_id, ticket_id, customer_id, channel_id, external_id, direction, kind, body, \
                 sent_at, call_duration_seconds, sentiment_score)"
            }
            TicketTable::Event => "event (workspace_id, customer_id, kind, happened_at, ticket_id, detail)",
        }
    }
}

/// Order numbers as each kind of channel writes them.
fn order_number(kind: &str, id: i64) -> String {
    match kind {
        "amazon" => format!("{:03}-{:07}-{:07}", 300 + id % 700, id % 10_000_000, (id * 7919) % 10_000_000),
        "ebay" => format!("{:02}-{:05}-{:05}", 10 + id % 90, id % 100_000, (id * 31) % 100_000),
        "shopify" => format!("#{}", 1000 + id),
        "pos" => format!("POS-{id:08}"),
        _ => format!("W{id:07}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use rust_decimal::RoundingStrategy;
    use std::collections::BTreeMap;

    pub(super) fn args(workspace: &str, customers: u64, seed: u64) -> SeedArgs {
        SeedArgs { workspace: workspace.into(), customers, orders: None, seed }
    }

    pub(super) async fn workspace(pool: &PgPool, slug: &str) -> i64 {
        app::accounts::db::create_workspace(pool, slug, slug, "USD", "UTC").await.unwrap().id
    }

    type Fingerprint = Vec<(String, String, bool, i32, Decimal, Option<String>, i64)>;

    /// Everything that identifies the generated customers, independent of their ids.
    async fn fingerprint(pool: &PgPool, workspace_id: i64) -> Fingerprint {
        sqlx::query_as(
            "select c.first_name, c.last_name, c.registered, c.order_count, c.total_order_value,
                    (select email from customer_email e where e.workspace_id = c.workspace_id and e.customer_id = c.id
                      order by position limit 1),
                    (select count(*) from message m where m.workspace_id = c.workspace_id and m.customer_id = c.id)
               from customer c where c.workspace_id = $1 order by c.id",
        )
        .bind(workspace_id)
        .fetch_all(pool)
        .await
        .unwrap()
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_same_seed_gives_the_same_customers(pool: PgPool) {
        let clock = Clock::fixed("2026-11-01T00:00:00Z".parse().unwrap());
        let one = workspace(&pool, "one").await;
        let two = workspace(&pool, "two").await;
        let three = workspace(&pool, "three").await;
        run(&pool, &clock, args("one", 300, 5)).await.unwrap();
        run(&pool, &clock, args("two", 300, 5)).await.unwrap();
        run(&pool, &clock, args("three", 300, 6)).await.unwrap();
        let first = fingerprint(&pool, one).await;
        assert_eq!(first.len(), 300);
        assert_eq!(first, fingerprint(&pool, two).await);
        assert_ne!(first, fingerprint(&pool, three).await, "another seed gives other customers");
        // typo search works on seeded customers: their name words are in the dictionary
        let missing: i64 = sqlx::query_scalar(
            "select count(*) from customer c, name_words(c.first_name, c.last_name) w
              where c.workspace_id = $1
                and not exists (select 1 from name_word n where n.workspace_id = $1 and n.word = w)",
        )
        .bind(one)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(missing, 0);
        // and search finds them: each has its search text
        let unsearchable: i64 = sqlx::query_scalar(
            "select count(*) from customer c
              where c.workspace_id = $1
                and not exists (select 1 from customer_search s
                                 where s.workspace_id = $1 and s.customer_id = c.id
                                   and s.search_text = customer_search_text(c.workspace_id, c.id, c.first_name, c.last_name))",
        )
        .bind(one)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(unsearchable, 0);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn seeded_data_has_every_kind_of_customer_and_order(pool: PgPool) {
        let clock = Clock::fixed("2026-11-01T00:00:00Z".parse().unwrap());
        let ws = workspace(&pool, "demo").await;
        run(&pool, &clock, args("demo", 500, 1)).await.unwrap();
        let (orders, lines, events): (i64, i64, i64) = sqlx::query_as(
            "select (select count(*) from customer_order where workspace_id = $1),
                    (select count(*) from order_line where workspace_id = $1),
                    (select count(*) from event where workspace_id = $1 and kind = 'order_placed')",
        )
        .bind(ws)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(orders, 5000, "ten orders per customer by default");
        assert!(lines >= orders);
        assert_eq!(events, orders, "every order is on its customer's timeline");
        let kinds: Vec<(String, bool, i64)> = sqlx::query_as(
            "select ch.kind, c.registered, count(*) from customer c
               join channel ch on ch.workspace_id = c.workspace_id and ch.id = c.channel_id
              where c.workspace_id = $1 group by 1, 2",
        )
        .bind(ws)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert!(kinds.iter().any(|(kind, registered, _)| kind == "manual" && *registered), "manual customers");
        assert!(kinds.iter().any(|(kind, registered, _)| kind != "manual" && !*registered), "guests");
        assert!(kinds.iter().any(|(kind, registered, _)| kind != "manual" && *registered), "registered customers");
        let statuses: Vec<String> =
            sqlx::query_scalar("select distinct status from customer_order where workspace_id = $1 order by 1")
                .bind(ws)
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(statuses, ["canceled", "delivered", "draft", "in_transit", "paid", "pending", "returned"]);
        let (tests, unpaid, refunded, foreign_currency): (i64, i64, i64, i64) = sqlx::query_as(
            "select count(*) filter (where test), count(*) filter (where status = 'delivered' and paid < total),
                    count(*) filter (where refunded > 0), count(*) filter (where exchange_rate <> 1)
               from customer_order where workspace_id = $1",
        )
        .bind(ws)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(tests > 0 && unpaid > 0 && refunded > 0 && foreign_currency > 0);
        let (inbound, outbound, contacts_only): (i64, i64, i64) = sqlx::query_as(
            "select (select count(*) from message where workspace_id = $1 and direction = 'inbound'),
                    (select count(*) from message where workspace_id = $1 and direction = 'outbound'),
                    (select count(*) from customer where workspace_id = $1 and order_count = 0 and contacts > 0)",
        )
        .bind(ws)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(inbound > 0 && outbound > 0 && contacts_only > 0);
    }

    #[derive(Default)]
    struct Expected {
        tov: Decimal,
        orders: i32,
        first: Option<DateTime<Utc>>,
        last: Option<DateTime<Utc>>,
        paid: Decimal,
        receivable: Decimal,
        test: bool,
    }

    #[derive(sqlx::FromRow)]
    struct OrderFacts {
        customer_id: i64,
        status: String,
        test: bool,
        exchange_rate: Decimal,
        total: Decimal,
        paid: Decimal,
        refunded: Decimal,
        placed_at: DateTime<Utc>,
    }

    /// The stored indicators equal SPEC §3 computed here, in Rust, from the orders themselves.
    #[sqlx::test(migrations = "../migrations")]
    async fn stored_indicators_follow_the_rules(pool: PgPool) {
        let clock = Clock::fixed("2026-11-01T00:00:00Z".parse().unwrap());
        let ws = workspace(&pool, "demo").await;
        run(&pool, &clock, args("demo", 400, 3)).await.unwrap();
        let orders: Vec<OrderFacts> = sqlx::query_as(
            "select customer_id, status, test, exchange_rate, total, paid, refunded, placed_at
               from customer_order where workspace_id = $1",
        )
        .bind(ws)
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut expected: BTreeMap<i64, Expected> = BTreeMap::new();
        for OrderFacts { customer_id: customer, status, test, exchange_rate: rate, total, paid, refunded, placed_at } in
            orders
        {
            let e = expected.entry(customer).or_default();
            e.test |= test;
            if test || status == "draft" || status == "canceled" {
                continue;
            }
            e.tov += (total - refunded) * rate;
            e.orders += 1;
            e.paid += paid * rate;
            e.receivable += (total - refunded - paid).max(Decimal::ZERO) * rate;
            e.first = Some(e.first.map_or(placed_at, |f| f.min(placed_at)));
            e.last = Some(e.last.map_or(placed_at, |l| l.max(placed_at)));
        }
        type Stored =
            (i64, Decimal, i32, Option<Decimal>, Option<DateTime<Utc>>, Option<DateTime<Utc>>, Decimal, Decimal, bool);
        let stored: Vec<Stored> = sqlx::query_as(
            "select id, total_order_value, order_count, average_order_value, customer_since, latest_purchase_at,
                    total_paid, accounts_receivable, has_test_order
               from customer where workspace_id = $1",
        )
        .bind(ws)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(stored.len(), 400);
        for (id, tov, orders, aov, since, latest, paid, receivable, test) in stored {
            let e = expected.remove(&id).unwrap_or_default();
            assert_eq!(tov, e.tov, "TOV of {id}");
            assert_eq!(orders, e.orders, "orders of {id}");
            let e_aov = (e.orders > 0).then(|| {
                (e.tov / Decimal::from(e.orders)).round_dp_with_strategy(10, RoundingStrategy::MidpointAwayFromZero)
            });
            assert_eq!(aov, e_aov, "AOV of {id}");
            assert_eq!((since, latest), (e.first, e.last), "purchase dates of {id}");
            assert_eq!(paid, e.paid, "total paid of {id}");
            assert_eq!(receivable, e.receivable, "accounts receivable of {id}");
            assert_eq!(test, e.test, "test mark of {id}");
        }
    }
}

/// Seeded data ends up exactly as if it had come through the API: a small seed is replayed (orders in
/// batches, messages one by one) through the ingestion functions into another workspace, and every
/// customer's figures are compared.
#[cfg(test)]
mod replay {
    use super::tests::{args, workspace};
    use super::*;
    use app::ingest::ingest_message;
    use app::ingest::ingest_orders;
    use app::ingest::parse_message;
    use app::ingest::parse_order;
    use app::ingest::{ingest_customer, parse_customer_sync};
    use serde_json::Value;
    use std::collections::HashMap;

    const EMAIL: &str = "(select email from customer_email e where e.workspace_id = c.workspace_id
                            and e.customer_id = c.id order by position limit 1)";

    async fn items(pool: &PgPool, sql: &str, workspace: i64) -> Vec<(i64, Value)> {
        sqlx::query_as::<_, (i64, Value)>(&sql.replace("{EMAIL}", EMAIL)).bind(workspace).fetch_all(pool).await.unwrap()
    }

    #[derive(Debug, PartialEq, sqlx::FromRow)]
    struct Figures {
        order_count: i32,
        total_order_value: Decimal,
        average_order_value: Option<Decimal>,
        total_paid: Decimal,
        accounts_receivable: Decimal,
        customer_since: Option<chrono::DateTime<chrono::Utc>>,
        latest_purchase_at: Option<chrono::DateTime<chrono::Utc>>,
        contacts: i32,
        has_test_order: bool,
        sentiment_score: Option<f64>,
        segments: Vec<String>,
    }

    async fn figures(pool: &PgPool, id: i64) -> Figures {
        sqlx::query_as(
            "select order_count, total_order_value, average_order_value, total_paid, accounts_receivable,
                    customer_since, latest_purchase_at, contacts, has_test_order, sentiment_score,
                    array(select s.key from segment_membership m join segment s on s.id = m.segment_id
                           where m.customer_id = c.id order by s.key) as segments
               from customer c where id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_seed_and_the_same_data_through_the_api_agree_on_every_customer(pool: PgPool) {
        let clock = Clock::fixed("2026-11-01T00:00:00Z".parse().unwrap());
        let seeded = workspace(&pool, "seeded").await;
        let replayed = workspace(&pool, "replayed").await;
        run(&pool, &clock, args("seeded", 150, 11)).await.unwrap();

        let manual = items(
            &pool,
            "select c.id, jsonb_strip_nulls(jsonb_build_object('first_name', nullif(c.first_name, ''),
                    'last_name', nullif(c.last_name, ''), 'email', {EMAIL}))
               from customer c join channel ch on ch.workspace_id = c.workspace_id and ch.id = c.channel_id
              where c.workspace_id = $1 and ch.kind = 'manual' order by c.id",
            seeded,
        )
        .await;
        let orders = items(
            &pool,
            r#"select c.id, jsonb_build_object(
                    'channel', ch.key, 'channel_kind', ch.kind, 'external_id', o.external_id, 'number', o.number,
                    'placed_at', to_char(o.placed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    'status', o.status, 'test', o.test, 'currency', o.currency,
                    'exchange_rate', o.exchange_rate::text, 'total', o.total::text, 'paid', o.paid::text,
                    'refunded', o.refunded::text, 'shipping_address', o.shipping_address,
                    'customer', jsonb_strip_nulls(jsonb_build_object('external_id', c.external_id,
                        'email', {EMAIL}, 'first_name', nullif(c.first_name, ''), 'last_name', nullif(c.last_name, ''))),
                    'lines', (select jsonb_agg(jsonb_build_object('sku', l.sku, 'name', l.name, 'category', l.category,
                                  'quantity', l.quantity, 'unit_price', l.unit_price::text) order by l.position)
                                from order_line l where l.workspace_id = o.workspace_id and l.order_id = o.id))
                 from customer_order o
                 join customer c on c.workspace_id = o.workspace_id and c.id = o.customer_id
                 join channel ch on ch.workspace_id = o.workspace_id and ch.id = o.channel_id
                where o.workspace_id = $1 order by o.placed_at, o.id"#,
            seeded,
        )
        .await;
        let messages = items(
            &pool,
            r#"select c.id, jsonb_build_object(
                    'channel', ch.key, 'channel_kind', ch.kind,
                    'ticket', jsonb_build_object('external_id', t.external_id, 'subject', t.subject, 'status', t.status),
                    'customer', jsonb_strip_nulls(jsonb_build_object('external_id', c.external_id, 'email', {EMAIL})),
                    'external_id', m.external_id, 'direction', m.direction, 'kind', m.kind, 'body', m.body,
                    'sent_at', to_char(m.sent_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    'call_duration_seconds', m.call_duration_seconds)
                 from message m
                 join ticket t on t.workspace_id = m.workspace_id and t.id = m.ticket_id
                 join customer c on c.workspace_id = m.workspace_id and c.id = m.customer_id
                 join channel ch on ch.workspace_id = m.workspace_id and ch.id = m.channel_id
                where m.workspace_id = $1 order by m.sent_at, m.id"#,
            seeded,
        )
        .await;
        assert!(!manual.is_empty() && !orders.is_empty() && !messages.is_empty());

        let now = clock.now();
        let mut map: HashMap<i64, i64> = HashMap::new();
        let mut remember = |seeded: i64, replayed: i64| {
            let previous = map.insert(seeded, replayed);
            assert!(previous.is_none_or(|p| p == replayed), "customer {seeded} replayed as two customers");
        };
        let mut tx = pool.begin().await.unwrap();
        for (id, body) in &manual {
            let sync = parse_customer_sync(body, "$").unwrap();
            remember(*id, ingest_customer(&mut tx, replayed, now, &sync).await.unwrap().customer_id);
        }
        // orders in batches, as a shop would send them
        for chunk in orders.chunks(64) {
            let batch: Vec<_> = chunk
                .iter()
                .map(|(_, body)| parse_order(body, "$").unwrap_or_else(|e| panic!("{body}: {e:?}")))
                .collect();
            let stored = ingest_orders(&mut tx, replayed, "USD", now, &batch).await.unwrap();
            for ((id, _), done) in chunk.iter().zip(stored) {
                remember(*id, done.unwrap().customer_id);
            }
        }
        for (id, body) in &messages {
            let message = parse_message(body, "$").unwrap_or_else(|e| panic!("{body}: {e:?}"));
            remember(*id, ingest_message(&mut tx, replayed, now, &message).await.unwrap().customer_id);
        }
        app::segments::refresh_vip(&mut tx, replayed, now, None).await.unwrap();
        tx.commit().await.unwrap();

        let count = |ws: i64| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>("select count(*) from customer where workspace_id = $1")
                    .bind(ws)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(count(replayed).await, count(seeded).await, "one replayed customer per seeded one");
        assert_eq!(map.len() as i64, count(seeded).await);
        for (s, r) in &map {
            assert_eq!(figures(&pool, *r).await, figures(&pool, *s).await, "seeded customer {s}, replayed {r}");
        }
    }
}
