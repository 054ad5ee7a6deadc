//! Finding judges by name along a search path, from manifests alone.
//!
//! Invariant: listing or resolving judges reads `judge.toml` files only; no
//! WebAssembly is compiled or run. Earlier directories on the path win.

use std::path::{Path, PathBuf};

use super::manifest::{JudgeEntry, Manifest, ManifestError};

/// Where judges are looked for, in order.
#[derive(Debug, Clone, Default)]
pub struct SearchPath {
    pub dirs: Vec<(PathBuf, &'static str)>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("no judge named '{name}' (looked in: {looked}); `assay judges` lists what is available")]
    NotFound { name: String, looked: String },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
}

impl SearchPath {
    /// `--plugin-dir` entries, then `$ASSAY_PLUGIN_PATH` (colon-separated),
    /// then the built-in judges next to the executable, then the per-user
    /// data directory.
    pub fn standard(plugin_dirs: &[PathBuf]) -> SearchPath {
        let mut dirs: Vec<(PathBuf, &'static str)> = plugin_dirs.iter().map(|d| (d.clone(), "--plugin-dir")).collect();
        if let Some(p) = std::env::var_os("ASSAY_PLUGIN_PATH") {
            dirs.extend(std::env::split_paths(&p).map(|d| (d, "ASSAY_PLUGIN_PATH")));
        }
        if let Some(d) = builtin_dir() {
            dirs.push((d, "built-in"));
        }
        if let Some(d) = user_dir() {
            dirs.push((d, "user"));
        }
        SearchPath { dirs }
    }

    /// Every judge on the path (first occurrence of each name), with the
    /// manifests that failed to parse reported beside them.
    pub fn list(&self) -> (Vec<(JudgeEntry, &'static str)>, Vec<ManifestError>) {
        let mut found: Vec<(JudgeEntry, &'static str)> = Vec::new();
        let mut errors = Vec::new();
        for (dir, origin) in &self.dirs {
            for manifest in manifests_in(dir) {
                match Manifest::read(&manifest) {
                    Ok(entry) => {
                        if !found.iter().any(|(e, _)| e.manifest.name == entry.manifest.name) {
                            found.push((entry, origin));
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        found.sort_by(|a, b| a.0.manifest.name.cmp(&b.0.manifest.name));
        (found, errors)
    }

    /// The first judge called `name` on the path.
    pub fn resolve(&self, name: &str) -> Result<JudgeEntry, RegistryError> {
        for (dir, _) in &self.dirs {
            let direct = dir.join(name).join("judge.toml");
            if direct.is_file() {
                let entry = Manifest::read(&direct)?;
                if entry.manifest.name == name {
                    return Ok(entry);
                }
            }
            for manifest in manifests_in(dir) {
                if let Ok(entry) = Manifest::read(&manifest)
                    && entry.manifest.name == name
                {
                    return Ok(entry);
                }
            }
        }
        Err(RegistryError::NotFound {
            name: name.to_owned(),
            looked: self
                .dirs
                .iter()
                .map(|(d, o)| format!("{} ({o})", d.display()))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

/// `DIR/*/judge.toml` and `DIR/judge.toml`, sorted for a stable order.
fn manifests_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let own = dir.join("judge.toml");
    if own.is_file() {
        out.push(own);
    }
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let m = e.path().join("judge.toml");
            if m.is_file() {
                out.push(m);
            }
        }
    }
    out.sort();
    out
}

/// Built-in judges: `<exe dir>/judges`, or `<exe dir>/../judges` for a
/// binary inside a cargo `target/<profile>/` directory, where
/// `assay judge build --all` stages them.
pub fn builtin_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    let candidates = [
        dir.join("judges"),
        dir.parent()?.join("judges"),
        dir.parent()?.parent()?.join("judges"),
    ];
    candidates.into_iter().find(|c| c.is_dir())
}

/// `$XDG_DATA_HOME/assay/judges` or `~/.local/share/assay/judges`.
pub fn user_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share")))?;
    Some(base.join("assay").join("judges"))
}
