//! Importing customers from a file (SPEC §11): Shopify's customer export, uploaded in Settings → Import
//! or sent to `POST /api/v1/imports`, read by a job into one channel. A row that cannot be read is kept
//! with its line and why, and the others go in; importing the same file again changes nothing.

#[cfg(feature = "ssr")]
pub mod db;
pub mod page;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod shopify_csv;

use crate::jobs::Job;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// What kind of file an import reads.
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(rename_all = "snake_case"))]
    pub enum ImportFormat {
        ShopifyCustomers = "shopify_customers", "Shopify customer export";
    }
}

/// The largest file taken.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// The problems an import shows (the first, by line).
pub const MAX_PROBLEMS_SHOWN: i64 = 200;

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowProblem {
    /// The line of the file where the row starts (the header is line 1).
    pub line: i32,
    pub reason: String,
}

/// An import as its page and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerImport {
    pub job: Job,
    /// The channel's key.
    pub channel: String,
    pub format: ImportFormat,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub problem_count: i64,
    /// The first `MAX_PROBLEMS_SHOWN`, by line.
    pub problems: Vec<RowProblem>,
}
