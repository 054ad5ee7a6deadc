//! Downloading a result file so that a partial file is never taken for a
//! whole one.
//!
//! Invariant: bytes go to a temporary file beside the destination, and only a
//! body that ended cleanly with exactly the announced `Content-Length` is
//! renamed into place; anything else is deleted and retried.

use std::io::Write;
use std::path::Path;

use reqwest::RequestBuilder;

use crate::error::ProviderError;
use crate::http::{Attempt, send, with_retry};
use crate::retry::RetryPolicy;
use crate::secret::ApiKey;

fn io(what: &str, path: &Path, source: std::io::Error) -> ProviderError {
    ProviderError::Io {
        what: what.to_owned(),
        path: path.to_owned(),
        source,
    }
}

/// Downloads what `build` asks for into `dest`; returns the bytes written.
pub async fn to_file(
    policy: &RetryPolicy,
    key: &ApiKey,
    what: &str,
    dest: &Path,
    build: impl Fn() -> RequestBuilder,
) -> Result<u64, ProviderError> {
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    with_retry(policy, |n| {
        let req = build();
        async move {
            let mut resp = match send(req, key, what, n).await {
                Attempt::Done(r) => r,
                Attempt::Retry { err, after } => return Attempt::Retry { err, after },
                Attempt::Fatal(e) => return Attempt::Fatal(e),
            };
            let expected = resp.content_length();
            let mut tmp = match tempfile::Builder::new().prefix(".part-").tempfile_in(dir) {
                Ok(t) => t,
                Err(e) => return Attempt::Fatal(io(what, dir, e)),
            };
            let mut got: u64 = 0;
            loop {
                match resp.chunk().await {
                    Ok(Some(c)) => {
                        if let Err(e) = tmp.write_all(&c) {
                            return Attempt::Fatal(io(what, tmp.path(), e));
                        }
                        got += c.len() as u64;
                    }
                    Ok(None) => break,
                    Err(source) => {
                        return Attempt::Retry {
                            err: match expected {
                                Some(expected) => ProviderError::Truncated {
                                    what: what.to_owned(),
                                    got,
                                    expected,
                                    attempts: n,
                                },
                                None => ProviderError::Transport {
                                    what: what.to_owned(),
                                    attempts: n,
                                    source: source.without_url(),
                                },
                            },
                            after: None,
                        };
                    }
                }
            }
            if let Some(expected) = expected
                && expected != got
            {
                return Attempt::Retry {
                    err: ProviderError::Truncated {
                        what: what.to_owned(),
                        got,
                        expected,
                        attempts: n,
                    },
                    after: None,
                };
            }
            if let Err(e) = tmp.as_file().sync_all() {
                return Attempt::Fatal(io(what, tmp.path(), e));
            }
            match tmp.persist(dest) {
                Ok(_) => Attempt::Done(got),
                Err(e) => Attempt::Fatal(io(what, dest, e.error)),
            }
        }
    })
    .await
}
