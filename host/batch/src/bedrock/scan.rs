//! The quick form of the Bedrock result-record reader. A record echoes its
//! whole `modelInput`, about half the line, which nobody reads: the
//! [`Scan`] only checks its grammar, and serde_json reads `recordId`,
//! `modelOutput` and `error` into the same [`RawResult`] the serde form
//! builds, so one classification follows either form.
//!
//! Invariant: [`result`] answers only for a line serde reads into the same
//! [`RawResult`]; a repeated member, a `modelOutput` of no known shape or
//! anything the scan is unsure of is `None`, and serde reads the line.

use super::results::RawResult;
use crate::json::Str;
use crate::json::scan::{Scan, once};

/// The record read as serde would, or `None`: see the module docs.
pub(super) fn result(text: &str) -> Option<RawResult<'_>> {
    let mut s = Scan::new(text)?;
    let mut raw = RawResult {
        record_id: None,
        model_output: None,
        error: None,
    };
    // One flag per member read, in the order below.
    let mut seen = [false; 3];
    s.object(|s, k| {
        let at = match k {
            b"recordId" => 0,
            b"modelOutput" => 1,
            b"error" => 2,
            _ => return s.value(),
        };
        once(&mut seen[at])?;
        match at {
            0 => raw.record_id = s.str_or_null()?.map(Str),
            1 => raw.model_output = s.serde()?,
            _ => raw.error = s.serde()?,
        }
        Some(())
    })?;
    s.end()?;
    Some(raw)
}

#[cfg(test)]
mod tests;
