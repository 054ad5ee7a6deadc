//! Unit tests for `retry`.

use super::*;
use reqwest::header::{HeaderValue, RETRY_AFTER};

fn headers(v: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
    h
}

#[test]
fn retry_after_reads_seconds_and_http_dates() {
    let now = httpdate::parse_http_date("Tue, 01 Dec 2026 05:00:00 GMT").unwrap();
    assert_eq!(retry_after(&headers("7"), now), Some(Duration::from_secs(7)));
    assert_eq!(
        retry_after(&headers("Tue, 01 Dec 2026 05:00:30 GMT"), now),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        retry_after(&headers("Tue, 01 Dec 2026 04:00:00 GMT"), now),
        Some(Duration::ZERO)
    );
    assert_eq!(retry_after(&headers("soon"), now), None);
}

#[test]
fn waits_are_capped_and_backoff_grows_with_jitter_below_the_cap() {
    let p = RetryPolicy::default();
    assert_eq!(p.delay(0, Some(Duration::from_secs(3600))), p.retry_after_cap);
    for attempt in 0..20 {
        let d = p.delay(attempt, None);
        assert!(d <= p.cap, "{d:?}");
    }
    let first = p.delay(0, None);
    assert!(first <= p.base && first >= p.base / 2, "{first:?}");
}
