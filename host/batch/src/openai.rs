//! OpenAI / Azure OpenAI batch lines: input lines and output/error-file
//! result lines, classified into provider-neutral [`Outcome`]s.
//!
//! One envelope (`{id?, custom_id, response{status_code, request_id, body},
//! error}`) carries three body kinds, told apart by the body itself (result
//! lines do not carry the endpoint). A 200 body with a first choice is a
//! chat completion, read in one pass exactly as before. Any other 200 body
//! is re-read ([`responses::classify_non_chat`]): `object` `"response"`, or
//! no `object` and an `output` / `status` field → Responses API (see
//! [`responses`]); `object` `"list"`, or a `data` field → embeddings
//! (`Completed`, no text, no finish reason, usage `input = prompt_tokens`,
//! `output = 0`); otherwise a chat body without choices (`empty_response`).
//!
//! Azure: `id` is optional; `content_filter_results` on a choice do not
//! decide the status, `finish_reason` does (`content_filter` →
//! `ContentFilter`, whose `error_message` then lists the filtered
//! categories, `self-harm` spelled `self_harm`); a choice with
//! `filtered: true` but `finish_reason: "stop"` stays `Completed` with no
//! error fields. HTTP-400 rows whose `error.code` is `content_filter` or
//! `innererror.code` is `ResponsibleAIPolicyViolation` are `ContentFilter`.
//!
//! Usage is normalized: `input` includes cached tokens (as OpenAI reports
//! it), `cached_input`, `cache_write` and `reasoning` are filled where given.
//!
//! Invariant: every result line either becomes exactly one `ResultLine`
//! whose status is one of the provider statuses, or a `LineError` saying
//! why not; unknown error codes land in an `Other` arm, never dropped.

use std::borrow::Cow;

use serde::Deserialize;

use crate::error::LineError;
use crate::json::scan::{InputKeys, input_line_or};
use crate::json::{First, NullTok, Str, Text, Tok, cow, parse_object};
use crate::provider::{Format, RawLine};
pub use crate::row::{InputLine, Outcome, ProviderOptions, ResultLine};
use crate::status::{Status, Usage};

#[derive(Deserialize)]
struct RawInput<'a> {
    #[serde(borrow)]
    custom_id: Option<Str<'a>>,
    #[serde(borrow)]
    url: Option<Str<'a>>,
    #[serde(borrow)]
    body: Option<RawInputBody<'a>>,
}

#[derive(Deserialize)]
struct RawInputBody<'a> {
    #[serde(borrow)]
    model: Option<Str<'a>>,
}

/// How OpenAI and Azure files are read (see [`crate::provider`]).
pub const FORMAT: Format = Format {
    input: parse_input,
    result: parse_result,
    messages: input::parse_input_messages,
    metadata: input::parse_input_metadata,
    batch_object: parse_batch_object,
};

/// Whether responses from this batch endpoint (an input line's `url`) carry
/// text for quality judges: false for embeddings (`/v1/embeddings`,
/// Azure `/embeddings`, with or without a query string), true otherwise.
pub fn endpoint_has_text(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url).trim_end_matches('/');
    !(path == "embeddings" || path.ends_with("/embeddings"))
}

/// What an OpenAI or Azure input line names its id, body and endpoint.
const INPUT_KEYS: InputKeys = InputKeys {
    id: b"custom_id",
    body: b"body",
    url: Some(b"url"),
};

/// Parses an input line; the body's messages are validated but skipped. A
/// batch request always has a `body`: a line without one is not an OpenAI
/// request (an Anthropic `{custom_id, params}` line is refused by its shape).
pub fn parse_input_line(line: &[u8]) -> Result<InputLine<'_>, LineError> {
    parse_input(line.into(), &ProviderOptions::default())
}

/// [`parse_input_line`] in the registry's form; OpenAI needs no options.
pub(crate) fn parse_input<'a>(line: RawLine<'a>, _opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    input_line_or(line, &INPUT_KEYS, |l| parse_input_line_serde(l.bytes))
}

/// [`parse_input_line`] by serde alone: the form every line the quick scan
/// is unsure of takes, and the one that names what is wrong.
fn parse_input_line_serde(line: &[u8]) -> Result<InputLine<'_>, LineError> {
    let raw: RawInput = parse_object(line)?;
    let custom_id = cow(raw.custom_id).ok_or(LineError::MissingField("custom_id"))?;
    let body = raw.body.ok_or(LineError::MissingField("body"))?;
    Ok(InputLine {
        custom_id,
        model: cow(body.model),
        url: cow(raw.url),
    })
}

#[derive(Deserialize, Default)]
struct RawResult<'a> {
    #[serde(borrow)]
    custom_id: Option<Str<'a>>,
    #[serde(borrow)]
    response: Option<RawResponse<'a>>,
    #[serde(borrow)]
    error: Option<Box<RawError<'a>>>,
}

#[derive(Deserialize, Default)]
struct RawResponse<'a> {
    status_code: Option<u16>,
    #[serde(borrow)]
    body: Option<RawBody<'a>>,
}

#[derive(Deserialize, Default)]
struct RawBody<'a> {
    #[serde(borrow)]
    model: Option<Str<'a>>,
    #[serde(borrow)]
    system_fingerprint: Option<Str<'a>>,
    #[serde(borrow)]
    choices: Option<First<RawChoice<'a>>>,
    usage: Option<RawUsage>,
    /// Chat `created`, Responses `created_at`: read leniently, a value that is
    /// not a whole number of seconds is no time, never a bad line.
    created: Option<Seconds>,
    created_at: Option<Seconds>,
    #[serde(borrow)]
    error: Option<Box<RawBodyError<'a>>>,
}

/// A Unix time in seconds, or nothing when the value is of another kind.
struct Seconds(Option<i64>);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'v> serde::de::Visitor<'v> for V {
            type Value = Seconds;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a Unix time")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Seconds, E> {
                Ok(Seconds(Some(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Seconds, E> {
                Ok(Seconds(i64::try_from(v).ok()))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Seconds, E> {
                Ok(Seconds(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Seconds, E> {
                Ok(Seconds(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Seconds, E> {
                Ok(Seconds(None))
            }
            fn visit_unit<E>(self) -> Result<Seconds, E> {
                Ok(Seconds(None))
            }
            fn visit_map<A: serde::de::MapAccess<'v>>(self, mut m: A) -> Result<Seconds, A::Error> {
                while m
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Seconds(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'v>>(self, mut s: A) -> Result<Seconds, A::Error> {
                while s.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Seconds(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct RawChoice<'a> {
    #[serde(borrow)]
    finish_reason: Option<Str<'a>>,
    #[serde(borrow)]
    message: Option<RawMessage<'a>>,
}

#[derive(Deserialize)]
struct RawMessage<'a> {
    #[serde(borrow)]
    content: Option<Text<'a>>,
    /// Only the first call matters: its arguments stand in for absent text.
    #[serde(borrow)]
    tool_calls: Option<First<RawToolCall<'a>>>,
}

#[derive(Deserialize)]
struct RawToolCall<'a> {
    #[serde(borrow)]
    function: Option<RawFunction<'a>>,
}

#[derive(Deserialize)]
struct RawFunction<'a> {
    #[serde(borrow)]
    arguments: Option<Text<'a>>,
}

impl<'a> RawMessage<'a> {
    /// The assistant's text; without any, the first tool call's
    /// `function.arguments` (what the Anthropic and Bedrock readers take from
    /// `tool_use` input).
    fn text(self) -> Option<Cow<'a, str>> {
        match self.content {
            Some(t) if !t.0.is_empty() => Some(t.0),
            content => self
                .tool_calls
                .and_then(|First(call)| call?.function?.arguments)
                .map(|a| a.0)
                .or(content.map(|t| t.0)),
        }
    }
}

#[derive(Deserialize)]
/// Chat and embeddings usage (Responses usage is read by `responses`).
struct RawUsage {
    #[serde(default)]
    prompt_tokens: Tok,
    #[serde(default)]
    completion_tokens: Tok,
    prompt_tokens_details: Option<PromptDetails>,
    completion_tokens_details: Option<CompletionDetails>,
}

#[derive(Deserialize)]
struct PromptDetails {
    #[serde(default)]
    cached_tokens: NullTok,
    #[serde(default)]
    cache_write_tokens: NullTok,
}

#[derive(Deserialize)]
struct CompletionDetails {
    #[serde(default)]
    reasoning_tokens: NullTok,
}

/// Parses and classifies one line of an output or error file.
///
/// If a line has both `error` and `response` (a provider bug), the error
/// decides the status; usage and model still come from the response.
pub fn parse_result_line(line: &[u8]) -> Result<ResultLine<'_>, LineError> {
    parse_result(line.into(), &ProviderOptions::default())
}

/// [`parse_result_line`] in the registry's form; OpenAI needs no options.
pub(crate) fn parse_result<'a>(line: RawLine<'a>, _opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    // The quick scan fills `raw` in place and classifying takes fields out of
    // it: the record (some 250 bytes) is never moved whole.
    let mut raw = RawResult::default();
    match line.scan_text().and_then(|text| scan::result_into(text, &mut raw)) {
        Some(()) => result_line(&mut raw, line.bytes),
        None => parse_result_line_serde(line.bytes),
    }
}

/// [`parse_result_line`] by serde alone: the form every line the quick scan
/// is unsure of takes, and the one that names what is wrong.
fn parse_result_line_serde(line: &[u8]) -> Result<ResultLine<'_>, LineError> {
    result_line(&mut parse_object(line)?, line)
}

/// Classifies a line read by either form, taking what it uses out of `raw`.
fn result_line<'a>(raw: &mut RawResult<'a>, line: &'a [u8]) -> Result<ResultLine<'a>, LineError> {
    let custom_id = cow(raw.custom_id.take()).ok_or(LineError::MissingField("custom_id"))?;
    let mut out = ResultLine::completed(custom_id);
    let o = &mut out.outcome;
    match (raw.error.take(), raw.response.as_mut()) {
        (None, None) => {
            return Err(LineError::WrongShape(
                "both `response` and `error` are null or absent".into(),
            ));
        }
        (None, Some(resp)) => {
            classify_response(resp, line, o)?;
            if o.status == Status::ContentFilter
                && o.finish_reason.as_deref() == Some("content_filter")
                && memchr::memmem::find(line, b"\"content_filter_results\"").is_some()
            {
                // Rare: re-read the line for Azure's categories rather than
                // carry them through every chat row.
                o.error_message = filtered_categories(line).map(Cow::Owned);
            }
        }
        (Some(err), resp) => {
            *o = classify_error(*err);
            if let Some(resp) = resp {
                o.http_status = resp.status_code;
                if let Some(body) = resp.body.take() {
                    o.created = body.created.or(body.created_at).and_then(|c| c.0);
                    body_info(o, body.model, body.system_fingerprint, body.usage);
                }
            }
        }
    }
    Ok(out)
}

fn body_info<'a>(o: &mut Outcome<'a>, model: Option<Str<'a>>, snapshot: Option<Str<'a>>, usage: Option<RawUsage>) {
    o.model = cow(model);
    o.snapshot = cow(snapshot);
    if let Some(u) = usage {
        let (cached, write) = u
            .prompt_tokens_details
            .map_or((0, 0), |d| (d.cached_tokens.0, d.cache_write_tokens.0));
        o.usage = Usage {
            input: u.prompt_tokens.0,
            output: u.completion_tokens.0,
            cached_input: cached,
            cache_write: write,
            reasoning: u.completion_tokens_details.map_or(0, |d| d.reasoning_tokens.0),
        };
    }
}

/// An HTTP response row (`response: {status_code, body}`), classified into
/// `o` (a completed outcome with nothing else set), taking fields out of `resp`.
fn classify_response<'a>(resp: &mut RawResponse<'a>, line: &'a [u8], o: &mut Outcome<'a>) -> Result<(), LineError> {
    let status = resp
        .status_code
        .ok_or(LineError::MissingField("response.status_code"))?;
    o.http_status = Some(status);
    // The rare answers below are built by value from what `o` holds so far.
    let taken = |o: &mut Outcome<'a>| std::mem::replace(o, Outcome::new(Status::Completed));
    let Some(body) = resp.body.as_mut() else {
        *o = if status == 200 {
            empty_response(taken(o), None)
        } else {
            http_error(taken(o), status, None)
        };
        return Ok(());
    };
    o.created = body.created.take().or(body.created_at.take()).and_then(|c| c.0);
    body_info(o, body.model.take(), body.system_fingerprint.take(), body.usage.take());
    if status != 200 {
        *o = http_error(taken(o), status, body.error.take());
        return Ok(());
    }
    let Some(First(Some(choice))) = body.choices.as_mut() else {
        // Not a chat completion with a choice: re-read the line for what
        // it is (rare in chat files, so the chat path reads no extra field).
        *o = responses::classify_non_chat(taken(o), body.error.take(), line)?;
        return Ok(());
    };
    o.finish_reason = cow(choice.finish_reason.take());
    o.response_text = choice.message.take().and_then(RawMessage::text);
    match o.finish_reason.as_deref() {
        Some("content_filter") => o.status = Status::ContentFilter,
        Some("length") => o.truncated = true,
        _ => {}
    }
    Ok(())
}

mod azure;
mod batch;
mod errors;
pub(crate) mod input;
pub mod responses;
mod scan;
use azure::filtered_categories;
pub use batch::parse_batch_object;
use errors::{RawBodyError, RawError, classify_error, empty_response, http_error};
pub use input::{parse_input_messages, parse_input_metadata};

#[cfg(test)]
mod tests;
