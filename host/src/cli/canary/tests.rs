//! Unit tests for `canary`.

use super::*;

#[test]
fn sample_sizes_read_percent_fraction_and_count_with_at_least_one_row() {
    assert_eq!(per_segment("2%", 1000).unwrap(), 20);
    assert_eq!(per_segment("0.5", 9).unwrap(), 5);
    assert_eq!(per_segment("3", 2).unwrap(), 2);
    assert_eq!(per_segment("1%", 10).unwrap(), 1);
    assert!(per_segment("0%", 10).is_err() && per_segment("lots", 10).is_err());
}
