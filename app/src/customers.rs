//! Customers: the list, the profile (slider and page); editing and merging in later issues.

#[cfg(feature = "ssr")]
pub mod db;
pub mod detail;
pub mod edit;
#[cfg(feature = "ssr")]
pub mod indicators;
pub mod list;
pub mod profile;
pub mod types;

pub use types::*;
