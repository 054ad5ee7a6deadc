//! Azure OpenAI clients: the same API under `{endpoint}/openai`, with an
//! api-version on every call and the key in an `api-key` header.
//!
//! Invariant: an Azure client always has an api-version, given or from
//! `OPENAI_API_VERSION`, and its key comes only from `AZURE_OPENAI_API_KEY`
//! (or the caller); a missing setting names its flag and its variable.

use crate::endpoint::Flavor;
use crate::error::ProviderError;
use crate::openai::OpenAi;
use crate::secret::ApiKey;

pub const AZURE_KEY_VAR: &str = "AZURE_OPENAI_API_KEY";
pub const AZURE_ENDPOINT_VAR: &str = "AZURE_OPENAI_ENDPOINT";
pub const API_VERSION_VAR: &str = "OPENAI_API_VERSION";

impl OpenAi {
    /// An Azure OpenAI client for the resource `endpoint`
    /// (`https://NAME.openai.azure.com`) at `api_version`.
    pub fn azure(endpoint: &str, key: ApiKey, api_version: &str) -> Result<OpenAi, ProviderError> {
        let version = api_version.trim();
        if version.is_empty() || !version.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(ProviderError::BadRequest {
                what: "the Azure api-version".into(),
                reason: format!("{api_version:?} is not an api-version (e.g. 2024-10-21)"),
            });
        }
        let mut c = OpenAi::new(endpoint, key)?;
        c.flavor = Flavor::Azure {
            api_version: version.to_owned(),
        };
        Ok(c)
    }

    /// Azure from the environment: the key from `AZURE_OPENAI_API_KEY`, the
    /// endpoint from `endpoint`, else `AZURE_OPENAI_ENDPOINT`, the api-version
    /// from `api_version`, else `OPENAI_API_VERSION`.
    pub fn azure_from_env(endpoint: Option<&str>, api_version: Option<&str>) -> Result<OpenAi, ProviderError> {
        let key = ApiKey::from_env(AZURE_KEY_VAR).ok_or(ProviderError::MissingKey { var: AZURE_KEY_VAR })?;
        let var = |v: &str| std::env::var(v).ok().filter(|s| !s.trim().is_empty());
        let endpoint =
            endpoint
                .map(str::to_owned)
                .or_else(|| var(AZURE_ENDPOINT_VAR))
                .ok_or(ProviderError::MissingSetting {
                    what: "the Azure OpenAI endpoint",
                    flag: "--base-url",
                    var: AZURE_ENDPOINT_VAR,
                })?;
        let version =
            api_version
                .map(str::to_owned)
                .or_else(|| var(API_VERSION_VAR))
                .ok_or(ProviderError::MissingSetting {
                    what: "the Azure OpenAI api-version",
                    flag: "--api-version",
                    var: API_VERSION_VAR,
                })?;
        OpenAi::azure(&endpoint, key, &version)
    }

    /// The Azure api-version, for an Azure client.
    pub fn api_version(&self) -> Option<&str> {
        match &self.flavor {
            Flavor::OpenAi => None,
            Flavor::Azure { api_version } => Some(api_version),
        }
    }
}
