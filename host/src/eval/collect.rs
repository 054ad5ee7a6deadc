//! Reading, scoring and collecting the result blocks: the reader thread
//! feeds blocks to N workers, and the collector applies their answers
//! strictly in block order to the ledger and the verdict store.
//!
//! Invariant: blocks are applied in sequence order whatever the order the
//! workers finish in, and names are interned in file order, so the outcome
//! never depends on worker count, chunk size or timing; once a run must stop
//! (a judge that could not start, or too many host failures), no further
//! block is applied and the reader stops feeding. Lines of a block its
//! worker checked are numbered from 1; the collector numbers them in their
//! file, as it sees each file's blocks in order.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use assay_batch::ingest::{self, Target};
use assay_batch::{Applied, AtomicBitSet, BadLine, FileId, Interner, Ledger};
use tokio::sync::{Semaphore, mpsc};

use super::calls::Scorer;
use super::error::EvalError;
use super::errors::ErrorCodes;
use super::plan::Plan;
use super::read::{Feed, read_results};
use super::reconcile::AttemptTally;
use super::verdicts::{Limit, VerdictStore};
use super::work::{BlockDone, WorkerCtx, process};

/// Everything the batch attempts produced.
pub struct Collected {
    pub ledger: Ledger,
    pub models: Interner,
    pub snapshots: Interner,
    pub tallies: Vec<AttemptTally>,
    pub errors: ErrorCodes,
    pub bad: Vec<BadLine>,
    /// Rows (non-blank lines, bad ones included) per attempt (index = attempt - 1).
    pub rows_per_attempt: Vec<u64>,
    /// Each worker's scorers, in scorer order, for their logs and counters.
    pub scorers: Vec<Vec<Scorer>>,
}

/// A run the collector stopped, with every worker's scorers (closed) for
/// the logs they captured up to the stop.
pub struct Stopped {
    pub error: EvalError,
    pub scorers: Vec<Vec<Scorer>>,
}

impl From<EvalError> for Stopped {
    fn from(error: EvalError) -> Stopped {
        Stopped {
            error,
            scorers: Vec::new(),
        }
    }
}

/// Runs the reader, `plan.workers` workers (each with its own scorers from
/// `make_scorers`) and the collector until every block is applied.
pub async fn collect(
    plan: &Plan,
    ctx: Arc<WorkerCtx>,
    mut ledger: Ledger,
    store: &mut VerdictStore,
    limit: &Limit,
    make_scorers: impl Fn() -> Vec<Scorer>,
) -> Result<Collected, Stopped> {
    let workers = plan.workers;
    let (job_tx, job_rx) = async_channel::bounded(workers * 2);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<BlockDone>();
    let stop = Arc::new(AtomicBool::new(false));
    let feed = Feed {
        tx: job_tx,
        permits: Arc::new(Semaphore::new(workers * 4)),
        stop: stop.clone(),
        handle: tokio::runtime::Handle::current(),
        max_line_bytes: plan.read.max_line_bytes,
        block_bytes: plan.read.block_bytes,
    };
    let (files, attempts) = (plan.files.clone(), usize::from(plan.attempts));
    let reader = tokio::task::spawn_blocking(move || read_results(files, feed));
    let mut handles = Vec::new();
    for _ in 0..workers {
        let mut scorers = make_scorers();
        let (rx, tx, ctx) = (job_rx.clone(), done_tx.clone(), ctx.clone());
        handles.push(super::thread::spawn(async move {
            while let Ok(job) = rx.recv().await {
                let done = process(job, &ctx, &mut scorers).await;
                if tx.send(done).is_err() {
                    break;
                }
            }
            for s in &mut scorers {
                s.close();
            }
            scorers
        }));
    }
    drop(job_rx);
    drop(done_tx);

    let mut c = Collector {
        checkpoint: ctx.checkpoint.as_deref(),
        ledger: &mut ledger,
        store,
        final_set: &ctx.final_set,
        index: &ctx.index,
        models: Interner::new(),
        snapshots: Interner::new(),
        tallies: vec![AttemptTally::default(); attempts],
        errors: ErrorCodes::default(),
        bad: Vec::new(),
        rows: vec![0; attempts],
        numbering: (FileId::default(), 0),
    };
    let mut pending: BTreeMap<u64, BlockDone> = BTreeMap::new();
    let mut next = 0u64;
    let mut abort: Option<EvalError> = None;
    while let Some(done) = done_rx.recv().await {
        pending.insert(done.seq, done);
        while let Some(done) = pending.remove(&next) {
            next += 1;
            if abort.is_some() {
                continue;
            }
            abort = c.apply(done, limit).err();
            if abort.is_some() {
                stop.store(true, Ordering::Relaxed);
            }
        }
    }
    let Collector {
        models,
        snapshots,
        tallies,
        errors,
        bad,
        rows,
        ..
    } = c;
    reader
        .await
        .map_err(|e| EvalError::task("reader", e))?
        .map_err(EvalError::from)?;
    let mut scorers = Vec::new();
    for h in handles {
        scorers.push(h.await.map_err(|e| EvalError::task("worker", e))?);
    }
    if let Some(error) = abort {
        return Err(Stopped { error, scorers });
    }
    Ok(Collected {
        ledger,
        models,
        snapshots,
        tallies,
        errors,
        bad,
        rows_per_attempt: rows,
        scorers,
    })
}

/// The collector's state between blocks.
struct Collector<'a> {
    checkpoint: Option<&'a super::checkpoint::Checkpoint>,
    ledger: &'a mut Ledger,
    store: &'a mut VerdictStore,
    final_set: &'a AtomicBitSet,
    index: &'a assay_batch::InputIndex,
    models: Interner,
    snapshots: Interner,
    tallies: Vec<AttemptTally>,
    errors: ErrorCodes,
    bad: Vec<BadLine>,
    /// Rows (non-blank lines) per attempt (index = attempt - 1).
    rows: Vec<u64>,
    /// The file of the last block applied and the lines of its blocks
    /// before the next: where a block numbered from 1 starts in its file.
    numbering: (FileId, u64),
}

impl Collector<'_> {
    /// Numbers the bad lines of a block its worker checked (numbered from 1
    /// within it) in their file: blocks of one file come in order, and a
    /// new file starts again from line 1.
    fn number_lines(&mut self, done: &mut BlockDone) {
        let Some(lines) = done.lines_in_block else { return };
        if self.numbering.0 != done.file {
            self.numbering = (done.file, 0);
        }
        for b in &mut done.bad {
            b.line += self.numbering.1;
        }
        self.numbering.1 += lines;
    }

    /// Applies one block in order; an error means the run must stop.
    fn apply(&mut self, mut done: BlockDone, limit: &Limit) -> Result<(), EvalError> {
        if let Some(e) = done.abort.take() {
            return Err(EvalError::Judge(e));
        }
        self.number_lines(&mut done);
        if let Some(n) = self.rows.get_mut(usize::from(done.attempt).saturating_sub(1)) {
            *n += done.rows;
        }
        self.bad.append(&mut done.bad);
        // Block-local name ids → run-wide ids, interned in file order.
        // A name is interned only into the table(s) that use it.
        let (mut as_model, mut as_snapshot) = (vec![None; done.names.len() + 1], vec![None; done.names.len() + 1]);
        as_model[0] = Some(Interner::NONE);
        as_snapshot[0] = Some(Interner::NONE);
        for line in &mut done.lines {
            let r = &mut line.rec.record;
            let (m, s) = (usize::from(r.model), usize::from(r.snapshot));
            r.model = *as_model[m].get_or_insert_with(|| self.models.intern(&done.names[m - 1]));
            r.snapshot = *as_snapshot[s].get_or_insert_with(|| self.snapshots.intern(&done.names[s - 1]));
        }
        let mut settled = 0u64;
        // What this block settled and scored, for the run's checkpoint.
        let mut committed = self.checkpoint.map(|c| c.encoder());
        for line in &done.lines {
            let applied = ingest::apply(self.ledger, done.attempt, &line.rec);
            let Target::Row(idx) = line.rec.target else { continue };
            match applied {
                Some(Applied::Invalid) => {
                    return Err(EvalError::Internal(format!(
                        "row {idx} or attempt {} out of range",
                        done.attempt
                    )));
                }
                Some(Applied::Final | Applied::Superseded) => {
                    if let Some(t) = self.tallies.get_mut(usize::from(done.attempt).saturating_sub(1)) {
                        t.add(&line.rec);
                    }
                }
                _ => {}
            }
            if applied == Some(Applied::Final) {
                settled += 1;
                self.final_set.set(idx as usize);
                if let Some(e) = &line.error {
                    self.errors.put(idx, e);
                }
                self.store
                    .put_content(idx, line.content.as_deref())
                    .map_err(|source| EvalError::Spill { source })?;
                if let Some(slot) = line.slot {
                    let results = super::score::results_for(&done.verdicts, slot as usize);
                    if let Some(c) = committed.as_mut() {
                        c.row(
                            idx,
                            super::score::results_for(&done.verdicts, slot as usize).map(|(_, r)| r),
                        );
                    }
                    self.store
                        .put(idx, self.index.id(idx), results)
                        .map_err(|source| EvalError::Spill { source })?;
                }
            }
        }
        crate::progress::inc(settled);
        if let (Some(cp), Some(rows)) = (self.checkpoint, committed) {
            cp.commit(done.seq, rows)?;
        }
        match self.store.over_limit(limit) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
