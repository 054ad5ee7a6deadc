//! The last stage: every submitted row's settled record, handed to each sink
//! in submission order.
//!
//! Invariant: each sink sees every row exactly once, then `finish`; the
//! per-row text is read back from the spill only when a sink wants it, and a
//! row's prompt is re-read from the input only when a sink wants that row's.

use assay_batch::{InputIndex, Interner};

use super::aggregate::AggInputs;
use super::errors::ErrorCodes;
use super::extras::RequestSource;
use super::spill::Spill;
use crate::sink::{RowContent, RowSink, RowVerdict, RowView, SinkError};

/// What the run kept per row beyond the compact tables, for the sinks that asked.
pub struct Kept<'a> {
    /// Judges' per-row text (`RowSink::wants_text`).
    pub spill: Option<&'a mut Spill>,
    /// Response text and provider time (`RowSink::wants_content`).
    pub content: Option<&'a mut Spill>,
    /// The input, for prompts (`RowSink::wants_content`, `RowSink::wants_prompt`).
    pub prompts: Option<&'a RequestSource>,
}

/// Rows whose prompts are re-read from the input at once.
const PROMPT_CHUNK: u32 = 512;

/// Feeds every row to `sinks`, then finishes them. `names` are the scoring
/// judges in scorer order.
pub fn emit(
    input: &AggInputs,
    index: &InputIndex,
    errors: &ErrorCodes,
    names: &[String],
    kept: Kept<'_>,
    sinks: Vec<Box<dyn RowSink>>,
) -> Result<(), SinkError> {
    if sinks.is_empty() {
        return Ok(());
    }
    let spill_err = |source| SinkError::Write {
        path: std::env::temp_dir(),
        source,
    };
    let mut sinks = sinks;
    let spill = match kept.spill {
        Some(s) if sinks.iter().any(|s| s.wants_text()) => {
            s.finish().map_err(spill_err)?;
            Some(&*s)
        }
        _ => None,
    };
    let content = match kept.content {
        Some(s) if sinks.iter().any(|s| s.wants_content()) => {
            s.finish().map_err(spill_err)?;
            Some(&*s)
        }
        _ => None,
    };
    let mut prompts: Vec<Option<String>> = Vec::new();
    let l = &input.ledger;
    for idx in 0..input.rows as u32 {
        if let (Some(src), true) = (kept.prompts.filter(|_| content.is_some()), idx % PROMPT_CHUNK == 0) {
            let end = (idx + PROMPT_CHUNK).min(input.rows as u32);
            let idxs: Vec<u32> = (idx..end).collect();
            prompts = src
                .read_many(&idxs)
                .into_iter()
                .map(|x| {
                    let msgs: Vec<_> = x
                        .messages
                        .iter()
                        .map(|(role, content)| serde_json::json!({ "role": role, "content": content }))
                        .collect();
                    (!msgs.is_empty()).then(|| serde_json::Value::Array(msgs).to_string())
                })
                .collect();
        }
        let fragment = match content {
            Some(s) => s.get(idx).map_err(spill_err)?,
            None => None,
        };
        let text = match spill {
            Some(s) => s.get(idx).map_err(spill_err)?,
            None => None,
        };
        let verdicts: Vec<RowVerdict<'_>> = names
            .iter()
            .enumerate()
            .map(|(t, name)| RowVerdict {
                judge: name,
                cell: input.tables[t].get(idx),
                text: text
                    .as_ref()
                    .and_then(|x| x.get(name.as_str()))
                    .and_then(|v| v.as_object()),
            })
            .collect();
        let snapshot = l.snapshot(idx);
        let (error_code, error_message) = errors.get(idx);
        let mut row = RowView {
            id: index.id(idx),
            index: idx,
            segment: idx / input.segment_size,
            status: l.status(idx),
            flags: l.flags(idx),
            error_kind: l.error_kind(idx),
            error_code,
            error_message,
            attempt: l.attempt(idx),
            model: input.models.get(l.model(idx)),
            snapshot: (snapshot != Interner::NONE).then(|| input.snapshots.get(snapshot)),
            usage: l.usage(idx),
            validated: input.validated(idx),
            verdicts: &verdicts,
            content: content.map(|_| RowContent {
                prompt: prompts.get((idx % PROMPT_CHUNK) as usize).and_then(|p| p.as_deref()),
                response: fragment
                    .as_ref()
                    .and_then(|f| f.get("response"))
                    .and_then(|r| r.as_str()),
                created: fragment
                    .as_ref()
                    .and_then(|f| f.get("created"))
                    .and_then(|c| c.as_i64()),
            }),
            prompt: None,
        };
        let messages = match kept.prompts {
            Some(p) if sinks.iter().any(|s| s.wants_prompt(&row)) => Some(p.prompt(idx)),
            _ => None,
        };
        row.prompt = messages.as_deref();
        for s in sinks.iter_mut() {
            s.row(&row)?;
        }
    }
    for s in sinks {
        s.finish()?;
    }
    Ok(())
}
