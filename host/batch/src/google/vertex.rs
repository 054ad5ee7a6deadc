//! Vertex AI batch prediction (Gemini): input lines `{"request":
//! GenerateContentRequest}` with no id field, and prediction lines
//! `{"status": "", "processed_time", "request": <echoed>, "response": {...}}`
//! or, for errors, `{"status": "Bad Request: {\"error\": {\"code\": 400,
//! \"message\": ..., \"status\": \"INVALID_ARGUMENT\"}}", "request",
//! "response": {}}`.
//!
//! Join key: with `ProviderOptions::id_path` (e.g.
//! `request.labels.custom_id`), the string (or number) at that dotted path,
//! read the same way from input and result lines; a line without it is
//! [`LineError::MissingField`] naming the path. Without an id path, the id
//! is [`crate::google::request_hash_id`] of the `request` value: the same
//! for the submitted and the echoed request whatever their key order or
//! whitespace. Identical requests therefore share an id (the input index
//! reports the repeats as duplicates): use labels and an id path for them.
//!
//! Status: a missing, null or empty `status` means the `response` decides
//! (see [`crate::google`]); otherwise the status string is `"<HTTP reason
//! phrase>: <JSON error envelope>"`. The envelope's `error.code` /
//! `error.status` / `error.message` decide when it parses; the reason
//! phrase (Bad Request, Too Many Requests, Internal Server Error, Service
//! Unavailable, Gateway Timeout, ...) gives the HTTP code otherwise. A status
//! string with neither is `ProviderError(Other)` with the string as message.
//!
//! Reading: one pass per line ([`line`]) picks the id at the id path, the
//! `status`, the `response` and (input lines) `request.model`, and skips the
//! rest of the echoed request unbuilt. A line that pass refuses is read
//! again field by field ([`fields`]), which gives the reason.
//!
//! Invariant: every result line becomes exactly one `ResultLine` or a
//! `LineError` saying why not.

use std::borrow::Cow;

use serde::Deserialize;

use super::canon::value_hash_id;
use super::path::{static_path, value_at};
use super::{RawError, RawResponse, batch, classify_response, error_outcome, error_with_response, input, into_owned};
use crate::error::LineError;
use crate::json::{Str, cow, parse_object_seed};
use crate::provider::{Format, RawLine};
use crate::row::{InputLine, Outcome, ProviderOptions, ResultLine};
use crate::status::ErrorKind;
use line::{IdAt, Line, Read};

mod fields;
mod line;
mod scan;

/// How Vertex batch prediction files are read (see [`crate::provider`]):
/// prompts and metadata as in [`crate::google`]'s input reader
/// (`systemInstruction` as `system`, then `contents`; `request.labels` and
/// a top-level `metadata`), the job as [`crate::google::parse_batch_object`].
pub const FORMAT: Format = Format {
    input: parse_input,
    result: parse_result,
    messages: input::messages,
    metadata: input::metadata,
    batch_object: batch::parse_batch_object,
};
/// Reads `line` in one pass ([`line`]) into `out`; returns where its id
/// comes from (see the module docs).
fn read<'a, 'p>(
    line: RawLine<'a>,
    opts: &'p ProviderOptions,
    result: bool,
    out: &mut Line<'a>,
) -> Result<IdAt<'p>, LineError> {
    let id = IdAt::of(opts.id_path.as_deref());
    if let (IdAt::Request(Some(_)) | IdAt::Top(..), Some(text)) = (id, line.scan_text()) {
        if scan::scan(text, id, result, out).is_some() {
            return Ok(id);
        }
        *out = Line::default();
    }
    parse_object_seed(line, Read { id, result, out })?;
    Ok(id)
}

/// The join id of a line read by [`read`]; `Err` names what is missing.
fn line_id<'a>(
    line: &'a [u8],
    read: &mut Line<'a>,
    id: IdAt<'_>,
    opts: &ProviderOptions,
) -> Result<Cow<'a, str>, LineError> {
    let path = opts.id_path.as_deref().unwrap_or_default();
    let found = match id {
        IdAt::Hash => {
            let req = read.value.take().ok_or(LineError::MissingField("request"))?;
            return Ok(Cow::Owned(value_hash_id(&req)));
        }
        IdAt::Again => value_at(line, path)?,
        IdAt::Request(_) | IdAt::Top(..) => read.id.take(),
    };
    found.ok_or_else(|| LineError::MissingField(static_path(path)))
}

/// Parses an input line: the id per the module docs, `request.model` as
/// the model when the request names one (usually the job does).
pub fn parse_input_line<'a>(line: &'a [u8], opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    parse_input(line.into(), opts)
}

/// [`parse_input_line`] in the registry's form.
fn parse_input<'a>(line: RawLine<'a>, opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    one_pass_input(line, opts).or_else(|_| fields::input_line(line.bytes, opts))
}

fn one_pass_input<'a>(line: RawLine<'a>, opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    let mut raw = Line::default();
    let id = read(line, opts, false, &mut raw)?;
    input_of(line.bytes, &mut raw, id, opts)
}

/// The input line of what [`read`] read, taken out of `raw`.
fn input_of<'a>(
    line: &'a [u8],
    raw: &mut Line<'a>,
    id: IdAt<'_>,
    opts: &ProviderOptions,
) -> Result<InputLine<'a>, LineError> {
    if !raw.request {
        return Err(LineError::MissingField("request"));
    }
    let custom_id = line_id(line, raw, id, opts)?;
    Ok(InputLine {
        custom_id,
        model: raw.model.take(),
        url: None,
    })
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    error: Option<RawError<'a>>,
}

/// HTTP code of a reason phrase.
fn phrase_code(phrase: &str) -> Option<u16> {
    Some(match phrase.trim() {
        "Bad Request" => 400,
        "Unauthorized" => 401,
        "Forbidden" => 403,
        "Not Found" => 404,
        "Request Timeout" => 408,
        "Conflict" => 409,
        "Too Many Requests" => 429,
        "Client Closed Request" => 499,
        "Internal Server Error" => 500,
        "Not Implemented" => 501,
        "Bad Gateway" => 502,
        "Service Unavailable" => 503,
        "Gateway Timeout" => 504,
        _ => return None,
    })
}

/// Classifies a non-empty `status` string.
fn status_error(status: Cow<'_, str>) -> Outcome<'_> {
    let (phrase, rest) = match status.split_once(": ") {
        Some((p, r)) => (p, Some(r)),
        None => (status.as_ref(), None),
    };
    let http = phrase_code(phrase);
    let envelope = rest
        .and_then(|r| serde_json::from_str::<Envelope>(r).ok())
        .and_then(|e| e.error);
    if envelope.is_none() && http.is_none() {
        let mut o = Outcome::provider_error(ErrorKind::Other);
        o.error_message = Some(status);
        return o;
    }
    // The envelope borrows from `status`, which may be owned (the JSON
    // string had escapes, as it always does here): copy its fields out.
    let mut o = into_owned(error_outcome(envelope, http));
    if o.error_message.is_none() {
        o.error_message = Some(Cow::Owned(status.into_owned()));
    }
    o
}

/// Parses and classifies one prediction line.
pub fn parse_result_line<'a>(line: &'a [u8], opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    parse_result(line.into(), opts)
}

/// [`parse_result_line`] in the registry's form.
fn parse_result<'a>(line: RawLine<'a>, opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    one_pass_result(line, opts).or_else(|_| fields::result_line(line.bytes, opts))
}

fn one_pass_result<'a>(line: RawLine<'a>, opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    // `raw` is filled in place and classifying takes fields out of it: the
    // record (some 300 bytes) is never moved whole.
    let mut raw = Line::default();
    let id = read(line, opts, true, &mut raw)?;
    result_of(line.bytes, &mut raw, id, opts)
}

/// The result line of what [`read`] read, taken out of `raw`.
fn result_of<'a>(
    line: &'a [u8],
    raw: &mut Line<'a>,
    id: IdAt<'_>,
    opts: &ProviderOptions,
) -> Result<ResultLine<'a>, LineError> {
    let custom_id = line_id(line, raw, id, opts)?;
    let mut out = ResultLine::completed(custom_id);
    outcome(raw.status.take(), raw.response.as_mut(), &mut out.outcome)?;
    Ok(out)
}

/// The outcome of a line's `status` and `response` into `o` (a fresh
/// [`Outcome::new`] of `Completed`; see the module docs).
fn outcome<'a>(
    status: Option<Str<'a>>,
    response: Option<&mut RawResponse<'a>>,
    o: &mut Outcome<'a>,
) -> Result<(), LineError> {
    let status = cow(status).filter(|s| !s.trim().is_empty());
    match (status, response) {
        (None, Some(resp)) => classify_response(resp, o),
        (None, None) => {
            return Err(LineError::WrongShape("empty `status` and no `response`".into()));
        }
        (Some(st), resp) => {
            *o = status_error(st);
            error_with_response(o, resp);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
