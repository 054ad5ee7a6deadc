//! Finding judges by name along a search path, from manifests alone.
//!
//! Invariant: listing or resolving judges reads `judge.toml` files only; no
//! WebAssembly is compiled or run. A name resolves only when exactly one
//! manifest on the whole path has it: a judge from `--plugin-dir`,
//! `ASSAY_PLUGIN_PATH` or the user directory can never silently stand in for
//! a built-in judge (and inherit its grants), and two manifests with one name
//! are reported, never settled by directory order.

use std::path::{Path, PathBuf};

use super::manifest::{JudgeEntry, Manifest, ManifestError};

/// Where judges are looked for, in order.
#[derive(Debug, Clone, Default)]
pub struct SearchPath {
    pub dirs: Vec<(PathBuf, &'static str)>,
}

/// The origin of judges shipped with assay (next to the executable).
pub const BUILT_IN: &str = "built-in";

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("no judge named '{name}' (looked in: {looked}); `assay judges` lists what is available")]
    NotFound { name: String, looked: String },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(
        "judge '{name}' at {} ({origin}) has the name of the built-in judge at {}; a judge may not take a built-in's name: rename it",
        path.display(),
        builtin.display()
    )]
    ShadowsBuiltIn {
        name: String,
        path: PathBuf,
        origin: &'static str,
        builtin: PathBuf,
    },
    #[error("judge '{name}' is defined more than once: {places}; remove or rename all but one")]
    Duplicate { name: String, places: String },
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
            dirs.push((d, BUILT_IN));
        }
        if let Some(d) = user_dir() {
            dirs.push((d, "user"));
        }
        SearchPath { dirs }
    }

    /// Every manifest on the path, in path order, each with its origin; a
    /// directory named twice (say in `--plugin-dir` and `ASSAY_PLUGIN_PATH`)
    /// counts once, with its first origin.
    fn scan(&self) -> (Vec<JudgeEntry>, Vec<ManifestError>) {
        let mut found = Vec::new();
        let mut errors = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (dir, origin) in &self.dirs {
            for manifest in manifests_in(dir) {
                if !seen.insert(manifest.canonicalize().unwrap_or_else(|_| manifest.clone())) {
                    continue;
                }
                match Manifest::read(&manifest) {
                    Ok(mut entry) => {
                        entry.origin = origin;
                        found.push(entry);
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        (found, errors)
    }

    /// Every judge on the path, sorted by name, with the manifests that
    /// failed to parse and the names that do not resolve (a built-in's name
    /// taken, or a name defined twice) reported beside them.
    pub fn list(&self) -> (Vec<JudgeEntry>, Vec<ManifestError>, Vec<RegistryError>) {
        let (mut found, errors) = self.scan();
        found.sort_by(|a, b| a.manifest.name.cmp(&b.manifest.name));
        let mut conflicts = Vec::new();
        for same in found.chunk_by(|a, b| a.manifest.name == b.manifest.name) {
            if let Err(e) = single(same) {
                conflicts.push(e);
            }
        }
        (found, errors, conflicts)
    }

    /// The one judge called `name` on the path.
    pub fn resolve(&self, name: &str) -> Result<JudgeEntry, RegistryError> {
        let (found, _) = self.scan();
        let same: Vec<JudgeEntry> = found.into_iter().filter(|e| e.manifest.name == name).collect();
        if same.is_empty() {
            return Err(RegistryError::NotFound {
                name: name.to_owned(),
                looked: self
                    .dirs
                    .iter()
                    .map(|(d, o)| format!("{} ({o})", d.display()))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        single(&same).cloned()
    }
}

/// The entry when `same` (manifests sharing one name) holds exactly one.
fn single(same: &[JudgeEntry]) -> Result<&JudgeEntry, RegistryError> {
    match same {
        [one] => Ok(one),
        _ => {
            let name = same.first().map(|e| e.manifest.name.clone()).unwrap_or_default();
            let builtin = same.iter().find(|e| e.origin == BUILT_IN);
            let other = same.iter().find(|e| e.origin != BUILT_IN);
            if let (Some(b), Some(o)) = (builtin, other) {
                return Err(RegistryError::ShadowsBuiltIn {
                    name,
                    path: o.path.clone(),
                    origin: o.origin,
                    builtin: b.path.clone(),
                });
            }
            let places = same
                .iter()
                .map(|e| format!("{} ({})", e.path.display(), e.origin))
                .collect::<Vec<_>>()
                .join(", ");
            Err(RegistryError::Duplicate { name, places })
        }
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
