//! The input index started before the judges are ready: loading judges
//! from the compile cache (or compiling them) is one core's work for tens
//! of milliseconds (seconds, cold), which the index's threads share instead
//! of waiting behind.
//!
//! Invariant: an early index is the plan and index the run would build
//! itself for the same configuration, byte offsets included (the run drops
//! them when nothing re-reads a request line); an error it meets is
//! reported only when the run asks for the index, where the run would have
//! met it, so the judges' errors still come first; dropped unasked, it
//! stops reading at the next block.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use assay_batch::{BadLine, InputIndex};
use tokio::task::JoinHandle;

use super::error::EvalError;
use super::plan::{self, EvalConfig, Plan};
use super::{input, streams};

/// An input index being built; [`EarlyIndex::finish`] waits for it.
pub struct EarlyIndex {
    /// The plan and the index's task, or the error making the plan met
    /// (reported by `finish`).
    work: Result<(Plan, JoinHandle<input::Indexed>), EvalError>,
    _stop: StopOnDrop,
    started: Instant,
}

/// Sets its flag when dropped: a run that ends before it asks for the index
/// (a judge failed to load) stops the index's threads at their next block
/// rather than wait for them.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What [`EarlyIndex::finish`] gives the run.
pub struct Early {
    pub plan: Plan,
    pub index: InputIndex,
    pub bad: Vec<BadLine>,
    /// When the index started: the run's phases count from here.
    pub started: Instant,
}

impl EarlyIndex {
    /// Starts indexing `cfg`'s input on the runtime's blocking threads, or
    /// `None` when one of its files is a stream (the run copies streams
    /// first) or no runtime is running.
    pub fn start(cfg: &EvalConfig) -> Option<EarlyIndex> {
        if streams::any(cfg) {
            return None;
        }
        let handle = tokio::runtime::Handle::try_current().ok()?;
        let started = Instant::now();
        let stop = Arc::new(AtomicBool::new(false));
        let work = plan::plan(cfg).map(|mut plan| {
            plan.read.offsets = true;
            crate::progress::stage("indexing", None);
            let task = input::spawn(&handle, cfg, &plan, stop.clone());
            (plan, task)
        });
        Some(EarlyIndex {
            work,
            _stop: StopOnDrop(stop),
            started,
        })
    }

    /// The plan and the index, or the error either met.
    pub async fn finish(self) -> Result<Early, EvalError> {
        let (plan, task) = self.work?;
        let (index, bad) = task.await.map_err(|e| EvalError::task("input index", e))??;
        Ok(Early {
            plan,
            index,
            bad,
            started: self.started,
        })
    }
}
