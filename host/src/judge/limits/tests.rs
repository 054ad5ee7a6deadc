//! Unit tests for `limits`.

use super::*;

#[test]
fn manifest_request_above_ceiling_is_refused() {
    let (d, c) = (Limits::default(), Ceilings::default());
    let asked = RequestedLimits {
        fuel_per_row: Some(20_000_000_000),
        ..Default::default()
    };
    let err = Limits::for_request(&d, &c, &asked).expect_err("must refuse");
    assert!(err.to_string().contains("fuel-per-row 20000000000"), "{err}");
}

#[test]
fn manifest_request_within_ceiling_is_granted() {
    let (d, c) = (Limits::default(), Ceilings::default());
    let asked = RequestedLimits {
        memory_mib: Some(64),
        ..Default::default()
    };
    assert_eq!(
        Limits::for_request(&d, &c, &asked).expect("granted").memory_bytes,
        64 * 1024 * 1024
    );
}
