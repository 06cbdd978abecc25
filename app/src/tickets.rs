//! Tickets and their messages: ingestion through API v1, and the ticket view.

#[cfg(feature = "ssr")]
pub mod ingest;
#[cfg(feature = "ssr")]
pub mod input;
pub mod view;
