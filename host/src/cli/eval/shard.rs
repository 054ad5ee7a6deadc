//! `assay eval --shard I/N --partial-out PART`: the shard settled before the
//! run (its fingerprint, no aggregators: they run at the merge) and what it
//! wrote, printed after.
//!
//! Invariant: a shard run never prints or gates a summary of its own; its
//! only product is the partial, and `assay merge` is where the run's
//! summary, gates and exit code come from.

use anyhow::Result;
use assay::eval::shard::{Shard, ShardRun};
use assay::eval::slice::Written;
use assay::eval::{EvalConfig, PreparedJudge};

use super::super::args::{EvalArgs, Format};
use super::super::exit;
use super::fail;

/// The shard's run settings, when `--shard` was given.
pub fn prepare(args: &EvalArgs, cfg: &EvalConfig, judges: &mut [PreparedJudge]) -> Result<Option<ShardRun>> {
    let (Some(spec), Some(out)) = (&args.shard, &args.partial_out) else {
        return Ok(None);
    };
    let shard: Shard = spec.parse().map_err(|e| fail(exit::USAGE, e))?;
    if let Some(j) = judges.iter().find(|j| j.loaded.llm.is_some()) {
        return Err(fail(
            exit::USAGE,
            format!(
                "--shard: judge '{}' calls a model (llm), whose spend is not merged across shards yet",
                j.info.name
            ),
        ));
    }
    let fingerprint = assay::eval::checkpoint::Fingerprint::of(cfg, judges)
        .map_err(|e| fail(exit::INPUT, format!("--shard: {e}")))?
        .stored();
    // Aggregators see every row, so they run once, at the merge.
    for j in judges.iter_mut() {
        j.aggregator = None;
    }
    let mut inputs = vec![cfg.input.clone()];
    inputs.extend(cfg.attempts.iter().flatten().cloned());
    Ok(Some(ShardRun {
        shard,
        out: out.clone(),
        fingerprint,
        inputs,
    }))
}

/// What the shard wrote, on stdout.
pub fn present(w: &Written, shard: &str, format: Format) -> Result<()> {
    let text = match format {
        Format::Json => {
            serde_json::json!({
                "shard": shard,
                "partial": w.path.display().to_string(),
                "rows": w.rows,
                "bad_lines": w.bad_lines,
                "bytes": w.bytes,
            })
            .to_string()
                + "\n"
        }
        Format::Text => format!(
            "shard {shard}: {} rows and {} bad lines in {} ({} bytes); combine the shards with `assay merge`\n",
            w.rows,
            w.bad_lines,
            w.path.display(),
            w.bytes
        ),
    };
    super::super::out::emit(&text).map_err(|e| fail(exit::OUTPUT, format!("cannot write to stdout: {e}")))
}
