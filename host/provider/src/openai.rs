//! The OpenAI-compatible API: files, batches, sync chat completions,
//! responses and embeddings; OpenAI's own or Azure OpenAI's (`endpoint`).
//!
//! Invariant: the key comes only from `OPENAI_API_KEY` or
//! `AZURE_OPENAI_API_KEY` (or the caller) and is sent only as a sensitive
//! `Authorization` (OpenAI) or `api-key` (Azure) header; the base URL comes
//! from the caller, `OPENAI_BASE_URL` / `AZURE_OPENAI_ENDPOINT`, or OpenAI's
//! own, so the emulator, a gateway or a proxy can stand in.

use std::path::Path;
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, Method, RequestBuilder};
use serde_json::{Value, json};

use crate::endpoint::{Flavor, SyncApi};
use crate::error::ProviderError;
use crate::http::Replay;
use crate::retry::RetryPolicy;
use crate::secret::ApiKey;
use crate::{download, http};

pub const KEY_VAR: &str = "OPENAI_API_KEY";
pub const BASE_URL_VAR: &str = "OPENAI_BASE_URL";
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// Batch statuses after which nothing changes.
pub const TERMINAL: [&str; 4] = ["completed", "failed", "expired", "cancelled"];

#[derive(Debug, Clone)]
pub struct OpenAi {
    http: Client,
    base: String,
    key: ApiKey,
    pub retry: RetryPolicy,
    pub(crate) flavor: Flavor,
}

/// The fields of a batch object that drive the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchView {
    pub id: String,
    pub status: String,
    pub output_file_id: Option<String>,
    pub error_file_id: Option<String>,
    pub total: u64,
    pub completed: u64,
    pub failed: u64,
}

impl BatchView {
    pub fn of(v: &Value) -> Result<BatchView, ProviderError> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let count = |k: &str| {
            v.pointer(&format!("/request_counts/{k}"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        Ok(BatchView {
            id: s("id").ok_or_else(|| ProviderError::BadAnswer {
                what: "batch object".into(),
                reason: "no id".into(),
            })?,
            status: s("status").unwrap_or_default(),
            output_file_id: s("output_file_id"),
            error_file_id: s("error_file_id"),
            total: count("total"),
            completed: count("completed"),
            failed: count("failed"),
        })
    }

    pub fn terminal(&self) -> bool {
        TERMINAL.contains(&self.status.as_str())
    }
}

impl OpenAi {
    /// A client for `base` (e.g. `https://api.openai.com/v1`).
    pub fn new(base: &str, key: ApiKey) -> Result<OpenAi, ProviderError> {
        let bad = |reason: &str| ProviderError::BaseUrl {
            url: base.to_owned(),
            reason: reason.to_owned(),
        };
        let parsed = reqwest::Url::parse(base).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad("the scheme must be http or https"));
        }
        let http = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| bad(&e.to_string()))?;
        Ok(OpenAi {
            http,
            base: base.trim_end_matches('/').to_owned(),
            key,
            retry: RetryPolicy::default(),
            flavor: Flavor::OpenAi,
        })
    }

    /// The key from `OPENAI_API_KEY`; the base URL from `base_url`, else
    /// `OPENAI_BASE_URL`, else OpenAI's.
    pub fn from_env(base_url: Option<&str>) -> Result<OpenAi, ProviderError> {
        let key = ApiKey::from_env(KEY_VAR).ok_or(ProviderError::MissingKey { var: KEY_VAR })?;
        let env_base = std::env::var(BASE_URL_VAR).ok().filter(|s| !s.trim().is_empty());
        OpenAi::new(base_url.or(env_base.as_deref()).unwrap_or(DEFAULT_BASE_URL), key)
    }

    /// Replaces the connect and read timeouts (defaults 10 s and 120 s).
    pub fn with_timeouts(mut self, connect: Duration, read: Duration) -> Result<OpenAi, ProviderError> {
        self.http = Client::builder()
            .connect_timeout(connect)
            .read_timeout(read)
            .build()
            .map_err(|e| ProviderError::BaseUrl {
                url: self.base.clone(),
                reason: e.to_string(),
            })?;
        Ok(self)
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn req(&self, method: Method, path: &str) -> RequestBuilder {
        let r = self.http.request(method, self.flavor.url(&self.base, path));
        let header = match self.flavor {
            Flavor::OpenAi => self.key.bearer().map(|h| ("authorization", h)),
            Flavor::Azure { .. } => self.key.header().map(|h| ("api-key", h)),
        };
        match header {
            Some((name, h)) => r.header(name, h),
            None => r,
        }
    }

    async fn call(&self, what: &str, method: Method, path: &str, body: Option<&Value>) -> Result<Value, ProviderError> {
        let replay = if method == Method::POST && path == "/batches" {
            Replay::OnlyIfRefused
        } else {
            Replay::Safe
        };
        http::json(&self.retry, &self.key, what, replay, || {
            let r = self.req(method.clone(), path);
            match body {
                Some(b) => r.json(b),
                None => r,
            }
        })
        .await
    }

    /// `POST /files` with `purpose=batch`; returns the file object.
    pub async fn upload(&self, path: &Path) -> Result<Value, ProviderError> {
        let what = format!("uploading {}", path.display());
        let data = std::fs::read(path).map_err(|source| ProviderError::Io {
            what: what.clone(),
            path: path.to_owned(),
            source,
        })?;
        let boundary = format!("assay{:016x}", fastrand::u64(..));
        let name = path
            .file_name()
            .map_or("input.jsonl".into(), |n| n.to_string_lossy().replace('"', "_"));
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/jsonl\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let body = bytes::Bytes::from(body);
        http::json(&self.retry, &self.key, &what, Replay::Safe, || {
            self.req(Method::POST, "/files")
                .header(CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
                .body(body.clone())
        })
        .await
    }

    /// `POST /batches` for chat completions within 24h.
    pub async fn create_batch(&self, input_file_id: &str, metadata: &Value) -> Result<Value, ProviderError> {
        self.create_batch_for(SyncApi::Chat, input_file_id, metadata).await
    }

    /// `POST /batches` for the endpoint of `api`, within 24h.
    pub async fn create_batch_for(
        &self,
        api: SyncApi,
        input_file_id: &str,
        metadata: &Value,
    ) -> Result<Value, ProviderError> {
        let body = json!({
            "input_file_id": input_file_id,
            "endpoint": api.batch_endpoint(&self.flavor),
            "completion_window": "24h",
            "metadata": metadata,
        });
        self.call("creating the batch", Method::POST, "/batches", Some(&body))
            .await
    }

    pub async fn batch(&self, id: &str) -> Result<Value, ProviderError> {
        self.call(
            &format!("reading batch {id}"),
            Method::GET,
            &format!("/batches/{id}"),
            None,
        )
        .await
    }

    /// One page of batches, newest first.
    pub async fn list_batches(&self, limit: u32, after: Option<&str>) -> Result<Value, ProviderError> {
        let mut path = format!("/batches?limit={}", limit.clamp(1, 100));
        if let Some(a) = after {
            path.push_str(&format!("&after={a}"));
        }
        self.call("listing batches", Method::GET, &path, None).await
    }

    /// The newest batch whose `metadata[key] == value`, searching `pages` pages.
    pub async fn find_batch(&self, key: &str, value: &str, pages: u32) -> Result<Option<Value>, ProviderError> {
        let mut after: Option<String> = None;
        for _ in 0..pages {
            let page = self.list_batches(100, after.as_deref()).await?;
            let data = page.get("data").and_then(Value::as_array).cloned().unwrap_or_default();
            if let Some(b) = data
                .iter()
                .find(|b| b.pointer(&format!("/metadata/{key}")).and_then(Value::as_str) == Some(value))
            {
                return Ok(Some(b.clone()));
            }
            if page.get("has_more").and_then(Value::as_bool) != Some(true) {
                break;
            }
            after = page.get("last_id").and_then(Value::as_str).map(str::to_owned);
        }
        Ok(None)
    }

    pub async fn cancel_batch(&self, id: &str) -> Result<Value, ProviderError> {
        self.call(
            &format!("cancelling batch {id}"),
            Method::POST,
            &format!("/batches/{id}/cancel"),
            None,
        )
        .await
    }

    /// `GET /files/{id}/content` into `dest`, whole or not at all.
    pub async fn download(&self, file_id: &str, dest: &Path) -> Result<u64, ProviderError> {
        let what = format!("downloading file {file_id}");
        download::to_file(&self.retry, &self.key, &what, dest, || {
            self.req(Method::GET, &format!("/files/{file_id}/content"))
        })
        .await
    }

    /// Sync `POST /chat/completions` (Azure: the deployment named by `model`).
    pub async fn chat(&self, body: &Value) -> Result<Value, ProviderError> {
        self.sync(SyncApi::Chat, body).await
    }

    /// The sync call of `api` for one request body.
    pub async fn sync(&self, api: SyncApi, body: &Value) -> Result<Value, ProviderError> {
        let path = self.flavor.sync_path(api, body)?;
        self.call(api.what(), Method::POST, &path, Some(body)).await
    }
}
