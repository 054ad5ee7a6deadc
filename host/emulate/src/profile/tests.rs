//! Unit tests for `profile`.

use super::*;

#[test]
fn an_unknown_key_is_refused_so_a_typo_never_disables_a_fault() {
    assert!(Profile::parse("server_eror_rows = [1]").is_err());
    assert!(Profile::parse("server_error_rows = [1]").is_ok());
}

#[test]
fn routes_match_method_and_segments_with_wildcards() {
    let f = HttpFault {
        route: "GET /v1/files/*/content".into(),
        ..HttpFault::default()
    };
    assert!(f.matches("GET", "/v1/files/file-1/content"));
    assert!(!f.matches("POST", "/v1/files/file-1/content"));
    assert!(!f.matches("GET", "/v1/files/file-1"));
}
