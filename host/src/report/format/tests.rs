//! Unit tests for `format`.

use super::*;

#[test]
fn usd_and_rates_are_formatted_for_people() {
    assert_eq!(metric("batch_cost_usd", 12.5), "$12.500000");
    assert_eq!(metric("cost_per_row_usd", 0.0000456), "$0.000046");
    assert_eq!(usd(-0.0), "$0.000000");
    assert_eq!(metric("pass_rate", 0.5), "50.00%");
    assert_eq!(metric("scored", 3.0), "3");
}

#[test]
fn times_are_shown_in_utc() {
    assert_eq!(utc(0), "1970-01-01 00:00:00Z");
    assert_eq!(utc(1_795_427_232_000), "2026-11-23 09:47:12Z");
    assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00Z");
}
