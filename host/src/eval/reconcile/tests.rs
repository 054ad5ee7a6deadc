//! Unit tests for `reconcile`.

use super::*;

#[test]
fn lost_rows_are_named_with_both_numbers() {
    let obj = BatchObject {
        total: Some(30),
        succeeded: Some(30),
        failed: Some(0),
        ..BatchObject::default()
    };
    let tally = AttemptTally {
        ids: 28,
        succeeded: 28,
        ..AttemptTally::default()
    };
    let r = reconcile(1, "batch.json", &obj, &tally, 30);
    assert!(!r.ok);
    let s = r
        .checks
        .iter()
        .find(|c| c.name == "succeeded")
        .expect("succeeded check");
    assert_eq!(
        s.message,
        "provider reports 30 succeeded, result files hold 28 distinct succeeded ids: 2 rows lost"
    );
    assert_eq!(s.delta, -2);
    assert!(r.checks.iter().find(|c| c.name == "total").is_some_and(|c| c.ok));
}

#[test]
fn unstated_counts_are_not_checked() {
    let obj = BatchObject {
        total: Some(3),
        ..BatchObject::default()
    };
    let r = reconcile(1, "b.json", &obj, &AttemptTally::default(), 3);
    assert_eq!(r.checks.len(), 1);
    assert!(r.ok);
}
