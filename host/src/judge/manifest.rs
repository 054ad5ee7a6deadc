//! `judge.toml`: what a judge declares about itself, read without compiling or
//! running any WebAssembly.
//!
//! Invariant: a `Manifest` value names a supported WIT version, a component
//! file inside the judge's own directory, and (for a loadable judge) the
//! sha256 the file must have.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use super::text::{MAX_DESCRIPTION_BYTES, is_config_key, is_judge_name, is_version, one_line};

/// WIT packages this host can run. A judge declaring 0.2.0 must export
/// `packed-scorer` (checked at load); any judge that exports it is scored
/// through it.
pub const SUPPORTED_WIT: &[&str] = &["assay:judge@0.1.0", "assay:judge@0.2.0"];

/// The version whose judges export `packed-scorer`.
pub const PACKED_WIT: &str = "assay:judge@0.2.0";

/// Limits a judge asks for; the operator policy decides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequestedLimits {
    pub fuel_per_row: Option<u64>,
    pub memory_mib: Option<u64>,
    pub timeout_ms_per_row: Option<u64>,
}

/// Capabilities a judge declares it uses. Declaring is not granting: the
/// operator's policy grants (`[llm.<name>]`), and a component that imports a
/// capability its manifest does not declare is refused, so `assay judges` can
/// show what each judge needs without compiling it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// Calls models through `assay:llm/llm@0.1.0`.
    #[serde(default)]
    pub llm: bool,
}

/// How `assay judge build` builds a judge that is not a plain cargo crate
/// (Python, JavaScript, anything): a shell command run in the judge's
/// directory, and the tools it needs with how to install each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildSpec {
    /// Run with `sh -c` in the manifest's directory, with `$ASSAY` (this
    /// program) and `$ASSAY_OUT` (where to stage) set; it must stage the judge
    /// into `$ASSAY_OUT/<name>/`.
    pub command: String,
    /// Tool name → install hint; each must be on PATH (or named by the
    /// environment variable of its name in upper case, `-` as `_`).
    #[serde(default)]
    pub tools: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Manifest {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    pub wit: String,
    /// File name of the component, relative to the manifest.
    pub component: String,
    /// Hex sha256 of the component; written by `assay judge build`.
    pub sha256: Option<String>,
    #[serde(default)]
    pub limits: RequestedLimits,
    #[serde(default)]
    pub capabilities: Capabilities,
    /// Configuration keys and one line of help each.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// The build command, for judges cargo does not build.
    #[serde(default)]
    pub build: Option<BuildSpec>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// A `--set` key the judge does not declare.
#[derive(Debug, thiserror::Error)]
#[error("judge '{judge}' has no config key '{key}'{}; it takes: {known}", suggestion.as_ref().map(|s| format!(" (did you mean '{s}'?)")).unwrap_or_default())]
pub struct UnknownConfigKey {
    pub judge: String,
    pub key: String,
    pub suggestion: Option<String>,
    pub known: String,
}

/// A manifest and the directory it was found in.
#[derive(Debug, Clone)]
pub struct JudgeEntry {
    pub manifest: Manifest,
    pub path: PathBuf,
    /// Where it was found: `built-in`, `--plugin-dir`, `ASSAY_PLUGIN_PATH`,
    /// `user`, or `file` for a manifest read by path.
    pub origin: &'static str,
}

impl JudgeEntry {
    /// Refuses a configuration key the manifest's `[config]` does not
    /// declare, suggesting the closest declared one.
    pub fn check_config(&self, pairs: &[(String, String)]) -> Result<(), UnknownConfigKey> {
        let known = &self.manifest.config;
        let Some((key, _)) = pairs.iter().find(|(k, _)| !known.contains_key(k)) else {
            return Ok(());
        };
        let suggestion = known
            .keys()
            .map(|k| (edit_distance(k, key), k))
            .filter(|(d, k)| *d <= (k.len() / 3).max(2))
            .min()
            .map(|(_, k)| k.clone());
        let names: Vec<&str> = known.keys().map(String::as_str).collect();
        Err(UnknownConfigKey {
            judge: self.manifest.name.clone(),
            key: super::text::one_line(key, super::text::MAX_NAME_BYTES),
            suggestion,
            known: if names.is_empty() {
                "no keys".into()
            } else {
                names.join(", ")
            },
        })
    }

    pub fn component_path(&self) -> PathBuf {
        self.dir().join(&self.manifest.component)
    }

    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

impl Manifest {
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, ManifestError> {
        let invalid = |message: String| ManifestError::Invalid {
            path: path.to_owned(),
            message,
        };
        let mut m: Manifest = toml::from_str(text).map_err(|e| invalid(e.message().to_owned()))?;
        if !is_judge_name(&m.name) {
            return Err(invalid(format!(
                "name {:?} must be 1-64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit",
                m.name
            )));
        }
        if !is_version(&m.version) {
            return Err(invalid(format!(
                "version {:?} must be 1-32 characters of A-Z, a-z, 0-9, '.', '+' or '-'",
                m.version
            )));
        }
        if let Some(key) = m.config.keys().find(|k| !is_config_key(k)) {
            return Err(invalid(format!(
                "config key {key:?} must be 1-64 characters of a-z, 0-9, '.', '-' or '_'"
            )));
        }
        // Free text is kept, as one visible line each: it is only ever shown.
        m.description = one_line(&m.description, MAX_DESCRIPTION_BYTES);
        for help in m.config.values_mut() {
            *help = one_line(help, MAX_DESCRIPTION_BYTES);
        }
        if !SUPPORTED_WIT.contains(&m.wit.as_str()) {
            return Err(invalid(format!(
                "wit {:?} is not supported by this host (supported: {})",
                m.wit,
                SUPPORTED_WIT.join(", ")
            )));
        }
        let comp = Path::new(&m.component);
        let plain = comp.components().count() == 1 && matches!(comp.components().next(), Some(Component::Normal(_)));
        if !plain || !m.component.ends_with(".wasm") {
            return Err(invalid(format!(
                "component {:?} must be a .wasm file name in the manifest's own directory",
                m.component
            )));
        }
        if let Some(b) = &m.build {
            if b.command.trim().is_empty() {
                return Err(invalid("[build] command is empty".into()));
            }
            if let Some(tool) = b.tools.keys().find(|t| !is_config_key(t)) {
                return Err(invalid(format!(
                    "[build] tool {tool:?} must be 1-64 characters of a-z, 0-9, '.', '-' or '_'"
                )));
            }
        }
        if let Some(sha) = &m.sha256
            && (sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(invalid(format!("sha256 {sha:?} is not 64 hex digits")));
        }
        Ok(m)
    }

    pub fn read(path: &Path) -> Result<JudgeEntry, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_owned(),
            source,
        })?;
        Ok(JudgeEntry {
            manifest: Manifest::parse(&text, path)?,
            path: path.to_owned(),
            origin: "file",
        })
    }
}

/// Levenshtein distance over bytes, for "did you mean" suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests;
