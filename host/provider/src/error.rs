//! What can go wrong talking to a provider.
//!
//! Invariant: no variant holds an API key; provider messages are scrubbed
//! before they are stored here, and refusals carry a hint that says what the
//! user can do about them.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("{var} is not set: export the API key in {var} (assay reads keys only from the environment)")]
    MissingKey { var: &'static str },
    #[error("{what} is not set: pass {flag} or set {var}")]
    MissingSetting {
        what: &'static str,
        flag: &'static str,
        var: &'static str,
    },
    #[error("{what}: {reason}")]
    BadRequest { what: String, reason: String },
    #[error("base URL {url:?}: {reason}")]
    BaseUrl { url: String, reason: String },
    #[error("{what}: HTTP {status}: {message} ({hint})")]
    Refused {
        what: String,
        status: u16,
        message: String,
        hint: &'static str,
    },
    #[error("{what}: HTTP {status} after {attempts} attempts: {message}")]
    Exhausted {
        what: String,
        status: u16,
        attempts: u32,
        message: String,
    },
    #[error("{what}: no answer after {attempts} attempts")]
    Transport {
        what: String,
        attempts: u32,
        #[source]
        source: reqwest::Error,
    },
    #[error("{what}: the download ended at {got} of {expected} bytes after {attempts} attempts")]
    Truncated {
        what: String,
        got: u64,
        expected: u64,
        attempts: u32,
    },
    #[error("{what}: {path}")]
    Io {
        what: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what}: unexpected answer: {reason}")]
    BadAnswer { what: String, reason: String },
    #[error("{}:{line}: {reason}", path.display())]
    BadInput { path: PathBuf, line: usize, reason: String },
}

/// The hint for a status that is not retried.
pub fn hint(status: u16, code: Option<&str>) -> &'static str {
    match (status, code) {
        (429, _) => "quota or spend limit reached: raise it with the provider; assay does not retry this",
        (401, _) => "the provider refused the API key: check the key in the environment variable",
        (403, _) => "the key has no access to this resource or model: check the project and its permissions",
        (404, _) => "not found: check the base URL (--base-url or the provider's BASE_URL variable) and the id",
        (413, _) => "the request is too large for the provider: split the input",
        _ => "the provider refused the request: fix what its message names, then rerun",
    }
}
