//! The quick form of the Anthropic results-stream reader. A line is mostly
//! its answer's text: the [`Scan`] reads `custom_id`, `result.type` and a
//! succeeded `result.message` (text blocks, stop reason, model, usage),
//! into the same [`RawResult`] the serde form builds, so one classification
//! follows either form; an `error` is read by serde_json.
//!
//! Invariant: [`result`] answers only for a line serde reads into the same
//! [`RawResult`]; a repeated member, a message with a tool input or a
//! content object, or anything the scan is unsure of is `None`, and serde
//! reads the line (and names what is wrong with it).

use super::message::scan::message;
use super::{RawBatchResult, RawResult};
use crate::json::Str;
use crate::json::scan::{Scan, ScanText, once};

/// The line read as serde would, or `None`: see the module docs.
pub(super) fn result<'a>(text: impl Into<ScanText<'a>>) -> Option<RawResult<'a>> {
    let mut s = Scan::new(text)?;
    let mut raw = RawResult {
        custom_id: None,
        result: None,
    };
    // One flag per member read, in the order below.
    let mut seen = [false; 2];
    s.object(|s, k| {
        let at = match k {
            b"custom_id" => 0,
            b"result" => 1,
            _ => return s.value(),
        };
        once(&mut seen[at])?;
        match at {
            0 => raw.custom_id = s.str_or_null()?.map(Str),
            _ => raw.result = s.or_null(batch_result)?,
        }
        Some(())
    })?;
    s.end()?;
    Some(raw)
}

/// `result`: its `type`, a message read by the scan (or by serde when the
/// scan is unsure of it), and an error read by serde.
fn batch_result<'a>(s: &mut Scan<'a>) -> Option<RawBatchResult<'a>> {
    let mut r = RawBatchResult {
        kind: None,
        message: None,
        error: None,
    };
    // One flag per member read, in the order below.
    let mut seen = [false; 3];
    s.object(|s, k| {
        let at = match k {
            b"type" => 0,
            b"message" => 1,
            b"error" => 2,
            _ => return s.value(),
        };
        once(&mut seen[at])?;
        match at {
            0 => r.kind = s.str_or_null()?.map(Str),
            1 => {
                let at = s.i;
                r.message = match s.or_null(message) {
                    Some(m) => m,
                    None => {
                        s.i = at;
                        s.serde()?
                    }
                };
            }
            _ => r.error = s.serde()?,
        }
        Some(())
    })?;
    Some(r)
}

#[cfg(test)]
mod tests;
