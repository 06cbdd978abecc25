//! BigCommerce: a v2 order (`GET /v2/orders/{id}`) with its `products` and `shipping_addresses` inlined as
//! the arrays their own endpoints return. BigCommerce's webhooks carry only the order's id.

use super::{Address, Customer, Line, Node, Order, Problems, country, full_name};
use crate::error::FieldError;
use crate::orders::OrderStatus;
use rust_decimal::Decimal;
use serde_json::Value;

/// Ours for each of BigCommerce's fixed `status_id`s (stores relabel them, never add any), and whether
/// the order's money was received.
fn status(id: i64, items_shipped: i64) -> Option<(OrderStatus, bool)> {
    Some(match id {
        0 => (OrderStatus::Draft, false),             // Incomplete
        1 | 7 | 12 => (OrderStatus::Pending, false),  // Pending, Awaiting Payment, Manual Verification Required
        8 | 9 | 11 | 13 => (OrderStatus::Paid, true), // Awaiting Pickup, Awaiting Shipment, Awaiting Fulfillment, Disputed
        2 | 3 => (OrderStatus::InTransit, true),      // Shipped, Partially Shipped
        10 => (OrderStatus::Delivered, true),         // Completed
        5 | 6 => (OrderStatus::Canceled, false),      // Cancelled, Declined
        4 => (OrderStatus::Returned, true),           // Refunded
        // Partially Refunded hides where the parcels are: what has shipped tells
        14 if items_shipped > 0 => (OrderStatus::InTransit, true),
        14 => (OrderStatus::Paid, true),
        _ => return None,
    })
}

pub(super) fn order(payload: &Value) -> Result<Order, Vec<FieldError>> {
    let root = Node::root(payload);
    let mut p = Problems::default();
    if !p.object(&root, "a BigCommerce v2 order") {
        return Err(p.0);
    }
    let external_id = p.id(&root.get("id"));
    let status_node = root.get("status_id");
    let status_id = p.quantity(&status_node);
    let (status, received) =
        status(status_id, root.get("items_shipped").value.as_i64().unwrap_or(0)).unwrap_or_else(|| {
            if !status_node.is_blank() {
                p.add(&status_node.path, format!("unknown BigCommerce status {status_id}; expected 0 to 14"));
            }
            (OrderStatus::Pending, false)
        });
    let total = p.amount(&root.get("total_inc_tax"));
    let products = inlined(&root.get("products"), "products", &mut p);
    let lines = products
        .iter()
        .filter_map(|item| {
            let quantity = p.quantity(&item.get("quantity"));
            let unit_price = p.amount(&item.get("price_inc_tax"));
            let name = item.get("name").text().or_else(|| item.get("sku").text());
            if name.is_none() {
                p.add(&item.get("name").path, "is required");
            }
            if quantity == 0 {
                return None;
            }
            Some(Line { sku: item.get("sku").text(), name: name?, quantity, unit_price })
        })
        .collect();
    let shipping = inlined(&root.get("shipping_addresses"), "shipping_addresses", &mut p);
    let billing = root.get("billing_address");
    let order = Order {
        number: external_id.clone(),
        external_id,
        placed_at: p.time(&root.get("date_created")),
        updated_at: p.optional_time(&root.get("date_modified")),
        status,
        test: false,
        currency: p.currency(&root.get("currency_code")),
        total,
        paid: if received { total } else { Decimal::ZERO },
        refunded: p.optional_amount(&root.get("refunded_amount")).unwrap_or_default(),
        customer: Customer {
            // 0 is a guest
            external_id: p.optional_id(&root.get("customer_id")).filter(|id| id != "0"),
            email: billing.get("email").email(),
            first_name: billing.get("first_name").text(),
            last_name: billing.get("last_name").text(),
            phone: billing.get("phone").text(),
        },
        shipping_address: shipping.first().and_then(address),
        billing_address: address(&billing),
        lines,
    };
    p.result(order)
}

/// A sub-resource inlined as an array. The API's own answer only links to it (`{"url", "resource"}`):
/// then it must be fetched and put in its place.
fn inlined<'a>(node: &Node<'a>, what: &str, p: &mut Problems) -> Vec<Node<'a>> {
    if node.value.get("resource").is_some() || node.value.get("url").is_some() {
        p.add(
            &node.path,
            format!("the order's {what} must be inlined as the array GET /v2/orders/{{id}}/{what} returns"),
        );
        return Vec::new();
    }
    p.items(node)
}

fn address(node: &Node) -> Option<Address> {
    if !node.value.is_object() {
        return None;
    }
    Address {
        name: full_name(node.get("first_name").text(), node.get("last_name").text()),
        company: node.get("company").text(),
        line1: node.get("street_1").text(),
        line2: node.get("street_2").text(),
        city: node.get("city").text(),
        region: node.get("state").text(),
        postal_code: node.get("zip").text(),
        country: country(&node.get("country_iso2")),
    }
    .placing()
}

#[cfg(test)]
mod tests {
    use super::super::{ChannelKind, order as map_order};
    use super::*;
    use crate::ingest::parse_order;
    use serde_json::json;

    /// Modelled on the v2 documentation's order 100 with the examples of its products and shipping
    /// addresses inlined.
    fn documented() -> Value {
        serde_json::from_str(include_str!("fixtures/bigcommerce-order.json")).unwrap()
    }

    fn map(payload: &Value) -> Result<Value, Vec<FieldError>> {
        map_order(ChannelKind::BigCommerce, "bc", payload)
    }

    #[test]
    fn the_documented_order_maps_field_by_field() {
        let mapped = map(&documented()).unwrap();
        assert_eq!(
            mapped,
            json!({"channel": "bc", "external_id": "100", "number": "100", "placed_at": "2012-11-14T19:26:23Z",
                   "updated_at": "2012-11-15T08:02:11Z", "status": "paid", "test": false, "currency": "USD",
                   "total": "79.0000", "paid": "79.0000", "refunded": "0.0000",
                   "customer": {"external_id": "10", "email": "elsie@example.com", "first_name": "Trisha",
                                "last_name": "McLaughlin", "phone": null},
                   "shipping_address": {"name": "Trisha McLaughlin", "company": "Acme Pty Ltd",
                                        "line1": "4521 Roan Lane", "line2": "Unit 2", "city": "Austin",
                                        "region": "Texas", "postal_code": "78757", "country": "US"},
                   "billing_address": {"name": "Trisha McLaughlin", "company": null, "line1": "12345 W Anderson Ln",
                                       "line2": null, "city": "Austin", "region": "Texas", "postal_code": "78757",
                                       "country": "US"},
                   "lines": [{"sku": "OTS-1", "name": "Orbit Terrarium - Small", "category": null, "quantity": 1,
                              "unit_price": "69.0000"},
                             {"sku": null, "name": "Gift card message", "category": null, "quantity": 2,
                              "unit_price": "5.0000"}]})
        );
        parse_order(&mapped, "$").unwrap();
    }

    #[test]
    fn every_status_of_the_table() {
        let cases = [
            (0, "draft", "0"),
            (1, "pending", "0"),
            (7, "pending", "0"),
            (12, "pending", "0"),
            (8, "paid", "79.0000"),
            (9, "paid", "79.0000"),
            (11, "paid", "79.0000"),
            (13, "paid", "79.0000"),
            (2, "in_transit", "79.0000"),
            (3, "in_transit", "79.0000"),
            (10, "delivered", "79.0000"),
            (5, "canceled", "0"),
            (6, "canceled", "0"),
            (4, "returned", "79.0000"),
            (14, "paid", "79.0000"),
        ];
        for (id, ours, paid) in cases {
            let mut payload = documented();
            payload["status_id"] = json!(id);
            let mapped = map(&payload).unwrap();
            assert_eq!((mapped["status"].as_str(), mapped["paid"].as_str()), (Some(ours), Some(paid)), "{id}");
        }
        let mut shipped = documented();
        shipped["status_id"] = json!("14");
        shipped["items_shipped"] = json!(1);
        assert_eq!(map(&shipped).unwrap()["status"], "in_transit", "partly refunded after shipping");
        shipped["status_id"] = json!(15);
        assert_eq!(map(&shipped).unwrap_err()[0].path, "$.status_id");
    }

    #[test]
    fn refunds_a_guest_and_amounts_as_numbers() {
        let mut payload = documented();
        payload["status_id"] = json!(4);
        payload["refunded_amount"] = json!(79);
        payload["customer_id"] = json!(0);
        let mapped = map(&payload).unwrap();
        assert_eq!((mapped["status"].as_str(), mapped["refunded"].as_str()), (Some("returned"), Some("79")));
        assert_eq!(mapped["customer"]["external_id"], Value::Null);
        assert_eq!(mapped["customer"]["email"], "elsie@example.com");
        payload["status_id"] = json!(14);
        payload["refunded_amount"] = json!("10.5000");
        assert_eq!(map(&payload).unwrap()["refunded"], "10.5000");
        let mut numbers = documented();
        numbers["total_inc_tax"] = json!(79.0);
        numbers["products"][0]["price_inc_tax"] = json!(69);
        let mapped = map(&numbers).unwrap();
        assert_eq!(mapped["total"].as_str().unwrap().parse::<Decimal>().unwrap(), Decimal::from(79));
        assert_eq!(mapped["lines"][0]["unit_price"].as_str().unwrap().parse::<Decimal>().unwrap(), Decimal::from(69));
    }

    #[test]
    fn products_must_be_inlined_and_bad_fields_are_named() {
        let mut payload = documented();
        payload["products"] = json!({"url": "https://store-bwvr466.mybigcommerce.com/api/v2/orders/100/products.json",
                                     "resource": "/orders/100/products"});
        payload.as_object_mut().unwrap().remove("id");
        payload["date_created"] = json!("14/11/2012");
        payload["currency_code"] = json!("US Dollar");
        let errors = map(&payload).unwrap_err();
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["$.id", "$.products", "$.date_created", "$.currency_code"]);
        assert!(errors[1].message.contains("inlined"), "{}", errors[1].message);
        let mut digital = documented();
        digital["shipping_addresses"] = json!([]);
        assert_eq!(map(&digital).unwrap()["shipping_address"], Value::Null);
    }
}
