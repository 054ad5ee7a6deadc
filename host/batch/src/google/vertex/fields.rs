//! The Vertex reader's field-by-field form: a parse of the line, then one
//! of the request for the id, then one for the model. Three times slower
//! on the echoed request than [`super::line`], it decides only the lines
//! that the one-pass reader refuses, so a bad line gets the same reason,
//! column included, as it always has.
//!
//! Invariant: for any line, the result is what the one-pass reader gives
//! when that one succeeds (the tests in `vertex/tests.rs` hold both to it).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::super::RawResponse;
use super::super::canon::value_hash_id;
use super::super::path::{static_path, step, value_at};
use super::outcome;
use crate::error::LineError;
use crate::json::{Str, cow, parse_object};
use crate::row::{InputLine, ProviderOptions, ResultLine};

#[derive(Deserialize)]
struct RawInput<'a> {
    #[serde(borrow)]
    request: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct RawModel<'a> {
    #[serde(borrow)]
    model: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct RawResult<'a> {
    #[serde(borrow)]
    status: Option<Str<'a>>,
    #[serde(borrow)]
    request: Option<&'a RawValue>,
    #[serde(borrow)]
    response: Option<RawResponse<'a>>,
}

/// The join id of a line whose `request` is `request`.
fn line_id<'a>(
    line: &'a [u8],
    request: Option<&'a RawValue>,
    opts: &ProviderOptions,
) -> Result<Cow<'a, str>, LineError> {
    match opts.id_path.as_deref() {
        Some(path) => {
            let found = match (step(path), request) {
                (("request", Some(rest)), Some(req)) => value_at(req.get().as_bytes(), rest)?,
                (("request", _), None) => None,
                _ => value_at(line, path)?,
            };
            found.ok_or_else(|| LineError::MissingField(static_path(path)))
        }
        None => {
            let req = request.ok_or(LineError::MissingField("request"))?;
            let v: serde_json::Value = serde_json::from_str(req.get()).map_err(|e| LineError::from_json(&e))?;
            Ok(Cow::Owned(value_hash_id(&v)))
        }
    }
}

/// [`super::parse_input_line`], field by field.
pub(super) fn input_line<'a>(line: &'a [u8], opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    let raw: RawInput = parse_object(line)?;
    let request = raw.request.ok_or(LineError::MissingField("request"))?;
    let custom_id = line_id(line, Some(request), opts)?;
    let model = serde_json::from_str::<RawModel>(request.get())
        .ok()
        .and_then(|m| cow(m.model));
    Ok(InputLine {
        custom_id,
        model,
        url: None,
    })
}

/// [`super::parse_result_line`], field by field.
pub(super) fn result_line<'a>(line: &'a [u8], opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    let mut raw: RawResult = parse_object(line)?;
    let custom_id = line_id(line, raw.request, opts)?;
    let mut out = ResultLine::completed(custom_id);
    outcome(raw.status, raw.response.as_mut(), &mut out.outcome)?;
    Ok(out)
}
