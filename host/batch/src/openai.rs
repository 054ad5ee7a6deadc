//! OpenAI / Azure OpenAI chat-completions batch lines: input lines and
//! output/error-file result lines, classified into provider-neutral
//! [`Outcome`]s.
//!
//! Invariant: every result line either becomes exactly one `ResultLine`
//! whose status is one of the provider statuses, or a `LineError` saying
//! why not; unknown error codes land in an `Other` arm, never dropped.

use std::borrow::Cow;

use serde::Deserialize;

use crate::error::LineError;
use crate::json::{First, LooseStr, Str, Text, Tok, cow, loose, parse_object};
pub use crate::row::{Outcome, ResultLine};
use crate::status::{ErrorKind, Status, Usage};

/// The parts of an input line needed to index it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLine<'a> {
    pub custom_id: Cow<'a, str>,
    /// `body.model` (the deployment name on Azure).
    pub model: Option<Cow<'a, str>>,
    pub url: Option<Cow<'a, str>>,
}

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

/// Parses an input line; the body's messages are validated but skipped.
pub fn parse_input_line(line: &[u8]) -> Result<InputLine<'_>, LineError> {
    let raw: RawInput = parse_object(line)?;
    Ok(InputLine {
        custom_id: cow(raw.custom_id).ok_or(LineError::MissingField("custom_id"))?,
        model: raw.body.and_then(|b| cow(b.model)),
        url: cow(raw.url),
    })
}

#[derive(Deserialize)]
struct RawResult<'a> {
    #[serde(borrow)]
    custom_id: Option<Str<'a>>,
    #[serde(borrow)]
    response: Option<RawResponse<'a>>,
    #[serde(borrow)]
    error: Option<Box<RawError<'a>>>,
}

#[derive(Deserialize)]
struct RawResponse<'a> {
    status_code: Option<u16>,
    #[serde(borrow)]
    body: Option<RawBody<'a>>,
}

#[derive(Deserialize)]
struct RawBody<'a> {
    #[serde(borrow)]
    model: Option<Str<'a>>,
    #[serde(borrow)]
    system_fingerprint: Option<Str<'a>>,
    #[serde(borrow)]
    choices: Option<First<RawChoice<'a>>>,
    usage: Option<RawUsage>,
    #[serde(borrow)]
    error: Option<Box<RawBodyError<'a>>>,
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
}

#[derive(Deserialize)]
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
    cached_tokens: Tok,
    #[serde(default)]
    cache_write_tokens: Tok,
}

#[derive(Deserialize)]
struct CompletionDetails {
    #[serde(default)]
    reasoning_tokens: Tok,
}

#[derive(Deserialize)]
struct RawBodyError<'a> {
    #[serde(borrow)]
    code: Option<LooseStr<'a>>,
    #[serde(borrow, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    message: Option<Str<'a>>,
    #[serde(borrow)]
    innererror: Option<RawInner<'a>>,
}

#[derive(Deserialize)]
struct RawInner<'a> {
    #[serde(borrow)]
    code: Option<LooseStr<'a>>,
}

#[derive(Deserialize)]
struct RawError<'a> {
    #[serde(borrow)]
    code: Option<LooseStr<'a>>,
    #[serde(borrow)]
    message: Option<Str<'a>>,
}

/// Parses and classifies one line of an output or error file.
///
/// If a line has both `error` and `response` (a provider bug), the error
/// decides the status; usage and model still come from the response.
pub fn parse_result_line(line: &[u8]) -> Result<ResultLine<'_>, LineError> {
    let raw: RawResult = parse_object(line)?;
    let custom_id = cow(raw.custom_id).ok_or(LineError::MissingField("custom_id"))?;
    let outcome = match (raw.error, raw.response) {
        (None, None) => {
            return Err(LineError::WrongShape(
                "both `response` and `error` are null or absent".into(),
            ));
        }
        (None, Some(resp)) => classify_response(resp)?,
        (Some(err), resp) => {
            let mut o = classify_error(*err);
            if let Some(resp) = resp {
                o.http_status = resp.status_code;
                if let Some(body) = resp.body {
                    body_info(&mut o, body.model, body.system_fingerprint, body.usage);
                }
            }
            o
        }
    };
    Ok(ResultLine { custom_id, outcome })
}

/// A non-HTTP error (`response: null`, `error: {code, message}`).
fn classify_error(err: RawError<'_>) -> Outcome<'_> {
    let code = loose(err.code);
    let mut o = match code.as_deref() {
        Some("batch_expired") => Outcome::new(Status::Expired),
        Some("batch_cancelled" | "batch_canceled") => Outcome::new(Status::Canceled),
        Some("request_timeout") => Outcome::new(Status::Timeout),
        Some("content_filter") => Outcome::new(Status::ContentFilter),
        Some("rate_limit_exceeded") => Outcome::provider_error(ErrorKind::RateLimit),
        Some("server_error") => Outcome::provider_error(ErrorKind::ServerError),
        _ => Outcome::provider_error(ErrorKind::Other),
    };
    o.error_code = code;
    o.error_message = cow(err.message);
    o
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

/// An HTTP response row (`response: {status_code, body}`).
fn classify_response(resp: RawResponse<'_>) -> Result<Outcome<'_>, LineError> {
    let status = resp
        .status_code
        .ok_or(LineError::MissingField("response.status_code"))?;
    let mut o = Outcome::new(Status::Completed);
    o.http_status = Some(status);
    let Some(body) = resp.body else {
        return Ok(if status == 200 {
            empty_response(o, None)
        } else {
            http_error(o, status, None)
        });
    };
    body_info(&mut o, body.model, body.system_fingerprint, body.usage);
    if status != 200 {
        return Ok(http_error(o, status, body.error));
    }
    let Some(First(Some(choice))) = body.choices else {
        return Ok(empty_response(o, body.error));
    };
    o.finish_reason = cow(choice.finish_reason);
    o.response_text = choice.message.and_then(|m| m.content.map(|t| t.0));
    match o.finish_reason.as_deref() {
        Some("content_filter") => o.status = Status::ContentFilter,
        Some("length") => o.truncated = true,
        _ => {}
    }
    Ok(o)
}

/// A 200 response without choices.
fn empty_response<'a>(mut o: Outcome<'a>, err: Option<Box<RawBodyError<'a>>>) -> Outcome<'a> {
    o.status = Status::ProviderError;
    o.error_kind = Some(ErrorKind::Other);
    o.error_code = Some(Cow::Borrowed("empty_response"));
    o.error_message = err.and_then(|e| cow(e.message));
    o
}

/// A non-200 response; `body.error` holds the details.
fn http_error<'a>(mut o: Outcome<'a>, status: u16, err: Option<Box<RawBodyError<'a>>>) -> Outcome<'a> {
    let (code, inner) = match err {
        Some(e) => {
            o.error_message = cow(e.message);
            let inner = e.innererror.and_then(|i| loose(i.code));
            (loose(e.code).or(cow(e.kind)), inner)
        }
        None => (None, None),
    };
    let code_is = |c: &str| code.as_deref() == Some(c);
    let (st, kind) = if code_is("content_filter") || inner.as_deref() == Some("ResponsibleAIPolicyViolation") {
        (Status::ContentFilter, None)
    } else if status == 408 || code_is("request_timeout") {
        (Status::Timeout, None)
    } else if status == 429 || code_is("rate_limit_exceeded") {
        (Status::ProviderError, Some(ErrorKind::RateLimit))
    } else if (500..600).contains(&status) {
        (Status::ProviderError, Some(ErrorKind::ServerError))
    } else if (400..500).contains(&status) {
        (Status::ProviderError, Some(ErrorKind::InvalidRequest))
    } else {
        (Status::ProviderError, Some(ErrorKind::Other))
    };
    o.status = st;
    o.error_kind = kind;
    o.error_code = code;
    o
}

mod input;
pub use input::{parse_input_messages, parse_input_metadata};

#[cfg(test)]
#[path = "openai_tests.rs"]
mod tests;
