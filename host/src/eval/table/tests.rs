//! Unit tests for `table`.

use super::*;
use crate::judge::{Failure, Verdict};

#[test]
fn counters_agree_with_cells_and_first_write_wins() {
    let mut t = VerdictTable::new(4);
    let pass = RowResult::Verdict(Verdict {
        score: Some(1.0),
        label: None,
        passed: true,
        details: None,
    });
    let fail = RowResult::Verdict(Verdict {
        score: Some(0.0),
        label: Some("enum@/label".into()),
        passed: false,
        details: None,
    });
    t.store(0, &pass);
    t.store(0, &fail);
    t.store(1, &fail);
    t.store(2, &RowResult::Failed(Failure::new(FailureKind::Fuel, "x")));
    assert_eq!((t.scored, t.passed, t.host_failures()), (2, 1, 1));
    assert_eq!(
        t.get(1),
        CellView::Verdict {
            passed: false,
            score: Some(0.0),
            label: Some("enum@/label")
        }
    );
    assert_eq!(t.get(2), CellView::Failed(FailureKind::Fuel));
    assert_eq!(t.get(3), CellView::Unscored);
}

/// A score is kept as the f64 the judge returned: 0.1 and 1/3 are not f32
/// values, and come back exactly; -0.0 is not taken for 0.0.
#[test]
fn scores_are_kept_as_f64_exactly() {
    let mut t = VerdictTable::new(5);
    for (i, s) in [0.1f64, 1.0 / 3.0, -0.0, 0.0, 1.0].into_iter().enumerate() {
        let v = RowResult::Verdict(Verdict {
            score: Some(s),
            label: None,
            passed: true,
            details: None,
        });
        t.store(i as u32, &v);
        let CellView::Verdict { score, .. } = t.get(i as u32) else {
            panic!("no verdict");
        };
        assert_eq!(score.map(f64::to_bits), Some(s.to_bits()), "{s} came back as {score:?}");
    }
}

/// A pass/fail judge scoring 0 and 1 costs one byte a row while it names at
/// most 14 distinct labels; more labels add two, other scores eight.
#[test]
fn columns_are_allocated_only_when_a_verdict_needs_them() {
    let verdict = |score: f64, label: Option<&str>| {
        RowResult::Verdict(Verdict {
            score: Some(score),
            label: label.map(Into::into),
            passed: score > 0.5,
            details: None,
        })
    };
    let mut t = VerdictTable::new(1000);
    (0..500).for_each(|i| t.store(i, &verdict(f64::from(i % 2), None)));
    assert!(t.label_ids.is_empty() && t.scores.is_empty());
    t.store(500, &verdict(0.0, Some("enum@/label")));
    assert!(t.label_ids.is_empty() && t.scores.is_empty());
    t.store(501, &verdict(0.75, None));
    assert_eq!(t.scores.len(), 1000);
    assert_eq!(
        t.get(1),
        CellView::Verdict {
            passed: true,
            score: Some(1.0),
            label: None
        }
    );
    assert_eq!(
        t.get(501),
        CellView::Verdict {
            passed: true,
            score: Some(0.75),
            label: None
        }
    );
    assert_eq!(t.segment_pass(250)[0].passed, 125);
}

/// The first 14 distinct labels live in the row's byte; the 15th makes the
/// label column, and every row still reads back its own label.
#[test]
fn the_first_14_labels_cost_nothing_and_later_ones_go_to_the_column() {
    let mut t = VerdictTable::new(40);
    let labelled = |i: u32| {
        RowResult::Verdict(Verdict {
            score: Some(0.0),
            label: Some(format!("label-{}", i % 20)),
            passed: i.is_multiple_of(3),
            details: None,
        })
    };
    (0..14).for_each(|i| t.store(i, &labelled(i)));
    t.store(30, &labelled(30));
    assert!(t.label_ids.is_empty());
    (14..20).for_each(|i| t.store(i, &labelled(i)));
    assert_eq!(t.label_ids.len(), 40);
    (20..30).for_each(|i| t.store(i, &labelled(i)));
    for i in 0..31 {
        let want = format!("label-{}", i % 20);
        assert_eq!(
            t.get(i),
            CellView::Verdict {
                passed: i.is_multiple_of(3),
                score: Some(0.0),
                label: Some(want.as_str())
            },
            "row {i}"
        );
    }
    assert_eq!(t.get(31), CellView::Unscored);
    assert_eq!((t.scored, t.passed), (31, 11));
}

/// Every kind of host failure reads back as itself, beside verdicts with
/// inline labels, and counts as neither scored nor passed.
#[test]
fn every_host_failure_kind_reads_back() {
    let mut t = VerdictTable::new(FailureKind::ALL.len() + 1);
    for (i, kind) in FailureKind::ALL.into_iter().enumerate() {
        t.store(i as u32, &RowResult::Failed(Failure::new(kind, "x")));
        t.store(
            i as u32,
            &RowResult::Verdict(Verdict {
                score: None,
                label: Some("late".into()),
                passed: true,
                details: None,
            }),
        );
        assert_eq!(t.get(i as u32), CellView::Failed(kind));
        assert!(!t.passed_row(i as u32));
    }
    let last = FailureKind::ALL.len() as u32;
    t.store(
        last,
        &RowResult::JudgeError {
            kind: "trap",
            message: String::new(),
        },
    );
    assert_eq!(t.get(last), CellView::JudgeError);
    assert_eq!((t.scored, t.passed, t.judge_errors, t.host_failures()), (0, 0, 1, 7));
    assert_eq!(t.segment_pass(100)[0].scored, 0);
}
