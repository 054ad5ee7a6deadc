//! Unit tests for `snapshots`.

use assay_batch::{RetryPolicy, RowRecord, Usage};

use super::*;

/// 140,000 completed rows: half answered by `fp_main`, half each by its
/// own fingerprint (70,000 distinct).
fn run(main_first: bool) -> Snapshots {
    let rows = 140_000usize;
    let mut models = Interner::new();
    let mut snaps = Interner::new();
    let model = models.intern("gpt-4o-mini");
    let mut ledger = Ledger::new(rows, 1, RetryPolicy::none());
    // `fp_main` rows first, or only after every distinct fingerprint.
    let (evens, odds) = ((0..rows as u32).step_by(2), (1..rows as u32).step_by(2));
    let order: Vec<u32> = if main_first {
        evens.chain(odds).collect()
    } else {
        odds.chain(evens).collect()
    };
    for idx in order {
        let name = if idx % 2 == 0 {
            "fp_main".to_owned()
        } else {
            format!("fp_{idx}")
        };
        let rec = RowRecord {
            status: Status::Completed,
            error_kind: None,
            truncated: false,
            usage: Usage::default(),
            model,
            snapshot: snaps.intern(&name),
        };
        ledger.apply(1, idx, u64::from(idx), &rec);
    }
    ledger.finish();
    snapshots(&ledger, rows, 10_000, &models, &snaps)
}

#[test]
fn past_65535_distinct_snapshots_the_result_does_not_depend_on_line_order() {
    let (a, b) = (run(true), run(false));
    let show = |s: &Snapshots| serde_json::to_string(s).unwrap_or_default();
    assert_eq!(show(&a), show(&b));
    assert!(!a.snapshots_compared, "overflowing values are scattered: models only");
    let m = a.majority.as_ref().map(|m| (m.model.as_str(), m.snapshot.clone()));
    assert_eq!(m, Some(("gpt-4o-mini", None)));
    assert!(a.rotated_segments.is_empty());
}
