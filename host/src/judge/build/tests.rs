//! Unit tests for `build`.

use super::*;

#[test]
fn sha256_goes_before_the_first_table_and_replaces_an_old_one() {
    let text = "name = \"x\"\nsha256 = \"old\"\n[limits]\nfuel-per-row = 1\n";
    let out = with_sha256(text, "abc");
    assert_eq!(out, "name = \"x\"\nsha256 = \"abc\"\n[limits]\nfuel-per-row = 1\n");
}
