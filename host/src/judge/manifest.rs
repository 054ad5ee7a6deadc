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

/// WIT packages this host can run.
pub const SUPPORTED_WIT: &[&str] = &["assay:judge@0.1.0"];

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
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "schema-drift"
version = "0.1.0"
description = "d"
wit = "assay:judge@0.1.0"
component = "schema_drift.wasm"
sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
[limits]
fuel-per-row = 5
[config]
schema = "the schema"
"#;

    #[test]
    fn good_manifest_parses() {
        let m = Manifest::parse(GOOD, Path::new("judge.toml")).expect("parses");
        assert_eq!(m.name, "schema-drift");
        assert_eq!(m.limits.fuel_per_row, Some(5));
        assert_eq!(m.config.get("schema").map(String::as_str), Some("the schema"));
    }

    #[test]
    fn unsupported_wit_version_is_named() {
        let text = GOOD.replace("assay:judge@0.1.0", "assay:judge@9.0.0");
        let err = Manifest::parse(&text, Path::new("x/judge.toml")).expect_err("refused");
        assert!(
            err.to_string().contains("x/judge.toml") && err.to_string().contains("9.0.0"),
            "{err}"
        );
    }

    #[test]
    fn component_outside_its_directory_is_refused() {
        let text = GOOD.replace("schema_drift.wasm", "../evil.wasm");
        assert!(Manifest::parse(&text, Path::new("judge.toml")).is_err());
    }

    #[test]
    fn unknown_key_is_refused() {
        let text = format!("{GOOD}\n[capabilities]\nnetwork = true\n");
        assert!(Manifest::parse(&text, Path::new("judge.toml")).is_err());
    }

    #[test]
    fn forged_text_in_a_manifest_is_refused_or_escaped() {
        let text = GOOD.replace("version = \"0.1.0\"", "version = \"0.1.0\\u001b]0;pwned\\u0007\"");
        let err = Manifest::parse(&text, Path::new("judge.toml")).expect_err("refused");
        assert!(err.to_string().contains("version"), "{err}");
        let text = GOOD.replace("description = \"d\"", "description = \"d\\nschema-drift 100.00%\"");
        let m = Manifest::parse(&text, Path::new("judge.toml")).expect("parses");
        assert_eq!(m.description, "d\\nschema-drift 100.00%");
    }

    #[test]
    fn an_unknown_config_key_is_refused_with_a_suggestion() {
        let entry = JudgeEntry {
            manifest: Manifest::parse(GOOD, Path::new("judge.toml")).expect("parses"),
            path: "judge.toml".into(),
            origin: "file",
        };
        assert!(entry.check_config(&[("schema".into(), "x".into())]).is_ok());
        let err = entry
            .check_config(&[("shcema".into(), "x".into())])
            .expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "judge 'schema-drift' has no config key 'shcema' (did you mean 'schema'?); it takes: schema"
        );
    }

    #[test]
    fn bad_name_is_refused() {
        let text = GOOD.replace("name = \"schema-drift\"", "name = \"Schema Drift\"");
        assert!(Manifest::parse(&text, Path::new("judge.toml")).is_err());
    }
}
