//! Tickets and their messages: ingestion through API v1; the ticket views come later.

#[cfg(feature = "ssr")]
pub mod ingest;
#[cfg(feature = "ssr")]
pub mod input;
