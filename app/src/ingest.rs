//! Every write of API v1 (SPEC §5): orders, messages and customers as channels send them, checked field
//! by field (`reader`), each item's customer found or created by one set-based resolver (`identity`),
//! then stored with its events, the customers' figures and their segments in the caller's transaction.
//! Platform mappings (Shopify, WooCommerce, …) turn their payloads into these inputs.

mod customers;
mod identity;
mod messages;
mod orders;
mod outcome;
pub mod platforms;
mod reader;
mod refunds;

pub use customers::{CustomerSync, ingest_customer, ingest_customers, parse_customer_sync};
pub use identity::CustomerInput;
pub use messages::{MessageInput, TicketInput, ingest_message, parse_message};
pub use orders::{LineInput, OrderInput, ingest_order, ingest_orders, parse_order};
pub use outcome::{Ingested, OrderResult, Outcome};
pub use refunds::{RefundInput, ingest_refund};

/// A status read back from the database, which checks it against the same vocabulary.
pub(crate) fn stored_status<T>(parse: fn(&str) -> Option<T>, text: &str) -> crate::error::AppResult<T> {
    parse(text)
        .ok_or_else(|| crate::error::AppError::internal(format!("a stored status {text:?} is not in the vocabulary")))
}
