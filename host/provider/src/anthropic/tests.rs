//! Unit tests for `anthropic` (base URLs and where results are fetched from).

use super::*;

#[test]
fn a_results_url_on_another_origin_is_fetched_at_the_base_url_origin() {
    let c = Anthropic::new("http://127.0.0.1:9/", ApiKey::new("k")).unwrap();
    assert_eq!(c.base_url(), "http://127.0.0.1:9");
    let same = c
        .results_target("http://127.0.0.1:9/v1/messages/batches/b1/results")
        .unwrap();
    assert_eq!(same.as_str(), "http://127.0.0.1:9/v1/messages/batches/b1/results");
    let other = c
        .results_target("https://api.anthropic.com/v1/messages/batches/b1/results")
        .unwrap();
    assert_eq!(other.as_str(), "http://127.0.0.1:9/v1/messages/batches/b1/results");
    assert!(Anthropic::new("ftp://x", ApiKey::new("k")).is_err());
}
