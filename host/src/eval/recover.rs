//! Recovery through the synchronous API: after the batch attempts are
//! settled, a row the batch did not complete and whose sync result completed
//! becomes `completed` (flag `retried`, attempt = batch attempts + 1), is
//! scored like any completed row, and is counted apart in the summary.
//!
//! Invariant: this runs once, after `Ledger::finish`, in submission order, so
//! it is independent of worker count and chunking; batch-only numbers (the
//! reconciliation tallies, `batch_status_counts`) are taken before it changes
//! anything; a batch-completed row is never replaced by its sync result.

use assay_batch::{Flags, InputIndex, Interner, Ledger, RowRecord, Status};

use super::rows::{RequestExtras, narrow, wit_flags, wit_status, wit_usage};
use super::spill::Spill;
use super::sync::{ATTEMPT_CHANNEL, CHANNEL_SYNC, SyncSet, SyncSummary};
use super::table::VerdictTable;
use super::work::{WorkerCtx, read_extras_many};
use crate::judge::bindings::types as wit;
use crate::judge::runner::Scorer;
use crate::judge::{RowResult, StartError};
use crate::report::summary::StatusCounts;

#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error(transparent)]
    Judge(#[from] StartError),
    #[error("cannot spill verdict text: {0}")]
    Spill(#[from] std::io::Error),
}

/// What the phase writes into.
pub struct Sinks<'a> {
    pub ledger: &'a mut Ledger,
    pub models: &'a mut Interner,
    pub snapshots: &'a mut Interner,
    /// One per scoring judge, in `scorers` order.
    pub tables: &'a mut [VerdictTable],
    /// Scoring judges' names, in `scorers` order (for `--rows-out` text).
    pub names: &'a [String],
    pub spill: Option<&'a mut Spill>,
    /// First host failure per scoring judge, for the abort message.
    pub first_failure: &'a mut [Option<String>],
}

/// Pairs and recovers rows from `sync`; scores recovered rows with `scorers`.
pub async fn apply_sync(
    sync: &SyncSet,
    ctx: &WorkerCtx,
    index: &InputIndex,
    batch_attempts: u16,
    scorers: &mut [Scorer],
    sinks: Sinks<'_>,
) -> Result<SyncSummary, RecoverError> {
    let rows = sinks.ledger.len() as u64;
    let before = sinks.ledger.status_counts();
    let mut sync_counts = [0u64; 8];
    let (mut paired, mut recovered, mut not_recovered) = (0, 0, 0);
    let attempt = batch_attempts.saturating_add(1);
    let mut to_score = Vec::new();
    for (idx, s) in sync.iter() {
        sync_counts[s.status.index()] += 1;
        if sinks.ledger.status(idx) == Status::Completed {
            paired += 1;
            continue;
        }
        let rec = RowRecord {
            status: s.status,
            error_kind: s.error_kind,
            truncated: s.truncated,
            usage: s.usage,
            model: sinks.models.intern_opt(s.model.as_deref()),
            snapshot: sinks.snapshots.intern_opt(s.snapshot.as_deref()),
        };
        if sinks.ledger.recover(idx, attempt, &rec) {
            recovered += 1;
            to_score.push(idx);
        } else {
            not_recovered += 1;
        }
    }
    sinks.ledger.finish();
    if !scorers.is_empty() && !to_score.is_empty() {
        score(sync, ctx, index, &to_score, scorers, sinks).await?;
    }
    Ok(SyncSummary {
        files: sync.files.iter().map(|p| p.display().to_string()).collect(),
        rows: sync.len() as u64,
        sync_status_counts: StatusCounts::from_counts(sync_counts),
        paired,
        recovered_by_sync: recovered,
        not_recovered,
        batch_status_counts: StatusCounts::from_counts(before),
        batch_completion_rate: if rows > 0 {
            before[Status::Completed.index()] as f64 / rows as f64
        } else {
            0.0
        },
    })
}

/// Scores the recovered rows in chunks and stores each verdict, as the
/// collector does for batch rows.
async fn score(
    sync: &SyncSet,
    ctx: &WorkerCtx,
    index: &InputIndex,
    recovered: &[u32],
    scorers: &mut [Scorer],
    mut sinks: Sinks<'_>,
) -> Result<(), RecoverError> {
    let ledger = &*sinks.ledger;
    for part in recovered.chunks(ctx.chunk_rows.max(1)) {
        let part: Vec<u32> = part.iter().copied().filter(|&i| sync.get(i).is_some()).collect();
        let mut extras: Vec<RequestExtras> = if ctx.needs_prompt || ctx.needs_metadata {
            read_extras_many(ctx, &part)
        } else {
            part.iter().map(|_| RequestExtras::default()).collect()
        };
        if ctx.needs_metadata {
            for e in &mut extras {
                e.metadata.push((ATTEMPT_CHANNEL.to_owned(), CHANNEL_SYNC.to_owned()));
            }
        }
        let views: Vec<_> = extras.iter().map(RequestExtras::view).collect();
        let mut rows = Vec::with_capacity(part.len());
        for (k, (&idx, s)) in part.iter().filter_map(|i| Some((i, sync.get(*i)?))).enumerate() {
            let mut flags = Flags::RETRIED;
            if s.truncated {
                flags.insert(Flags::TRUNCATED);
            }
            rows.push(wit::Row {
                id: index.id(idx),
                index: u64::from(idx),
                segment: idx / ctx.segment_size,
                provider: ctx.provider.as_str(),
                model: s.model.as_deref().unwrap_or(""),
                snapshot: s.snapshot.as_deref(),
                status: wit_status(Status::Completed),
                flags: wit_flags(flags),
                attempt: u32::from(ledger.attempt(idx)),
                prompt: views.get(k).map_or(&[][..], |v| &v.messages[..]),
                response: s.response.as_deref(),
                finish_reason: s.finish_reason.as_deref(),
                usage: wit_usage(&s.usage),
                error_code: None,
                error_message: None,
                metadata: views.get(k).map_or(&[][..], |v| &v.metadata[..]),
            });
        }
        let mut fragments = vec![serde_json::Map::new(); part.len()];
        for (t, scorer) in scorers.iter_mut().enumerate() {
            let (p, m) = ctx.scorer_needs.get(t).copied().unwrap_or((true, true));
            let narrowed = narrow(&rows, p, m);
            let results = scorer.score(narrowed.as_deref().unwrap_or(&rows)).await?;
            for (k, (r, &idx)) in results.iter().zip(&part).enumerate() {
                store(&mut sinks.tables[t], &mut sinks.first_failure[t], index, idx, r);
                if let (Some(v), Some(f)) = (super::rows_json::verdict_text(r), fragments.get_mut(k)) {
                    f.insert(sinks.names.get(t).cloned().unwrap_or_default(), v);
                }
            }
        }
        if let Some(spill) = sinks.spill.as_deref_mut() {
            for (f, &idx) in fragments.into_iter().zip(&part) {
                if !f.is_empty() {
                    spill.put(idx, &serde_json::Value::Object(f).to_string())?;
                }
            }
        }
    }
    Ok(())
}

fn store(table: &mut VerdictTable, first: &mut Option<String>, index: &InputIndex, idx: u32, r: &RowResult) {
    table.store(idx, r);
    if let RowResult::Failed(f) = r {
        first.get_or_insert_with(|| format!("row {}: {f}", index.id(idx)));
    }
}
