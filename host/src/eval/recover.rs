//! Recovery through the synchronous API: after the batch attempts are
//! settled, a row the batch did not complete and whose sync result completed
//! becomes `completed` (flag `retried`, attempt = batch attempts + 1), is
//! scored like any completed row, and is counted apart in the summary.
//!
//! Invariant: this runs once, after `Ledger::finish`, in submission order, so
//! it is independent of worker count and chunking; in a resumed run, a row an
//! earlier process scored and committed here gets those results, not new ones; batch-only numbers (the
//! reconciliation tallies, `batch_status_counts`) are taken before it changes
//! anything; a batch-completed row is never replaced by its sync result.

use std::collections::HashMap;

use assay_batch::{Flags, Interner, Ledger, RowRecord, Status};

use super::calls::Scorer;
use super::error::EvalError;
use super::errors::ErrorCodes;
use super::rows::{Place, RequestExtras, wit_row};
use super::score::{results_for, score_all};
use super::sync::{ATTEMPT_CHANNEL, CHANNEL_SYNC, SyncResult, SyncSet, SyncSummary};
use super::verdicts::{Limit, VerdictStore};
use super::work::WorkerCtx;
use crate::judge::RowResult;
use crate::judge::bindings::types as wit;
use crate::report::summary::StatusCounts;

/// What recovery writes into: the run's ledger, names and verdicts.
pub struct Settled<'a> {
    pub ledger: &'a mut Ledger,
    pub models: &'a mut Interner,
    pub snapshots: &'a mut Interner,
    pub store: &'a mut VerdictStore,
    pub errors: &'a mut ErrorCodes,
}

/// Pairs and recovers rows from `sync`; scores recovered rows with `scorers`.
pub async fn apply_sync(
    sync: &SyncSet,
    ctx: &WorkerCtx,
    batch_attempts: u16,
    scorers: &mut [Scorer],
    limit: &Limit,
    into: Settled<'_>,
) -> Result<SyncSummary, EvalError> {
    let rows = into.ledger.len() as u64;
    let before = into.ledger.status_counts();
    let mut sync_counts = [0u64; 8];
    let (mut paired, mut recovered, mut not_recovered) = (0, 0, 0);
    let attempt = batch_attempts.saturating_add(1);
    let mut to_score = Vec::new();
    for (idx, s) in sync.iter() {
        sync_counts[s.status.index()] += 1;
        if into.ledger.status(idx) == Status::Completed {
            paired += 1;
            continue;
        }
        let rec = RowRecord {
            status: s.status,
            error_kind: s.error_kind,
            truncated: s.truncated,
            usage: s.usage,
            model: into.models.intern_opt(s.model.as_deref()),
            snapshot: into.snapshots.intern_opt(s.snapshot.as_deref()),
        };
        if into.ledger.recover(idx, attempt, &rec) {
            into.errors.clear(idx);
            if into.store.content.is_some() {
                let fragment = serde_json::json!({ "response": s.response, "created": null }).to_string();
                into.store
                    .put_content(idx, Some(&fragment))
                    .map_err(|source| EvalError::Spill { source })?;
            }
            recovered += 1;
            to_score.push((idx, s));
        } else {
            not_recovered += 1;
        }
    }
    into.ledger.finish();
    if !scorers.is_empty() {
        // A resumed run: the recovered rows an earlier process scored and committed.
        let mut saved = match &ctx.checkpoint {
            Some(cp) => cp.recovered()?,
            None => HashMap::new(),
        };
        if !saved.is_empty() {
            crate::note!(
                "assay: {} row(s) recovered from --sync-results were committed before and are not scored again",
                saved.len()
            );
        }
        for part in to_score.chunks(ctx.chunk_rows) {
            score(part, ctx, into.ledger, scorers, into.store, &mut saved).await?;
            if let Some(e) = into.store.over_limit(limit) {
                return Err(e);
            }
        }
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

/// Scores one chunk of recovered rows (but those `saved` holds, committed by
/// an earlier process of a resumed run) and stores each verdict in row
/// order, as the collector does for batch rows; commits what it scored.
async fn score(
    part: &[(u32, &SyncResult)],
    ctx: &WorkerCtx,
    ledger: &Ledger,
    scorers: &mut [Scorer],
    store: &mut VerdictStore,
    saved: &mut HashMap<u32, Vec<RowResult>>,
) -> Result<(), EvalError> {
    // Per row of the part: its committed results, or `None` to score it.
    let done: Vec<Option<Vec<RowResult>>> = part
        .iter()
        .map(|(idx, _)| saved.remove(idx).filter(|r| r.len() == scorers.len()))
        .collect();
    let fresh: Vec<(u32, &SyncResult)> = part
        .iter()
        .zip(&done)
        .filter(|(_, d)| d.is_none())
        .map(|(p, _)| *p)
        .collect();
    let idxs: Vec<u32> = fresh.iter().map(|(idx, _)| *idx).collect();
    let mut extras: Vec<RequestExtras> = if ctx.requests.wanted() && !fresh.is_empty() {
        ctx.requests.read_many(&idxs)
    } else {
        Vec::new()
    };
    if ctx.requests.needs_metadata() {
        for e in &mut extras {
            e.metadata.push((ATTEMPT_CHANNEL.to_owned(), CHANNEL_SYNC.to_owned()));
        }
    }
    let views: Vec<_> = extras.iter().map(RequestExtras::view).collect();
    let rows: Vec<wit::Row<'_>> = fresh
        .iter()
        .enumerate()
        .map(|(k, &(idx, s))| {
            let place = Place {
                id: ctx.index.id(idx),
                index: idx,
                segment: idx / ctx.segment_size,
                provider: ctx.provider.as_str(),
                attempt: ledger.attempt(idx),
                flags: Flags::RETRIED,
            };
            wit_row(place, s.answer(), views.get(k))
        })
        .collect();
    let verdicts = if rows.is_empty() {
        Vec::new()
    } else {
        score_all(scorers, &ctx.needs, &rows, ctx.chunk_rows).await?
    };
    let mut k = 0;
    let mut scored = ctx.checkpoint.as_ref().map(|c| c.encoder());
    for (&(idx, _), committed) in part.iter().zip(&done) {
        let id = ctx.index.id(idx);
        let put = match committed {
            Some(results) => store.put(idx, id, results.iter().enumerate()),
            None => {
                if let Some(c) = scored.as_mut() {
                    c.row(idx, results_for(&verdicts, k).map(|(_, r)| r));
                }
                k += 1;
                store.put(idx, id, results_for(&verdicts, k - 1))
            }
        };
        put.map_err(|source| EvalError::Spill { source })?;
    }
    if let (Some(cp), Some(rows)) = (&ctx.checkpoint, scored) {
        cp.commit_recovered(rows)?;
    }
    Ok(())
}
