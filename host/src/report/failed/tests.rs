//! Unit tests for `failed`.

use super::*;

fn row(id: &str) -> FailedRow {
    FailedRow {
        id: id.into(),
        index: 0,
        segment: 0,
        status: "timeout".into(),
        error_kind: None,
        model: String::new(),
        judges: Vec::new(),
    }
}

#[test]
fn the_first_rows_are_kept_and_the_rest_past_the_cap_counted() {
    let mut rows = FailedRows::new(2);
    for id in ["a", "b", "c"] {
        rows.push(row(id));
    }
    let ids: Vec<&str> = rows.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(rows.more, 1);
    assert_eq!(rows.total(), 3);
}
