//! One request with the retry policy applied: rate limits and server errors
//! are retried, refusals are not, and every message is scrubbed of the key.
//!
//! Invariant: a request is retried only when the provider answered with a
//! retryable status or did not answer at all; every retry waits per
//! `RetryPolicy`; what comes back is either a success or an error that says
//! why assay stopped.

use std::future::Future;
use std::time::{Duration, SystemTime};

use reqwest::{RequestBuilder, Response};
use serde_json::Value;

use crate::error::{ProviderError, hint};
use crate::retry::{RetryPolicy, retry_after, retryable_status};
use crate::secret::ApiKey;

/// What one attempt ended with, for the retry loop.
pub enum Attempt<T> {
    Done(T),
    /// Worth another try, after at least `after` when the provider said so.
    Retry {
        err: ProviderError,
        after: Option<Duration>,
    },
    Fatal(ProviderError),
}

/// Runs `attempt` until it is done, fatal, or out of attempts, sleeping per
/// `policy` between attempts.
pub async fn with_retry<T, F, Fut>(policy: &RetryPolicy, mut attempt: F) -> Result<T, ProviderError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Attempt<T>>,
{
    let mut n = 0;
    loop {
        match attempt(n + 1).await {
            Attempt::Done(v) => return Ok(v),
            Attempt::Fatal(e) => return Err(e),
            Attempt::Retry { err, after } => {
                if n + 1 >= policy.max_attempts {
                    return Err(err);
                }
                tokio::time::sleep(policy.delay(n, after)).await;
                n += 1;
            }
        }
    }
}

/// The provider's error message and code from an error body (OpenAI
/// `{"error": {"message", "code"}}`, Anthropic `{"error": {"message", "type"}}`).
fn error_fields(body: &str) -> (String, Option<String>) {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let e = v.get("error").unwrap_or(&Value::Null);
    let message = e
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| body.chars().take(300).collect());
    let code = e
        .get("code")
        .or_else(|| e.get("type"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    (message, code)
}

/// Sends one request built by `build` and sorts the answer into an `Attempt`.
pub async fn send(build: RequestBuilder, key: &ApiKey, what: &str, attempt: u32) -> Attempt<Response> {
    let resp = match build.send().await {
        Ok(r) => r,
        Err(source) => {
            return Attempt::Retry {
                err: ProviderError::Transport {
                    what: what.to_owned(),
                    attempts: attempt,
                    source: source.without_url(),
                },
                after: None,
            };
        }
    };
    let status = resp.status().as_u16();
    if resp.status().is_success() {
        return Attempt::Done(resp);
    }
    let after = retry_after(resp.headers(), SystemTime::now());
    let body = resp.text().await.unwrap_or_default();
    let (message, code) = error_fields(&body);
    let message = key.scrub(&message);
    // A spent quota does not pass by waiting: OpenAI names it by code,
    // Anthropic by a `rate_limit_error` whose message names the spend limit.
    let quota = matches!(
        code.as_deref(),
        Some("insufficient_quota" | "billing_hard_limit_reached")
    ) || (status == 429 && message.to_ascii_lowercase().contains("spend limit"));
    if retryable_status(status) && !quota {
        Attempt::Retry {
            err: ProviderError::Exhausted {
                what: what.to_owned(),
                status,
                attempts: attempt,
                message,
            },
            after,
        }
    } else {
        Attempt::Fatal(ProviderError::Refused {
            what: what.to_owned(),
            status,
            message,
            hint: hint(status, code.as_deref()),
        })
    }
}

/// Whether a request may be sent again when its fate is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Reads, cancels, uploads: sending twice does no harm.
    Safe,
    /// Creating a batch: retried only when the provider answered that it did
    /// not act (429, 5xx) or the connection was never made; a request that
    /// may have reached it is not sent again, so the caller can look for
    /// what it created instead of creating it twice.
    OnlyIfRefused,
}

/// Whether a failure leaves it unknown if the provider acted.
fn fate_unknown(err: &ProviderError) -> bool {
    matches!(err, ProviderError::Transport { source, .. } if !source.is_connect())
}

/// Sends with retries and parses the JSON answer.
pub async fn json(
    policy: &RetryPolicy,
    key: &ApiKey,
    what: &str,
    replay: Replay,
    build: impl Fn() -> RequestBuilder,
) -> Result<Value, ProviderError> {
    with_retry(policy, |n| {
        let req = build();
        async move {
            let outcome = match send(req, key, what, n).await {
                Attempt::Done(r) => match r.json::<Value>().await {
                    Ok(v) => Attempt::Done(v),
                    Err(source) => Attempt::Retry {
                        err: ProviderError::Transport {
                            what: what.to_owned(),
                            attempts: n,
                            source: source.without_url(),
                        },
                        after: None,
                    },
                },
                Attempt::Retry { err, after } => Attempt::Retry { err, after },
                Attempt::Fatal(e) => Attempt::Fatal(e),
            };
            match outcome {
                Attempt::Retry { err, .. } if replay == Replay::OnlyIfRefused && fate_unknown(&err) => {
                    Attempt::Fatal(err)
                }
                Attempt::Done(v) => Attempt::Done(v),
                Attempt::Retry { err, after } => Attempt::Retry { err, after },
                Attempt::Fatal(e) => Attempt::Fatal(e),
            }
        }
    })
    .await
}
