//! Anthropic Message Batches and sync Messages.
//!
//! Invariant: the key comes only from `ANTHROPIC_API_KEY` (or the caller) and
//! is sent only as a sensitive `x-api-key` header, and only to the base URL:
//! a `results_url` on another origin is fetched at the base URL's origin
//! with the same path. The base URL comes from the caller,
//! `ANTHROPIC_BASE_URL`, or Anthropic's own, without `/v1` (as the SDKs
//! take it), so the emulator, a gateway or a proxy can stand in.

use std::path::Path;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{Client, Method, RequestBuilder, Url};
use serde_json::Value;

use crate::error::ProviderError;
use crate::http::Replay;
use crate::retry::RetryPolicy;
use crate::secret::ApiKey;
use crate::{download, http};

pub mod body;

pub use body::{InputScan, scan};

pub const KEY_VAR: &str = "ANTHROPIC_API_KEY";
pub const BASE_URL_VAR: &str = "ANTHROPIC_BASE_URL";
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
pub const VERSION: &str = "2023-06-01";

#[derive(Debug, Clone)]
pub struct Anthropic {
    http: Client,
    base: Url,
    key: ApiKey,
    pub retry: RetryPolicy,
}

/// The fields of a `MessageBatch` that drive the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBatchView {
    pub id: String,
    /// `in_progress`, `canceling` or `ended`.
    pub processing_status: String,
    pub results_url: Option<String>,
    pub processing: u64,
    pub succeeded: u64,
    pub errored: u64,
    pub canceled: u64,
    pub expired: u64,
}

impl MessageBatchView {
    pub fn of(v: &Value) -> Result<MessageBatchView, ProviderError> {
        let count = |k: &str| {
            v.pointer(&format!("/request_counts/{k}"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| ProviderError::BadAnswer {
                what: "message batch object".into(),
                reason: "no id".into(),
            })?;
        Ok(MessageBatchView {
            id: id.to_owned(),
            processing_status: v
                .get("processing_status")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            results_url: v.get("results_url").and_then(Value::as_str).map(str::to_owned),
            processing: count("processing"),
            succeeded: count("succeeded"),
            errored: count("errored"),
            canceled: count("canceled"),
            expired: count("expired"),
        })
    }

    /// Every request, in whatever state.
    pub fn total(&self) -> u64 {
        self.processing + self.succeeded + self.errored + self.canceled + self.expired
    }

    /// Requests that ended without a message.
    pub fn failed(&self) -> u64 {
        self.errored + self.canceled + self.expired
    }

    pub fn terminal(&self) -> bool {
        self.processing_status == "ended"
    }
}

impl Anthropic {
    /// A client for `base` (e.g. `https://api.anthropic.com`).
    pub fn new(base: &str, key: ApiKey) -> Result<Anthropic, ProviderError> {
        let bad = |reason: &str| ProviderError::BaseUrl {
            url: base.to_owned(),
            reason: reason.to_owned(),
        };
        let mut parsed = Url::parse(base).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad("the scheme must be http or https"));
        }
        let path = parsed.path().trim_end_matches('/').to_owned();
        parsed.set_path(&path);
        let http = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| bad(&e.to_string()))?;
        Ok(Anthropic {
            http,
            base: parsed,
            key,
            retry: RetryPolicy::default(),
        })
    }

    /// The key from `ANTHROPIC_API_KEY`; the base URL from `base_url`, else
    /// `ANTHROPIC_BASE_URL`, else Anthropic's.
    pub fn from_env(base_url: Option<&str>) -> Result<Anthropic, ProviderError> {
        let key = ApiKey::from_env(KEY_VAR).ok_or(ProviderError::MissingKey { var: KEY_VAR })?;
        let env_base = std::env::var(BASE_URL_VAR).ok().filter(|s| !s.trim().is_empty());
        Anthropic::new(base_url.or(env_base.as_deref()).unwrap_or(DEFAULT_BASE_URL), key)
    }

    /// Replaces the connect and read timeouts (defaults 10 s and 120 s).
    pub fn with_timeouts(mut self, connect: Duration, read: Duration) -> Result<Anthropic, ProviderError> {
        self.http = Client::builder()
            .connect_timeout(connect)
            .read_timeout(read)
            .build()
            .map_err(|e| ProviderError::BaseUrl {
                url: self.base.to_string(),
                reason: e.to_string(),
            })?;
        Ok(self)
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    fn req_url(&self, method: Method, url: &str) -> RequestBuilder {
        let r = self.http.request(method, url).header("anthropic-version", VERSION);
        match self.key.header() {
            Some(h) => r.header("x-api-key", h),
            None => r,
        }
    }

    fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.req_url(method, &format!("{}{path}", self.base_url()))
    }

    async fn call(&self, what: &str, method: Method, path: &str, body: Option<&Value>) -> Result<Value, ProviderError> {
        http::json(&self.retry, &self.key, what, Replay::Safe, || {
            let r = self.req(method.clone(), path);
            match body {
                Some(b) => r.json(b),
                None => r,
            }
        })
        .await
    }

    /// `POST /v1/messages/batches` with the requests of `input` (JSONL of
    /// `{custom_id, params}`), checked first, then streamed. A request that
    /// may have reached Anthropic is not sent again: look for the batch with
    /// [`Anthropic::batches_since`] instead of creating it twice.
    pub async fn create_batch(&self, input: &Path) -> Result<Value, ProviderError> {
        let scan = scan(input)?;
        let what = format!("creating the message batch from {}", input.display());
        http::json(&self.retry, &self.key, &what, Replay::OnlyIfRefused, || {
            self.req(Method::POST, "/v1/messages/batches")
                .header(CONTENT_TYPE, "application/json")
                .header(CONTENT_LENGTH, scan.body_len)
                .body(reqwest::Body::wrap(body::RequestsBody::open(input.to_owned(), scan)))
        })
        .await
    }

    pub async fn batch(&self, id: &str) -> Result<Value, ProviderError> {
        self.call(
            &format!("reading message batch {id}"),
            Method::GET,
            &format!("/v1/messages/batches/{id}"),
            None,
        )
        .await
    }

    /// One page of batches, newest first, after (older than) `after_id`.
    pub async fn list_batches(&self, limit: u32, after_id: Option<&str>) -> Result<Value, ProviderError> {
        let mut path = format!("/v1/messages/batches?limit={}", limit.clamp(1, 1000));
        if let Some(a) = after_id {
            path.push_str(&format!("&after_id={a}"));
        }
        self.call("listing message batches", Method::GET, &path, None).await
    }

    /// The id of the newest batch, if any: the mark to search from after a
    /// create whose answer was lost.
    pub async fn newest_batch_id(&self) -> Result<Option<String>, ProviderError> {
        let page = self.list_batches(1, None).await?;
        Ok(page.pointer("/data/0/id").and_then(Value::as_str).map(str::to_owned))
    }

    /// Batches newer than `mark` (all of them when `mark` is none), newest
    /// first, searching `pages` pages of 100.
    pub async fn batches_since(&self, mark: Option<&str>, pages: u32) -> Result<Vec<Value>, ProviderError> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..pages {
            let page = self.list_batches(100, after.as_deref()).await?;
            for b in page.get("data").and_then(Value::as_array).into_iter().flatten() {
                if mark.is_some() && b.get("id").and_then(Value::as_str) == mark {
                    return Ok(out);
                }
                out.push(b.clone());
            }
            if page.get("has_more").and_then(Value::as_bool) != Some(true) {
                break;
            }
            after = page.get("last_id").and_then(Value::as_str).map(str::to_owned);
        }
        Ok(out)
    }

    pub async fn cancel_batch(&self, id: &str) -> Result<Value, ProviderError> {
        self.call(
            &format!("canceling message batch {id}"),
            Method::POST,
            &format!("/v1/messages/batches/{id}/cancel"),
            None,
        )
        .await
    }

    /// Where to fetch `results_url` from: itself on the base URL's origin,
    /// else its path at the base URL's origin (the key goes nowhere else).
    fn results_target(&self, results_url: &str) -> Result<Url, ProviderError> {
        let bad = |reason: &str| ProviderError::BadAnswer {
            what: "message batch results_url".into(),
            reason: reason.to_owned(),
        };
        let u = self.base.join(results_url).map_err(|e| bad(&e.to_string()))?;
        if u.origin() == self.base.origin() {
            return Ok(u);
        }
        let mut same = self.base.clone();
        same.set_path(u.path());
        same.set_query(u.query());
        Ok(same)
    }

    /// `GET results_url` (the results stream, JSONL) into `dest`, whole or not at all.
    pub async fn download_results(&self, results_url: &str, dest: &Path) -> Result<u64, ProviderError> {
        let url = self.results_target(results_url)?;
        let what = format!("downloading results {}", url.path());
        download::to_file(&self.retry, &self.key, &what, dest, || {
            self.req_url(Method::GET, url.as_str())
                .header(ACCEPT, "application/binary")
        })
        .await
    }

    /// Sync `POST /v1/messages` with `params` (a batch request's `params`).
    pub async fn message(&self, params: &Value) -> Result<Value, ProviderError> {
        self.call("message", Method::POST, "/v1/messages", Some(params)).await
    }
}

#[cfg(test)]
mod tests;
