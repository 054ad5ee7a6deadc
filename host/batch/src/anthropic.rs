//! Anthropic Message Batches: request lines (JSONL `{custom_id, params}` or
//! the streamed JSON body `{"requests": [...]}`), results-stream lines
//! classified into provider-neutral [`Outcome`]s, and the `MessageBatch`
//! object.
//!
//! Classification of `result.type`:
//! * `succeeded` → `Completed`, except `stop_reason: "refusal"` →
//!   `ContentFilter`; `max_tokens` / `model_context_window_exceeded` set
//!   `truncated`. `response_text` is the text blocks concatenated, or the
//!   first `tool_use` input as JSON when there is no text block.
//! * `errored` → by `error.error.type` (kept in `error_code`):
//!   `rate_limit_error` → rate limit; `api_error`, `overloaded_error` →
//!   server error; `invalid_request_error`, `not_found_error`,
//!   `permission_error`, `authentication_error`, `billing_error`,
//!   `request_too_large` → invalid request (none of these succeed when the
//!   same request is resent unchanged, so they are not retryable by
//!   default); `timeout_error` → `Timeout`; any other type → `Other`.
//! * `canceled` → `Canceled`; `expired` → `Expired`.
//! * any other `result.type` → [`LineError::WrongShape`] naming it.
//!
//! Invariant: every result line becomes exactly one `ResultLine` or a
//! `LineError` saying why not; usage `input` includes cache reads and writes
//! (Anthropic's `input_tokens` excludes them).

use std::borrow::Cow;

use serde::Deserialize;

use crate::batch_object::{BatchObject, BatchObjectError};
use crate::error::LineError;
use crate::json::scan::{InputKeys, input_line_or};
use crate::json::{Str, cow, parse_object};
use crate::provider::{Format, RawLine};
pub use crate::row::{InputLine, Outcome, ProviderOptions, ResultLine};
use crate::status::{ErrorKind, Status};

mod body;
pub(crate) mod input;
pub(crate) mod message;
mod scan;

pub use body::{
    BodyError, ElementError, MAX_ELEMENT_BYTES, RequestSpan, is_requests_body, read_request_at, read_requests_body,
    read_requests_from,
};
pub use input::{parse_input_messages, parse_input_metadata};
use message::Message;

/// How Anthropic files are read (see [`crate::provider`]).
pub const FORMAT: Format = Format {
    input: parse_input,
    result: parse_result,
    messages: parse_input_messages,
    metadata: parse_input_metadata,
    batch_object: parse_batch_object,
};

#[derive(Deserialize)]
struct RawInput<'a> {
    #[serde(borrow)]
    custom_id: Option<Str<'a>>,
    #[serde(borrow)]
    params: Option<RawParams<'a>>,
}

#[derive(Deserialize)]
struct RawParams<'a> {
    #[serde(borrow)]
    model: Option<Str<'a>>,
}

/// Parses one request: a JSONL line or one element of the body's
/// `requests` array (same shape). `params` is validated as JSON but skipped.
pub fn parse_input_line<'a>(line: &'a [u8], opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    parse_input(line.into(), opts)
}

/// [`parse_input_line`] in the registry's form: the quick scan, or serde
/// for a line the scan is unsure of.
fn parse_input<'a>(line: RawLine<'a>, _opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    input_line_or(line, &INPUT_KEYS, parse_input_serde)
}

/// What an Anthropic request line names its id and body; it has no endpoint.
const INPUT_KEYS: InputKeys = InputKeys {
    id: b"custom_id",
    body: b"params",
    url: None,
};

/// [`parse_input_line`] by serde alone: the form every line the quick scan
/// is unsure of takes, and the one that names what is wrong.
fn parse_input_serde<'a>(line: RawLine<'a>) -> Result<InputLine<'a>, LineError> {
    let raw: RawInput = parse_object(line)?;
    Ok(InputLine {
        custom_id: cow(raw.custom_id).ok_or(LineError::MissingField("custom_id"))?,
        model: raw.params.and_then(|p| cow(p.model)),
        url: None,
    })
}

#[derive(Deserialize)]
struct RawResult<'a> {
    #[serde(borrow)]
    custom_id: Option<Str<'a>>,
    #[serde(borrow)]
    result: Option<RawBatchResult<'a>>,
}

/// `MessageBatchResult`, flattened: `type` decides which field matters.
#[derive(Deserialize)]
struct RawBatchResult<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    message: Option<Message<'a>>,
    #[serde(borrow)]
    error: Option<RawErrorResponse<'a>>,
}

/// `ErrorResponse` = `{"type":"error","error":{type,message},"request_id"}`.
/// A bare `ErrorObject` (`{type, message}`) is accepted too.
#[derive(Deserialize)]
struct RawErrorResponse<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    message: Option<Str<'a>>,
    #[serde(borrow)]
    error: Option<RawErrorObject<'a>>,
}

#[derive(Deserialize)]
struct RawErrorObject<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    message: Option<Str<'a>>,
}

/// Parses and classifies one line of the results stream.
pub fn parse_result_line<'a>(line: &'a [u8], opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    parse_result(line.into(), opts)
}

/// [`parse_result_line`] in the registry's form: the quick scan, or serde
/// for a line the scan is unsure of.
fn parse_result<'a>(line: RawLine<'a>, _opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    match line.scan_text().and_then(scan::result) {
        Some(quick) => result_line(quick),
        None => parse_result_serde(line),
    }
}

/// [`parse_result_line`] by serde alone: the form every line the quick scan
/// is unsure of takes, and the one that names what is wrong.
fn parse_result_serde<'a>(line: RawLine<'a>) -> Result<ResultLine<'a>, LineError> {
    result_line(parse_object(line)?)
}

/// Classifies a line read by either form.
fn result_line(raw: RawResult<'_>) -> Result<ResultLine<'_>, LineError> {
    let custom_id = cow(raw.custom_id).ok_or(LineError::MissingField("custom_id"))?;
    let result = raw.result.ok_or(LineError::MissingField("result"))?;
    let kind = cow(result.kind).ok_or(LineError::MissingField("result.type"))?;
    let outcome = match kind.as_ref() {
        "succeeded" => {
            let msg = result.message.ok_or(LineError::MissingField("result.message"))?;
            let mut o = Outcome::new(Status::Completed);
            msg.fill(&mut o);
            o
        }
        "errored" => match result.error {
            Some(e) => classify_error(e),
            None => error_outcome(None, None),
        },
        "canceled" | "cancelled" => Outcome::new(Status::Canceled),
        "expired" => Outcome::new(Status::Expired),
        other => {
            return Err(LineError::WrongShape(format!(
                "unknown result type {other:?} (known: succeeded, errored, canceled, expired)"
            )));
        }
    };
    Ok(ResultLine { custom_id, outcome })
}

fn classify_error(e: RawErrorResponse<'_>) -> Outcome<'_> {
    match e.error {
        Some(obj) => error_outcome(cow(obj.kind), cow(obj.message)),
        // A bare error object: its own `type` is the error type.
        None => {
            let kind = cow(e.kind).filter(|k| k != "error");
            error_outcome(kind, cow(e.message))
        }
    }
}

fn error_outcome<'a>(code: Option<Cow<'a, str>>, message: Option<Cow<'a, str>>) -> Outcome<'a> {
    let (status, kind) = error_type_status(code.as_deref());
    let mut o = Outcome::new(status);
    o.error_kind = kind;
    o.error_code = code;
    o.error_message = message;
    o
}

/// The `ErrorObject.type` Anthropic answers an HTTP status with (the inverse
/// direction of [`error_type_status`]); the emulator writes it, and a sync
/// answer that failed is recorded with it.
pub fn http_error_type(status: u16) -> &'static str {
    match status {
        400 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 => "overloaded_error",
        _ => "api_error",
    }
}

/// Status and error kind of an Anthropic `ErrorObject.type` (see the module docs).
pub fn error_type_status(error_type: Option<&str>) -> (Status, Option<ErrorKind>) {
    let kind = match error_type {
        Some("timeout_error") => return (Status::Timeout, None),
        Some("rate_limit_error") => ErrorKind::RateLimit,
        Some("api_error" | "overloaded_error") => ErrorKind::ServerError,
        Some(
            "invalid_request_error"
            | "not_found_error"
            | "permission_error"
            | "authentication_error"
            | "billing_error"
            | "request_too_large",
        ) => ErrorKind::InvalidRequest,
        _ => ErrorKind::Other,
    };
    (Status::ProviderError, Some(kind))
}

#[derive(Deserialize)]
struct RawBatch {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    processing_status: Option<String>,
    request_counts: Option<RawCounts>,
}

#[derive(Deserialize)]
struct RawCounts {
    processing: Option<u64>,
    succeeded: Option<u64>,
    errored: Option<u64>,
    canceled: Option<u64>,
    expired: Option<u64>,
}

/// Parses a `MessageBatch` object (`GET /v1/messages/batches/{id}`).
///
/// `total` is the sum of the five counts and `failed` is
/// errored + canceled + expired, each only when all their parts are
/// present; `pending` is `processing`. Counts are zero until the batch ends
/// (except `processing`), as Anthropic reports them.
pub fn parse_batch_object(bytes: &[u8]) -> Result<BatchObject, BatchObjectError> {
    const WHAT: &str = "an Anthropic MessageBatch";
    let raw: RawBatch = parse_object(bytes).map_err(|source| BatchObjectError::Parse { what: WHAT, source })?;
    match raw.kind {
        Some(k) if k == "message_batch" => {}
        Some(found) => {
            return Err(BatchObjectError::OtherKind {
                what: WHAT,
                field: "type",
                found,
            });
        }
        None if raw.processing_status.is_none() => {
            return Err(BatchObjectError::Unidentified {
                what: WHAT,
                missing: "`type` or `processing_status`",
            });
        }
        None => {}
    }
    let mut b = BatchObject {
        id: raw.id,
        status: raw.processing_status,
        ..BatchObject::default()
    };
    if let Some(c) = raw.request_counts {
        let sum = |xs: &[Option<u64>]| xs.iter().try_fold(0u64, |acc, x| x.map(|x| acc.saturating_add(x)));
        b.total = sum(&[c.processing, c.succeeded, c.errored, c.canceled, c.expired]);
        b.failed = sum(&[c.errored, c.canceled, c.expired]);
        b.succeeded = c.succeeded;
        b.errored = c.errored;
        b.canceled = c.canceled;
        b.expired = c.expired;
        b.pending = c.processing;
    }
    Ok(b)
}

#[cfg(test)]
mod tests;
