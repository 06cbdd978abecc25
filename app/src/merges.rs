//! Merging customers (SPEC §9): 2–5 customers of a workspace become one, the survivor. Every record of
//! the others moves to it and remembers where it came from; the survivor takes the chosen customer's
//! value of each single-valued field; the others stay as tombstones pointing at it. An admin can undo a
//! merge exactly, records that arrived since for a merged-away customer included.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub use db::{forward, survivor_of};
#[cfg(all(test, feature = "ssr"))]
mod tests;

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

/// A merge done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merged {
    pub merge_id: i64,
    pub survivor: i64,
    /// How many records of each kind moved to the survivor ("orders", "tickets", …).
    pub moved: BTreeMap<String, i64>,
}
