//! The flags that say where granted judges' LLM calls go. Who may call is the
//! operator policy's business (`[llm.<judge>]`); these only name the endpoint,
//! the key's environment variable and the response cache.

use std::path::PathBuf;

use clap::Args;

use assay::judge::Policy;
use assay::judge::llm::{Endpoint, ResponseCache};

#[derive(Debug, Args)]
pub struct LlmArgs {
    /// OpenAI-compatible endpoint for judges the policy grants `llm`
    /// (e.g. https://api.openai.com/v1); also $ASSAY_JUDGE_ENDPOINT.
    #[arg(
        long = "judge-endpoint",
        id = "judge_endpoint",
        env = "ASSAY_JUDGE_ENDPOINT",
        value_name = "URL"
    )]
    pub endpoint: Option<String>,
    /// Name of the environment variable that holds the endpoint's API key.
    #[arg(long = "judge-key-env", id = "judge_key_env", value_name = "VAR")]
    pub key_env: Option<String>,
    /// Directory of cached judge LLM answers (default: $ASSAY_CACHE_DIR/llm,
    /// else ~/.cache/assay/llm).
    #[arg(long = "judge-cache", id = "judge_cache", value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Neither read nor write cached judge LLM answers.
    #[arg(long = "no-judge-cache", id = "no_judge_cache", conflicts_with = "judge_cache")]
    pub no_cache: bool,
}

impl LlmArgs {
    /// Adds the run's endpoint and cache to the policy's grants.
    pub fn apply(&self, policy: &mut Policy) -> Result<(), String> {
        if self.key_env.is_some() && self.endpoint.is_none() {
            return Err("--judge-key-env needs --judge-endpoint".into());
        }
        if let Some(url) = &self.endpoint {
            let e = Endpoint::new(url, self.key_env.as_deref()).map_err(|e| e.to_string())?;
            policy.llm.endpoint = Some(std::sync::Arc::new(e));
        }
        // The cache is for granted judges' answers: a run without grants never
        // touches it, and one whose cache cannot be written runs uncached.
        if !self.no_cache && !policy.llm.grants.is_empty() {
            let dir = self.cache.clone().or_else(ResponseCache::default_dir);
            if let Some(dir) = dir {
                match ResponseCache::open(&dir) {
                    Ok(cache) => policy.llm.cache = Some(cache),
                    Err(e) => assay::note!(
                        "warning: judge LLM answers run uncached: cannot use the cache {}: {e}",
                        dir.display()
                    ),
                }
            }
        }
        Ok(())
    }
}
