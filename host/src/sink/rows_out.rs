//! `--rows-out FILE.jsonl`: one line per submitted row, in submission order,
//! with its status, flags, usage and every scoring judge's verdict.
//!
//! Invariant: the file has exactly `rows_submitted` lines; it is written
//! through [`OutputFile`], so a regular file appears only when whole and a
//! device, FIFO or stdout is streamed.

use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::{Map, Value, json};

use super::output::OutputFile;
use super::{CellView, RowSink, RowView, SinkError};
use crate::judge::RowResult;

/// The per-row text worth keeping beyond the compact table.
pub fn verdict_text(r: &RowResult) -> Option<Value> {
    match r {
        RowResult::Verdict(v) => v.details.as_ref().map(|d| json!({ "details": d })),
        RowResult::JudgeError { kind, message } => Some(json!({ "error": { "kind": kind, "message": message } })),
        RowResult::Failed(f) => Some(json!({ "failure": { "kind": f.kind.as_str(), "message": f.message } })),
    }
}

pub struct RowsOut {
    out: BufWriter<OutputFile>,
}

impl RowsOut {
    /// `inputs`: the run's input files, which the output may not be.
    pub fn create(path: &Path, inputs: &[&Path]) -> Result<RowsOut, SinkError> {
        let file = OutputFile::create(path, inputs)?;
        Ok(RowsOut {
            out: BufWriter::with_capacity(1 << 20, file),
        })
    }

    fn err(&self, source: std::io::Error) -> SinkError {
        SinkError::Write {
            path: self.out.get_ref().shown().to_owned(),
            source,
        }
    }
}

impl RowSink for RowsOut {
    fn wants_text(&self) -> bool {
        true
    }

    fn row(&mut self, r: &RowView<'_>) -> Result<(), SinkError> {
        let mut verdicts = Map::new();
        for v in r.verdicts {
            let mut one = match v.cell {
                CellView::Unscored => continue,
                CellView::Verdict { passed, score, label } => {
                    json!({ "passed": passed, "score": score, "label": label })
                }
                CellView::JudgeError => json!({ "passed": false }),
                CellView::Failed(k) => json!({ "passed": false, "failure_kind": k.as_str() }),
            };
            if let (Some(target), Some(add)) = (one.as_object_mut(), v.text) {
                for (k, x) in add {
                    target.insert(k.clone(), x.clone());
                }
            }
            verdicts.insert(v.judge.to_owned(), one);
        }
        let u = r.usage;
        let line = json!({
            "id": r.id,
            "index": r.index,
            "segment": r.segment,
            "status": r.status.as_str(),
            "flags": r.flags.names(),
            "error_kind": r.error_kind.map(|k| k.as_str()),
            "error_code": r.error_code,
            "error_message": r.error_message,
            "attempt": r.attempt,
            "model": r.model,
            "snapshot": r.snapshot,
            "usage": { "input": u.input, "output": u.output, "cached_input": u.cached_input, "cache_write": u.cache_write, "reasoning": u.reasoning },
            "validated": r.validated,
            "verdicts": verdicts,
        });
        serde_json::to_writer(&mut self.out, &line)
            .map_err(std::io::Error::from)
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|e| self.err(e))
    }

    fn finish(self: Box<Self>) -> Result<(), SinkError> {
        let path = self.out.get_ref().shown().to_owned();
        let file = self.out.into_inner().map_err(|e| SinkError::Write {
            path,
            source: e.into_error(),
        })?;
        file.commit()?;
        Ok(())
    }
}
