//! Unit tests for `golden`.

use super::*;

#[test]
fn expected_keys_must_agree_and_unstated_keys_are_free() {
    let got = json!({"id": "a", "passed": false, "score": 0.25, "label": "x"});
    assert!(matches(&json!({"id": "a", "passed": false}), &got));
    assert!(matches(&json!({"id": "a", "score": 0.25000000001}), &got));
    assert!(!matches(&json!({"id": "a", "passed": true}), &got));
    assert!(!matches(&json!({"id": "a", "label": "y"}), &got));
    assert!(!matches(&json!({"id": "a", "score": 0.3}), &got));
}
