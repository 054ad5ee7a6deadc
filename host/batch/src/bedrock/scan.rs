//! The quick form of the Bedrock result-record reader. A record echoes its
//! whole `modelInput`, about half the line, which nobody reads: the
//! [`Scan`] only checks its grammar. A Claude `modelOutput` (text blocks,
//! stop reason, model, usage) is read by the scan too; any other output
//! and `error` are read by serde_json, into the same [`RawResult`] the
//! serde form builds, so one classification follows either form.
//!
//! Invariant: [`result_into`] answers only for a line serde reads into the same
//! [`RawResult`]; a repeated member, a `modelOutput` of no known shape or
//! anything the scan is unsure of is `None`, and serde reads the line.

use super::results::{RawOutput, RawResult, RawUsage};
use crate::anthropic::message::scan::{blocks, claude_usage};
use crate::json::scan::{Scan, ScanText, once};
use crate::json::{NullTok, Str, Tok};

/// The record read as serde would, into `raw` (a default one), or `None`:
/// see the module docs. `None` leaves `raw` partly filled, to be dropped.
pub(super) fn result_into<'a>(text: impl Into<ScanText<'a>>, raw: &mut RawResult<'a>) -> Option<()> {
    let mut s = Scan::new(text)?;
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
            1 => {
                let at = s.i;
                if s.or_null_in(&mut raw.model_output, claude).is_none() {
                    s.i = at;
                    raw.model_output = s.serde()?;
                }
            }
            _ => raw.error = s.serde()?,
        }
        Some(())
    })?;
    s.end()
}

/// A Claude Messages `modelOutput` as serde reads it into [`RawOutput`]
/// (`out`, a default one, filled in place), or `None` for any other shape
/// (then serde reads it from the start).
fn claude<'a>(s: &mut Scan<'a>, out: &mut RawOutput<'a>) -> Option<()> {
    // One flag per member read, in the order below.
    let mut seen = [false; 4];
    s.object(|s, k| {
        let at = match k {
            b"content" => 0,
            b"stop_reason" => 1,
            b"model" => 2,
            b"usage" => 3,
            // Another family's member: serde reads the output.
            b"output"
            | b"stopReason"
            | b"inputTextTokenCount"
            | b"results"
            | b"generation"
            | b"prompt_token_count"
            | b"generation_token_count"
            | b"outputs"
            | b"choices" => return None,
            _ => return s.value(),
        };
        once(&mut seen[at])?;
        match at {
            0 => out.content = s.or_null(blocks)?,
            1 => out.stop_reason = s.str_or_null()?.map(Str),
            2 => out.model = s.str_or_null()?.map(Str),
            _ => out.usage = s.or_null(usage)?,
        }
        Some(())
    })
}

/// Claude's usage names; the other families' names are left to serde.
fn usage(s: &mut Scan<'_>) -> Option<RawUsage> {
    const OTHERS: &[&[u8]] = &[
        b"inputTokens",
        b"outputTokens",
        b"cacheReadInputTokens",
        b"cacheReadInputTokenCount",
        b"cacheWriteInputTokens",
        b"cacheWriteInputTokenCount",
        b"prompt_tokens",
        b"completion_tokens",
    ];
    let [input, output, cache_creation, cache_read] = claude_usage(s, OTHERS)?;
    Some(RawUsage {
        input_tokens: Tok(input),
        output_tokens: Tok(output),
        cache_creation_input_tokens: NullTok(cache_creation),
        cache_read_input_tokens: NullTok(cache_read),
        ..RawUsage::default()
    })
}

#[cfg(test)]
mod tests;
