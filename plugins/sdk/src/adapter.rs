//! The [`Judge`] trait and the [`Adapter`] that turns it into the component exports.
//!
//! Invariant: one judge value per instance, created by `init` and kept in a
//! thread-local slot (a component instance is single-threaded). Every export called
//! before a successful `init` returns `JudgeError::Failed("init was not called")`;
//! `score-batch` and `score-packed` always answer with exactly one result per
//! row, in order, and hand the judge the same `Row`s (or views of them).

use std::any::Any;
use std::cell::RefCell;
use std::marker::PhantomData;

use crate::bindings::exports::assay::judge0_1_0::{aggregator, meta, scorer};
use crate::bindings::exports::assay::judge0_2_0::packed_aggregator::{self, PackedObservations};
use crate::bindings::exports::assay::judge0_2_0::packed_scorer::{self, PackedChunk};
use crate::{Config, Descriptor, JudgeError, Observation, Report, Row, RowView, RunInfo, Verdict};

/// What a judge implements. Only [`describe`](Judge::describe) and
/// [`init`](Judge::init) are required; the rest default to "not a scorer" /
/// "aggregates nothing".
pub trait Judge: 'static {
    /// Name, version, capabilities and config keys, before any configuration.
    fn describe() -> Descriptor;

    /// The descriptor as this configured instance means it. The host asks after
    /// `init`, so a judge can, for example, stop scoring (and stop asking for
    /// `metadata`) when its configuration says there is nothing to score.
    fn refine(&self, descriptor: Descriptor) -> Descriptor {
        descriptor
    }

    /// Builds the instance from its configuration. Return `JudgeError::Config` for a
    /// missing or malformed key: the host reports it and never calls the judge again.
    fn init(config: Config) -> Result<Self, JudgeError>
    where
        Self: Sized;

    /// Whether this judge scores [`RowView`]s, through
    /// [`score_view`](Judge::score_view), rather than [`Row`]s. A view borrows
    /// its strings from the chunk the host sent, where a `Row` holds a copy
    /// of each: a judge that reads a field or two of long rows saves a copy
    /// of every string of every row. [`score_batch`](Judge::score_batch) is
    /// then not called for packed chunks.
    const SCORES_VIEWS: bool = false;

    /// Scores one row. An `Err` is this row's answer only; neighbouring rows
    /// still score. A judge with [`SCORES_VIEWS`](Judge::SCORES_VIEWS) leaves
    /// this as it is: it views the row and calls
    /// [`score_view`](Judge::score_view), so both calls answer alike.
    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        if Self::SCORES_VIEWS {
            return self.score_view(&RowView::of(row));
        }
        Err(JudgeError::Unsupported("this judge does not score rows".into()))
    }

    /// Scores one row seen as a [`RowView`]; implemented by a judge that sets
    /// [`SCORES_VIEWS`](Judge::SCORES_VIEWS), instead of [`score`](Judge::score).
    fn score_view(&mut self, row: &RowView<'_>) -> Result<Verdict, JudgeError> {
        let _ = row;
        Err(JudgeError::Unsupported("this judge does not score row views".into()))
    }

    /// Scores one chunk of rows; must return one result per row, in order.
    fn score_batch(&mut self, rows: &[Row]) -> Vec<Result<Verdict, JudgeError>> {
        rows.iter().map(|row| self.score(row)).collect()
    }

    /// Called once before the first observation.
    fn begin(&mut self, info: &RunInfo) -> Result<(), JudgeError> {
        let _ = info;
        Ok(())
    }

    /// Sees each row's slim record, in submission order.
    fn observe(&mut self, obs: &Observation) {
        let _ = obs;
    }

    /// The run's metrics and alarms, after the last observation.
    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(Report::new())
    }
}

thread_local! {
    static STATE: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
    /// The rows of the last packed chunk, kept so the next one decodes into
    /// their strings instead of allocating new ones.
    static ROWS: RefCell<Vec<Row>> = const { RefCell::new(Vec::new()) };
}

fn not_initialized() -> JudgeError {
    JudgeError::Failed("init was not called".into())
}

/// Runs `f` on the instance's judge, or fails when `init` has not succeeded.
fn with_judge<J: Judge, R>(f: impl FnOnce(&mut J) -> R) -> Result<R, JudgeError> {
    STATE.with(|slot| {
        let mut slot = slot.borrow_mut();
        let judge = slot.as_mut().ok_or_else(not_initialized)?;
        let judge = judge
            .downcast_mut::<J>()
            .ok_or_else(|| JudgeError::Failed("judge state has an unexpected type".into()))?;
        Ok(f(judge))
    })
}

/// Connects a [`Judge`] to the generated export traits; used by [`crate::export_judge!`].
pub struct Adapter<J>(PhantomData<J>);

impl<J: Judge> meta::Guest for Adapter<J> {
    fn describe() -> Descriptor {
        let d = J::describe();
        // Before `init` there is no instance to refine the descriptor with.
        match with_judge::<J, _>(|judge| judge.refine(d.clone())) {
            Ok(refined) => refined,
            Err(_) => d,
        }
    }

    fn init(config: Vec<(String, String)>) -> Result<(), JudgeError> {
        let judge = J::init(Config::new(config))?;
        STATE.with(|slot| *slot.borrow_mut() = Some(Box::new(judge)));
        Ok(())
    }
}

impl<J: Judge> scorer::Guest for Adapter<J> {
    fn score_batch(rows: Vec<Row>) -> Vec<Result<Verdict, JudgeError>> {
        score_rows::<J>(&rows)
    }
}

impl<J: Judge> packed_scorer::Guest for Adapter<J> {
    fn score_packed(chunk: PackedChunk) -> Vec<Result<Verdict, JudgeError>> {
        if J::SCORES_VIEWS {
            return match with_judge::<J, _>(|judge| crate::packed::map_views(&chunk, |v| judge.score_view(v))) {
                Ok(Ok(verdicts)) => verdicts,
                Ok(Err(msg)) => (0..chunk.rows).map(|_| Err(JudgeError::Failed(msg.clone()))).collect(),
                Err(e) => (0..chunk.rows).map(|_| Err(e.clone())).collect(),
            };
        }
        ROWS.with(|rows| {
            let mut rows = rows.borrow_mut();
            match crate::packed::decode_into(&chunk, &mut rows) {
                Ok(rows) => score_rows::<J>(rows),
                // One answer per row even when the chunk cannot be read.
                Err(msg) => (0..chunk.rows).map(|_| Err(JudgeError::Failed(msg.clone()))).collect(),
            }
        })
    }
}

impl<J: Judge> packed_aggregator::Guest for Adapter<J> {
    fn observe_packed(batch: PackedObservations) -> Result<(), JudgeError> {
        with_judge::<J, _>(|judge| crate::packed::observations::for_each(&batch, |obs| judge.observe(obs)))?
            .map_err(JudgeError::Failed)
    }
}

/// `score-batch` and `score-packed` alike: one result per row, in order.
fn score_rows<J: Judge>(rows: &[Row]) -> Vec<Result<Verdict, JudgeError>> {
    let n = rows.len();
    match with_judge::<J, _>(|judge| judge.score_batch(rows)) {
        Ok(mut verdicts) => {
            // Keep the contract even if a judge's own score_batch miscounts.
            if verdicts.len() != n {
                let msg = format!("judge returned {} verdicts for {n} rows", verdicts.len());
                verdicts = (0..n).map(|_| Err(JudgeError::Failed(msg.clone()))).collect();
            }
            verdicts
        }
        Err(e) => (0..n).map(|_| Err(e.clone())).collect(),
    }
}

impl<J: Judge> aggregator::Guest for Adapter<J> {
    fn begin(info: RunInfo) -> Result<(), JudgeError> {
        with_judge::<J, _>(|judge| judge.begin(&info))?
    }

    fn observe(batch: Vec<Observation>) -> Result<(), JudgeError> {
        with_judge::<J, _>(|judge| batch.iter().for_each(|obs| judge.observe(obs)))
    }

    fn finish() -> Result<Report, JudgeError> {
        with_judge::<J, _>(|judge| judge.finish())?
    }
}
