//! Orders: ingestion through API v1 (validation, identity, upsert), the orders list, the order view and
//! its CSV download.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod download;
#[cfg(feature = "ssr")]
pub mod ingest;
#[cfg(feature = "ssr")]
pub mod input;
pub mod pages;
pub mod types;

pub use types::*;
