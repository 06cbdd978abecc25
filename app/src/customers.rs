//! Customers: the list, the profile (slider and page); editing and merging in later issues.

#[cfg(feature = "ssr")]
mod db;

#[cfg(all(test, feature = "ssr"))]
pub use db::manual_customer;
#[cfg(feature = "ssr")]
pub use db::{customer_detail, require_customer, write_address, write_addresses};
pub mod detail;
pub mod edit;
#[cfg(feature = "ssr")]
pub mod indicators;
pub mod list;
pub mod profile;
pub mod types;

pub use types::*;
