//! Preparing the judges a run asked for: resolve by name, load with every
//! check, start one instance to learn what the judge is and to validate its
//! configuration before any row is read.
//!
//! Invariant: a judge whose load, start or `init` fails stops the run before
//! it begins, with an error naming the judge; nothing is half-evaluated.

use std::path::PathBuf;
use std::sync::Arc;

use super::calls::{Aggregator, Calls};
use crate::judge::cache::CompileCache;
use crate::judge::engine::JudgeEngine;
use crate::judge::files::{ReadError, read_regular_text};
use crate::judge::registry::{RegistryError, SearchPath};
use crate::judge::state::RunContext;
use crate::judge::{JudgeInstance, JudgePre, LoadError, Policy, Role, StartError, load::load};

/// What a judge said about itself in `describe`.
#[derive(Debug, Clone)]
pub struct JudgeInfo {
    pub name: String,
    pub version: String,
    pub description: String,
    pub scores: bool,
    pub aggregates: bool,
    pub quality: bool,
    pub needs_prompt: bool,
    pub needs_metadata: bool,
}

pub struct PreparedJudge {
    pub loaded: Arc<JudgePre>,
    pub config: Arc<Vec<(String, String)>>,
    pub info: JudgeInfo,
    /// The instance that described itself (or its native stand-in in a
    /// bench-native run); kept as the run's aggregator.
    pub aggregator: Option<Aggregator>,
    /// Whom the scorers call.
    pub calls: Calls,
}

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    UnknownKey(#[from] crate::judge::manifest::UnknownConfigKey),
    #[error("judge '{judge}': config {key}: cannot read {path}: {source}")]
    ConfigFile {
        judge: String,
        key: String,
        path: PathBuf,
        source: ReadError,
    },
    #[error("judge '{judge}' describes itself as '{described}'; refusing a judge whose manifest and code disagree")]
    NameMismatch { judge: String, described: String },
    #[error("judge '{judge}' neither scores nor aggregates")]
    Useless { judge: String },
}

/// Largest `--set key=@file` value read: a JSON Schema or a price table
/// (LiteLLM's whole price map is about 1.5 MB) fits many times over.
pub const MAX_CONFIG_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// `--set judge.key=value` pairs for one judge; a value `@path` is replaced
/// by the file's content, since judges have no file system.
pub fn read_config(judge: &str, pairs: &[(String, String)]) -> Result<Vec<(String, String)>, PrepareError> {
    pairs
        .iter()
        .map(|(k, v)| match v.strip_prefix('@') {
            Some(path) => read_regular_text(std::path::Path::new(path), MAX_CONFIG_FILE_BYTES)
                .map(|content| (k.clone(), content))
                .map_err(|source| PrepareError::ConfigFile {
                    judge: judge.to_owned(),
                    key: k.clone(),
                    path: PathBuf::from(path),
                    source,
                }),
            None => Ok((k.clone(), v.clone())),
        })
        .collect()
}

/// Config keys with this prefix are facts the host states about the run; users
/// cannot `--set` them.
pub const HOST_KEY_PREFIX: &str = "assay.";

/// Resolves, loads and starts one judge. `facts` are host-set config pairs
/// (`assay.*`); a judge receives only those its manifest's `[config]` declares,
/// so judges that never heard of a fact never see an unknown key.
#[allow(clippy::too_many_arguments)]
pub async fn prepare(
    engine: &JudgeEngine,
    cache: Option<&CompileCache>,
    policy: &Policy,
    path: &SearchPath,
    name: &str,
    mut config: Vec<(String, String)>,
    facts: &[(&str, String)],
    run: RunContext,
) -> Result<PreparedJudge, PrepareError> {
    let entry = path.resolve(name)?;
    entry.check_config(&config)?;
    for (key, value) in facts {
        if entry.manifest.config.contains_key(*key) {
            config.push(((*key).to_owned(), value.clone()));
        }
    }
    let loaded = load(engine, cache, policy, entry)?;
    let config = Arc::new(config);
    let mut inst = JudgeInstance::start(&loaded, &config, run, Role::Aggregator).await?;
    let d = inst.describe().await.map_err(|failure| StartError::Trapped {
        judge: name.to_owned(),
        failure,
    })?;
    if d.name != name {
        return Err(PrepareError::NameMismatch {
            judge: name.to_owned(),
            described: d.name,
        });
    }
    if !d.scores && !d.aggregates {
        return Err(PrepareError::Useless { judge: name.to_owned() });
    }
    use crate::judge::bindings::types::Needs;
    let info = JudgeInfo {
        name: d.name,
        version: d.version,
        description: d.description,
        scores: d.scores,
        aggregates: d.aggregates,
        quality: d.quality && d.scores,
        needs_prompt: d.needs.contains(Needs::PROMPT),
        needs_metadata: d.needs.contains(Needs::METADATA),
    };
    let (calls, aggregator) = super::calls::pick(&loaded, &config, &info, inst)?;
    Ok(PreparedJudge {
        loaded,
        config,
        info,
        aggregator,
        calls,
    })
}
