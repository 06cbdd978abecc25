//! Possible duplicates (SPEC §9): pairs of customers that are probably one person, best first, with a
//! score and its reasons; found by blocking keys and a field-by-field comparison (`matching`), kept
//! current as customers are written (`duplicate_check`, worked off in the background) and filled whole
//! by `server duplicates scan`. Agents and admins see the queue and dismiss pairs; viewers read it;
//! merging stays with admins.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod matching;
#[cfg(all(test, feature = "ssr"))]
mod tests;
pub mod view;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One pair of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DuplicatePair {
    /// The two customers, smaller id first.
    pub customers: [i64; 2],
    /// Their names, in the same order.
    #[serde(default)]
    pub names: [String; 2],
    /// How sure the finder is that they are one person, from 0 to 1.
    pub score: f64,
    /// What agrees: "same email", "same phone", "similar name", "same address", …; "both like #123" for
    /// a pair each of whom is probably one person with customer 123 (the score is the product of theirs).
    pub reasons: Vec<String>,
}

/// A page of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DuplicatePage {
    pub items: Vec<DuplicatePair>,
    /// The cursor of the next page (`after`), null on the last.
    pub next: Option<String>,
}

/// What the duplicates page shows: a page, and what the caller may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateQueue {
    pub page: DuplicatePage,
    /// Agents and admins: "Not the same".
    pub can_dismiss: bool,
    /// Admins: "Merge".
    pub can_merge: bool,
}

/// How many pairs a page of the queue shows.
pub const PAGE: i64 = 25;
/// The most pairs the API answers at once.
pub const MAX_LIMIT: i64 = 500;

/// A page of the queue (everyone signed in may read it).
#[server(output = crate::codec::TextJson)]
pub async fn load_duplicates(after: Option<String>) -> Result<DuplicateQueue, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        let page = db::page(&state.pool, caller.workspace_id, PAGE, after.as_deref()).await?;
        Ok(DuplicateQueue {
            page,
            can_dismiss: caller.role.allows(Role::Agent),
            can_merge: caller.role.allows(Role::Admin),
        })
    })
    .await
}

/// "Not the same": the pair never comes back (agents and admins).
#[server(endpoint = "dismiss_duplicate", output = crate::codec::TextJson)]
pub async fn dismiss_duplicate(a: i64, b: i64) -> Result<(), AppError> {
    use crate::accounts::Role;
    crate::guard_write!(Role::Agent, |tx, w| db::dismiss(tx, w.workspace_id, Some(w.actor), w.now, [a, b])).await
}
