//! `--rows-out FILE.jsonl`: one line per submitted row, in submission order,
//! with its status, flags, usage and every scoring judge's verdict.
//!
//! Invariant: the file has exactly `rows_submitted` lines; it is written to a
//! temporary name and renamed, so a failed run never leaves a partial file
//! that looks whole.

use std::io::{BufWriter, Write};
use std::path::Path;

use assay_batch::{InputIndex, Interner};
use serde_json::{Map, Value, json};

use super::aggregate::AggInputs;
use super::spill::Spill;
use super::table::CellView;
use crate::judge::RowResult;

/// The per-row text worth keeping beyond the compact table.
pub fn verdict_text(r: &RowResult) -> Option<Value> {
    match r {
        RowResult::Verdict(v) => v.details.as_ref().map(|d| json!({ "details": d })),
        RowResult::JudgeError { kind, message } => Some(json!({ "error": { "kind": kind, "message": message } })),
        RowResult::Failed(f) => Some(json!({ "failure": { "kind": f.kind.as_str(), "message": f.message } })),
    }
}

pub fn write_rows_out(
    path: &Path,
    input: &AggInputs,
    index: &InputIndex,
    judge_names: &[&str],
    spill: &mut Spill,
) -> std::io::Result<()> {
    spill.finish()?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut out = BufWriter::with_capacity(1 << 20, tmp.as_file());
        let l = &input.ledger;
        for idx in 0..input.rows as u32 {
            let extra = spill.get(idx)?;
            let mut verdicts = Map::new();
            for (t, name) in judge_names.iter().enumerate() {
                let mut v = match input.tables[t].get(idx) {
                    CellView::Unscored => continue,
                    CellView::Verdict { passed, score, label } => {
                        json!({ "passed": passed, "score": score, "label": label })
                    }
                    CellView::JudgeError => json!({ "passed": false }),
                    CellView::Failed(k) => json!({ "passed": false, "failure_kind": k.as_str() }),
                };
                if let (Some(target), Some(Value::Object(add))) =
                    (v.as_object_mut(), extra.as_ref().and_then(|e| e.get(*name)))
                {
                    for (k, x) in add {
                        target.insert(k.clone(), x.clone());
                    }
                }
                verdicts.insert((*name).to_owned(), v);
            }
            let u = l.usage(idx);
            let snapshot = l.snapshot(idx);
            let line = json!({
                "id": index.id(idx),
                "index": idx,
                "segment": idx / input.segment_size,
                "status": l.status(idx).as_str(),
                "flags": l.flags(idx).names(),
                "error_kind": l.error_kind(idx).map(|k| k.as_str()),
                "attempt": l.attempt(idx),
                "model": input.models.get(l.model(idx)),
                "snapshot": (snapshot != Interner::NONE).then(|| input.snapshots.get(snapshot)),
                "usage": { "input": u.input, "output": u.output, "cached_input": u.cached_input, "cache_write": u.cache_write, "reasoning": u.reasoning },
                "validated": input.validated(idx),
                "verdicts": verdicts,
            });
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
