//! The `sync` block of the summary (present only with `--sync-results`).
//!
//! Invariant: `batch_*` numbers come from the batch attempts alone, before
//! recovery; the top-level status counts are after it.

use serde::Serialize;

use super::summary::StatusCounts;

#[derive(Debug, Clone, Serialize)]
pub struct SyncSummary {
    pub files: Vec<String>,
    /// Rows with a sync result.
    pub rows: u64,
    /// Those rows by the sync result's own status.
    pub sync_status_counts: StatusCounts,
    /// Batch-completed rows with a sync result: judges that need metadata see
    /// the `assay.sync.*` pairs on them.
    pub paired: u64,
    /// Rows the batch did not complete that a completed sync result completed.
    pub recovered_by_sync: u64,
    /// Rows the batch did not complete whose sync result did not complete either.
    pub not_recovered: u64,
    /// Status counts from the batch attempts alone, before recovery (the
    /// top-level `status_counts` are after it).
    pub batch_status_counts: StatusCounts,
    /// completed / rows_submitted from the batch attempts alone.
    pub batch_completion_rate: f64,
}
