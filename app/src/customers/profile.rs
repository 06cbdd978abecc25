//! Everything the customer slider and page show about one customer (SPEC §4): the detail of the API,
//! plus the segments explained, duplicates, tickets by status, the order summary, favourite product
//! categories and spend over time. One server function loads it; order history and the timeline page
//! on their own.

#[cfg(feature = "ssr")]
pub mod db;

use super::types::CustomerDetail;
use crate::error::AppError;
use crate::orders::OrderSummary;
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerProfile {
    pub detail: CustomerDetail,
    /// The workspace's currency, in which the indicators are given.
    pub currency: String,
    pub manager: Option<String>,
    /// Days of the customer's first order and registration, in the workspace's time zone (the latest
    /// purchase's is on the row).
    pub customer_since: Option<NaiveDate>,
    pub registered_on: NaiveDate,
    pub segments: Vec<SegmentReason>,
    pub duplicates: Vec<Duplicate>,
    pub tickets: TicketOverview,
    pub orders: OrderSummary,
    pub categories: Vec<CategorySpend>,
    /// The last twelve calendar months, oldest first, months without a purchase included.
    pub spend: Vec<MonthSpend>,
    /// The workspace's custom fields that have a value for this customer: (label, value as read).
    pub custom: Vec<(String, String)>,
    /// Whether the caller may change the customer (notes, edits): agents and admins.
    pub can_edit: bool,
    /// Whether the caller may delete notes and files: admins (SPEC §2).
    pub can_delete: bool,
    /// Whether the caller may merge customers: admins (SPEC §9).
    pub can_merge: bool,
}

/// A segment the customer is in, and in one line why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentReason {
    pub key: String,
    pub name: String,
    pub reason: String,
}

/// An email or phone this customer shares with other customers of the workspace (SPEC §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// The email or phone as this customer has it.
    pub contact: String,
    /// The other customers: id and name.
    pub others: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketOverview {
    /// Each status the customer has tickets in (to do, waiting, resolved), with how many.
    pub by_status: Vec<(String, i64)>,
    /// The latest tickets, newest first (a few per status).
    pub latest: Vec<TicketRow>,
    /// Tickets updated in the last 7 days, newest first.
    pub recent: Vec<TicketRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketRow {
    pub id: i64,
    pub subject: String,
    pub status: String,
    pub updated_at: DateTime<Utc>,
    pub messages: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategorySpend {
    pub category: String,
    pub quantity: i64,
    /// In the workspace's currency.
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthSpend {
    /// The first day of the month.
    pub month: NaiveDate,
    pub amount: Decimal,
}

/// The whole profile of one customer of the caller's workspace.
#[server(output = crate::codec::TextJson)]
pub async fn load_profile(id: i64) -> Result<CustomerProfile, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        let mut profile = db::customer_profile(&state.pool, caller.workspace_id, id, state.clock.now()).await?;
        profile.can_edit = caller.role.allows(Role::Agent);
        profile.can_delete = caller.role.allows(Role::Admin);
        profile.can_merge = caller.role.allows(Role::Admin);
        Ok(profile)
    })
    .await
}
