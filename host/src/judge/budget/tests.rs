//! Unit tests for `budget`.

use super::*;

#[test]
fn the_ceiling_is_passed_at_the_first_failure_above_the_allowance() {
    let b = RunBudget::new(0.01, 200, Duration::from_secs(60));
    b.record_failures(2, || first("row a: timeout"));
    assert!(b.check().is_ok(), "2 of 200 is the allowance");
    b.record_failures(1, || first("row b"));
    let err = b.check().expect_err("3 > 2");
    assert!(err.to_string().contains("first: row a: timeout"), "{err}");
}

#[test]
fn time_past_the_budget_stops_the_judge() {
    let b = RunBudget::new(1.0, 10, Duration::from_secs(1));
    b.record_time(Duration::from_millis(600));
    assert!(b.check().is_ok());
    b.record_time(Duration::from_millis(600));
    assert!(matches!(b.check(), Err(BudgetExceeded::Time { .. })));
}

fn first(text: &str) -> FirstFailure {
    FirstFailure {
        text: text.into(),
        id: String::new(),
        rows: String::new(),
        call_rows: 0,
    }
}
