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
