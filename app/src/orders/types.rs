//! Wire types of the orders list, the order view and a customer's order summary.

use crate::customers::Address;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One order in a list: what a seller scans for (store, date, number, amount, status, test mark).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: i64,
    /// The channel's key, e.g. `shopify-eu`.
    pub channel: String,
    /// The channel's order id.
    pub external_id: String,
    pub number: String,
    pub placed_at: DateTime<Utc>,
    /// The day of `placed_at` in the workspace's time zone.
    pub placed_on: NaiveDate,
    pub status: String,
    pub test: bool,
    /// The order's own currency and total (before refunds).
    pub currency: String,
    pub total: Decimal,
    pub customer_id: i64,
    pub customer_name: String,
}

/// Which orders to list: all of the workspace's, or one customer's; newest first, a page at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderQuery {
    pub customer: Option<i64>,
    /// Cursor: the last order of the page before.
    pub after: Option<String>,
    pub limit: Option<i64>,
}

pub const DEFAULT_ORDER_PAGE: i64 = 25;
pub const MAX_ORDER_PAGE: i64 = 200;

impl OrderQuery {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(DEFAULT_ORDER_PAGE).clamp(1, MAX_ORDER_PAGE)
    }

    /// The address of the orders list showing this query.
    pub fn url(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(customer) = self.customer {
            pairs.push(format!("customer={customer}"));
        }
        if let Some(after) = &self.after {
            pairs.push(format!("after={}", crate::ui::url::encode(after)));
        }
        if let Some(limit) = self.limit {
            pairs.push(format!("limit={limit}"));
        }
        if pairs.is_empty() { "/orders".into() } else { format!("/orders?{}", pairs.join("&")) }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderPage {
    pub items: Vec<OrderRow>,
    /// Cursor of the next page, if there is one.
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    pub sku: Option<String>,
    pub name: String,
    pub category: Option<String>,
    pub quantity: i32,
    pub unit_price: Decimal,
}

impl OrderLine {
    /// Quantity × unit price; below 10^13 for every stored line (the database checks it), and never a
    /// panic even for one that was not.
    pub fn amount(&self) -> Decimal {
        self.unit_price.saturating_mul(Decimal::from(self.quantity))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShippingUpdate {
    pub happened_at: DateTime<Utc>,
    pub status: String,
    pub note: Option<String>,
}

/// Everything about one order (`/orders/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderView {
    pub row: OrderRow,
    pub paid: Decimal,
    pub refunded: Decimal,
    /// Units of the workspace's currency per unit of the order's.
    pub exchange_rate: Decimal,
    pub base_currency: String,
    pub lines: Vec<OrderLine>,
    pub shipping_address: Option<Address>,
    pub billing_address: Option<Address>,
    pub shipping_updates: Vec<ShippingUpdate>,
    /// Whether the caller may download the order as CSV: an export, agents' and admins' (SPEC §2).
    pub can_export: bool,
}

/// The summary card of a customer's order history (SPEC §3): the figures over *all* their orders,
/// test, draft, canceled and returned ones included and counted apart, and the last three orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub all: i64,
    pub test: i64,
    pub draft: i64,
    pub canceled: i64,
    pub returned: i64,
    /// Sum over all orders of (total − refunded) × exchange rate, in the workspace's currency.
    pub value: Decimal,
    pub paid: Decimal,
    pub receivable: Decimal,
    /// Days of the first and latest order, in the workspace's time zone.
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    pub last_three: Vec<OrderRow>,
}

impl OrderSummary {
    pub fn average(&self) -> Option<Decimal> {
        (self.all > 0).then(|| (self.value / Decimal::from(self.all)).round_dp(2))
    }
}

crate::vocabulary! {
    /// Where an order stands (`customer_order.status`).
    pub enum OrderStatus {
        Draft = "draft", "Draft";
        Pending = "pending", "Pending";
        Paid = "paid", "Paid";
        InTransit = "in_transit", "In transit";
        Delivered = "delivered", "Delivered";
        Canceled = "canceled", "Canceled";
        Returned = "returned", "Returned";
    }
}

crate::vocabulary! {
    /// A step of an order's shipping (`shipping_update.status`).
    pub enum ShippingStatus {
        LabelCreated = "label_created", "Label created";
        InTransit = "in_transit", "In transit";
        OutForDelivery = "out_for_delivery", "Out for delivery";
        Delivered = "delivered", "Delivered";
        FailedAttempt = "failed_attempt", "Delivery attempt failed";
        Exception = "exception", "Delivery problem";
        Returned = "returned", "Returned";
    }
}

/// An order's or a shipping update's status as people read it (an unknown one as it is).
pub fn status_label(status: &str) -> &str {
    OrderStatus::parse(status)
        .map(OrderStatus::label)
        .or_else(|| ShippingStatus::parse(status).map(ShippingStatus::label))
        .unwrap_or(status)
}
