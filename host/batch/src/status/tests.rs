//! Unit tests for statuses, flags, retry policy and usage.

use super::*;

#[test]
fn status_index_roundtrip() {
    for (i, s) in Status::ALL.iter().enumerate() {
        assert_eq!(s.index(), i);
        assert_eq!(Status::from_index(i), Some(*s));
    }
    assert_eq!(Status::from_index(8), None);
    assert_eq!(Status::RetryExhausted.as_str(), "retry_exhausted");
    assert_eq!(Status::ProviderError.to_string(), "provider_error");
}

#[test]
fn flags() {
    let mut f = Flags::empty();
    assert!(f.is_empty());
    f.insert(Flags::TRUNCATED);
    f.insert(Flags::DUPLICATE);
    assert!(f.contains(Flags::TRUNCATED));
    assert!(!f.contains(Flags::RETRIED));
    assert_eq!(f.names(), vec!["truncated", "duplicate"]);
}

#[test]
fn default_policy() {
    let p = RetryPolicy::default();
    assert!(p.is_retryable(Status::ProviderError, Some(ErrorKind::RateLimit)));
    assert!(p.is_retryable(Status::ProviderError, Some(ErrorKind::ServerError)));
    assert!(p.is_retryable(Status::Expired, None));
    assert!(!p.is_retryable(Status::Timeout, None));
    assert!(!p.is_retryable(Status::ProviderError, Some(ErrorKind::InvalidRequest)));
    assert!(!p.is_retryable(Status::ProviderError, None));
    assert!(!p.is_retryable(Status::ContentFilter, None));
    assert!(!p.is_retryable(Status::Completed, None));
    assert!(!p.is_retryable(Status::Missing, None));
    assert_eq!(p.to_string(), "rate_limit,server_error,expired");
    assert_eq!(RetryPolicy::parse("rate_limit,server_error,expired"), Ok(p));
}

#[test]
fn parse_policy() {
    let p = RetryPolicy::parse(" timeout , cancelled ").unwrap_or(RetryPolicy::none());
    assert!(p.is_retryable(Status::Timeout, None));
    assert!(p.is_retryable(Status::Canceled, None));
    assert!(!p.is_retryable(Status::Expired, None));
    assert_eq!(RetryPolicy::parse(""), Ok(RetryPolicy::none()));
    assert_eq!(RetryPolicy::parse("none"), Ok(RetryPolicy::none()));
    let err = RetryPolicy::parse("rate_limit,ratelimit");
    assert_eq!(
        err,
        Err(PolicyError {
            name: "ratelimit".into()
        })
    );
    let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.starts_with("unknown retryable outcome \"ratelimit\" (known: rate_limit,"));
}

#[test]
fn usage_add_saturates() {
    let mut u = Usage {
        input: u64::MAX - 1,
        output: 2,
        ..Usage::default()
    };
    u += Usage {
        input: 5,
        output: 3,
        cached_input: 1,
        cache_write: 1,
        reasoning: 1,
    };
    assert_eq!(u.input, u64::MAX);
    assert_eq!(u.output, 5);
    assert_eq!(u.reasoning, 1);
}
