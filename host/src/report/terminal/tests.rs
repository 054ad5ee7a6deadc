//! Unit tests for `terminal`.

use super::*;

#[test]
fn ansi_escape_from_a_judge_is_neutralized() {
    assert_eq!(sanitize("a\u{1b}[31mred"), "a\\u{1b}[31mred");
}
