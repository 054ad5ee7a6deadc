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
use crate::sink::{RowSink, RowVerdict, RowView, SinkError};

/// Feeds every row to `sinks`, then finishes them. `names` are the scoring
/// judges in scorer order.
pub fn emit(
    input: &AggInputs,
    index: &InputIndex,
    errors: &ErrorCodes,
    names: &[String],
    spill: Option<&mut Spill>,
    prompts: Option<&RequestSource>,
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
    let spill = match spill {
        Some(s) if sinks.iter().any(|s| s.wants_text()) => {
            s.finish().map_err(spill_err)?;
            Some(&*s)
        }
        _ => None,
    };
    let l = &input.ledger;
    for idx in 0..input.rows as u32 {
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
            prompt: None,
        };
        let messages = match prompts {
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
