//! Unit tests for `secret`.

use super::*;

#[test]
fn debug_and_scrub_never_show_the_key() {
    let k = ApiKey::new("abc123secret");
    assert!(!format!("{k:?}").contains("abc123secret"));
    let s = k.scrub("Incorrect API key provided: sk-abc***xyz. Also abc123secret here");
    assert!(!s.contains("abc123secret") && !s.contains("sk-abc"), "{s}");
    assert!(s.starts_with("Incorrect API key provided: <redacted>"), "{s}");
}
