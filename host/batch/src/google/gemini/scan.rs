//! The quick form of the Gemini responses-file reader. A line is mostly its
//! answer's text: the [`Scan`] reads a string `key` and the `response` (by
//! the shared response scan, [`crate::google::scan`]) into the same
//! [`RawResult`] the serde form builds, so one classification follows
//! either form; an `error` is read by serde_json.
//!
//! Invariant: [`result_into`] answers only for a line serde reads into the same
//! [`RawResult`]; a key that is not a string (serde reads a number as its
//! decimal text), a repeated member, or anything the scans are unsure of is
//! `None`, and serde reads the line (and names what is wrong with it).

use super::RawResult;
use crate::google::scan::response;
use crate::json::LooseStr;
use crate::json::scan::{Scan, ScanText, once};

/// The line read as serde would, into `raw` (a default one), or `None`:
/// see the module docs. `None` leaves `raw` partly filled, to be dropped.
pub(super) fn result_into<'a>(text: impl Into<ScanText<'a>>, raw: &mut RawResult<'a>) -> Option<()> {
    let mut s = Scan::new(text)?;
    // One flag per member read, in the order below.
    let mut seen = [false; 3];
    s.object(|s, k| {
        let at = match k {
            b"key" => 0,
            b"response" => 1,
            b"error" => 2,
            _ => return s.value(),
        };
        once(&mut seen[at])?;
        match at {
            // A number is no string: serde reads it, as its decimal text.
            0 => raw.key = s.str_or_null()?.map(LooseStr),
            1 => s.or_null_in(&mut raw.response, response)?,
            _ => raw.error = s.serde()?,
        }
        Some(())
    })?;
    s.end()
}

#[cfg(test)]
mod tests;
