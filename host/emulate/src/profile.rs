//! The emulator's fault profile (TOML): which rows fail and how, and which
//! HTTP requests are answered with a fault.
//!
//! Invariant: every field is optional, and an empty profile is a healthy
//! provider; an unknown key is refused so a typo never silently disables a fault.

use std::path::Path;

use serde::Deserialize;

/// Row faults (indexes are 0-based positions in the input file) and HTTP faults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    /// Milliseconds from batch creation to the end of processing (default 300).
    pub process_ms: Option<u64>,
    /// Rows answered with an HTTP 500 `server_error` in the error file.
    pub server_error_rows: Vec<usize>,
    /// Rows answered with an HTTP 429 `rate_limit_exceeded` in the error file.
    pub rate_limit_rows: Vec<usize>,
    /// Rows answered with an HTTP 400 `invalid_request_error` in the error file.
    pub invalid_rows: Vec<usize>,
    /// Rows answered 200 with `finish_reason: "content_filter"`.
    pub content_filter_rows: Vec<usize>,
    /// Rows from this index on are never processed: `batch_expired` in the
    /// error file and the batch ends `expired`.
    pub expire_from: Option<usize>,
    /// Write the output and error files in a seeded random order.
    pub shuffle: bool,
    /// Rows whose result line is written twice.
    pub duplicate_rows: Vec<usize>,
    /// Rows with no result line at all.
    pub missing_rows: Vec<usize>,
    /// From this row on, answers come from a rotated snapshot (`model` and
    /// `system_fingerprint` change).
    pub rotate_at: Option<usize>,
    /// Rows `[start, end)` whose answers drift in shape (JSON keys renamed,
    /// plain text prefixed).
    pub drift_rows: Option<[usize; 2]>,
    /// Fraction (0..1) of rows whose batch answer is degraded while the sync
    /// answer is not: a batch-vs-sync quality gap.
    pub quality_gap: f64,
    /// When set, requests must carry `Authorization: Bearer <this>`
    /// (`x-api-key: <this>` on Anthropic's routes).
    pub api_key: Option<String>,
    /// HTTP faults, matched in order against each request.
    pub http: Vec<HttpFault>,
}

/// One HTTP fault: requests matching `route` are answered with it, after
/// `skip` matching requests passed through, for `times` requests.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpFault {
    /// `METHOD /path`, where a path segment `*` matches any one segment, or
    /// `*` alone for every request.
    pub route: String,
    /// Answer with this status and an OpenAI-shaped error body (on
    /// Anthropic's `/v1/messages` routes, Anthropic's shape).
    pub status: Option<u16>,
    /// The error `code` in the body sent with `status` (default
    /// `rate_limit_exceeded` for 429, `server_error` otherwise), e.g.
    /// `insufficient_quota`; on Anthropic's routes, the error `type`
    /// (default by status: `rate_limit_error`, `overloaded_error`, ...).
    pub code: Option<String>,
    /// The error `message` in the body sent with `status` (default
    /// "Emulated fault from the profile."), e.g. Anthropic's spend-limit text.
    pub message: Option<String>,
    /// The `Retry-After` header to send with `status` (seconds or an HTTP-date).
    pub retry_after: Option<String>,
    /// Wait this long before answering.
    pub delay_ms: Option<u64>,
    /// Announce the full length, send this many bytes of the body, then drop
    /// the connection.
    pub reset_after_bytes: Option<usize>,
    /// With `reset_after_bytes`: how long the connection stays open after
    /// those bytes before it drops (default 50 ms), to stall a client mid-body.
    pub stall_ms: Option<u64>,
    /// Matching requests that pass untouched first.
    pub skip: u32,
    /// Matching requests the fault applies to (default 1; 0 = every one).
    pub times: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("profile {path}: {source}")]
    Parse {
        path: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("profile {path}: {reason}")]
    Invalid { path: String, reason: String },
}

impl Profile {
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: shown.clone(),
            source,
        })?;
        Profile::parse(&text).map_err(|e| match e {
            ProfileError::Parse { source, .. } => ProfileError::Parse { path: shown, source },
            ProfileError::Invalid { reason, .. } => ProfileError::Invalid { path: shown, reason },
            other => other,
        })
    }

    pub fn parse(text: &str) -> Result<Profile, ProfileError> {
        let p: Profile = toml::from_str(text).map_err(|source| ProfileError::Parse {
            path: String::new(),
            source,
        })?;
        let invalid = |reason: String| ProfileError::Invalid {
            path: String::new(),
            reason,
        };
        if !(0.0..=1.0).contains(&p.quality_gap) {
            return Err(invalid(format!("quality_gap {} must be within 0..1", p.quality_gap)));
        }
        if let Some([a, b]) = p.drift_rows
            && a > b
        {
            return Err(invalid(format!("drift_rows [{a}, {b}]: start is after end")));
        }
        for f in &p.http {
            if f.route != "*" && f.route.split_once(' ').is_none() {
                return Err(invalid(format!(
                    "http route {:?}: expected \"METHOD /path\" or \"*\"",
                    f.route
                )));
            }
        }
        Ok(p)
    }

    pub fn process_ms(&self) -> u64 {
        self.process_ms.unwrap_or(300)
    }
}

impl HttpFault {
    /// Whether this fault's route names the request.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if self.route == "*" {
            return true;
        }
        let Some((m, p)) = self.route.split_once(' ') else {
            return false;
        };
        if !m.eq_ignore_ascii_case(method) {
            return false;
        }
        let want: Vec<&str> = p.trim_matches('/').split('/').collect();
        let got: Vec<&str> = path.trim_matches('/').split('/').collect();
        want.len() == got.len() && want.iter().zip(&got).all(|(w, g)| *w == "*" || w == g)
    }
}

#[cfg(test)]
mod tests;
