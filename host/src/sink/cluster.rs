//! The cluster sink behind `assay cluster` and `--cluster`: keeps the features
//! of failed rows (provider errors, content filters, timeouts, expired and
//! missing rows, and completed rows a judge did not pass) for `cluster`.
//!
//! Under `--explain` each kept row also keeps its example (`cluster::example`):
//! excerpts of its request and answer, its error and the judges' labels.
//!
//! Invariant: at most `max_rows` rows are kept: the failed rows with the
//! smallest (id hash, index), whatever order they arrive in, so a sample is
//! deterministic; a row that would not be kept costs no prompt read; every
//! failed row is counted; a row's example is kept exactly when the row is.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex, PoisonError};

use super::{RowSink, RowView, SinkError};
use crate::cluster::example::example;
use crate::cluster::{Collected, Example, FailedFeatures, features, is_failed};

struct Keyed {
    key: (u64, u32),
    row: FailedFeatures,
    example: Option<Example>,
}

impl PartialEq for Keyed {
    fn eq(&self, o: &Keyed) -> bool {
        self.key == o.key
    }
}
impl Eq for Keyed {}
impl PartialOrd for Keyed {
    fn partial_cmp(&self, o: &Keyed) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Keyed {
    fn cmp(&self, o: &Keyed) -> Ordering {
        self.key.cmp(&o.key)
    }
}

/// What the sink gathers, shared with the caller.
pub struct Gathered {
    kept: BinaryHeap<Keyed>,
    failed: u64,
    last_segment: u32,
    max_rows: usize,
    examples: bool,
}

pub struct ClusterSink {
    shared: Arc<Mutex<Gathered>>,
}

fn key(r: &RowView<'_>) -> (u64, u32) {
    (assay_batch::line_hash(r.id.as_bytes()), r.index)
}

impl ClusterSink {
    /// A new, empty collection for at most `max_rows` rows, with their
    /// examples when `examples` (`--explain`).
    pub fn shared(max_rows: usize, examples: bool) -> Arc<Mutex<Gathered>> {
        Arc::new(Mutex::new(Gathered {
            kept: BinaryHeap::new(),
            failed: 0,
            last_segment: 0,
            max_rows,
            examples,
        }))
    }

    pub fn new(shared: Arc<Mutex<Gathered>>) -> ClusterSink {
        ClusterSink { shared }
    }

    /// The kept rows in submission order, and the counts (once the run returned).
    pub fn take(shared: &Arc<Mutex<Gathered>>) -> Collected {
        let mut g = shared.lock().unwrap_or_else(PoisonError::into_inner);
        let mut rows = Vec::with_capacity(g.kept.len());
        let mut examples = std::collections::BTreeMap::new();
        for k in std::mem::take(&mut g.kept) {
            if let Some(e) = k.example {
                examples.insert(k.row.id.clone(), e);
            }
            rows.push(k.row);
        }
        rows.sort_by_key(|r: &FailedFeatures| r.index);
        Collected {
            rows,
            failed: g.failed,
            last_segment: g.last_segment,
            examples,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Gathered> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Gathered {
    fn would_keep(&self, key: (u64, u32)) -> bool {
        self.max_rows > 0 && (self.kept.len() < self.max_rows || self.kept.peek().is_some_and(|top| key < top.key))
    }
}

impl RowSink for ClusterSink {
    fn reads_prompts(&self) -> bool {
        true
    }

    fn wants_content(&self) -> bool {
        self.lock().examples
    }

    fn wants_prompt(&self, r: &RowView<'_>) -> bool {
        is_failed(r) && self.lock().would_keep(key(r))
    }

    fn row(&mut self, r: &RowView<'_>) -> Result<(), SinkError> {
        let mut g = self.lock();
        g.last_segment = g.last_segment.max(r.segment);
        if !is_failed(r) {
            return Ok(());
        }
        g.failed += 1;
        let k = key(r);
        if !g.would_keep(k) {
            return Ok(());
        }
        let messages = r.prompt.unwrap_or_default();
        let row = features(r, messages);
        let example = g.examples.then(|| example(r, messages));
        g.kept.push(Keyed { key: k, row, example });
        if g.kept.len() > g.max_rows {
            g.kept.pop();
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), SinkError> {
        Ok(())
    }
}
