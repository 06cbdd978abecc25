//! What API v1 answers for each item it stores.

use crate::error::FieldError;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// What became of one item: its id, its customer's, and whether it was created, updated or found unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Ingested {
    pub id: i64,
    pub customer_id: i64,
    pub result: Outcome,
    /// Every customer whose figures the write changed (an order can move from one customer to another).
    #[serde(skip)]
    pub affected: Vec<i64>,
}

/// What became of one order of a batch: stored, or refused with every reason (paths relative to the
/// order, `$` being the order itself).
pub type OrderResult = Result<Ingested, Vec<FieldError>>;
