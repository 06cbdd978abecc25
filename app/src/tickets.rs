//! Tickets and their messages: the ticket view (they arrive through `ingest`).

pub mod view;
