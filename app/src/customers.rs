//! Customers: the list now; detail, editing and merging in later issues.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod identity;
#[cfg(feature = "ssr")]
pub mod indicators;
pub mod list;
pub mod query;
pub mod types;

pub use query::*;
pub use types::*;
