//! The response cache for judge LLM calls: a rerun of the same rows asks the
//! endpoint nothing, spends no tokens and gets the same verdicts.
//!
//! Invariant: an entry is keyed by the sha256 of the canonical request (model,
//! messages, max-tokens, temperature, json mode) and written whole or not at
//! all (temporary file, then rename), in a directory private to the user. A
//! damaged entry is treated as a miss, never as an answer.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the cache keeps of one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedAnswer {
    pub content: String,
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// The part of a request that decides its answer.
#[derive(Serialize)]
pub struct CacheKey<'a> {
    pub model: &'a str,
    pub messages: &'a [(String, String)],
    pub max_tokens: u32,
    pub temperature: f32,
    pub json: bool,
}

impl CacheKey<'_> {
    pub fn hash(&self) -> String {
        // serde_json writes struct fields in declaration order: canonical.
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }
}

#[derive(Debug, Clone)]
pub struct ResponseCache {
    dir: PathBuf,
}

impl ResponseCache {
    /// `$ASSAY_CACHE_DIR/llm`, else `$XDG_CACHE_HOME/assay/llm`, else `~/.cache/assay/llm`.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("ASSAY_CACHE_DIR") {
            return Some(PathBuf::from(d).join("llm"));
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(base.join("assay").join("llm"))
    }

    /// Opens (creating, mode 0700) the cache directory.
    pub fn open(dir: &Path) -> std::io::Result<ResponseCache> {
        fs::create_dir_all(dir)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        Ok(ResponseCache { dir: dir.to_owned() })
    }

    fn path(&self, hash: &str) -> PathBuf {
        self.dir.join(format!("{hash}.json"))
    }

    pub fn get(&self, hash: &str) -> Option<CachedAnswer> {
        let bytes = fs::read(self.path(hash)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores an answer; a failure to write only costs a future call.
    pub fn put(&self, hash: &str, answer: &CachedAnswer) -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(&serde_json::to_vec(answer).map_err(std::io::Error::other)?)?;
        tmp.persist(self.path(hash)).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
