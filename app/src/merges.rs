//! Merging customers (SPEC §9): 2–5 customers of a workspace become one, the survivor. Every record of
//! the others moves to it and remembers where it came from; the survivor takes the chosen customer's
//! value of each single-valued field; the others stay as tombstones pointing at it. An admin can undo a
//! merge exactly, records that arrived since for a merged-away customer included.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
mod screen;
#[cfg(all(test, feature = "ssr"))]
mod tests;
pub mod view;

#[cfg(feature = "ssr")]
pub use db::{forward, survivor_of};

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most customers one merge takes, survivor included.
pub const MAX_CUSTOMERS: usize = 5;

/// Up to how many days after a merge it can be undone.
pub const UNDO_DAYS: i64 = 30;

/// The single-valued fields a merge takes from one customer each, by the name the API and the history
/// use, with the customer's column. Custom fields are `custom.<key>`; addresses `billing_address` and
/// `shipping_address`.
pub const COLUMNS: [(&str, &str); 14] = [
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("company", "company"),
    ("email_subscription", "email_subscription"),
    ("personal_discount", "personal_discount"),
    ("manager", "manager_id"),
    ("contractor_type", "contractor_type"),
    ("legal_name", "legal_name"),
    ("tax_id", "tax_id"),
    ("legal_address", "legal_address"),
    ("bank_name", "bank_name"),
    ("bank_account", "bank_account"),
    ("bank_code", "bank_code"),
    ("comment", "comment"),
];

/// The addresses, each taken whole from one customer.
pub const ADDRESSES: [(&str, &str); 2] = [("billing_address", "billing"), ("shipping_address", "shipping")];

/// A merge as asked for: who survives, who is merged into them, and whose value each single-valued field
/// takes (fields left out keep the survivor's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The customer who stays, with every record of the others.
    pub survivor: i64,
    /// The customers merged into the survivor (1–4 of them).
    pub merged: Vec<i64>,
    /// Whose value each single-valued field takes: `first_name`, `last_name`, `company`, `manager`,
    /// `billing_address`, `shipping_address`, `custom.<key>`, … → a customer of the merge.
    #[serde(default)]
    pub fields: BTreeMap<String, i64>,
}

impl MergeRequest {
    /// Every customer of the merge, the survivor first.
    pub fn everyone(&self) -> Vec<i64> {
        std::iter::once(self.survivor).chain(self.merged.iter().copied()).collect()
    }
}

/// A merge done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merged {
    pub merge_id: i64,
    pub survivor: i64,
    /// How many records of each kind moved to the survivor ("orders", "tickets", …).
    pub moved: BTreeMap<String, i64>,
}

/// One customer on the merge screen, side by side with the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeCandidate {
    pub id: i64,
    pub name: String,
    /// The channel and the channel's customer id, if it has one.
    pub channel: String,
    pub external_id: Option<String>,
    pub registered_at: DateTime<Utc>,
    pub orders: i32,
    pub total_order_value: Decimal,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    /// Each single-valued field's value as shown, in the order of `MergeScreen::fields` (empty: none).
    pub values: Vec<String>,
    /// The records that would move from this customer, by kind ("orders", "tickets", …).
    pub records: BTreeMap<String, i64>,
}

/// The merge screen: the customers, the fields to choose for, and what is chosen before anyone picks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeScreen {
    /// (field as the merge names it, label): the columns, addresses and custom fields.
    pub fields: Vec<(String, String)>,
    /// In the order of the pre-selection: most orders, then a channel customer id, then the oldest.
    pub customers: Vec<MergeCandidate>,
    /// The workspace's currency, for the totals.
    pub currency: String,
}

impl MergeScreen {
    /// The customer each field's value is taken from before anyone picks: the first customer in the
    /// screen's order who has one (the survivor's when nobody does).
    pub fn preselected(&self, field: usize) -> i64 {
        let first = self.customers.first().map_or(0, |c| c.id);
        self.customers.iter().find(|c| !c.values[field].trim().is_empty()).map_or(first, |c| c.id)
    }
}

/// The customers `ids` side by side for a merge (admins).
#[server(input = Json, output = crate::codec::TextJson)]
pub async fn load_merge_screen(ids: Vec<i64>) -> Result<MergeScreen, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Admin, |caller, state| async move {
        screen::screen(&state.pool, caller.workspace_id, &ids).await
    })
    .await
}

/// The customer `id` was merged into, if it was merged away: its page leads there (SPEC §9).
#[server(output = crate::codec::TextJson)]
pub async fn merged_into(id: i64) -> Result<Option<i64>, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(
        Role::Viewer,
        |caller, state| async move { survivor_of(&state.pool, caller.workspace_id, id).await },
    )
    .await
}

/// Merges the customers (admins); the VIP threshold is refreshed after the commit.
#[server(endpoint = "merge_customers", input = Json, output = crate::codec::TextJson)]
pub async fn merge_customers(request: MergeRequest) -> Result<Merged, AppError> {
    use crate::accounts::Role;
    let everyone = request.everyone();
    let done =
        crate::guard_write!(Role::Admin, |tx, w| db::merge(tx, w.workspace_id, Some(w.actor), w.now, &request)).await?;
    refresh_vip(&everyone).await;
    Ok(done)
}

/// Undoes a merge (admins); answers the customers, survivor first.
#[server(endpoint = "undo_merge", output = crate::codec::TextJson)]
pub async fn undo_merge(merge_id: i64) -> Result<Vec<i64>, AppError> {
    use crate::accounts::Role;
    let customers =
        crate::guard_write!(Role::Admin, |tx, w| db::undo(tx, w.workspace_id, Some(w.actor), w.now, merge_id)).await?;
    refresh_vip(&customers).await;
    Ok(customers)
}

/// The VIP refresh after a merge or an undo committed (`AppState::refresh_vip_after`), for the caller's
/// workspace (the server function checked the caller already).
#[cfg(feature = "ssr")]
async fn refresh_vip(customers: &[i64]) {
    if let (Ok(caller), Ok(state)) = (crate::auth::require(crate::accounts::Role::Admin), crate::state::app_state()) {
        state.refresh_vip_after(caller.workspace_id, customers).await;
    }
}
