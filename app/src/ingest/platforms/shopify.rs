//! Shopify: an order as the Admin REST API and the `orders/*` webhooks send it (bare or as `{"order": …}`),
//! a `refunds/create` payload, and a `customers/create|update` payload.

use super::{Address, Customer, CustomerSync, Line, Node, Order, Problems, country, full_name};
use crate::error::FieldError;
use crate::orders::OrderStatus;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

/// A Shopify `refunds/create` payload: which order, the refund's id, the amount refunded (sum of its
/// successful refund transactions) and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Refund {
    pub order_external_id: String,
    pub refund_id: String,
    pub amount: Decimal,
    pub processed_at: DateTime<Utc>,
}

/// Reads a `refunds/create` payload, bare or as `{"refund": …}`.
pub fn refund(payload: &Value) -> Result<Refund, Vec<FieldError>> {
    let root = Node::root(payload).unwrap("refund");
    let mut p = Problems::default();
    if !p.object(&root, "a Shopify refund") {
        return Err(p.0);
    }
    let refund = Refund {
        order_external_id: p.id(&root.get("order_id")),
        refund_id: p.id(&root.get("id")),
        amount: refunded(&root, None, &mut p),
        processed_at: p.time(&root.first(&["processed_at", "created_at"])),
    };
    p.result(refund)
}

pub(super) fn order(payload: &Value) -> Result<Order, Vec<FieldError>> {
    let root = Node::root(payload).unwrap("order");
    let mut p = Problems::default();
    if !p.object(&root, "a Shopify order") {
        return Err(p.0);
    }
    let id = root.get("id");
    // the GraphQL id ends with the REST one: gid://shopify/Order/450789469
    let gid = root.get("admin_graphql_api_id").text().and_then(|g| g.rsplit('/').next().map(str::to_string));
    let external_id = match gid {
        Some(gid) if id.is_blank() && !gid.is_empty() => gid,
        _ => p.id(&id),
    };
    let currency = p.currency(&root.get("currency"));
    let total = p.amount(&root.get("total_price"));
    let financial = root.get("financial_status").key();
    let paid = match financial.as_str() {
        "paid" | "partially_refunded" | "refunded" => total,
        "partially_paid" => {
            let outstanding = p.optional_amount(&root.get("total_outstanding"));
            outstanding.map_or(Decimal::ZERO, |o| (total - o).max(Decimal::ZERO))
        }
        _ => Decimal::ZERO,
    };
    let refunded = refunded(&root, Some(&currency), &mut p);
    let lines = p
        .items(&root.get("line_items"))
        .iter()
        .filter_map(|item| {
            let quantity = p.quantity(&item.get("quantity"));
            let unit_price = p.amount(&item.get("price"));
            let name = item.first(&["name", "title"]).text().or_else(|| item.get("sku").text());
            if name.is_none() {
                p.add(&item.get("name").path, "is required (or title)");
            }
            // a line whose every unit was removed says nothing about the order
            if quantity == 0 {
                return None;
            }
            Some(Line { sku: item.get("sku").text(), name: name?, quantity, unit_price })
        })
        .collect();
    let billing = root.get("billing_address");
    let shipping = root.get("shipping_address");
    let person = root.get("customer");
    let customer = Customer {
        // no customer (or one without an id): a guest checkout
        external_id: p.optional_id(&person.get("id")),
        email: person.get("email").email().or_else(|| root.first(&["email", "contact_email"]).email()),
        first_name: [&person, &billing, &shipping].iter().find_map(|n| n.get("first_name").text()),
        last_name: [&person, &billing, &shipping].iter().find_map(|n| n.get("last_name").text()),
        phone: person.get("phone").text().or_else(|| root.get("phone").text()),
    };
    let order = Order {
        number: root.get("name").text().or_else(|| root.get("order_number").text()).unwrap_or(external_id.clone()),
        external_id,
        placed_at: p.time(&root.first(&["processed_at", "created_at"])),
        updated_at: p.optional_time(&root.get("updated_at")),
        status: status(&root, &financial),
        test: root.get("test").value.as_bool().unwrap_or(false),
        currency,
        total,
        paid,
        refunded,
        customer,
        shipping_address: address(&shipping),
        billing_address: address(&billing),
        lines,
    };
    p.result(order)
}

/// Cancelled beats refunded, which beats where the parcels are, which beats payment.
fn status(order: &Node, financial: &str) -> OrderStatus {
    let fulfillment = order.get("fulfillment_status").key();
    if !order.get("cancelled_at").is_blank() || matches!(financial, "voided" | "expired") {
        return OrderStatus::Canceled;
    }
    if financial == "refunded" || fulfillment == "restocked" {
        return OrderStatus::Returned;
    }
    // a cancelled or failed fulfillment shipped nothing
    let shipments: Vec<String> = order
        .get("fulfillments")
        .value
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| !matches!(f["status"].as_str(), Some("cancelled" | "error" | "failure")))
        .map(|f| f["shipment_status"].as_str().unwrap_or_default().to_lowercase())
        .collect();
    if !shipments.is_empty() && fulfillment != "partial" && shipments.iter().all(|s| s == "delivered") {
        OrderStatus::Delivered
    } else if matches!(fulfillment.as_str(), "fulfilled" | "partial") || !shipments.is_empty() {
        OrderStatus::InTransit
    } else if matches!(financial, "paid" | "partially_refunded") {
        OrderStatus::Paid
    } else {
        OrderStatus::Pending
    }
}

/// The sum of the successful refund transactions of `refunds[]` (an order) or of this refund. With the
/// order's `currency`, a transaction in another one (a multi-currency shop's presentment money) is refused
/// rather than added to amounts it cannot be added to.
fn refunded(node: &Node, currency: Option<&str>, p: &mut Problems) -> Decimal {
    let refunds = if currency.is_some() { p.items(&node.get("refunds")) } else { vec![node.clone()] };
    let mut sum = Decimal::ZERO;
    for refund in refunds {
        for transaction in p.items(&refund.get("transactions")) {
            if transaction.get("kind").key() != "refund" || transaction.get("status").key() != "success" {
                continue;
            }
            let in_currency = transaction.get("currency").text().map(|c| c.to_uppercase());
            if let (Some(order), Some(own)) = (currency, &in_currency)
                && !order.is_empty()
                && own != order
            {
                p.add(&transaction.get("currency").path, format!("is {own}, not the order's currency {order}"));
            }
            // amounts past what a decimal holds saturate, and the order's checks refuse them by name
            sum = sum.saturating_add(p.amount(&transaction.get("amount")));
        }
    }
    sum
}

fn address(node: &Node) -> Option<Address> {
    if !node.value.is_object() {
        return None;
    }
    Address {
        name: node
            .get("name")
            .text()
            .or_else(|| full_name(node.get("first_name").text(), node.get("last_name").text())),
        company: node.get("company").text(),
        line1: node.get("address1").text(),
        line2: node.get("address2").text(),
        city: node.get("city").text(),
        region: node.first(&["province_code", "province"]).text(),
        postal_code: node.get("zip").text(),
        country: country(&node.get("country_code")).or_else(|| country(&node.get("country"))),
    }
    .placing()
}

/// A customer of `customers/create|update`, bare or as `{"customer": …}`: its default address is where
/// Shopify ships by default, so it is the shipping address.
pub(super) fn customer(payload: &Value) -> Result<CustomerSync, Vec<FieldError>> {
    let root = Node::root(payload).unwrap("customer");
    let mut p = Problems::default();
    if !p.object(&root, "a Shopify customer") {
        return Err(p.0);
    }
    let phone = root.get("phone").text();
    let default = root.get("default_address");
    let sync = CustomerSync {
        customer: Customer {
            external_id: Some(p.id(&root.get("id"))),
            email: root.get("email").email(),
            first_name: root.get("first_name").text().or_else(|| default.get("first_name").text()),
            last_name: root.get("last_name").text().or_else(|| default.get("last_name").text()),
            phone: phone.clone(),
        },
        company: default.get("company").text(),
        emails: Vec::new(),
        phones: default.get("phone").text().filter(|other| Some(other) != phone.as_ref()).into_iter().collect(),
        billing_address: None,
        shipping_address: address(&default),
    };
    p.result(sync)
}

#[cfg(test)]
mod tests {
    use super::super::{ChannelKind, customer as map_customer, order as map_order};
    use super::*;
    use crate::ingest::{parse_customer_sync, parse_order};
    use serde_json::json;

    fn fixture(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn rest_order() -> Value {
        fixture(include_str!("fixtures/shopify-order.json"))
    }

    fn map(payload: &Value) -> Result<Value, Vec<FieldError>> {
        map_order(ChannelKind::Shopify, "shopify-us", payload)
    }

    fn paths(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.path.as_str()).collect()
    }

    /// Modelled on the Admin API's example order 450789469: a registered customer, partly refunded,
    /// not yet fulfilled.
    #[test]
    fn the_documented_rest_order_maps_field_by_field() {
        let mapped = map(&rest_order()).unwrap();
        let chestnut = json!({"name": "Bob Norman", "company": null, "line1": "Chestnut Street 92", "line2": null,
                              "city": "Louisville", "region": "KY", "postal_code": "40202", "country": "US"});
        let line = |sku: &str, colour: &str| {
            json!({"sku": sku, "name": format!("IPod Nano - 8gb - {colour}"),
                                                    "category": null, "quantity": 1, "unit_price": "199.00"})
        };
        assert_eq!(
            mapped,
            json!({"channel": "shopify-us", "external_id": "450789469", "number": "#1001",
                   "placed_at": "2008-01-10T16:00:00Z", "updated_at": "2008-01-10T16:00:00Z", "status": "paid",
                   "test": false, "currency": "USD", "total": "598.94", "paid": "598.94", "refunded": "209.00",
                   "customer": {"external_id": "207119551", "email": "bob.norman@mail.example.com",
                                "first_name": "Bob", "last_name": "Norman", "phone": "+16136120707"},
                   "shipping_address": chestnut, "billing_address": chestnut,
                   "lines": [line("IPOD2008GREEN", "green"), line("IPOD2008RED", "red"), line("IPOD2008BLACK", "black")]})
        );
        let parsed = parse_order(&mapped, "$").unwrap();
        assert_eq!((parsed.refunded, parsed.lines.len()), ("209".parse().unwrap(), 3));
    }

    /// Modelled on the `orders/create` test notification: a test order, cancelled and voided, never
    /// processed, with huge ids, sent wrapped as `{"order": …}`.
    #[test]
    fn the_documented_webhook_order_maps_wrapped_and_bare() {
        let webhook = fixture(include_str!("fixtures/shopify-orders-create.json"));
        let mapped = map(&json!({"order": webhook})).unwrap();
        assert_eq!(map(&webhook).unwrap(), mapped, "bare and wrapped read the same");
        let steve = json!({"name": "Steve Shipper", "company": "Shipping Company", "line1": "123 Shipping Street",
                           "line2": null, "city": "Shippington", "region": "KY", "postal_code": "40003", "country": "US"});
        assert_eq!(
            mapped,
            json!({"channel": "shopify-us", "external_id": "820982911946154508", "number": "#9999",
                   "placed_at": "2022-01-01T00:00:00Z", "updated_at": "2022-01-01T00:00:00Z", "status": "canceled",
                   "test": true, "currency": "USD", "total": "403.00", "paid": "0", "refunded": "0",
                   "customer": {"external_id": "115310627314723954", "email": "john@example.com",
                                "first_name": "John", "last_name": "Smith", "phone": null},
                   "shipping_address": steve, "billing_address": steve,
                   "lines": [{"sku": "IPOD2008PINK", "name": "IPod Nano - 8GB", "category": null, "quantity": 1,
                              "unit_price": "199.00"},
                             {"sku": "IPOD2008PINK", "name": "IPod Nano - 8GB", "category": null, "quantity": 1,
                              "unit_price": "199.00"}]})
        );
        assert!(parse_order(&mapped, "$").unwrap().test);
    }

    #[test]
    fn every_status_of_the_table() {
        let fulfilled = |shipment: &str| json!([{"status": "success", "shipment_status": shipment}]);
        let cases = [
            (json!({"financial_status": "pending"}), "pending"),
            (json!({"financial_status": "authorized"}), "pending"),
            (json!({"financial_status": "partially_paid"}), "pending"),
            (json!({"financial_status": "paid"}), "paid"),
            (json!({"financial_status": "partially_refunded"}), "paid"),
            (json!({"financial_status": "paid", "fulfillment_status": "partial"}), "in_transit"),
            (json!({"financial_status": "paid", "fulfillment_status": "fulfilled"}), "in_transit"),
            (json!({"fulfillment_status": "fulfilled", "fulfillments": fulfilled("in_transit")}), "in_transit"),
            (json!({"fulfillment_status": "fulfilled", "fulfillments": fulfilled("delivered")}), "delivered"),
            (
                json!({"financial_status": "partially_refunded", "fulfillment_status": "fulfilled",
                    "fulfillments": fulfilled("delivered")}),
                "delivered",
            ),
            (json!({"fulfillment_status": "partial", "fulfillments": fulfilled("delivered")}), "in_transit"),
            (
                json!({"financial_status": "paid", "fulfillments": [{"status": "failure", "shipment_status": null}]}),
                "paid",
            ),
            (json!({"financial_status": "refunded"}), "returned"),
            (json!({"financial_status": "paid", "fulfillment_status": "restocked"}), "returned"),
            (json!({"financial_status": "voided"}), "canceled"),
            (json!({"financial_status": "expired"}), "canceled"),
            (json!({"financial_status": "refunded", "cancelled_at": "2024-05-02T10:00:00Z"}), "canceled"),
        ];
        for (fields, expected) in cases {
            let mut payload = rest_order();
            for key in ["financial_status", "fulfillment_status", "fulfillments", "cancelled_at"] {
                payload[key] = fields.get(key).cloned().unwrap_or(Value::Null);
            }
            assert_eq!(map(&payload).unwrap()["status"], expected, "{fields}");
        }
    }

    #[test]
    fn paid_follows_the_financial_status() {
        let mut payload = rest_order();
        payload["refunds"] = json!([]);
        for (financial, outstanding, paid) in
            [("partially_paid", "100.00", "498.94"), ("authorized", "598.94", "0"), ("refunded", "0.00", "598.94")]
        {
            payload["financial_status"] = json!(financial);
            payload["total_outstanding"] = json!(outstanding);
            assert_eq!(map(&payload).unwrap()["paid"], paid, "{financial}");
        }
    }

    #[test]
    fn a_fully_refunded_order_is_returned_and_a_guest_has_no_id() {
        let mut payload = rest_order();
        payload["financial_status"] = json!("refunded");
        let transaction = json!({"kind": "refund", "status": "success", "amount": 389.94, "currency": "USD"});
        let failed = json!({"kind": "refund", "status": "failure", "amount": "598.94"});
        payload["refunds"].as_array_mut().unwrap().push(json!({"id": 2, "transactions": [transaction, failed]}));
        payload.as_object_mut().unwrap().remove("customer");
        let mapped = map(&payload).unwrap();
        assert_eq!((mapped["status"].as_str(), mapped["refunded"].as_str()), (Some("returned"), Some("598.94")));
        assert_eq!(
            mapped["customer"],
            json!({"external_id": null, "email": "bob.norman@mail.example.com", "first_name": "Bob",
                   "last_name": "Norman", "phone": "+557734881234"})
        );
        assert!(parse_order(&mapped, "$").unwrap().customer.external_id.is_none());
    }

    #[test]
    fn amounts_as_numbers_read_as_the_same_decimals_as_strings() {
        let mut numbers = rest_order();
        numbers["total_price"] = json!(598.94);
        numbers["line_items"][0]["price"] = json!(199.0);
        numbers["refunds"][0]["transactions"][0]["amount"] = json!(209);
        let (strings, numbers) = (map(&rest_order()).unwrap(), map(&numbers).unwrap());
        let read = |v: &Value, key: &str| v[key].as_str().unwrap().parse::<Decimal>().unwrap();
        for key in ["total", "paid", "refunded"] {
            assert_eq!(read(&strings, key), read(&numbers, key), "{key}");
        }
        assert_eq!(read(&strings["lines"][0], "unit_price"), read(&numbers["lines"][0], "unit_price"));
    }

    #[test]
    fn missing_and_bad_fields_are_named_by_their_shopify_path() {
        let mut payload = rest_order();
        let order = payload.as_object_mut().unwrap();
        for key in ["id", "admin_graphql_api_id", "currency"] {
            order.remove(key);
        }
        payload["processed_at"] = json!("10/01/2008");
        payload["line_items"][2]["price"] = json!("free");
        let errors = map(&json!({"order": payload})).unwrap_err();
        let expected = ["$.order.id", "$.order.currency", "$.order.line_items[2].price", "$.order.processed_at"];
        assert_eq!(paths(&errors), expected);
        assert!(errors[3].message.contains("10/01/2008"), "{}", errors[3].message);
        assert_eq!(paths(&map(&json!("order")).unwrap_err()), ["$"]);
        let mut presentment = rest_order();
        presentment["refunds"][0]["transactions"][0]["currency"] = json!("EUR");
        let errors = map(&presentment).unwrap_err();
        assert_eq!(paths(&errors), ["$.refunds[0].transactions[0].currency"]);
        assert_eq!(errors[0].message, "is EUR, not the order's currency USD");
        let mut gid_only = rest_order();
        gid_only.as_object_mut().unwrap().remove("id");
        assert_eq!(map(&gid_only).unwrap()["external_id"], "450789469");
    }

    #[test]
    fn a_refund_payload_sums_its_successful_refund_transactions() {
        let payload = fixture(include_str!("fixtures/shopify-refund.json"));
        let expected = Refund {
            order_external_id: "450789469".into(),
            refund_id: "929361464".into(),
            amount: "41.94".parse().unwrap(),
            processed_at: "2024-06-05T15:01:04Z".parse().unwrap(),
        };
        assert_eq!(refund(&payload).unwrap(), expected);
        assert_eq!(refund(&json!({"refund": payload})).unwrap(), expected);
        let errors = refund(&json!({"id": 1, "created_at": "never"})).unwrap_err();
        assert_eq!(paths(&errors), ["$.order_id", "$.created_at"]);
    }

    /// Amounts as large as a decimal holds, added up, saturate instead of overflowing (a panic would
    /// stop the webhook worker): the refunds are capped at the total as any are.
    #[test]
    fn amounts_past_what_a_decimal_holds_do_not_overflow() {
        let huge = "79228162514264337593543950335";
        let mut order = rest_order();
        let transaction = order["refunds"][0]["transactions"][0].clone();
        order["refunds"][0]["transactions"] = json!([transaction.clone(), transaction]);
        order["refunds"][0]["transactions"][0]["amount"] = json!(huge);
        order["refunds"][0]["transactions"][1]["amount"] = json!(huge);
        let mapped = map(&order).unwrap();
        assert_eq!(mapped["refunded"], mapped["total"]);
        assert!(crate::ingest::parse_order(&mapped, "$").is_ok());
    }

    #[test]
    fn a_customer_payload_maps_to_a_customer_sync() {
        let payload = fixture(include_str!("fixtures/shopify-customer.json"));
        let mapped = map_customer(ChannelKind::Shopify, "shopify-us", &json!({"customer": payload})).unwrap();
        assert_eq!(
            mapped,
            json!({"channel": "shopify-us", "external_id": "207119551", "email": "bob.norman@mail.example.com",
                   "first_name": "Bob", "last_name": "Norman", "phone": "+16136120707", "company": null,
                   "emails": [], "phones": ["555-625-1199"], "billing_address": null,
                   "shipping_address": {"name": "Bob Norman", "company": null, "line1": "Chestnut Street 92",
                                        "line2": null, "city": "Louisville", "region": "KY",
                                        "postal_code": "40202", "country": "US"}})
        );
        let sync = parse_customer_sync(&mapped, "$").unwrap();
        assert_eq!((sync.customer.external_id.as_deref(), sync.phones.len()), (Some("207119551"), 1));
        let errors = map_customer(ChannelKind::Shopify, "shopify-us", &json!({"email": "x@y.z"})).unwrap_err();
        assert_eq!(paths(&errors), ["$.id"]);
    }
}
