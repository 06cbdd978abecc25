//! Webhooks from connected shops (SPEC §11): `POST /hooks/<token>`, authenticated by the platform's
//! signature, stored in an inbox before it is answered (`receive`), then worked through by a job that maps
//! each delivery with the platform's mapping and stores it as API v1 would (`worker`): what was received
//! is never lost when a later step fails, and nothing is stored twice.

pub mod bigcommerce;
pub mod db;
pub mod receive;
pub mod signature;
pub mod worker;

crate::vocabulary! {
    /// Where a delivery is: waiting to be worked through, done, or given up on.
    pub enum DeliveryStatus {
        Received = "received", "Waiting";
        Done = "done", "Done";
        Failed = "failed", "Failed";
    }
}
