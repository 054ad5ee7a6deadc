//! Per-judge verdicts for every submitted row, kept compact (11 bytes a row)
//! so a million-row job stays well inside the memory budget.
//!
//! Scores stay the f64 the judge returned, end to end (summary, aggregators,
//! `--rows-out`): the cell is packed, so the f64 costs 3 bytes a row more than
//! an f32 would (11 against 8), where an aligned f64 cell would cost 16.
//!
//! Invariant: a row's cell is written at most once, by the collector, when
//! the row's final result is applied; counters always agree with the cells.

use std::collections::BTreeMap;

use assay_batch::Interner;

use crate::judge::{FailureKind, RowResult};
use crate::report::summary::SegmentPass;
pub use crate::sink::CellView;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[repr(C, packed)]
pub struct Cell {
    /// 0 none, 1 passed, 2 failed, 3 judge error, 16 + k host failure of kind k.
    kind: u8,
    label: u16,
    /// NaN when the row has no score (a verdict's score is never NaN).
    score: f64,
}

const NONE: u8 = 0;
const PASSED: u8 = 1;
const FAILED: u8 = 2;
const JUDGE_ERROR: u8 = 3;
const HOST_FAILURE: u8 = 16;

pub struct VerdictTable {
    cells: Vec<Cell>,
    labels: Interner,
    pub scored: u64,
    pub passed: u64,
    pub judge_errors: u64,
    pub failures: BTreeMap<FailureKind, u64>,
}

impl VerdictTable {
    pub fn new(rows: usize) -> Self {
        VerdictTable {
            cells: vec![Cell::default(); rows],
            labels: Interner::new(),
            scored: 0,
            passed: 0,
            judge_errors: 0,
            failures: BTreeMap::new(),
        }
    }

    pub fn store(&mut self, idx: u32, r: &RowResult) {
        let Some(cell) = self.cells.get_mut(idx as usize) else {
            return;
        };
        if cell.kind != NONE {
            return;
        }
        *cell = match r {
            RowResult::Verdict(v) => {
                self.scored += 1;
                if v.passed {
                    self.passed += 1;
                }
                Cell {
                    kind: if v.passed { PASSED } else { FAILED },
                    label: v.label.as_deref().map_or(Interner::NONE, |l| self.labels.intern(l)),
                    score: v.score.unwrap_or(f64::NAN),
                }
            }
            RowResult::JudgeError { .. } => {
                self.judge_errors += 1;
                Cell {
                    kind: JUDGE_ERROR,
                    label: 0,
                    score: f64::NAN,
                }
            }
            RowResult::Failed(f) => {
                *self.failures.entry(f.kind).or_default() += 1;
                let k = FailureKind::ALL.iter().position(|x| *x == f.kind).unwrap_or(0) as u8;
                Cell {
                    kind: HOST_FAILURE + k,
                    label: 0,
                    score: f64::NAN,
                }
            }
        };
    }

    /// Puts back a cell read with [`VerdictTable::get`] (a sharded run's
    /// merge), counting it as `store` would; a written cell is kept.
    pub fn restore(&mut self, idx: u32, view: CellView<'_>) {
        let Some(cell) = self.cells.get_mut(idx as usize) else {
            return;
        };
        if cell.kind != NONE {
            return;
        }
        *cell = match view {
            CellView::Unscored => return,
            CellView::Verdict { passed, score, label } => {
                self.scored += 1;
                self.passed += u64::from(passed);
                Cell {
                    kind: if passed { PASSED } else { FAILED },
                    label: label.map_or(Interner::NONE, |l| self.labels.intern(l)),
                    score: score.unwrap_or(f64::NAN),
                }
            }
            CellView::JudgeError => {
                self.judge_errors += 1;
                Cell {
                    kind: JUDGE_ERROR,
                    label: 0,
                    score: f64::NAN,
                }
            }
            CellView::Failed(kind) => {
                *self.failures.entry(kind).or_default() += 1;
                let k = FailureKind::ALL.iter().position(|x| *x == kind).unwrap_or(0) as u8;
                Cell {
                    kind: HOST_FAILURE + k,
                    label: 0,
                    score: f64::NAN,
                }
            }
        };
    }

    pub fn host_failures(&self) -> u64 {
        self.failures.values().sum()
    }

    pub fn get(&self, idx: u32) -> CellView<'_> {
        let Some(&c) = self.cells.get(idx as usize) else {
            return CellView::Unscored;
        };
        let (score, label) = (c.score, c.label);
        match c.kind {
            NONE => CellView::Unscored,
            PASSED | FAILED => CellView::Verdict {
                passed: c.kind == PASSED,
                score: (!score.is_nan()).then_some(score),
                label: (label != Interner::NONE).then(|| self.labels.get(label)),
            },
            JUDGE_ERROR => CellView::JudgeError,
            k => CellView::Failed(
                FailureKind::ALL
                    .get(usize::from(k - HOST_FAILURE))
                    .copied()
                    .unwrap_or(FailureKind::Trap),
            ),
        }
    }

    /// Rows scored and passed in each segment of `segment_size` rows.
    pub fn segment_pass(&self, segment_size: u32) -> Vec<SegmentPass> {
        let size = segment_size.max(1) as usize;
        self.cells
            .chunks(size)
            .enumerate()
            .map(|(i, cells)| {
                let scored = cells.iter().filter(|c| c.kind == PASSED || c.kind == FAILED).count();
                let passed = cells.iter().filter(|c| c.kind == PASSED).count();
                SegmentPass {
                    segment: i as u32,
                    scored: scored as u64,
                    passed: passed as u64,
                }
            })
            .collect()
    }

    /// True when the row has a verdict that passed.
    pub fn passed_row(&self, idx: u32) -> bool {
        self.cells.get(idx as usize).is_some_and(|c| c.kind == PASSED)
    }
}

#[cfg(test)]
mod tests;
