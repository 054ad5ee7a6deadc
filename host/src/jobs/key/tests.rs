//! Unit tests for `key`.

use super::*;

#[test]
fn the_key_changes_with_the_input_or_the_host_and_nothing_else() {
    let a = job_key("openai", "http://h/v1", "aa");
    assert_eq!(a, job_key("openai", "http://h/v1", "aa"));
    assert_ne!(a, job_key("openai", "http://h/v1", "ab"));
    assert_ne!(a, job_key("openai", "http://g/v1", "aa"));
}
