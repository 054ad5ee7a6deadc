//! Unit tests for `sample`.

use super::*;

#[test]
fn sample_sizes_read_percent_fraction_and_count_with_at_least_one_row() {
    assert_eq!(per_segment("2%", 1000).unwrap(), 20);
    assert_eq!(per_segment("0.5", 9).unwrap(), 5);
    assert_eq!(per_segment("3", 2).unwrap(), 2);
    assert_eq!(per_segment("1%", 10).unwrap(), 1);
    assert!(per_segment("0%", 10).is_err() && per_segment("lots", 10).is_err());
}

#[test]
fn a_total_is_shared_in_proportion_and_never_exceeds_the_eligible_rows() {
    assert_eq!(shares(20, &[20, 20]), [10, 10]);
    assert_eq!(shares(5, &[10, 10, 5]), [2, 2, 1]);
    assert_eq!(shares(3, &[10, 10, 10, 10]), [1, 1, 1, 0]);
    assert_eq!(shares(50, &[3, 4]), [3, 4]);
    assert_eq!(shares(4, &[0, 0]), [0, 0]);
}

#[test]
fn a_total_sample_takes_exactly_n_eligible_rows_in_input_order_and_is_seeded() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("in.jsonl");
    let text: String = (0..40).map(|i| format!("{{\"custom_id\":\"r{i}\"}}\n")).collect();
    std::fs::write(&p, text).unwrap();
    let odd = |id: &str| id[1..].parse::<u32>().unwrap() % 2 == 1;
    let a = rows(&p, 1, 20, Quota::Total(8), odd).unwrap();
    let ids: Vec<u32> = a.iter().map(|r| r.0[1..].parse().unwrap()).collect();
    assert_eq!(ids.len(), 8);
    assert!(ids.iter().all(|i| i % 2 == 1) && ids.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(ids.iter().filter(|i| **i < 20).count(), 4, "{ids:?}");
    let again = rows(&p, 1, 20, Quota::Total(8), odd).unwrap();
    assert_eq!(a, again);
    assert_ne!(a, rows(&p, 2, 20, Quota::Total(8), odd).unwrap());
}
