//! A customer's timeline (SPEC §4): everything that happened to them, newest first, read from the
//! events, under the tabs All, Orders, Tickets, Notes, Tasks, Files, Segments and Changes.

#[cfg(feature = "ssr")]
mod db;
#[cfg(feature = "ssr")]
pub mod event;
pub mod view;

#[cfg(feature = "ssr")]
pub use db::{Recorded, record, record_all, timeline};
#[cfg(feature = "ssr")]
pub use event::Event;

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The tabs: the key events are filed under (`event.tab`; `all` for every event) and the name shown.
pub const TABS: [(&str, &str); 8] = [
    ("all", "All"),
    ("orders", "Orders"),
    ("tickets", "Tickets"),
    ("notes", "Notes"),
    ("tasks", "Tasks"),
    ("files", "Files"),
    ("segments", "Segments"),
    ("changes", "Changes"),
];

pub const TIMELINE_PAGE: i64 = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub kind: String,
    pub happened_at: DateTime<Utc>,
    /// The member who did it; none for the system and the API.
    pub actor: Option<String>,
    /// What happened, in a sentence.
    pub text: String,
    pub order_id: Option<i64>,
    pub ticket_id: Option<i64>,
    /// The customer the entry came from, when a merge moved it here ("from customer #34").
    pub origin: Option<i64>,
    /// A merge into this customer not undone yet (SPEC §9; the server says why when it cannot be).
    pub undoable_merge: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelinePage {
    pub items: Vec<TimelineEntry>,
    /// Cursor of the next (older) page.
    pub next: Option<String>,
    /// Whether the caller may undo merges (admins).
    pub can_undo: bool,
}

/// One page of a customer's timeline under `tab`, after the cursor `after`.
#[server(output = crate::codec::TextJson)]
pub async fn customer_timeline(customer: i64, tab: String, after: Option<String>) -> Result<TimelinePage, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        let page = db::timeline(&state.pool, caller.workspace_id, customer, &tab, after.as_deref(), TIMELINE_PAGE);
        Ok(TimelinePage { can_undo: caller.role.allows(Role::Admin), ..page.await? })
    })
    .await
}
