//! The provider's own account of a batch job (its batch/job object and, for
//! Bedrock, `manifest.json.out`), normalized for reconciliation against the
//! rows actually present in the result files.
//!
//! Invariant: a count is `Some` only when the provider stated it; a count the
//! provider leaves out (or sends as null) is `None`, never zero; a file that
//! is not the provider's object is a [`BatchObjectError`] saying which
//! object was expected and why this is not it.

/// Normalized counts and token totals from a provider's batch object.
/// (Serialized as is in a sharded run's partial.)
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// Why a file is not the batch object of the provider it was read for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchObjectError {
    /// Not a JSON object, or a field has the wrong type.
    #[error("not {what}: {source}")]
    Parse {
        /// The object expected, with its article ("an OpenAI Batch object").
        what: &'static str,
        #[source]
        source: crate::error::LineError,
    },
    /// The field that names the object's kind names another kind.
    #[error("not {what}: `{field}` is {found:?}")]
    OtherKind {
        what: &'static str,
        field: &'static str,
        found: String,
    },
    /// None of the fields that identify the object is present; `missing`
    /// lists them as the message shows them.
    #[error("not {what}: no {missing}")]
    Unidentified { what: &'static str, missing: &'static str },
    /// Neither of the two objects a provider writes; the text names both
    /// and the fields each lacks.
    #[error("not {0}")]
    Neither(&'static str),
}
