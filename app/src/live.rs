//! Live updates (SPEC §10): open pages follow what is written without a reload. Every statement that
//! writes a customer's events or a member's notifications tells PostgreSQL's channel `live` at its commit
//! (triggers, migration `live_updates`); one listener per server process gathers those messages a moment,
//! numbers them and fans them out per workspace (`hub`) to one server-sent-event stream per signed-in tab
//! (`GET /events`, `routes`). The events name only customers: pages read what changed through their
//! usual, checked server functions (`view`).

#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(all(test, feature = "ssr"))]
mod tests;
pub mod view;

use serde::{Deserialize, Serialize};

/// What a tab is told about its workspace (the event `change` of `GET /events`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Customers with something new on their timeline (orders, messages, notes, tasks, files, edits,
    /// segments, merges), when few enough to be named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customers: Vec<i64>,
    /// How many more customers were written without being named (a bulk action's batch, a refresh).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unnamed: i64,
    /// The signed-in member has new notifications.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub notified: bool,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl Change {
    /// Whether `customer` may be among those written (named, or some were not named).
    pub fn may_touch(&self, customer: i64) -> bool {
        self.unnamed > 0 || self.customers.contains(&customer)
    }

    /// How many customers were written.
    pub fn written(&self) -> i64 {
        self.customers.len() as i64 + self.unnamed
    }
}

/// The stream's event names: `change` carries a `Change`; `resync` says that events were missed (the tab
/// reconnected too late, fell behind, or the server lost its listener a moment) and pages should read
/// everything they show again.
pub const CHANGE_EVENT: &str = "change";
pub const RESYNC_EVENT: &str = "resync";
