//! Per-judge verdicts for every submitted row, kept compact so a
//! million-row job stays well inside the memory budget: one byte a row
//! for a pass/fail judge whose scores are 0 and 1 and whose labels are among
//! its first 14 distinct ones, three when it names more, eleven when it
//! returns other scores.
//!
//! Scores stay the f64 the judge returned, end to end (summary, aggregators,
//! `--rows-out`): 0.0 and 1.0 (bit for bit) are coded in the row's byte; any
//! other score puts the table's scores in one f64 column from then on.
//! Labels are interned; a label id up to [`INLINE_LABELS`] is coded in the
//! row's byte, a later one goes to a u16 column made on first need.
//!
//! Invariant: a row's cell is written at most once, by the collector, when
//! the row's final result is applied; counters always agree with the cells.

use std::collections::BTreeMap;

use assay_batch::Interner;

use crate::judge::{FailureKind, RowResult};
use crate::report::summary::SegmentPass;

pub use crate::sink::CellView;

/// Low two bits of a row's byte: 0 none or a host failure, 1 passed,
/// 2 failed, 3 judge error.
const KIND: u8 = 0x03;
const NONE: u8 = 0;
const PASSED: u8 = 1;
const FAILED: u8 = 2;
const JUDGE_ERROR: u8 = 3;

/// Middle four bits: with `NONE`, 0 or `1 + k` for a host failure of kind
/// k; with `PASSED` or `FAILED`, the label id when it is at most
/// [`INLINE_LABELS`], else 0 (the label, if any, is in the column).
const SUB: u8 = 0x3c;
const SUB_SHIFT: u32 = 2;
/// Largest label id coded in the row's byte.
const INLINE_LABELS: u16 = (SUB >> SUB_SHIFT) as u16;
const _: () = assert!(FailureKind::ALL.len() < INLINE_LABELS as usize);

/// High two bits of a row's byte: how its score is kept.
const SCORE: u8 = 0xc0;
const SCORE_NONE: u8 = 0;
const SCORE_ZERO: u8 = 1 << 6;
const SCORE_ONE: u8 = 2 << 6;
const SCORE_COLUMN: u8 = 3 << 6;

pub struct VerdictTable {
    /// Kind and score code, one byte per row.
    cells: Vec<u8>,
    /// Label ids per row; empty until a verdict names a label past
    /// [`INLINE_LABELS`].
    label_ids: Vec<u16>,
    /// Scores per row; empty until a score other than 0.0 or 1.0.
    scores: Vec<f64>,
    labels: Interner,
    pub scored: u64,
    pub passed: u64,
    pub judge_errors: u64,
    pub failures: BTreeMap<FailureKind, u64>,
}

impl VerdictTable {
    pub fn new(rows: usize) -> Self {
        VerdictTable {
            cells: vec![NONE; rows],
            label_ids: Vec::new(),
            scores: Vec::new(),
            labels: Interner::new(),
            scored: 0,
            passed: 0,
            judge_errors: 0,
            failures: BTreeMap::new(),
        }
    }

    pub fn store(&mut self, idx: u32, r: &RowResult) {
        let i = idx as usize;
        if self.cells.get(i).is_none_or(|&c| c != NONE) {
            return;
        }
        self.cells[i] = match r {
            RowResult::Verdict(v) => {
                self.scored += 1;
                if v.passed {
                    self.passed += 1;
                }
                let mut sub = 0;
                if let Some(l) = v.label.as_deref() {
                    match self.labels.intern(l) {
                        Interner::NONE => {}
                        id @ ..=INLINE_LABELS => sub = (id as u8) << SUB_SHIFT,
                        id => column(&mut self.label_ids, self.cells.len(), Interner::NONE)[i] = id,
                    }
                }
                let code = match v.score {
                    None => SCORE_NONE,
                    Some(s) if s.to_bits() == 0f64.to_bits() => SCORE_ZERO,
                    Some(s) if s.to_bits() == 1f64.to_bits() => SCORE_ONE,
                    Some(s) => {
                        column(&mut self.scores, self.cells.len(), f64::NAN)[i] = s;
                        SCORE_COLUMN
                    }
                };
                code | sub | if v.passed { PASSED } else { FAILED }
            }
            RowResult::JudgeError { .. } => {
                self.judge_errors += 1;
                JUDGE_ERROR
            }
            RowResult::Failed(f) => {
                *self.failures.entry(f.kind).or_default() += 1;
                let k = FailureKind::ALL.iter().position(|x| *x == f.kind).unwrap_or(0) as u8;
                (1 + k) << SUB_SHIFT
            }
        };
    }

    /// Puts back a cell read with [`VerdictTable::get`] (a sharded run's
    /// merge) through `store`, so it is kept and counted as the original
    /// was; a written cell is kept.
    pub fn restore(&mut self, idx: u32, view: CellView<'_>) {
        let r = match view {
            CellView::Unscored => return,
            CellView::Verdict { passed, score, label } => RowResult::Verdict(crate::judge::Verdict {
                score,
                label: label.map(str::to_owned),
                passed,
                details: None,
            }),
            CellView::JudgeError => RowResult::JudgeError {
                kind: "restored",
                message: String::new(),
            },
            CellView::Failed(kind) => RowResult::Failed(crate::judge::Failure::new(kind, "")),
        };
        self.store(idx, &r);
    }

    pub fn host_failures(&self) -> u64 {
        self.failures.values().sum()
    }

    pub fn get(&self, idx: u32) -> CellView<'_> {
        let i = idx as usize;
        let Some(&c) = self.cells.get(i) else {
            return CellView::Unscored;
        };
        let sub = (c & SUB) >> SUB_SHIFT;
        match c & KIND {
            NONE if sub == 0 => CellView::Unscored,
            k @ (PASSED | FAILED) => CellView::Verdict {
                passed: k == PASSED,
                score: match c & SCORE {
                    SCORE_ZERO => Some(0.0),
                    SCORE_ONE => Some(1.0),
                    SCORE_COLUMN => self.scores.get(i).copied(),
                    _ => None,
                },
                label: match sub {
                    0 => self.label_ids.get(i).copied(),
                    inline => Some(u16::from(inline)),
                }
                .filter(|&l| l != Interner::NONE)
                .map(|l| self.labels.get(l)),
            },
            JUDGE_ERROR => CellView::JudgeError,
            _ => CellView::Failed(
                FailureKind::ALL
                    .get(usize::from(sub - 1))
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
                let scored = cells.iter().filter(|&&c| matches!(c & KIND, PASSED | FAILED)).count();
                let passed = cells.iter().filter(|&&c| c & KIND == PASSED).count();
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
        self.cells.get(idx as usize).is_some_and(|&c| c & KIND == PASSED)
    }
}

/// `col`, grown to one entry per row (filled with `empty`) on first use.
fn column<T: Copy>(col: &mut Vec<T>, rows: usize, empty: T) -> &mut Vec<T> {
    if col.is_empty() {
        *col = vec![empty; rows];
    }
    col
}

#[cfg(test)]
mod tests;
