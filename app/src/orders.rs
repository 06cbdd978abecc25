//! Orders: ingestion through API v1 (validation, identity, upsert) and, later, the orders pages.

#[cfg(feature = "ssr")]
pub mod ingest;
#[cfg(feature = "ssr")]
pub mod input;
