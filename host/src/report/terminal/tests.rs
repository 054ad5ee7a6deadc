//! Unit tests for `terminal`.

use super::*;

#[test]
fn ansi_escape_from_a_judge_is_neutralized() {
    assert_eq!(sanitize("a\u{1b}[31mred"), "a\\u{1b}[31mred");
}

#[test]
fn usd_and_rates_are_formatted_for_people() {
    assert_eq!(fmt_metric("batch_cost_usd", 12.5), "$12.5000");
    assert_eq!(fmt_metric("pass_rate", 0.5), "50.00%");
    assert_eq!(fmt_metric("scored", 3.0), "3");
}
