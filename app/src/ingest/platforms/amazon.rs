//! Amazon: an SP-API Orders v0 order as `{"order", "items", "address", "buyer"}`, each part either the
//! operation's `{"payload": …}` answer or what it holds (getOrder, getOrderItems, getOrderAddress,
//! getOrderBuyerInfo). Amazon names no customer id and puts refunds in the Finances API, not the order.

use super::{Address, Customer, Line, Node, Order, Problems, country, four_places};
use crate::error::FieldError;
use crate::orders::OrderStatus;
use rust_decimal::Decimal;
use serde_json::Value;

fn status(key: &str) -> Option<OrderStatus> {
    Some(match key {
        "PendingAvailability" | "Pending" => OrderStatus::Pending,
        "Unshipped" => OrderStatus::Paid,
        "PartiallyShipped" | "Shipped" | "InvoiceUnconfirmed" => OrderStatus::InTransit,
        "Canceled" | "Unfulfillable" => OrderStatus::Canceled,
        _ => return None,
    })
}

pub(super) fn order(payload: &Value) -> Result<Order, Vec<FieldError>> {
    let root = Node::root(payload);
    let mut p = Problems::default();
    let order = root.get("order").unwrap("payload");
    if !p.object(&root, "{\"order\", \"items\", \"address\", \"buyer\"}") || !p.object(&order, "getOrder's Order") {
        return Err(p.0);
    }
    let external_id = p.id(&order.get("AmazonOrderId"));
    let items = root.get("items").unwrap("payload");
    let items = if items.value.is_object() { items.get("OrderItems") } else { items };
    let address = root.get("address").unwrap("payload");
    let buyer = root.get("buyer").unwrap("payload");
    // each part answers for one order: the same one
    for part in [root.get("items").unwrap("payload"), address.clone(), buyer.clone()] {
        let other = part.get("AmazonOrderId");
        if let Some(other_id) = other.text()
            && !external_id.is_empty()
            && other_id != external_id
        {
            p.add(&other.path, format!("is {other_id}, not the order's {external_id}"));
        }
    }
    let status_node = order.get("OrderStatus");
    let raw_status = status_node.text().unwrap_or_default();
    let status = status(&raw_status).unwrap_or_else(|| {
        let problem = if raw_status.is_empty() {
            "is required".to_string()
        } else {
            format!("unknown Amazon order status {raw_status:?}")
        };
        p.add(&status_node.path, problem);
        OrderStatus::Pending
    });
    // Pending orders carry no OrderTotal nor item prices yet
    let order_total = order.get("OrderTotal");
    let total = p.optional_amount(&order_total.get("Amount")).unwrap_or_default();
    let items = p.items(&items);
    let currency_node = if order_total.get("CurrencyCode").is_blank() {
        items.iter().map(|item| item.get("ItemPrice").get("CurrencyCode")).find(|code| !code.is_blank())
    } else {
        None
    };
    let currency = match currency_node {
        Some(node) => p.currency(&node),
        None if order_total.get("CurrencyCode").is_blank() => {
            p.add(&order_total.path, "is required: neither it nor any item's ItemPrice gives the currency");
            String::new()
        }
        None => p.currency(&order_total.get("CurrencyCode")),
    };
    let lines = items
        .iter()
        .filter_map(|item| {
            let quantity = p.quantity(&item.get("QuantityOrdered"));
            // ItemPrice is the line's price: quantity × the unit price
            let line_price = p.optional_amount(&item.get("ItemPrice").get("Amount")).unwrap_or_default();
            let name = item.first(&["Title", "SellerSKU", "ASIN"]).text();
            if name.is_none() {
                p.add(&item.get("Title").path, "is required");
            }
            // a cancelled item stays on the order with no quantity
            if quantity == 0 {
                return None;
            }
            let unit_price = match quantity {
                1 => line_price,
                _ => four_places(line_price / Decimal::from(quantity)).normalize(),
            };
            Some(Line { sku: item.get("SellerSKU").text(), name: name?, quantity, unit_price })
        })
        .collect();
    let shipping = if address.get("ShippingAddress").value.is_object() {
        address.get("ShippingAddress")
    } else if address.value.is_object() {
        address.clone()
    } else {
        order.get("ShippingAddress")
    };
    let buyer = if buyer.value.is_object() { buyer } else { order.get("BuyerInfo") };
    // the buyer's relay address is stable per buyer and marketplace: the nearest thing to a customer id
    let email = buyer.get("BuyerEmail").email().or_else(|| order.get("BuyerEmail").email());
    let (first_name, last_name) = split_name(buyer.get("BuyerName").text().or_else(|| order.get("BuyerName").text()));
    let unpaid = matches!(raw_status.as_str(), "Pending" | "PendingAvailability" | "Canceled" | "Unfulfillable");
    let order = Order {
        number: external_id.clone(),
        external_id,
        placed_at: p.time(&order.get("PurchaseDate")),
        updated_at: p.optional_time(&order.get("LastUpdateDate")),
        status,
        test: false,
        currency,
        total,
        paid: if unpaid { Decimal::ZERO } else { total },
        refunded: Decimal::ZERO,
        customer: Customer { external_id: email.clone(), email, first_name, last_name, phone: None },
        shipping_address: ship_to(&shipping, address.get("BuyerCompanyName").text()),
        billing_address: None,
        lines,
    };
    p.result(order)
}

/// "John Smith" as first name John and last name Smith; a single word is a first name.
fn split_name(name: Option<String>) -> (Option<String>, Option<String>) {
    match name.as_deref().map(str::trim).and_then(|n| n.split_once(char::is_whitespace)) {
        Some((first, last)) => (Some(first.to_string()), Some(last.trim().to_string())),
        None => (name, None),
    }
}

fn ship_to(node: &Node, company: Option<String>) -> Option<Address> {
    if !node.value.is_object() {
        return None;
    }
    let line2 = [node.get("AddressLine2").text(), node.get("AddressLine3").text()].into_iter().flatten();
    let line2 = line2.collect::<Vec<_>>().join(", ");
    Address {
        name: node.get("Name").text(),
        company,
        line1: node.get("AddressLine1").text(),
        line2: (!line2.is_empty()).then_some(line2),
        city: node.get("City").text(),
        region: node.get("StateOrRegion").text(),
        postal_code: node.get("PostalCode").text(),
        country: country(&node.get("CountryCode")),
    }
    .placing()
}

#[cfg(test)]
mod tests {
    use super::super::{ChannelKind, order as map_order};
    use super::*;
    use crate::ingest::parse_order;
    use serde_json::json;

    /// Modelled on the v0 reference's examples of getOrder, getOrderItems, getOrderAddress and
    /// getOrderBuyerInfo, each as its `{"payload": …}` answer; the order has shipped in part.
    fn documented() -> Value {
        serde_json::from_str(include_str!("fixtures/amazon-order.json")).unwrap()
    }

    fn map(payload: &Value) -> Result<Value, Vec<FieldError>> {
        map_order(ChannelKind::Amazon, "amazon-us", payload)
    }

    /// Each part as what its `payload` holds, the address as the ShippingAddress itself.
    fn bare(mut payload: Value) -> Value {
        for part in ["order", "items", "address", "buyer"] {
            payload[part] = payload[part]["payload"].take();
        }
        payload["items"] = payload["items"]["OrderItems"].take();
        payload
    }

    #[test]
    fn the_documented_order_maps_field_by_field() {
        let mapped = map(&documented()).unwrap();
        assert_eq!(
            mapped,
            json!({"channel": "amazon-us", "external_id": "902-1845936-5435065", "number": "902-1845936-5435065",
                   "placed_at": "2017-01-20T19:49:35Z", "updated_at": "2017-01-22T08:12:04Z", "status": "in_transit",
                   "test": false, "currency": "USD", "total": "27.99", "paid": "27.99", "refunded": "0",
                   "customer": {"external_id": "5vlh04mgfmjh9h5@marketplace.amazon.com",
                                "email": "5vlh04mgfmjh9h5@marketplace.amazon.com", "first_name": "John",
                                "last_name": "Smith", "phone": null},
                   "shipping_address": {"name": "John Smith", "company": "Smith Trading", "line1": "2201 WESTLAKE AVE",
                                        "line2": "Suite 400, Floor 4", "city": "SEATTLE", "region": "WA",
                                        "postal_code": "98121-2778", "country": "US"},
                   "billing_address": null,
                   "lines": [{"sku": "NABetaASINB00551Q3CS", "name": "B00551Q3CS [Card Book]", "category": null,
                              "quantity": 2, "unit_price": "7.995"},
                             {"sku": "BOOKMARK-3", "name": "Bookmark, pack of 3", "category": null, "quantity": 3,
                              "unit_price": "0.3333"}]})
        );
        assert_eq!(map(&bare(documented())).unwrap(), mapped, "bare parts read as their payloads");
        let mut own = bare(documented());
        own["address"] = own["address"]["ShippingAddress"].take();
        let mut expected = mapped["shipping_address"].clone();
        expected["company"] = Value::Null;
        assert_eq!(map(&own).unwrap()["shipping_address"], expected, "the ShippingAddress itself");
        parse_order(&mapped, "$").unwrap();
    }

    #[test]
    fn every_status_of_the_table() {
        let cases = [
            ("PendingAvailability", "pending", "0"),
            ("Pending", "pending", "0"),
            ("Unshipped", "paid", "27.99"),
            ("PartiallyShipped", "in_transit", "27.99"),
            ("Shipped", "in_transit", "27.99"),
            ("InvoiceUnconfirmed", "in_transit", "27.99"),
            ("Canceled", "canceled", "0"),
            ("Unfulfillable", "canceled", "0"),
        ];
        for (amazon, ours, paid) in cases {
            let mut payload = documented();
            payload["order"]["payload"]["OrderStatus"] = json!(amazon);
            let mapped = map(&payload).unwrap();
            assert_eq!((mapped["status"].as_str(), mapped["paid"].as_str()), (Some(ours), Some(paid)), "{amazon}");
        }
    }

    /// A Pending order has no OrderTotal: the currency comes from an item, the total is 0. Without buyer
    /// info, the buyer is a guest; the order's own ShippingAddress is the fallback.
    #[test]
    fn a_pending_order_of_a_guest_falls_back_on_the_order() {
        let mut payload = bare(documented());
        let order = payload["order"].as_object_mut().unwrap();
        order.remove("OrderTotal");
        order.insert("OrderStatus".into(), json!("Pending"));
        order.insert("ShippingAddress".into(), json!({"City": "SEATTLE", "PostalCode": "98121", "CountryCode": "us"}));
        payload["items"][0]["ItemPrice"] = json!({"CurrencyCode": "USD", "Amount": 15.99});
        payload["items"][1]["QuantityOrdered"] = json!(0);
        payload.as_object_mut().unwrap().retain(|key, _| key == "order" || key == "items");
        let mapped = map(&payload).unwrap();
        assert_eq!((mapped["total"].as_str(), mapped["currency"].as_str()), (Some("0"), Some("USD")));
        assert_eq!(mapped["customer"]["external_id"], Value::Null);
        assert_eq!(mapped["shipping_address"]["country"], "US");
        assert_eq!(mapped["lines"].as_array().unwrap().len(), 1, "an item with no quantity left is left out");
        assert_eq!(mapped["lines"][0]["unit_price"], "7.995", "the line price as a JSON number");
        parse_order(&mapped, "$").unwrap();
    }

    #[test]
    fn missing_and_bad_fields_are_named_by_their_path() {
        let mut payload = documented();
        let order = payload["order"]["payload"].as_object_mut().unwrap();
        order.remove("AmazonOrderId");
        order.insert("PurchaseDate".into(), json!("20 Jan 2017"));
        order.insert("OrderStatus".into(), json!("Lost"));
        order.remove("OrderTotal");
        for item in payload["items"]["payload"]["OrderItems"].as_array_mut().unwrap() {
            item.as_object_mut().unwrap().remove("ItemPrice");
        }
        let errors = map(&payload).unwrap_err();
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.order.payload.AmazonOrderId",
                "$.order.payload.OrderStatus",
                "$.order.payload.OrderTotal",
                "$.order.payload.PurchaseDate"
            ]
        );
        let mut mixed = documented();
        mixed["buyer"]["payload"]["AmazonOrderId"] = json!("111-1111111-1111111");
        assert_eq!(map(&mixed).unwrap_err()[0].path, "$.buyer.payload.AmazonOrderId");
        assert_eq!(map(&json!({"items": []})).unwrap_err()[0].path, "$.order");
    }
}
