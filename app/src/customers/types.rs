//! Wire types of the customer list, shared by server and browser.

use crate::sentiment::Sentiment;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One row of the customer list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    /// The channel's key, e.g. `amazon-de`.
    pub channel: String,
    /// The channel's customer id; none for guests and customers added by hand.
    pub external_id: Option<String>,
    pub registered: bool,
    pub total_order_value: Decimal,
    pub orders: i32,
    pub latest_purchase_at: Option<DateTime<Utc>>,
    /// The day of `latest_purchase_at` in the workspace's time zone.
    pub latest_purchase: Option<NaiveDate>,
    /// Keys of the segments the customer is in.
    pub segments: Vec<String>,
    pub sentiment: Option<Sentiment>,
    pub has_test_order: bool,
    pub vip_mark: bool,
    pub bad_mark: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Phone {
    /// As entered or received.
    pub raw: String,
    pub e164: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Address {
    pub name: Option<String>,
    pub company: Option<String>,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: String,
}

/// Everything about one customer that the detail views and `GET /api/v1/customers/{id}` show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub row: CustomerRow,
    pub company: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub registered_at: DateTime<Utc>,
    pub total_paid: Decimal,
    pub accounts_receivable: Decimal,
    pub average_order_value: Option<Decimal>,
    pub customer_since: Option<DateTime<Utc>>,
    pub contacts: i32,
}

impl CustomerRow {
    /// "First Last", or a placeholder so a nameless guest is still a readable link.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let name = name.trim();
        if name.is_empty() { "(no name)".to_string() } else { name.to_string() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub items: Vec<CustomerRow>,
    pub total: i64,
    /// The workspace's base currency, in which every amount is given.
    pub currency: String,
}

/// What the list is asked for: the URL query of `/customers` (SPEC §4), growing with issue 5.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerQuery {
    pub q: Option<String>,
    pub limit: Option<i64>,
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

impl CustomerQuery {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }

    /// The search text, trimmed; none when blank.
    pub fn search(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }
}
