//! The provider's own account of a batch job (its batch/job object and, for
//! Bedrock, `manifest.json.out`), normalized for reconciliation against the
//! rows actually present in the result files.
//!
//! Invariant: a count is `Some` only when the provider stated it; a count the
//! provider leaves out (or sends as null) is `None`, never zero.

/// Normalized counts and token totals from a provider's batch object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchObject {
    /// The provider's name for the job (`batch_...`, `msgbatch_...`, a job ARN, ...).
    pub id: Option<String>,
    /// The provider's job status, as it spells it.
    pub status: Option<String>,
    /// Requests in the job.
    pub total: Option<u64>,
    /// Requests the provider says succeeded (OpenAI `completed`, Anthropic
    /// `succeeded`, Bedrock `successRecordCount`, Vertex `successfulCount`, ...).
    pub succeeded: Option<u64>,
    /// Requests the provider says failed, all kinds together where it does not split them.
    pub failed: Option<u64>,
    /// Anthropic splits failures: `errored`, `canceled`, `expired`.
    pub errored: Option<u64>,
    pub canceled: Option<u64>,
    pub expired: Option<u64>,
    /// Still processing / pending / incomplete.
    pub pending: Option<u64>,
    /// Token totals where the provider reports them (OpenAI batch `usage`, Bedrock manifest).
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub cached_input_tokens: Option<u64>,
}
