//! Where a call goes: OpenAI's paths under its base URL, or Azure OpenAI's
//! under `{endpoint}/openai` with `?api-version=`, and which sync API an
//! input line's `url` names.
//!
//! Invariant: every URL the client sends to is built here, so an Azure
//! request always carries the api-version, and a sync call for a deployment
//! names that deployment in its path; a `url` no sync API serves is refused
//! before anything is sent.

use crate::error::ProviderError;

/// The dialect of the OpenAI-compatible API a client speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flavor {
    /// OpenAI or an OpenAI-compatible host: `{base}/files`, `{base}/batches`.
    OpenAi,
    /// Azure OpenAI: `{endpoint}/openai/files?api-version=V`, deployments in
    /// sync paths, the key in an `api-key` header.
    Azure { api_version: String },
}

/// The sync APIs a batch input line may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncApi {
    Chat,
    Responses,
    Embeddings,
}

impl SyncApi {
    /// The API an input line's `url` names: `/v1/chat/completions`,
    /// `/v1/responses`, `/v1/embeddings`, or Azure's `/chat/completions`,
    /// `/responses`, `/embeddings` (a query string is ignored).
    pub fn of_url(url: &str) -> Result<SyncApi, ProviderError> {
        let path = url.split('?').next().unwrap_or_default().trim_end_matches('/');
        let path = path.strip_prefix("/openai").unwrap_or(path);
        let tail = path.strip_prefix("/v1").unwrap_or(path);
        match tail {
            "/chat/completions" => Ok(SyncApi::Chat),
            "/responses" => Ok(SyncApi::Responses),
            "/embeddings" => Ok(SyncApi::Embeddings),
            _ => Err(ProviderError::BadRequest {
                what: "a sync call".into(),
                reason: format!(
                    "the input line's url {url:?} names no sync API assay sends to (/v1/chat/completions, /v1/responses, /v1/embeddings)"
                ),
            }),
        }
    }

    pub fn what(self) -> &'static str {
        match self {
            SyncApi::Chat => "chat completion",
            SyncApi::Responses => "response",
            SyncApi::Embeddings => "embedding",
        }
    }

    /// The batch `endpoint` for this API in `flavor`'s spelling.
    pub fn batch_endpoint(self, flavor: &Flavor) -> &'static str {
        match (flavor, self) {
            (Flavor::OpenAi, SyncApi::Chat) => "/v1/chat/completions",
            (Flavor::OpenAi, SyncApi::Responses) => "/v1/responses",
            (Flavor::OpenAi, SyncApi::Embeddings) => "/v1/embeddings",
            (Flavor::Azure { .. }, SyncApi::Chat) => "/chat/completions",
            (Flavor::Azure { .. }, SyncApi::Responses) => "/responses",
            (Flavor::Azure { .. }, SyncApi::Embeddings) => "/embeddings",
        }
    }
}

/// Azure deployment names: letters, digits, `-`, `_` and `.`.
fn deployment(body: &serde_json::Value) -> Result<&str, ProviderError> {
    let name = body
        .get("model")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(ProviderError::BadRequest {
            what: "an Azure sync call".into(),
            reason: format!(
                "the request body's model {name:?} must be the deployment name (letters, digits, '-', '_', '.')"
            ),
        });
    }
    Ok(name)
}

impl Flavor {
    /// The full URL of a logical OpenAI path (`/files`, `/batches?limit=5`).
    pub fn url(&self, base: &str, path: &str) -> String {
        match self {
            Flavor::OpenAi => format!("{base}{path}"),
            Flavor::Azure { api_version } => {
                let (p, q) = path.split_once('?').unwrap_or((path, ""));
                let amp = if q.is_empty() { "" } else { "&" };
                format!("{base}/openai{p}?api-version={api_version}{amp}{q}")
            }
        }
    }

    /// The logical path of a sync call for `body`.
    pub fn sync_path(&self, api: SyncApi, body: &serde_json::Value) -> Result<String, ProviderError> {
        Ok(match (self, api) {
            (_, SyncApi::Responses) => "/responses".into(),
            (Flavor::OpenAi, SyncApi::Chat) => "/chat/completions".into(),
            (Flavor::OpenAi, SyncApi::Embeddings) => "/embeddings".into(),
            (Flavor::Azure { .. }, SyncApi::Chat) => format!("/deployments/{}/chat/completions", deployment(body)?),
            (Flavor::Azure { .. }, SyncApi::Embeddings) => format!("/deployments/{}/embeddings", deployment(body)?),
        })
    }
}

#[cfg(test)]
mod tests;
