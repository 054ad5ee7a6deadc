//! Gemini Developer API batch mode: input file lines `{"key", "request":
//! GenerateContentRequest}` and responses-file lines `{"key", "response":
//! GenerateContentResponse}` or `{"key", "error": {code, message, status?,
//! details?}}`, in any key order. Classification: see [`crate::google`].
//!
//! The join key is `key` (a string; a number is read as its decimal text,
//! on both sides). `ProviderOptions::id_path` is not used: Gemini result
//! lines do not echo the request.
//!
//! Invariant: every result line becomes exactly one `ResultLine` or a
//! `LineError`; a line with both `error` and `response` is classified by
//! the error, with model and usage from the response.

use serde::Deserialize;

use super::{RawError, RawResponse, batch, classify_response, error_outcome, error_with_response, input};
use crate::error::LineError;
use crate::json::scan::{InputKeys, input_line_or};
use crate::json::{LooseStr, Str, cow, loose, parse_object};
use crate::provider::{Format, RawLine};
use crate::row::{InputLine, ProviderOptions, ResultLine};

mod scan;

/// How Gemini API batch files are read (see [`crate::provider`]): prompts
/// and metadata as in [`crate::google`]'s input reader (`systemInstruction`
/// as `system`, then `contents`; the line's `metadata` and
/// `request.labels`), the batch as [`crate::google::parse_batch_object`].
pub const FORMAT: Format = Format {
    input: parse_input,
    result: parse_result,
    messages: input::messages,
    metadata: input::metadata,
    batch_object: batch::parse_batch_object,
};

#[derive(Deserialize)]
struct RawInput<'a> {
    #[serde(borrow)]
    key: Option<LooseStr<'a>>,
    #[serde(borrow)]
    request: Option<RawRequest<'a>>,
}

#[derive(Deserialize)]
struct RawRequest<'a> {
    #[serde(borrow)]
    model: Option<Str<'a>>,
}

/// Parses an input line: `key` is the id, `request.model` the model when
/// the line names one (usually the model is set on the batch instead).
pub fn parse_input_line<'a>(line: &'a [u8], opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    parse_input(line.into(), opts)
}

/// [`parse_input_line`] in the registry's form: the quick scan, or serde
/// for a line the scan is unsure of (a numeric key among them).
fn parse_input<'a>(line: RawLine<'a>, _opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    input_line_or(line, &INPUT_KEYS, parse_input_serde)
}

/// What a Gemini input line names its id and body; it has no endpoint.
const INPUT_KEYS: InputKeys = InputKeys {
    id: b"key",
    body: b"request",
    url: None,
};

/// [`parse_input_line`] by serde alone: the form every line the quick scan
/// is unsure of takes, and the one that names what is wrong.
fn parse_input_serde<'a>(line: RawLine<'a>) -> Result<InputLine<'a>, LineError> {
    let raw: RawInput = parse_object(line)?;
    Ok(InputLine {
        custom_id: loose(raw.key).ok_or(LineError::MissingField("key"))?,
        model: raw.request.and_then(|r| cow(r.model)),
        url: None,
    })
}

#[derive(Deserialize, Default)]
struct RawResult<'a> {
    #[serde(borrow)]
    key: Option<LooseStr<'a>>,
    #[serde(borrow)]
    response: Option<RawResponse<'a>>,
    #[serde(borrow)]
    error: Option<RawError<'a>>,
}

/// Parses and classifies one line of the responses file.
pub fn parse_result_line<'a>(line: &'a [u8], opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    parse_result(line.into(), opts)
}

/// [`parse_result_line`] in the registry's form: the quick scan, or serde
/// for a line the scan is unsure of. The scan fills `raw` in place and
/// classifying takes fields out of it, so the record is never moved whole.
fn parse_result<'a>(line: RawLine<'a>, _opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    let mut raw = RawResult::default();
    match line.scan_text().and_then(|text| scan::result_into(text, &mut raw)) {
        Some(()) => result_line(&mut raw),
        None => parse_result_serde(line),
    }
}

/// [`parse_result_line`] by serde alone: the form every line the quick scan
/// is unsure of takes, and the one that names what is wrong.
fn parse_result_serde<'a>(line: RawLine<'a>) -> Result<ResultLine<'a>, LineError> {
    result_line(&mut parse_object(line)?)
}

/// Classifies a line read by either form, taking what it uses out of `raw`.
fn result_line<'a>(raw: &mut RawResult<'a>) -> Result<ResultLine<'a>, LineError> {
    let custom_id = loose(raw.key.take()).ok_or(LineError::MissingField("key"))?;
    let mut out = ResultLine::completed(custom_id);
    let o = &mut out.outcome;
    match (raw.error.take(), raw.response.as_mut()) {
        (None, None) => {
            return Err(LineError::WrongShape(
                "both `response` and `error` are null or absent".into(),
            ));
        }
        (None, Some(resp)) => classify_response(resp, o),
        (Some(err), resp) => {
            *o = error_outcome(Some(err), None);
            error_with_response(o, resp);
        }
    }
    Ok(out)
}
