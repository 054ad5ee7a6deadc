//! Responses API (`/v1/responses`) bodies inside the OpenAI batch envelope.
//!
//! Classification of a 200 body's `status`:
//! * `completed` → `Completed`; no `output` or an empty one →
//!   `ProviderError(Other)` with code `empty_response` (as chat without
//!   choices).
//! * `incomplete` → by `incomplete_details.reason`: `max_output_tokens` →
//!   `Completed` + truncated; `content_filter` → `ContentFilter`; any other
//!   reason → `Completed` (not truncated). `finish_reason` is the reason.
//! * `failed` → by `error.code` ([`error_code_status`]).
//! * `cancelled` → `Canceled`.
//! * `queued`, `in_progress` or any unknown status → `ProviderError(Other)`
//!   with the status as `error_code` (a batch should never return them).
//!
//! A `refusal` content part makes a `completed` / `incomplete` row
//! `ContentFilter` with `error_code: "refusal"` and the refusal text as
//! `error_message`. `finish_reason` is the `status` (or the incomplete
//! reason). `response_text` is the `output_text` parts of the `message`
//! items, concatenated without separator (as the SDK's `output_text`), and
//! borrowed from the line when there is only one part.
//!
//! Invariant: every body becomes exactly one outcome; unknown statuses and
//! error codes land in `Other`, never dropped.
//!
//! Size: slightly over 300 lines; the body types and the classification
//! above are one decision read top to bottom, kept together.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};

use serde::de::IgnoredAny;

use super::{RawBodyError, empty_response};
use crate::error::LineError;
use crate::json::{Str, Text, Tok, cow, loose, parse_object};
use crate::row::Outcome;
use crate::status::{ErrorKind, Status};

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    response: Option<Resp<'a>>,
}

#[derive(Deserialize)]
struct Resp<'a> {
    #[serde(borrow)]
    body: Option<Body<'a>>,
}

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    object: Option<Str<'a>>,
    /// Embeddings vectors: skipped unallocated, only presence matters.
    data: Option<IgnoredAny>,
    #[serde(borrow)]
    status: Option<Str<'a>>,
    #[serde(borrow)]
    incomplete_details: Option<Incomplete<'a>>,
    #[serde(borrow)]
    output: Option<Output<'a>>,
    #[serde(borrow)]
    error: Option<Box<RawBodyError<'a>>>,
    usage: Option<Usage>,
}

/// Responses usage: `input_tokens` (includes cached), `output_tokens`.
#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    input_tokens: Tok,
    #[serde(default)]
    output_tokens: Tok,
    input_tokens_details: Option<InputDetails>,
    output_tokens_details: Option<OutputDetails>,
}

#[derive(Deserialize)]
struct InputDetails {
    #[serde(default)]
    cached_tokens: Tok,
    #[serde(default)]
    cache_write_tokens: Tok,
}

#[derive(Deserialize)]
struct OutputDetails {
    #[serde(default)]
    reasoning_tokens: Tok,
}

/// Re-reads a 200 result line whose body has no first choice and
/// classifies it as a Responses body, embeddings or a chat body without
/// choices (see [`crate::openai`]); `o` already holds the HTTP status,
/// model and chat-style usage, `chat_error` the first pass's `body.error`.
#[cold]
#[inline(never)]
pub(super) fn classify_non_chat<'a>(
    mut o: Outcome<'a>,
    chat_error: Option<Box<RawBodyError<'a>>>,
    line: &'a [u8],
) -> Result<Outcome<'a>, LineError> {
    let l: Line = parse_object(line)?;
    let Some(b) = l.response.and_then(|r| r.body) else {
        return Ok(empty_response(o, chat_error));
    };
    let is_response = match b.object.as_ref().map(|s| s.0.as_ref()) {
        Some("response") => true,
        Some("list") => return Ok(o),
        Some(_) => false,
        None if b.output.is_some() || b.status.is_some() => true,
        None if b.data.is_some() => return Ok(o),
        None => false,
    };
    if !is_response {
        return Ok(empty_response(o, chat_error));
    }
    if let Some(u) = b.usage {
        let (cached, write) = u
            .input_tokens_details
            .map_or((0, 0), |d| (d.cached_tokens.0, d.cache_write_tokens.0));
        o.usage = crate::status::Usage {
            input: u.input_tokens.0,
            output: u.output_tokens.0,
            cached_input: cached,
            cache_write: write,
            reasoning: u.output_tokens_details.map_or(0, |d| d.reasoning_tokens.0),
        };
    }
    Ok(classify(o, b.status, b.incomplete_details, b.output, b.error))
}

/// `incomplete_details`.
#[derive(Deserialize)]
struct Incomplete<'a> {
    #[serde(borrow)]
    reason: Option<Str<'a>>,
}

/// The text and refusal of a response's `output` array.
#[derive(Debug, Default)]
struct Output<'a> {
    text: Option<Cow<'a, str>>,
    refusal: Option<Cow<'a, str>>,
    items: usize,
}

#[derive(Deserialize)]
struct Item<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    content: Option<Vec<Part<'a>>>,
}

#[derive(Deserialize)]
struct Part<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    text: Option<Text<'a>>,
    #[serde(borrow)]
    refusal: Option<Text<'a>>,
}

/// Appends `s` to an optional accumulator, borrowing the first piece.
fn append<'a>(acc: &mut Option<Cow<'a, str>>, s: Cow<'a, str>) {
    match acc {
        None => *acc = Some(s),
        Some(a) => a.to_mut().push_str(&s),
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Output<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Output<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of output items")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Output<'a>, A::Error> {
                let mut out = Output::default();
                while let Some(item) = seq.next_element::<Item<'de>>()? {
                    out.items += 1;
                    if item.kind.as_ref().map(|k| k.0.as_ref()) != Some("message") {
                        continue;
                    }
                    for part in item.content.into_iter().flatten() {
                        match part.kind.as_ref().map(|k| k.0.as_ref()) {
                            Some("output_text") => {
                                if let Some(t) = part.text {
                                    append(&mut out.text, t.0);
                                }
                            }
                            Some("refusal") => {
                                let r = part.refusal.map_or(Cow::Borrowed(""), |r| r.0);
                                append(&mut out.refusal, r);
                            }
                            _ => {}
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

/// Status and error kind of a failed response's `error.code`: the chat
/// codes (`server_error`, `rate_limit_exceeded`, `content_filter`,
/// `request_timeout`) plus the Responses ones: `image_content_policy_violation`
/// → `ContentFilter`, `vector_store_timeout` → `Timeout`, `invalid_prompt`,
/// `invalid_*`, `image_*`, `unsupported_image_media_type`, `empty_image_file`,
/// `failed_to_download_image` → invalid request; anything else → `Other`.
pub fn error_code_status(code: Option<&str>) -> (Status, Option<ErrorKind>) {
    let kind = match code {
        Some("content_filter" | "image_content_policy_violation") => return (Status::ContentFilter, None),
        Some("request_timeout" | "vector_store_timeout") => return (Status::Timeout, None),
        Some("rate_limit_exceeded") => ErrorKind::RateLimit,
        Some("server_error") => ErrorKind::ServerError,
        Some(c)
            if c.starts_with("invalid_")
                || c.starts_with("image_")
                || matches!(
                    c,
                    "unsupported_image_media_type" | "empty_image_file" | "failed_to_download_image"
                ) =>
        {
            ErrorKind::InvalidRequest
        }
        _ => ErrorKind::Other,
    };
    (Status::ProviderError, Some(kind))
}

/// Classifies a 200 Responses body; `o` already holds model and usage.
fn classify<'a>(
    mut o: Outcome<'a>,
    status: Option<Str<'a>>,
    incomplete: Option<Incomplete<'a>>,
    output: Option<Output<'a>>,
    error: Option<Box<RawBodyError<'a>>>,
) -> Outcome<'a> {
    let status = cow(status);
    let output = output.unwrap_or_default();
    o.response_text = output.text;
    let refusal = output.refusal;
    let set_error = |o: &mut Outcome<'a>, st: Status, kind: Option<ErrorKind>, code: Option<Cow<'a, str>>| {
        o.status = st;
        o.error_kind = kind;
        o.error_code = code;
    };
    match status.as_deref() {
        // A body without `status` but with `output` is taken as completed.
        Some("completed") | None => {
            if output.items == 0 && refusal.is_none() {
                set_error(
                    &mut o,
                    Status::ProviderError,
                    Some(ErrorKind::Other),
                    Some("empty_response".into()),
                );
                o.error_message = error.and_then(|e| cow(e.message));
                return o;
            }
            o.finish_reason = Some(status.unwrap_or(Cow::Borrowed("completed")));
        }
        Some("incomplete") => {
            let reason = incomplete.and_then(|i| cow(i.reason));
            match reason.as_deref() {
                Some("max_output_tokens") => o.truncated = true,
                Some("content_filter") => o.status = Status::ContentFilter,
                _ => {}
            }
            o.finish_reason = reason.or(status);
        }
        Some("failed") => {
            let (code, message) = match error {
                Some(e) => (loose(e.code).or(cow(e.kind)), cow(e.message)),
                None => (None, None),
            };
            let (st, kind) = error_code_status(code.as_deref());
            set_error(&mut o, st, kind, code);
            o.error_message = message;
            o.finish_reason = status;
            return o;
        }
        Some("cancelled" | "canceled") => {
            o.status = Status::Canceled;
            o.finish_reason = status;
            return o;
        }
        Some(_) => {
            o.error_message = error.and_then(|e| cow(e.message));
            set_error(&mut o, Status::ProviderError, Some(ErrorKind::Other), status);
            return o;
        }
    }
    if let Some(r) = refusal {
        o.status = Status::ContentFilter;
        o.error_code = Some(Cow::Borrowed("refusal"));
        o.error_message = Some(r);
    }
    o
}
