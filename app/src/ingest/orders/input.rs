//! An order as API v1 receives it (SPEC §5), checked field by field so that one answer names every bad
//! field by its JSON path, not just the first one serde trips over.

use crate::channels::ChannelKind;
use crate::checks::{MONEY_LIMIT, MONEY_LIMIT_TEXT, has_nul, is_iso_code};
use crate::error::FieldError;
use crate::ingest::identity::{CustomerInput, parse_customer};
use crate::ingest::reader::Reader;
use crate::orders::OrderStatus;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LineInput {
    pub sku: Option<String>,
    pub name: String,
    pub category: Option<String>,
    pub quantity: i32,
    pub unit_price: Decimal,
}

/// An order from a channel (`POST /api/v1/orders`), upserted on (channel, external id). Money is a
/// decimal string with at most four decimals.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderInput {
    /// The channel's key, chosen by the workspace (e.g. `amazon-de`): lower-case letters, digits, `-`, `_`, `.`.
    pub channel: String,
    /// Needed the first time a channel key is seen: shopify, amazon, ebay, woocommerce, bigcommerce,
    /// website, pos, manual or other.
    pub channel_kind: Option<String>,
    /// The channel's order id.
    pub external_id: String,
    /// The order number people see; the external id when left out.
    #[cfg_attr(feature = "ssr", schema(required = false))]
    pub number: String,
    pub placed_at: DateTime<Utc>,
    /// When the channel last changed the order: an update older than the one stored is ignored (deliveries
    /// arrive in any order). Left out, every update is applied.
    pub updated_at: Option<DateTime<Utc>>,
    /// draft, pending, paid, in_transit, delivered, canceled or returned.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub status: OrderStatus,
    /// A test order: shown, never counted.
    #[serde(default)]
    pub test: bool,
    /// ISO 4217 code, e.g. EUR.
    pub currency: String,
    /// To the workspace's base currency; needed unless the order is in it (then 1).
    pub exchange_rate: Option<Decimal>,
    pub total: Decimal,
    #[serde(default)]
    pub paid: Decimal,
    /// At most the total.
    #[serde(default)]
    pub refunded: Decimal,
    pub customer: CustomerInput,
    /// An address object (name, line1, line2, city, region, postal_code, country as ISO 3166 alpha-2).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub shipping_address: Option<Value>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub billing_address: Option<Value>,
    #[serde(default)]
    pub lines: Vec<LineInput>,
}

/// Checks one order; `path` is where it sits in the request (`$` or `$.orders[3]`).
pub fn parse_order(value: &Value, path: &str) -> Result<OrderInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut r = Reader::new(value, path, &mut errors);
    let channel = r.channel_key("channel", true);
    let channel_kind = r.one_of("channel_kind", ChannelKind::KEYS, false);
    let external_id = r.required_text("external_id", 255);
    let number = r.text("number", 64).or_else(|| external_id.clone());
    let placed_at = r.time("placed_at");
    let updated_at = r.optional_time("updated_at");
    let status = r.one_of("status", OrderStatus::KEYS, true).and_then(|s| OrderStatus::parse(&s));
    let test = r.boolean("test", false);
    let currency = r.required_text("currency", 3);
    if let Some(c) = &currency
        && !is_iso_code(c, 3)
    {
        r.fail("currency", "use a three-letter ISO 4217 code such as EUR");
    }
    let exchange_rate = r.decimal("exchange_rate", 10);
    if exchange_rate.is_some_and(|rate| rate <= Decimal::ZERO) {
        r.fail("exchange_rate", "must be above 0");
    }
    let total = r.amount("total", None);
    let paid = r.amount("paid", Some(Decimal::ZERO));
    let refunded = r.amount("refunded", Some(Decimal::ZERO));
    if let (Some(total), Some(refunded)) = (total, refunded)
        && refunded > total
    {
        r.fail("refunded", "cannot exceed the total");
    }
    // in the base currency too: the figures are sums of converted amounts
    let rate = exchange_rate.unwrap_or(Decimal::ONE);
    for (key, amount) in [("total", total), ("paid", paid), ("refunded", refunded)] {
        if amount.is_some_and(|amount| amount.checked_mul(rate).is_none_or(|converted| converted >= MONEY_LIMIT)) {
            r.fail(key, format!("converted at the exchange rate, {MONEY_LIMIT_TEXT}"));
        }
    }
    let shipping_address = address(&mut r, "shipping_address");
    let billing_address = address(&mut r, "billing_address");
    let customer_value = r.raw("customer").cloned();
    let lines_value = r.raw("lines").cloned();
    drop(r);

    let customer = match &customer_value {
        Some(v) => parse_customer(v, &format!("{path}.customer"), &mut errors),
        None => {
            errors.push(FieldError { path: format!("{path}.customer"), message: "is required".into() });
            None
        }
    };
    let lines = match &lines_value {
        None => Some(Vec::new()),
        Some(Value::Array(items)) => {
            let parsed: Vec<_> = items
                .iter()
                .enumerate()
                .map(|(i, item)| parse_line(item, &format!("{path}.lines[{i}]"), &mut errors))
                .collect();
            parsed.into_iter().collect::<Option<Vec<_>>>()
        }
        Some(_) => {
            errors.push(FieldError { path: format!("{path}.lines"), message: "expected an array".into() });
            None
        }
    };
    match (channel, external_id, number, placed_at, status, currency, total, paid, refunded, customer, lines) {
        (
            Some(channel),
            Some(external_id),
            Some(number),
            Some(placed_at),
            Some(status),
            Some(currency),
            Some(total),
            Some(paid),
            Some(refunded),
            Some(customer),
            Some(lines),
        ) if errors.is_empty() => Ok(OrderInput {
            channel,
            channel_kind,
            external_id,
            number,
            placed_at,
            updated_at,
            status,
            test,
            currency,
            exchange_rate,
            total,
            paid,
            refunded,
            customer,
            shipping_address,
            billing_address,
            lines,
        }),
        _ => Err(errors),
    }
}

/// An address object: its fields are short texts (numbers are taken for postal codes and the like),
/// and `country`, when given, is an ISO 3166 alpha-2 code.
fn address(r: &mut Reader<'_>, key: &str) -> Option<Value> {
    let value = r.raw(key)?.clone();
    let Some(object) = value.as_object() else {
        r.fail(key, "expected an address object or null");
        return None;
    };
    let mut good = true;
    for (field, item) in object {
        let problem = match item {
            _ if has_nul(field) => Some("must not contain NUL characters"),
            Value::String(text) if has_nul(text) => Some("must not contain NUL characters"),
            Value::String(text) if text.chars().count() > 1000 => Some("is longer than 1,000 characters"),
            Value::Array(_) | Value::Object(_) => Some("expected a text"),
            _ => None,
        };
        if let Some(problem) = problem {
            r.fail(&format!("{key}.{field}"), problem);
            good = false;
        }
    }
    if let Some(country) = object.get("country").filter(|c| !c.is_null())
        && !country.as_str().is_some_and(|c| is_iso_code(c, 2))
    {
        r.fail(&format!("{key}.country"), "use a two-letter ISO 3166 code such as US");
        return None;
    }
    good.then_some(value)
}

fn parse_line(value: &Value, path: &str, errors: &mut Vec<FieldError>) -> Option<LineInput> {
    let before = errors.len();
    let mut r = Reader::new(value, path, errors);
    let sku = r.text("sku", 128);
    let name = r.required_text("name", 500);
    let category = r.text("category", 200);
    let quantity = match r.raw("quantity") {
        Some(Value::Number(n)) => match n.as_i64() {
            Some(q) if (1..=1_000_000).contains(&q) => Some(q as i32),
            _ => {
                r.fail("quantity", "use a whole number from 1 to 1,000,000");
                None
            }
        },
        None => {
            r.fail("quantity", "is required");
            None
        }
        Some(_) => {
            r.fail("quantity", "expected a whole number");
            None
        }
    };
    let unit_price = r.amount("unit_price", None);
    if let (Some(quantity), Some(unit_price)) = (quantity, unit_price)
        && unit_price.checked_mul(Decimal::from(quantity)).is_none_or(|amount| amount >= MONEY_LIMIT)
    {
        r.fail("unit_price", format!("the line's amount (quantity × unit price) {MONEY_LIMIT_TEXT}"));
    }
    drop(r);
    match (name, quantity, unit_price) {
        (Some(name), Some(quantity), Some(unit_price)) if errors.len() == before => {
            Some(LineInput { sku, name, category, quantity, unit_price })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn example() -> Value {
        json!({"channel": "shopify-eu", "channel_kind": "shopify", "external_id": "450789469", "number": "#1001",
               "placed_at": "2024-05-01T10:00:00Z", "status": "paid", "test": false, "currency": "EUR",
               "exchange_rate": "1", "total": "199.90", "paid": "199.90", "refunded": "0",
               "customer": {"external_id": "207119551", "email": "bob@example.com", "first_name": "Bob",
                            "last_name": "Norman", "phone": "+16136120707"},
               "shipping_address": {"name": "Bob Norman", "line1": "Chestnut Street 92", "line2": null,
                                    "city": "Louisville", "region": "KY", "postal_code": "40202", "country": "US"},
               "billing_address": null,
               "lines": [{"sku": "IPOD2008PINK", "name": "iPod Nano 8GB", "category": "Electronics",
                          "quantity": 1, "unit_price": "199.00"}]})
    }

    #[test]
    fn the_specs_example_order_is_accepted() {
        let order = parse_order(&example(), "$").unwrap();
        assert_eq!(order.total, "199.90".parse().unwrap());
        assert_eq!(order.customer.external_id.as_deref(), Some("207119551"));
        assert_eq!(order.lines[0].quantity, 1);
    }

    /// The OpenAPI document describes `OrderInput`: the checker must read exactly the fields the type
    /// declares, so a good order reads the same both ways.
    #[test]
    fn the_checker_reads_an_order_as_its_type_declares() {
        let mut minimal = example();
        for optional in ["channel_kind", "test", "paid", "refunded", "exchange_rate", "billing_address"] {
            minimal.as_object_mut().unwrap().remove(optional);
        }
        for order in [example(), minimal] {
            let declared: OrderInput = serde_json::from_value(order.clone()).unwrap();
            assert_eq!(parse_order(&order, "$").unwrap(), declared, "{order}");
        }
    }

    #[test]
    fn every_bad_field_is_named_by_its_path() {
        let mut bad = example();
        bad["status"] = json!("shipped");
        bad["total"] = json!(199.9);
        bad["refunded"] = json!("-1");
        bad["placed_at"] = json!("yesterday");
        bad["currency"] = json!("euro");
        bad["customer"]["email"] = json!("not-an-email");
        bad["lines"][0]["quantity"] = json!(-2);
        bad["lines"][0]["unit_price"] = json!("1.23456");
        bad["shipping_address"]["country"] = json!("Germany");
        let errors = parse_order(&bad, "$.orders[3]").unwrap_err();
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.orders[3].placed_at",
                "$.orders[3].status",
                "$.orders[3].currency",
                "$.orders[3].total",
                "$.orders[3].refunded",
                "$.orders[3].shipping_address.country",
                "$.orders[3].customer.email",
                "$.orders[3].lines[0].quantity",
                "$.orders[3].lines[0].unit_price",
            ]
        );
    }

    #[test]
    fn missing_fields_and_wrong_shapes_are_refused() {
        let errors = parse_order(&json!({"channel": "web"}), "$").unwrap_err();
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        for required in ["$.external_id", "$.placed_at", "$.status", "$.currency", "$.total", "$.customer"] {
            assert!(paths.contains(&required), "{required} in {paths:?}");
        }
        assert_eq!(parse_order(&json!([1, 2]), "$").unwrap_err()[0].path, "$");
        let mut refund = example();
        refund["refunded"] = json!("200");
        assert_eq!(parse_order(&refund, "$").unwrap_err()[0].path, "$.refunded");
    }
}
