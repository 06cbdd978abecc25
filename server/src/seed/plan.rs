//! What one demo customer looks like, generated from the seed and the customer's index alone, so that
//! every table's pass can regenerate exactly the same customer without holding anything in memory.

use super::data::*;
use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

/// Independent random streams per customer, so that e.g. adding a field to tickets does not change
/// anyone's orders.
#[derive(Clone, Copy)]
enum Stream {
    Kind = 0,
    Identity = 1,
    Profile = 2,
    Orders = 3,
    Tickets = 4,
    Notes = 5,
}

fn rng(seed: u64, index: u64, stream: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index * 8 + stream as u64);
    rng
}

pub struct Channel {
    pub id: i64,
    pub kind: &'static str,
    pub currency: &'static str,
    pub rate: Decimal,
}

pub struct Ctx {
    pub seed: u64,
    pub now: DateTime<Utc>,
    /// Selling channels; customers added by hand use `manual_channel`.
    pub channels: Vec<Channel>,
    pub manual_channel: i64,
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Kind {
    /// Added by hand: registered, no orders.
    Manual,
    /// One customer row per order.
    Guest,
    /// Registered on a channel; `weight` 0 means no orders (a contact only).
    Registered { weight: f32 },
}

pub fn kind(ctx: &Ctx, index: u64) -> Kind {
    let mut r = rng(ctx.seed, index, Stream::Kind);
    let roll: f64 = r.random();
    if roll < 0.05 {
        Kind::Manual
    } else if roll < 0.25 {
        Kind::Guest
    } else if r.random_bool(0.08) {
        Kind::Registered { weight: 0.0 }
    } else {
        // log-normal: most customers order a few times, some very often
        Kind::Registered { weight: (1.1 * normal(&mut r)).exp() as f32 }
    }
}

fn normal(r: &mut impl Rng) -> f64 {
    let u1: f64 = r.random_range(f64::EPSILON..1.0);
    let u2: f64 = r.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

pub struct Address {
    pub name: String,
    pub line1: String,
    pub city: &'static str,
    pub region: &'static str,
    pub postal_code: &'static str,
    pub country: &'static str,
}

impl Address {
    pub fn json(&self) -> String {
        let region = if self.region.is_empty() { "null".to_string() } else { json_str(self.region) };
        format!(
            r#"{{"name": {}, "line1": {}, "line2": null, "city": {}, "region": {}, "postal_code": {}, "country": "{}"}}"#,
            json_str(&self.name),
            json_str(&self.line1),
            json_str(self.city),
            region,
            json_str(self.postal_code),
            self.country
        )
    }
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub struct Profile {
    pub kind: Kind,
    pub channel: usize,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub emails: Vec<String>,
    /// (as written, E.164)
    pub phone: Option<(String, String)>,
    pub address: Address,
    pub has_address: bool,
    pub billing_too: bool,
    pub company: Option<&'static str>,
    pub subscribed: bool,
    pub discount: Option<Decimal>,
    pub vip_mark: bool,
    pub bad_mark: bool,
    pub comment: Option<&'static str>,
    /// Days between registering and the first order, or before now for customers without orders.
    pub registered_days_before: i64,
}

struct Identity {
    first_name: &'static str,
    last_name: &'static str,
    email: String,
    phone: Option<(String, String)>,
    address: Address,
}

fn identity(ctx: &Ctx, index: u64) -> Identity {
    let mut r = rng(ctx.seed, index, Stream::Identity);
    let first_name = FIRST_NAMES[r.random_range(0..FIRST_NAMES.len())];
    let last_name = LAST_NAMES[r.random_range(0..LAST_NAMES.len())];
    let domain = EMAIL_DOMAINS[r.random_range(0..EMAIL_DOMAINS.len())];
    let email = format!("{}.{}{}@{domain}", ascii_fold(first_name), ascii_fold(last_name), index);
    let (city, region, postal_code, country) = CITIES[r.random_range(0..CITIES.len())];
    let phone = r.random_bool(0.6).then(|| phone(&mut r, country));
    let address = Address {
        name: format!("{first_name} {last_name}"),
        line1: format!("{} {}", STREETS[r.random_range(0..STREETS.len())], r.random_range(1..180)),
        city,
        region,
        postal_code,
        country,
    };
    Identity { first_name, last_name, email, phone, address }
}

fn phone(r: &mut impl Rng, country: &str) -> (String, String) {
    match country {
        "US" => {
            let (a, b, c) = (r.random_range(201..990), r.random_range(200..1000), r.random_range(0..10000));
            (format!("({a}) {b}-{c:04}"), format!("+1{a}{b}{c:04}"))
        }
        "GB" => {
            let n = r.random_range(100_000..1_000_000);
            (format!("07700 {n}"), format!("+447700{n}"))
        }
        _ => {
            let n = r.random_range(1_000_000..10_000_000);
            (format!("0151 {n}"), format!("+49151{n}"))
        }
    }
}

/// Lower-case ASCII for email addresses: "Müller" → "muller", "O'Brien" → "obrien".
fn ascii_fold(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'á' | 'à' | 'ä' | 'â' | 'Á' => Some('a'),
            'é' | 'è' | 'ê' | 'É' => Some('e'),
            'í' | 'ï' => Some('i'),
            'ó' | 'ö' | 'ô' | 'Ö' => Some('o'),
            'ú' | 'ü' | 'Ü' => Some('u'),
            'ñ' => Some('n'),
            'ç' => Some('c'),
            'ß' => Some('s'),
            c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

pub fn profile(ctx: &Ctx, index: u64, kind: Kind) -> Profile {
    let mut r = rng(ctx.seed, index, Stream::Profile);
    // Some people buy on two channels: the same person, a second customer row (a duplicate to merge).
    let id = if index > 0 && matches!(kind, Kind::Registered { .. }) && r.random_bool(0.03) {
        identity(ctx, index - 1)
    } else {
        identity(ctx, index)
    };
    let mut emails = vec![id.email];
    if r.random_bool(0.1) {
        emails.push(format!("{}.work{index}@{}", ascii_fold(id.first_name), "example.org"));
    }
    let company = r.random_bool(0.05).then(|| COMPANIES[r.random_range(0..COMPANIES.len())]);
    Profile {
        kind,
        channel: r.random_range(0..ctx.channels.len()),
        first_name: id.first_name,
        last_name: id.last_name,
        emails,
        phone: id.phone,
        address: id.address,
        has_address: kind == Kind::Guest || r.random_bool(0.8),
        billing_too: r.random_bool(0.3),
        company,
        subscribed: r.random_bool(0.4),
        discount: r.random_bool(0.03).then(|| Decimal::from(5 * r.random_range(1..4))),
        vip_mark: r.random_bool(0.01),
        bad_mark: r.random_bool(0.005),
        comment: r.random_bool(0.02).then_some("Met at the spring trade fair."),
        registered_days_before: r.random_range(0..200),
    }
}

pub struct Line {
    pub product: &'static Product,
    pub quantity: i32,
}

pub struct Order {
    pub placed_at: DateTime<Utc>,
    pub status: &'static str,
    pub test: bool,
    pub lines: Vec<Line>,
    pub total: Decimal,
    pub paid: Decimal,
    pub refunded: Decimal,
}

/// When a customer started and stopped buying, in seconds before now (`start` ≥ `end`).
fn activity(r: &mut impl Rng) -> (i64, i64) {
    let six_years = 6 * 365 * 24 * 3600;
    let start = r.random_range(60..six_years);
    // A third of customers are still buying; the others stopped some time ago.
    let end =
        if r.random_bool(0.35) { r.random_range(60..=start.min(45 * 24 * 3600)) } else { r.random_range(60..=start) };
    (start, end)
}

/// When the customer's first order was placed (if they have any).
pub fn first_order_at(ctx: &Ctx, index: u64) -> DateTime<Utc> {
    let (start, _) = activity(&mut rng(ctx.seed, index, Stream::Orders));
    ctx.now - Duration::seconds(start)
}

/// The customer's orders, oldest first; the first one at `first_order_at`.
pub fn orders(ctx: &Ctx, index: u64, count: u32) -> Vec<Order> {
    if count == 0 {
        return Vec::new();
    }
    let mut r = rng(ctx.seed, index, Stream::Orders);
    let (start, end) = activity(&mut r);
    let mut seconds_ago: Vec<i64> =
        std::iter::once(start).chain((1..count).map(|_| r.random_range(end..=start))).collect();
    seconds_ago.sort_unstable_by(|a, b| b.cmp(a));
    seconds_ago.into_iter().map(|ago| order(&mut r, ctx.now - Duration::seconds(ago), ago / 86_400)).collect()
}

fn order(r: &mut impl Rng, placed_at: DateTime<Utc>, age_days: i64) -> Order {
    let mut lines = Vec::new();
    loop {
        let product = &PRODUCTS[r.random_range(0..PRODUCTS.len())];
        let quantity = if r.random_bool(0.8) { 1 } else { r.random_range(2..4) };
        lines.push(Line { product, quantity });
        if lines.len() == 4 || r.random_bool(0.55) {
            break;
        }
    }
    let goods: i64 = lines.iter().map(|l| l.product.price_cents * i64::from(l.quantity)).sum();
    let shipping = if goods < 5000 { 499 } else { 0 };
    let total = Decimal::new(goods + shipping, 2);
    let roll: f64 = r.random();
    let status = if age_days < 3 {
        ["pending", "paid", "paid", "in_transit"][r.random_range(0..4)]
    } else if age_days < 14 {
        if roll < 0.5 { "in_transit" } else { "delivered" }
    } else if roll < 0.84 {
        "delivered"
    } else if roll < 0.88 {
        "returned"
    } else if roll < 0.93 {
        "canceled"
    } else if roll < 0.96 {
        "paid"
    } else if roll < 0.98 {
        "pending"
    } else {
        "draft"
    };
    let test = r.random_bool(0.004);
    let (paid, refunded) = match status {
        "returned" => (total, total),
        "delivered" if r.random_bool(0.03) => (Decimal::ZERO, Decimal::ZERO), // unpaid invoice
        "delivered" if r.random_bool(0.03) => {
            let first = &lines[0];
            (total, Decimal::new(first.product.price_cents, 2))
        }
        "delivered" | "paid" | "in_transit" => (total, Decimal::ZERO),
        _ => (Decimal::ZERO, Decimal::ZERO),
    };
    Order { placed_at, status, test, lines, total, paid, refunded }
}

pub struct Message {
    pub inbound: bool,
    pub kind: &'static str,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    pub call_seconds: Option<i32>,
}

pub struct Ticket {
    pub subject: &'static str,
    pub status: &'static str,
    pub messages: Vec<Message>,
}

/// Customers with orders write in now and then; contacts without orders always have written.
pub fn tickets(ctx: &Ctx, index: u64, since: DateTime<Utc>, has_orders: bool) -> Vec<Ticket> {
    let mut r = rng(ctx.seed, index, Stream::Tickets);
    let count =
        if has_orders { if r.random_bool(0.3) { r.random_range(1..4) } else { 0 } } else { r.random_range(1..4) };
    // Each customer has a temper: most are friendly, some are not.
    let temper = [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4][r.random_range(0..11)];
    let window = (ctx.now - since).num_seconds().max(3600);
    (0..count)
        .map(|_| {
            let mut at = ctx.now - Duration::seconds(r.random_range(60..=window));
            let message_count = r.random_range(1..6);
            let mut inbound = r.random_bool(0.92);
            let mut messages = Vec::new();
            for _ in 0..message_count {
                if at >= ctx.now {
                    break;
                }
                messages.push(message(&mut r, inbound, at, temper));
                inbound = !inbound;
                at += Duration::minutes(r.random_range(20..3000));
            }
            let last = messages.last().map_or(at, |m| m.sent_at);
            let status = if ctx.now - last > Duration::days(14) {
                "resolved"
            } else {
                ["todo", "waiting", "resolved"][r.random_range(0..3)]
            };
            Ticket { subject: SUBJECTS[r.random_range(0..SUBJECTS.len())], status, messages }
        })
        .collect()
}

fn message(r: &mut impl Rng, inbound: bool, sent_at: DateTime<Utc>, temper: usize) -> Message {
    let kind = ["email", "email", "email", "email", "chat", "chat", "sms", "call"][r.random_range(0..8)];
    let body = if !inbound {
        REPLIES[r.random_range(0..REPLIES.len())].to_string()
    } else if r.random_bool(0.04) {
        FOREIGN[r.random_range(0..FOREIGN.len())].to_string()
    } else {
        let mood = (temper as i64 + r.random_range(-1..=1)).clamp(0, 4) as usize;
        let sentences = MOODS[mood];
        let n = r.random_range(1..4);
        (0..n).map(|_| sentences[r.random_range(0..sentences.len())]).collect::<Vec<_>>().join(" ")
    };
    let call_seconds = (kind == "call").then(|| r.random_range(30..1500));
    Message { inbound, kind, body, sent_at, call_seconds }
}

pub fn note(ctx: &Ctx, index: u64) -> Option<(&'static str, i64)> {
    let mut r = rng(ctx.seed, index, Stream::Notes);
    r.random_bool(0.05).then(|| (NOTES[r.random_range(0..NOTES.len())], r.random_range(1..400)))
}
