//! Block-local name ids.

use super::*;

#[test]
fn block_names_number_from_one_in_order_of_first_appearance() {
    let mut n = BlockNames::default();
    assert_eq!(n.local(None), 0);
    assert_eq!(n.local(Some("gpt-b")), 1);
    assert_eq!(n.local(Some("fp_1")), 2);
    assert_eq!(n.local(Some("gpt-b")), 1);
    assert_eq!(n.local(Some("gpt-a")), 3);
    assert_eq!(n.into_names(), ["gpt-b", "fp_1", "gpt-a"]);
}

/// The two-name memory answers a row's model and snapshot again, and a name
/// that left it is still found by its number.
#[test]
fn a_name_outside_the_recent_two_keeps_its_number() {
    let mut n = BlockNames::default();
    let seq = [
        "gpt-a", "fp_1", "gpt-a", "fp_1", "gpt-b", "fp_2", "gpt-a", "fp_1", "fp_2",
    ];
    let got: Vec<u16> = seq.iter().map(|s| n.local(Some(s))).collect();
    assert_eq!(got, [1, 2, 1, 2, 3, 4, 1, 2, 4]);
    assert_eq!(n.local(None), 0);
    assert_eq!(n.into_names(), ["gpt-a", "fp_1", "gpt-b", "fp_2"]);
}
