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
/// values, and come back exactly, at 11 bytes a cell (packed, not 16).
#[test]
fn scores_are_kept_as_f64_exactly() {
    let mut t = VerdictTable::new(2);
    for (i, s) in [0.1f64, 1.0 / 3.0].into_iter().enumerate() {
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
        assert_eq!(score, Some(s), "{s} came back as {score:?}");
    }
    assert_eq!(std::mem::size_of::<Cell>(), 11);
}
