//! Orders: the orders list, the order view and its CSV download (orders arrive through `ingest`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;

#[cfg(feature = "ssr")]
pub use db::{open_orders, order_summary};
#[cfg(feature = "ssr")]
pub mod download;
pub mod pages;
pub mod types;

pub use types::*;
