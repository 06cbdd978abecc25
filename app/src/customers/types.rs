//! Wire types of the customer list, shared by server and browser.

use chrono::NaiveDate;
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
    pub registered: bool,
    pub total_order_value: Decimal,
    pub orders: i32,
    /// In the workspace's time zone.
    pub latest_purchase: Option<NaiveDate>,
    pub has_test_order: bool,
    pub vip_mark: bool,
    pub bad_mark: bool,
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
