//! API keys.
//!
//! Invariant: a key's text leaves this type only as an HTTP header marked
//! sensitive; `Debug` prints a placeholder and there is no `Display`, so a
//! key cannot reach a log, an error message or a file by formatting.

use reqwest::header::HeaderValue;

#[derive(Clone)]
pub struct ApiKey(String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl ApiKey {
    /// The key from environment variable `var`; `None` when unset or blank.
    pub fn from_env(var: &str) -> Option<ApiKey> {
        std::env::var(var)
            .ok()
            .filter(|k| !k.trim().is_empty())
            .map(|k| ApiKey(k.trim().to_owned()))
    }

    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// `Authorization: Bearer KEY`, marked sensitive.
    pub(crate) fn bearer(&self) -> Option<HeaderValue> {
        let mut v = HeaderValue::from_str(&format!("Bearer {}", self.0)).ok()?;
        v.set_sensitive(true);
        Some(v)
    }

    /// The bare key as a header value (Azure's `api-key`, Anthropic's
    /// `x-api-key`), marked sensitive.
    pub(crate) fn header(&self) -> Option<HeaderValue> {
        let mut v = HeaderValue::from_str(&self.0).ok()?;
        v.set_sensitive(true);
        Some(v)
    }

    /// `text` with the key, and anything shaped like a key (`sk-...`), replaced.
    pub fn scrub(&self, text: &str) -> String {
        let replaced = if self.0.is_empty() {
            text.to_owned()
        } else {
            text.replace(&self.0, "<redacted>")
        };
        replaced
            .split_inclusive(char::is_whitespace)
            .map(|w| {
                let t = w.trim_start_matches(|c: char| !c.is_alphanumeric());
                if t.starts_with("sk-") || t.starts_with("sk_") {
                    let ws: String = w.chars().filter(|c| c.is_whitespace()).collect();
                    format!("<redacted>{ws}")
                } else {
                    w.to_owned()
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
