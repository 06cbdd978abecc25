//! Jobs (SPEC §10): long work — exports, bulk actions — stored in PostgreSQL and run by any server
//! process, a bounded number at once. A job survives a restart: one whose worker stopped sending signs of
//! life is claimed again and started over from the beginning (its work commits whole or not at all, so it
//! is never done twice), and a finished job's outcome is written in the same transaction as its work.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod worker;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// What a job does.
    pub enum JobKind {
        Export = "export", "Export";
        Bulk = "bulk", "Bulk action";
        Import = "import", "Import";
    }
}

crate::vocabulary! {
    /// Where a job is: waiting for a worker, being worked on, or finished one of three ways.
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(rename_all = "snake_case"))]
    pub enum JobStatus {
        Queued = "queued", "Waiting";
        Running = "running", "Running";
        Done = "done", "Done";
        Failed = "failed", "Failed";
        Canceled = "canceled", "Canceled";
    }
}

impl JobStatus {
    /// Whether the job is over (done, failed or canceled).
    pub fn finished(self) -> bool {
        matches!(self, JobStatus::Done | JobStatus::Failed | JobStatus::Canceled)
    }
}

/// A job as its page and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: i64,
    pub kind: JobKind,
    pub status: JobStatus,
    /// The member who started it (name or email); none for the API.
    pub started_by: Option<String>,
    /// How many rows it works on, once known.
    pub rows_total: Option<i64>,
    pub rows_done: i64,
    pub cancel_requested: bool,
    /// Why it failed, in words for the seller.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}
