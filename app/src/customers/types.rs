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

/// A postal address as shops send it: any part may be missing, but a stored one places the customer
/// somewhere (a street line, a town or a postal code).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Address {
    pub name: Option<String>,
    pub company: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
}

impl Address {
    /// Whether it says where the customer is: a street line, a town or a postal code.
    pub fn places_somewhere(&self) -> bool {
        [&self.line1, &self.line2, &self.city, &self.postal_code]
            .iter()
            .any(|part| part.as_deref().is_some_and(|p| !p.trim().is_empty()))
    }
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
    pub fn display_name(&self) -> String {
        person_name(&self.first_name, &self.last_name)
    }
}

/// "First Last", or a placeholder so a nameless guest is still a readable link.
pub fn person_name(first: &str, last: &str) -> String {
    let name = format!("{} {}", first.trim(), last.trim());
    let name = name.trim();
    if name.is_empty() { "(no name)".to_string() } else { name.to_string() }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub items: Vec<CustomerRow>,
    /// How many customers match, counted up to `COUNT_CAP` + 1: more than the cap reads "more than".
    pub total: i64,
    /// Nothing matched the search as typed: these are close matches (typos forgiven).
    pub close_matches: bool,
    /// Cursor of the next page, if there is one.
    pub next: Option<String>,
    /// Cursor of the previous page, if there is one.
    pub previous: Option<String>,
    /// The workspace's base currency, in which every amount is given.
    pub currency: String,
    /// Whether the caller may export the list and change its customers in bulk (agents and admins).
    #[serde(default)]
    pub can_act: bool,
}

/// Counts stop above this many matches ("more than 1,000"): counting further costs a scan of the
/// matches, which on a large workspace is what makes lists slow.
pub const COUNT_CAP: i64 = 1_000;

/// What the list's filter panel offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListOptions {
    pub segments: Vec<SegmentCount>,
    /// Keys of the workspace's channels.
    pub channels: Vec<String>,
    /// Members who can be assigned as managers: (user id, name or email).
    pub managers: Vec<(i64, String)>,
    /// The workspace's custom fields, each a filter.
    pub custom_fields: Vec<crate::custom_fields::CustomField>,
}

/// A built-in segment pinned in the list's left panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentCount {
    pub key: String,
    pub name: String,
    pub members: i64,
}
