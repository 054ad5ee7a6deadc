//! Classification of a Bedrock result: a `modelOutput` of a known shape
//! (text, finish reason, usage) or an `error` (status and error kind from
//! `errorCode`). The rules are in [`crate::bedrock`]'s module docs.
//!
//! Invariant: usage `input` includes cache reads and writes; unknown stop
//! reasons are `Completed` and unknown error codes `Other`, never dropped.

use std::borrow::Cow;

use super::results::{RawError, RawOutput, UNRECOGNIZED};
use crate::anthropic::message::{Blocks, normalized};
use crate::json::{First, cow, loose};
use crate::row::Outcome;
use crate::status::{ErrorKind, Status};

/// Classifies a `modelOutput` into `o` (a fresh [`Outcome::new`] of
/// `Completed`), taking what it uses out of `out`: the record is some 400
/// bytes, and moving it whole into here was a `memcpy` per line.
pub(super) fn classify_output<'a>(out: &mut RawOutput<'a>, o: &mut Outcome<'a>) {
    let u = out.usage.take().unwrap_or_default();
    o.usage = normalized(
        u.input_tokens.0.saturating_add(u.input_tokens_camel.0),
        u.output_tokens.0.saturating_add(u.output_tokens_camel.0),
        u.cache_read_input_tokens.0.saturating_add(u.cache_read_camel.0),
        u.cache_creation_input_tokens.0.saturating_add(u.cache_write_camel.0),
    );
    o.usage.input = o.usage.input.saturating_add(u.prompt_tokens.0);
    o.usage.output = o.usage.output.saturating_add(u.completion_tokens.0);
    if let Some(conv) = out.output.take() {
        o.response_text = conv.message.and_then(|m| m.content).and_then(Blocks::response_text);
        o.finish_reason = cow(out.stop_reason_camel.take());
    } else if let Some(g) = out.generation.take() {
        o.response_text = Some(g.0);
        o.finish_reason = cow(out.stop_reason.take());
        o.usage.input = o.usage.input.saturating_add(out.prompt_token_count.0);
        o.usage.output = o.usage.output.saturating_add(out.generation_token_count.0);
    } else if let Some(First(first)) = out.outputs.take() {
        if let Some(m) = first {
            o.response_text = m.text.map(|t| t.0);
            o.finish_reason = cow(m.stop_reason);
        }
    } else if let Some(First(first)) = out.choices.take() {
        if let Some(c) = first {
            o.response_text = c.message.and_then(|m| m.content).map(|t| t.0);
            o.finish_reason = cow(c.finish_reason);
        }
        o.model = cow(out.model.take());
    } else if let Some(First(first)) = out.results.take() {
        o.usage.input = o.usage.input.saturating_add(out.input_text_token_count.0);
        if let Some(r) = first {
            o.response_text = r.output_text.map(|t| t.0);
            o.finish_reason = cow(r.completion_reason);
            o.usage.output = o.usage.output.saturating_add(r.token_count.0);
        }
    } else if out.content.is_some() || out.stop_reason.is_some() {
        o.response_text = out.content.take().and_then(Blocks::response_text);
        o.finish_reason = cow(out.stop_reason.take());
        o.model = cow(out.model.take());
    } else {
        o.error_code = Some(Cow::Borrowed(UNRECOGNIZED));
        return;
    }
    match o.finish_reason.as_deref() {
        Some("refusal" | "guardrail_intervened" | "content_filtered" | "CONTENT_FILTERED" | "content_filter") => {
            o.status = Status::ContentFilter;
        }
        Some("max_tokens" | "model_context_window_exceeded" | "LENGTH" | "length") => o.truncated = true,
        _ => {}
    }
}

pub(super) fn classify_error(err: RawError<'_>) -> Outcome<'_> {
    let code = loose(err.code);
    let (status, kind, http) = error_code_status(code.as_deref());
    let mut o = Outcome::new(status);
    o.error_kind = kind;
    o.http_status = http;
    o.error_code = code;
    o.error_message = cow(err.message);
    o
}

/// Status, error kind and HTTP status of a Bedrock `errorCode` (see the module docs).
pub fn error_code_status(code: Option<&str>) -> (Status, Option<ErrorKind>, Option<u16>) {
    let http = code
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|n| (100..600).contains(n));
    let kind = match (http, code) {
        (Some(408 | 504), _) | (None, Some("ModelTimeoutException")) => return (Status::Timeout, None, http),
        (Some(429), _) | (None, Some("ThrottlingException" | "ServiceQuotaExceededException")) => ErrorKind::RateLimit,
        (Some(500..=599), _)
        | (
            None,
            Some(
                "InternalServerException"
                | "ServiceUnavailableException"
                | "ModelErrorException"
                | "ModelNotReadyException",
            ),
        ) => ErrorKind::ServerError,
        (Some(400..=499), _)
        | (
            None,
            Some(
                "ValidationException"
                | "AccessDeniedException"
                | "ResourceNotFoundException"
                | "ModelStreamErrorException",
            ),
        ) => ErrorKind::InvalidRequest,
        _ => ErrorKind::Other,
    };
    (Status::ProviderError, Some(kind), http)
}
