//! Orders and customers as the platforms' own APIs send them (SPEC §11), mapped to API v1's order and
//! customer-sync JSON: one pure mapping per platform, shared by the webhooks, the Amazon poller and the
//! platform-native import. A problem is named by its path in the platform's payload. What comes from
//! where, and which platform status becomes which of ours, is in `docs/platform-mappings.md`.

mod amazon;
mod bigcommerce;
pub mod shopify;
mod woocommerce;

use crate::channels::ChannelKind;
use crate::checks::is_email_address;
use crate::error::FieldError;
use crate::orders::OrderStatus;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use serde_json::{Value, json};

/// A platform's order payload mapped to our order JSON (SPEC §5 shape plus `updated_at`), for channel `channel`.
/// Errors name the platform payload's own paths (e.g. `$.line_items[2].price`) and say what is wrong.
pub fn order(kind: ChannelKind, channel: &str, payload: &Value) -> Result<Value, Vec<FieldError>> {
    let order = match kind {
        ChannelKind::Shopify => shopify::order(payload),
        ChannelKind::WooCommerce => woocommerce::order(payload),
        ChannelKind::BigCommerce => bigcommerce::order(payload),
        ChannelKind::Amazon => amazon::order(payload),
        other => return Err(vec![unmapped(other, "orders")]),
    };
    order.map(|order| order.into_json(channel))
}

/// A platform's customer payload (Shopify customers/create|update, WooCommerce customer.created|updated) mapped to our
/// customer-sync JSON (what `parse_customer_sync` reads). Other kinds: an error saying the platform sends no customers.
pub fn customer(kind: ChannelKind, channel: &str, payload: &Value) -> Result<Value, Vec<FieldError>> {
    let customer = match kind {
        ChannelKind::Shopify => shopify::customer(payload),
        ChannelKind::WooCommerce => woocommerce::customer(payload),
        other => return Err(vec![unmapped(other, "customers")]),
    };
    customer.map(|customer| customer.into_json(channel))
}

fn unmapped(kind: ChannelKind, what: &str) -> FieldError {
    FieldError { path: "$".into(), message: format!("{} sends no {what} that Customer View can map", kind.label()) }
}

static NULL: Value = Value::Null;

/// A part of a platform's payload, with its JSON path there. A missing key reads as `null`.
#[derive(Debug, Clone)]
struct Node<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> Node<'a> {
    fn root(value: &'a Value) -> Self {
        Node { value, path: "$".into() }
    }

    fn get(&self, key: &str) -> Node<'a> {
        Node { value: self.value.get(key).unwrap_or(&NULL), path: format!("{}.{key}", self.path) }
    }

    /// What a `{key: …}` wrapper holds (Shopify's `{"order": …}`, SP-API's `{"payload": …}`), or this.
    fn unwrap(&self, key: &str) -> Node<'a> {
        let inner = self.get(key);
        if inner.value.is_object() || inner.value.is_array() { inner } else { self.clone() }
    }

    /// The first of `keys` holding something, else the first key (to be named as missing).
    fn first(&self, keys: &[&str]) -> Node<'a> {
        keys.iter().map(|key| self.get(key)).find(|node| !node.is_blank()).unwrap_or_else(|| self.get(keys[0]))
    }

    /// Null, absent, or a blank string.
    fn is_blank(&self) -> bool {
        self.value.is_null() || self.value.as_str().is_some_and(|s| s.trim().is_empty())
    }

    /// A trimmed, non-empty string (numbers as their text): platforms send "" for "none".
    fn text(&self) -> Option<String> {
        match self.value {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The text in lower case, "" when there is none: for matching platform statuses.
    fn key(&self) -> String {
        self.text().unwrap_or_default().to_lowercase()
    }

    fn email(&self) -> Option<String> {
        self.text().filter(|e| is_email_address(e))
    }
}

/// The problems found in one payload. The readers return a placeholder with each problem they record;
/// `result` never lets one out.
#[derive(Debug, Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(FieldError { path: path.to_string(), message: message.into() });
    }

    fn result<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() { Ok(value) } else { Err(self.0) }
    }

    /// Whether `node` is an object; if not, says it should be `what`.
    fn object(&mut self, node: &Node, what: &str) -> bool {
        let ok = node.value.is_object();
        if !ok {
            let problem = if node.value.is_null() { "is required" } else { "expected a JSON object" };
            self.add(&node.path, format!("{problem}: {what}"));
        }
        ok
    }

    /// The elements of an array (none when absent), each with its path.
    fn items<'a>(&mut self, node: &Node<'a>) -> Vec<Node<'a>> {
        match node.value {
            Value::Array(items) => {
                items.iter().enumerate().map(|(i, value)| Node { value, path: format!("{}[{i}]", node.path) }).collect()
            }
            Value::Null => Vec::new(),
            _ => {
                self.add(&node.path, "expected an array");
                Vec::new()
            }
        }
    }

    /// An id as text: a string, or a whole number written without a fraction ("450789469", not "450789469.0").
    fn optional_id(&mut self, node: &Node) -> Option<String> {
        match node.value {
            _ if node.is_blank() => None,
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
            // a float says the id went through a double on the way: only small whole ones are still exact
            Value::Number(n) => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => Some(format!("{}", f as i64)),
                _ => {
                    self.add(&node.path, format!("{n} is not a whole-number id"));
                    None
                }
            },
            _ => {
                self.add(&node.path, "expected an id (a number or a text)");
                None
            }
        }
    }

    fn id(&mut self, node: &Node) -> String {
        if node.is_blank() {
            self.add(&node.path, "is required");
        }
        self.optional_id(node).unwrap_or_default()
    }

    /// An amount, read from the text of a string or of a JSON number (never through a float), kept to
    /// the four decimals our API stores. Platforms send refunds negative, so the sign is the caller's.
    fn money(&mut self, node: &Node) -> Option<Decimal> {
        if node.is_blank() {
            return None;
        }
        let Some(text) = node.text() else {
            self.add(&node.path, "expected an amount such as \"199.90\"");
            return None;
        };
        match text.parse::<Decimal>().or_else(|_| Decimal::from_scientific(&text)) {
            Ok(amount) => Some(four_places(amount)),
            Err(_) => {
                self.add(&node.path, format!("{text:?} is not an amount"));
                None
            }
        }
    }

    fn optional_amount(&mut self, node: &Node) -> Option<Decimal> {
        let amount = self.money(node)?;
        if amount.is_sign_negative() && !amount.is_zero() {
            self.add(&node.path, format!("{amount} is negative"));
            return None;
        }
        Some(amount)
    }

    fn amount(&mut self, node: &Node) -> Decimal {
        if node.is_blank() {
            self.add(&node.path, "is required");
        }
        self.optional_amount(node).unwrap_or_default()
    }

    /// A time in ISO 8601 with an offset, RFC 2822 (BigCommerce), or without a zone (WooCommerce's `_gmt`
    /// fields, taken as UTC).
    fn optional_time(&mut self, node: &Node) -> Option<DateTime<Utc>> {
        if node.is_blank() {
            return None;
        }
        let text = node.text().unwrap_or_default();
        let parsed = DateTime::parse_from_rfc3339(&text)
            .or_else(|_| DateTime::parse_from_rfc2822(&text))
            .map(|t| t.with_timezone(&Utc))
            .or_else(|_| NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc()))
            .or_else(|_| NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc()));
        match parsed {
            Ok(time) => Some(time),
            Err(_) => {
                self.add(&node.path, format!("{text:?} is not a date and time"));
                None
            }
        }
    }

    fn time(&mut self, node: &Node) -> DateTime<Utc> {
        if node.is_blank() {
            self.add(&node.path, "is required");
        }
        self.optional_time(node).unwrap_or_default()
    }

    /// An ISO 4217 code, in capitals.
    fn currency(&mut self, node: &Node) -> String {
        match node.text() {
            Some(code) if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) => code.to_uppercase(),
            Some(code) => {
                self.add(&node.path, format!("{code:?} is not a three-letter currency code"));
                String::new()
            }
            None => {
                self.add(&node.path, "is required");
                String::new()
            }
        }
    }

    /// A line's quantity: a whole number (or its text) from 0 up.
    fn quantity(&mut self, node: &Node) -> i64 {
        let quantity = match node.value {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        match quantity {
            Some(q) if q >= 0 => q,
            _ if node.is_blank() => {
                self.add(&node.path, "is required");
                0
            }
            _ => {
                self.add(&node.path, "expected a whole number from 0 up");
                0
            }
        }
    }
}

/// At most four decimals, as our API stores amounts.
fn four_places(amount: Decimal) -> Decimal {
    if amount.scale() > 4 { amount.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero) } else { amount }
}

/// A country as ISO 3166 alpha-2, when it is one.
fn country(node: &Node) -> Option<String> {
    node.text().map(|c| c.to_uppercase()).filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
}

/// "First Last" from the parts there are.
fn full_name(first: Option<String>, last: Option<String>) -> Option<String> {
    let name = [first, last].into_iter().flatten().collect::<Vec<_>>().join(" ");
    (!name.is_empty()).then_some(name)
}

/// An order as mapped from a platform, before it is written as our JSON.
#[derive(Debug)]
struct Order {
    external_id: String,
    number: String,
    placed_at: DateTime<Utc>,
    updated_at: Option<DateTime<Utc>>,
    status: OrderStatus,
    test: bool,
    currency: String,
    total: Decimal,
    paid: Decimal,
    refunded: Decimal,
    customer: Customer,
    shipping_address: Option<Address>,
    billing_address: Option<Address>,
    lines: Vec<Line>,
}

/// Who placed an order: no `external_id` for a guest.
#[derive(Debug, Default, Serialize)]
struct Customer {
    external_id: Option<String>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
}

/// An address in our order's shape (`country` ISO 3166 alpha-2).
#[derive(Debug, Default, Serialize)]
struct Address {
    name: Option<String>,
    company: Option<String>,
    line1: Option<String>,
    line2: Option<String>,
    city: Option<String>,
    region: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
}

/// One line of an order.
#[derive(Debug)]
struct Line {
    sku: Option<String>,
    name: String,
    quantity: i64,
    unit_price: Decimal,
}

/// A customer sent on its own, as `parse_customer_sync` reads one.
#[derive(Debug, Default, Serialize)]
struct CustomerSync {
    #[serde(flatten)]
    customer: Customer,
    company: Option<String>,
    emails: Vec<String>,
    phones: Vec<String>,
    billing_address: Option<Address>,
    shipping_address: Option<Address>,
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl Order {
    fn into_json(self, channel: &str) -> Value {
        // nothing is refunded that was not received, nor more than the order's amount
        // (compared, not `min`/`max`, so that each amount keeps the decimals the platform wrote)
        let refunded = if self.refunded > self.total { self.total } else { self.refunded };
        let paid = if self.paid < refunded { refunded } else { self.paid };
        let paid = if paid > self.total { self.total } else { paid };
        json!({
            "channel": channel, "external_id": self.external_id, "number": self.number,
            "placed_at": rfc3339(self.placed_at), "updated_at": self.updated_at.map(rfc3339),
            "status": self.status.as_str(), "test": self.test, "currency": self.currency,
            "total": self.total.to_string(), "paid": paid.to_string(), "refunded": refunded.to_string(),
            "customer": self.customer, "shipping_address": self.shipping_address,
            "billing_address": self.billing_address,
            "lines": self.lines.into_iter().map(|line| json!({
                "sku": line.sku, "name": line.name, "category": null, "quantity": line.quantity,
                "unit_price": line.unit_price.to_string(),
            })).collect::<Vec<_>>(),
        })
    }
}

impl Address {
    /// The address if it says where (a street line, a town or a postal code), as customers' addresses
    /// are kept; platforms send empty address objects for orders that ship nowhere.
    fn placing(self) -> Option<Address> {
        [&self.line1, &self.line2, &self.city, &self.postal_code].iter().any(|part| part.is_some()).then_some(self)
    }
}

impl CustomerSync {
    fn into_json(self, channel: &str) -> Value {
        let mut value = json!(self);
        value["channel"] = json!(channel);
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_without_a_mapping_are_refused_at_the_root() {
        for kind in [ChannelKind::Ebay, ChannelKind::Website, ChannelKind::Pos, ChannelKind::Manual, ChannelKind::Other]
        {
            let errors = order(kind, "shop", &json!({"id": 1})).unwrap_err();
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].path, "$");
            assert!(errors[0].message.contains(kind.label()), "{}", errors[0].message);
        }
        for kind in [ChannelKind::BigCommerce, ChannelKind::Amazon, ChannelKind::Ebay] {
            let errors = customer(kind, "shop", &json!({"id": 1})).unwrap_err();
            assert_eq!((errors[0].path.as_str(), errors[0].message.contains("no customers")), ("$", true));
        }
    }

    #[test]
    fn ids_amounts_and_times_are_read_exactly() {
        let mut p = Problems::default();
        let value = json!({"big": 820982911946154508_u64, "float": 207119551.0, "text": " 42 ", "half": 1.5,
                           "number": 29.35, "string": "29.35", "long": "3.333333", "gmt": "2017-03-22T19:28:02",
                           "rfc2822": "Wed, 14 Nov 2012 19:26:23 +0000", "offset": "2021-12-31T19:00:00-05:00"});
        let root = Node::root(&value);
        assert_eq!(p.id(&root.get("big")), "820982911946154508");
        assert_eq!(p.id(&root.get("float")), "207119551");
        assert_eq!(p.id(&root.get("text")), "42");
        assert_eq!(p.money(&root.get("number")), p.money(&root.get("string")));
        assert_eq!(p.money(&root.get("number")).unwrap().to_string(), "29.35");
        assert_eq!(p.money(&root.get("long")).unwrap().to_string(), "3.3333");
        assert_eq!(rfc3339(p.time(&root.get("gmt"))), "2017-03-22T19:28:02Z");
        assert_eq!(rfc3339(p.time(&root.get("rfc2822"))), "2012-11-14T19:26:23Z");
        assert_eq!(rfc3339(p.time(&root.get("offset"))), "2022-01-01T00:00:00Z");
        assert!(p.0.is_empty(), "{:?}", p.0);
        p.id(&root.get("half"));
        p.id(&root.get("missing"));
        p.time(&root.get("text"));
        p.amount(&root.get("gmt"));
        let paths: Vec<_> = p.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["$.half", "$.missing", "$.text", "$.gmt"]);
    }
}
