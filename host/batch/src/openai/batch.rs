//! The OpenAI / Azure OpenAI `Batch` object (`GET /v1/batches/{id}`).
//!
//! Invariant: counts the provider leaves out or sends as `null` (Azure does
//! on failed batches) stay `None`, never zero.

use serde::Deserialize;

use crate::batch_object::{BatchObject, BatchObjectError};
use crate::json::parse_object;

#[derive(Deserialize)]
struct RawBatch {
    id: Option<String>,
    object: Option<String>,
    status: Option<String>,
    request_counts: Option<RawCounts>,
    usage: Option<RawUsage>,
}

#[derive(Deserialize)]
struct RawCounts {
    total: Option<u64>,
    completed: Option<u64>,
    failed: Option<u64>,
}

#[derive(Deserialize)]
struct RawUsage {
    input_tokens: Option<u64>,
    input_tokens_details: Option<RawDetails>,
    output_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct RawDetails {
    cached_tokens: Option<u64>,
}

/// Parses an OpenAI or Azure `Batch` object: `id`, `status`,
/// `request_counts{total, completed → succeeded, failed}` and, when present,
/// `usage{input_tokens, input_tokens_details.cached_tokens, output_tokens}`.
/// An object whose `object` is not `"batch"` is refused; one without
/// `object` needs a `status`.
pub fn parse_batch_object(bytes: &[u8]) -> Result<BatchObject, BatchObjectError> {
    const WHAT: &str = "an OpenAI Batch object";
    let raw: RawBatch = parse_object(bytes).map_err(|source| BatchObjectError::Parse { what: WHAT, source })?;
    match raw.object {
        Some(o) if o == "batch" => {}
        Some(found) => {
            return Err(BatchObjectError::OtherKind {
                what: WHAT,
                field: "object",
                found,
            });
        }
        None if raw.status.is_none() => {
            return Err(BatchObjectError::Unidentified {
                what: WHAT,
                missing: "`object` or `status`",
            });
        }
        None => {}
    }
    let mut b = BatchObject {
        id: raw.id,
        status: raw.status,
        ..BatchObject::default()
    };
    if let Some(c) = raw.request_counts {
        b.total = c.total;
        b.succeeded = c.completed;
        b.failed = c.failed;
    }
    if let Some(u) = raw.usage {
        b.input_tokens = u.input_tokens;
        b.output_tokens = u.output_tokens;
        b.cached_input_tokens = u.input_tokens_details.and_then(|d| d.cached_tokens);
    }
    Ok(b)
}
