//! What a shard writes: its slice of the finished run (the rows it owns,
//! their verdict cells and provider errors, the bad lines it owns, its
//! scorers' counters, and the shared run facts) as a partial.
//!
//! Invariant: a row line is written for exactly the rows the shard owns, in
//! row order, with one cell per scoring judge; the header carries what the
//! merge needs to rebuild the summary with the same code as one run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assay_batch::{AtomicBitSet, BadLine, InputIndex, Interner, Ledger};

use super::errors::ErrorCodes;
use super::judges::PreparedJudge;
use super::partial::facts::Reconcile;
use super::partial::{self, FORMAT, Header, JudgeKey, PartialError, ScorerStats, VERSION};
use super::plan::{EvalConfig, Plan};
use super::shard::ShardRun;
use super::streams::Streams;
use super::summarize::{Head, bad_entries};
use super::verdicts::VerdictStore;
use crate::report::summary::JudgeSummary;

/// The finished run, as the shard's partial is cut from it.
pub struct Slice<'a> {
    pub run: &'a ShardRun,
    pub cfg: &'a EvalConfig,
    pub plan: &'a Plan,
    pub streams: &'a Streams,
    pub judges: &'a [PreparedJudge],
    pub scoring: &'a [usize],
    pub ledger: &'a Ledger,
    pub models: &'a Interner,
    pub snapshots: &'a Interner,
    pub errors: &'a ErrorCodes,
    pub store: &'a VerdictStore,
    pub summaries: &'a BTreeMap<String, JudgeSummary>,
    pub bad: &'a [BadLine],
    pub owned: &'a AtomicBitSet,
    pub index: &'a InputIndex,
    /// Per attempt: what its files hold, for reconciliation.
    pub tallies: &'a [super::reconcile::AttemptTally],
}

/// What the shard wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub rows: u64,
    pub bad_lines: u64,
    pub bytes: u64,
}

/// Names by id, from the first id after the two reserved ones.
fn names(i: &Interner) -> Vec<String> {
    (2..i.len().min(usize::from(u16::MAX) + 1))
        .map(|id| i.get(id as u16).to_owned())
        .collect()
}

pub fn write(s: Slice<'_>) -> Result<Written, PartialError> {
    let shard = s.run.shard;
    let facts = shard.carries_run_facts();
    let (unexpected, ids) = s.ledger.unexpected();
    let scorers = (0..s.scoring.len())
        .map(|t| {
            let name = &s.judges[s.scoring[t]].info.name;
            let sum = s.summaries.get(name);
            let (host, judge) = s.store.first_rows(t);
            ScorerStats {
                fuel_used: sum.map_or(0, |j| j.fuel_used),
                instance_restarts: sum.map_or(0, |j| j.instance_restarts),
                first_host_failure: host.map(|(i, t)| (i, t.to_owned())),
                first_judge_error: judge.map(|(i, t)| (i, t.to_owned())),
            }
        })
        .collect();
    let header = Header {
        format: FORMAT.to_owned(),
        version: VERSION,
        assay_version: env!("CARGO_PKG_VERSION").to_owned(),
        shard: shard.index,
        of: shard.count,
        fingerprint: s.run.fingerprint.clone(),
        head: Head::of(s.cfg, s.plan, s.streams),
        rows: s.ledger.len() as u64,
        attempts: s.plan.attempts,
        retry: s.cfg.retry.to_string(),
        has_text: s.plan.settled.has_text,
        max_judge_error_rate: s.cfg.max_judge_error_rate,
        seed: s.cfg.run.seed,
        judges: s
            .judges
            .iter()
            .map(|j| JudgeKey {
                name: j.info.name.clone(),
                sha256: j.loaded.sha256.clone(),
                config: j.config.as_ref().clone(),
            })
            .collect(),
        scoring: s.scoring.iter().map(|&j| s.judges[j].info.name.clone()).collect(),
        models: names(s.models),
        snapshots: names(s.snapshots),
        models_overflowed: s.models.overflowed(),
        snapshots_overflowed: s.snapshots.overflowed(),
        unexpected: if facts { unexpected } else { 0 },
        unexpected_ids: if facts { ids.to_vec() } else { Vec::new() },
        scorers,
        reconcile: match facts {
            false => Vec::new(),
            true => s
                .plan
                .batch_objects
                .iter()
                .zip(s.tallies)
                .map(|((source, obj), tally)| Reconcile {
                    source: source.clone(),
                    object: obj.clone(),
                    tally: tally.clone(),
                })
                .collect(),
        },
    };
    let owned_bad: Vec<BadLine> = s.bad.iter().filter(|b| shard.owns_line(b.line)).cloned().collect();
    let bad = bad_entries(owned_bad, s.streams);
    let mut rows = 0u64;
    let lines = (0..s.ledger.len() as u32)
        .filter(|&idx| s.owned.get(idx as usize))
        .map(|idx| {
            rows += 1;
            let cells = s.store.tables.iter().map(|t| t.get(idx));
            partial::row::encode(idx, s.index.id(idx), &s.ledger.settled(idx), s.errors.get(idx), cells)
        });
    let inputs: Vec<&Path> = s.run.inputs.iter().map(PathBuf::as_path).collect();
    let bytes = partial::write(&s.run.out, &inputs, &header, lines, &bad)?;
    Ok(Written {
        path: s.run.out.clone(),
        rows,
        bad_lines: bad.len() as u64,
        bytes,
    })
}
